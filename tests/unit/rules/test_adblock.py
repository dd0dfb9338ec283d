"""Adblock cosmetic lists parsed into rule packs: syntax, what is skipped and why, loading."""
import pytest

from proxy.rules import load_rules
from proxy.rules.adblock import parse_list_text
from support.paths import SHARED


@pytest.mark.parametrize("line, kind", [
    ("##.share-bar", "rule"),
    ("example.com##.share-bar", "rule"),
    ("example.com,~sub.example.com##.share-bar", "rule"),
    ("#@#.share-bar", "exception"),
    ("example.com#?#.box:has-text(Share)", "rule"),
    ("example.com##.box:has-text(/share this/i)", "rule"),
    ("example.com##.box:-abp-contains(Share)", "rule"),
    ("example.com##.box:contains(Share)", "rule"),
    ("##.icon:upward(2)", "rule"),
    ("##.icon:upward(.widget)", "rule"),
    ("##.popup:remove()", "rule"),
    ("##.x:min-text-length(20)", "rule"),
    ("example.com##.x:matches-path(/^\\/news/)", "rule"),
    ("##div:-abp-has(> .ad)", "rule"),
    ("example.com##^.promo", "rule"),
])
def test_supported_lines_become_rules(line, kind):
    pack, report = parse_list_text(line, "t")
    if kind == "rule":
        assert report.applied == 1 and len(pack.rules) == 1, report.summary()
    else:
        assert report.exceptions == 1 and len(pack.filter_list.exceptions) == 1


@pytest.mark.parametrize("line, reason", [
    ("example.com##.x:style(display: none !important)", ":style"),
    ("example.com##.x:matches-css(position: fixed)", ":matches-css"),
    ("example.com##+js(set-constant, a, 1)", "scriptlet"),
    ("example.com#$#.x { display: none; }", "CSS injection"),
    ("example.com#%#window.x = 1;", "not cosmetic"),
    ("||ads.example.com^$third-party", "network rule"),
    ("example.com##.x:xpath(//div)", "xpath"),
    ("example.com##.x:remove-attr(style)", "attributes"),
    ("example.com##^script:has-text(ad)", "scripts"),
])
def test_unsupported_lines_are_counted_by_reason(line, reason):
    pack, report = parse_list_text(line, "t")
    assert report.applied == 0 and not pack.rules
    assert sum(report.skipped.values()) == 1
    assert reason in next(iter(report.skipped))


def test_invalid_lines_are_reported_with_line_numbers():
    text = "! comment\n##.ok\n##div >\nexam ple.com##.x\n##.also-ok\n"
    pack, report = parse_list_text(text, "t")
    assert [r.line for r in pack.rules] == [2, 5]
    assert [line for line, _why in report.invalid] == [3, 4]
    assert "not a domain" in report.invalid[1][1]
    assert "2 rules applied" in report.summary() and "invalid 2" in report.summary()


def test_real_lists_import():
    lists = sorted((SHARED / "corpora/filterlists").glob("*/*.txt"))
    assert lists
    rules = load_rules(*lists)
    assert rules.errors == ()
    assert len(rules.rules) > 40000


def test_list_with_the_id_of_a_loaded_pack_is_refused(tmp_path):
    a, b = tmp_path / "one" / "mine.txt", tmp_path / "two" / "mine.txt"
    for path in (a, b):
        path.parent.mkdir()
        path.write_text("##.x\n")
    rules = load_rules(a, b)
    assert [p.id for p in rules.packs] == ["mine"]
    assert "duplicate pack id 'mine'" in rules.errors[0].message


def test_a_folder_of_rules_takes_lists_too(tmp_path):
    (tmp_path / "a.txt").write_text("##.promo\n")
    (tmp_path / "b.yaml").write_text("id: b\ntitle: B\nrules:\n  - id: b.one\n    title: One\n    selectors: ['.x']\n")
    assert sorted(p.id for p in load_rules(tmp_path).packs) == ["a", "b"]
