"""A person's own pack may be big: 600 rules with text patterns, several selectors each and
`requires` clean like a small one (a pack is matched through the list index only when it
was read from an adblock list, never because of its size)."""
from __future__ import annotations

import pytest

from proxy.engine import Engine
from proxy.rules import load_rules

RULES = 600


def big_pack(tmp_path):
    lines = ["id: mine", "title: My many rules", "rules:"]
    for i in range(RULES):
        lines += [f"  - id: mine.r{i}", f"    title: Rule {i}"]
        if i % 3 == 0:  # two selectors, the second the one that matches
            lines += ["    selectors:", f"      - '.nothing-{i}'", f"      - '.box-{i}'"]
        elif i % 3 == 1:  # a text pattern
            lines += ["    text:", f"      - 'Promo number {i} here'"]
        else:  # a selector list in one string, and a <head> requirement
            lines += [f"    selectors: '#never-{i}, .widget-{i}'", "    requires: 'meta[name=generator]'"]
    path = tmp_path / "mine.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def page(with_generator: bool) -> str:
    story = "".join(f"<p>Paragraph {n} of the story, which is long enough to be the article itself.</p>"
                    for n in range(40))
    clutter = ('<div class="box-3">box three</div><div class="box-597">box 597</div>'
               '<p>Promo number 4 here</p><p>Promo number 598 here</p>'
               '<aside class="widget-5">widget five</aside><aside class="widget-599">widget 599</aside>')
    head = '<meta name="generator" content="WordPress">' if with_generator else ""
    return f"<html lang=en><head>{head}</head><body><article><h1>Title</h1>{story}{clutter}</article></body></html>"


@pytest.mark.parametrize("scanning", [True, False])
def test_a_pack_of_600_rules_with_text_several_selectors_and_requires(tmp_path, scanning):
    rules = load_rules(big_pack(tmp_path))
    assert not rules.errors and len(rules.rules) == RULES and not rules.packs[0].adblock
    engine = Engine(literal_scanning=scanning)
    result = engine.clean_page(page(with_generator=True), "https://news.example/a", rules)
    assert result.error is None
    assert result.removed == {rule: 1 for rule in ("mine.r3", "mine.r597", "mine.r4", "mine.r598",
                                                   "mine.r5", "mine.r599")}
    assert "Paragraph 39 of the story" in result.html and "widget five" not in result.html
    # Without the <head> element the `requires` rules ask for, they stay out.
    without = engine.clean_page(page(with_generator=False), "https://news.example/a", rules)
    assert set(without.removed) == {"mine.r3", "mine.r597", "mine.r4", "mine.r598"}
    assert "widget five" in without.html
