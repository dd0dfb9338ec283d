"""Every built-in pack loads cleanly, and its saved fixtures clean as its tests say."""
from __future__ import annotations

import platform
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from proxy.engine import clean_page
from proxy.rules import PackTest, RulePack, builtin_rules_dir, load_rules
from support.pagetext import visible_text

RULES = load_rules()
_RULES_DIR = builtin_rules_dir().resolve()


def _pack_tests() -> list:
    return [pytest.param(pack, case, id=f"{pack.id}:{_fixture_id(case.fixture.resolve())}:{i}")
            for pack in RULES.packs for i, case in enumerate(pack.tests)]


def _fixtures() -> list:
    paths = sorted({case.fixture.resolve() for pack in RULES.packs for case in pack.tests})
    urls = {case.fixture.resolve(): case.url for pack in RULES.packs for case in pack.tests}
    return [pytest.param(p, urls[p], id=_fixture_id(p)) for p in paths]


def _fixture_id(path: Path) -> str:
    try:
        return str(path.relative_to(_RULES_DIR))
    except ValueError:
        return str(path)


def _cleaned(fixture: Path, url: str) -> tuple[str, str]:
    assert fixture.is_file(), f"fixture {fixture} does not exist"
    html = fixture.read_text(encoding="utf-8")
    result = clean_page(html, url)
    assert result.error is None, result.error
    return html, result.html


def test_builtin_packs_load_without_errors():
    assert RULES.errors == (), "\n".join(map(str, RULES.errors))
    assert RULES.packs


def test_rule_ids_are_unique():
    ids = [r.id for r in RULES.rules]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("pack", RULES.packs, ids=lambda p: p.id)
def test_pack_and_rules_have_titles(pack: RulePack):
    assert pack.title.strip()
    for rule in pack.rules:
        assert rule.title.strip(), f"{pack.id}: rule {rule.id} has no title"


@pytest.mark.parametrize("pack", RULES.packs, ids=lambda p: p.id)
def test_pack_has_tests(pack: RulePack):
    assert pack.tests, f"{pack.path}: no tests: fixtures"


@pytest.mark.parametrize(("pack", "case"), _pack_tests())
def test_pack_fixture(pack: RulePack, case: PackTest):
    html, cleaned = _cleaned(case.fixture, case.url)
    before, after = visible_text(html), visible_text(cleaned)
    for text in case.gone:
        assert text in before, f"{pack.id}: gone string {text!r} is not in the page to begin with"
        assert text not in after, f"{pack.id}: {text!r} is still on the cleaned page"
    for text in case.kept:
        assert text in before, f"{pack.id}: kept string {text!r} is not in the page to begin with"
        assert text in after, f"{pack.id}: {text!r} was removed"


@pytest.mark.parametrize(("fixture", "url"), _fixtures())
def test_icon_references_still_resolve(fixture: Path, url: str):
    html, cleaned = _cleaned(fixture, url)
    tree = LexborHTMLParser(cleaned)
    ids = {node.attributes.get("id") for node in tree.css("[id]")}
    for use in tree.css("use"):
        ref = use.attributes.get("href") or use.attributes.get("xlink:href") or ""
        if ref.startswith("#"):
            assert ref[1:] in ids, f"<use> points at {ref}, which is gone"


@pytest.mark.parametrize(("fixture", "url"), _fixtures())
def test_drawn_svgs_keep_their_titles(fixture: Path, url: str):
    """An SVG that is still on the cleaned page keeps its own <title>/<desc> (not a symbol's)."""
    html, cleaned = _cleaned(fixture, url)

    def labels(page: str) -> dict[tuple, list[tuple[str, ...]]]:
        out: dict[tuple, list[tuple[str, ...]]] = {}
        for svg in LexborHTMLParser(page).css("svg"):
            key = tuple(sorted(svg.attributes.items(), key=lambda kv: kv[0]))
            own = tuple(n.text(deep=True).strip() for n in svg.css("svg > title, svg > desc"))
            out.setdefault(key, []).append(own)
        return out

    before = labels(html)
    for key, found in labels(cleaned).items():
        for own in found:
            assert own in before.get(key, []), f"{dict(key)} lost its title/desc: now {own}"


def test_the_chart_fixture_keeps_its_chart_title():
    fixture = Path(RULES.pack("icon-sprites").path).parent / "tests" / "icomoon-sprite.html"
    _html, cleaned = _cleaned(fixture, "https://blog.example.org/2024/05/post/")
    chart = LexborHTMLParser(cleaned).css_first("svg.chart__svg")
    assert chart is not None
    assert chart.css_first("title").text() == "Quarterly revenue chart"
    assert chart.css_first("symbol#chart-dot") is not None


def test_disqus_noscript_notice_goes():
    """Hidden from the visible-text check, but shown with JavaScript off and read by extractors."""
    fixture = Path(RULES.pack("comment-notices").path).parent / "tests" / "disqus-notice.html"
    html, cleaned = _cleaned(fixture, "https://news.example.com/politics/2024/story-123")
    assert "enable JavaScript" in LexborHTMLParser(html).css_first("noscript").text()
    assert all("enable JavaScript" not in n.text() for n in LexborHTMLParser(cleaned).css("noscript"))


def _article(lang_attr: str, paragraph: str, prompt: str) -> str:
    body = "".join(f"<p>{paragraph} ({i})</p>" for i in range(6))
    return (f"<html{lang_attr}><body><main><h1>Headline</h1>{body}"
            f"<div class=\"tools\"><span>{prompt}</span></div></main></body></html>")


ENGLISH = ("The council said the tram line and the new bridge would open in the spring, and the mayor "
           "added that the works had gone to plan")
GERMAN = "Der Stadtrat sagte, die Straßenbahn und die neue Brücke würden im Frühjahr eröffnet"


@pytest.mark.parametrize("lang_attr, paragraph, gone", [
    (' lang="de"', GERMAN, True),    # declared German: the German rule runs
    ("", GERMAN, True),              # no lang, not English: every language's rules run
    ("", ENGLISH, False),            # no lang, reads as English: the German rule is left out
    (' lang="en"', ENGLISH, False),
])
def test_language_rules_follow_the_declared_or_guessed_language(lang_attr, paragraph, gone):
    result = clean_page(_article(lang_attr, paragraph, "Jetzt teilen"), "https://news.example/a/1", RULES)
    assert ("Jetzt teilen" not in result.html) is gone
    assert paragraph in result.html


def test_long_nested_scripts_are_left_out_of_the_page_text_but_kept_in_the_page():
    """Page text over LONG_PAGE_TEXT is collected again without long nested scripts: a
    phrase inside one is no element's text, the same phrase in the page still goes, and
    the script comes out byte for byte."""
    script = '<script>var state = {"html": "' + "x" * 40000 + '", "label": "Share this:"};</script>'
    html = _article(' lang="en"', ENGLISH, "Share this:").replace(
        '<div class="tools">', f'<div class="wrap"><div class="inner">{script}</div></div><div class="tools">')
    result = clean_page(html, "https://news.example/a/2", RULES)
    assert result.removed == {"share-prompts.phrases": 1}
    assert script in result.html and '<div class="tools">' not in result.html


def test_needles_are_scanned_in_one_pass_on_this_platform():
    """The fast path is the one measured (Hyperscan is a dependency where it has a wheel)."""
    if platform.machine() != "x86_64":
        pytest.skip("Hyperscan ships wheels for x86_64 only; elsewhere bytes.find does the work")
    from proxy.engine import compile_plan
    assert compile_plan(RULES, "news.example").scanner is not None


@pytest.mark.parametrize("fixture, url", _fixtures())
def test_one_pass_scanner_and_find_agree(fixture: Path, url: str):
    """Every fixture comes out the same whether the needles are found by the scanner or
    one bytes.find at a time (as where Hyperscan has no wheel)."""
    from proxy.engine import Engine, host_of
    html = fixture.read_text(encoding="utf-8")
    fast = clean_page(html, url, RULES)
    without = Engine(literal_scanning=False)
    assert without.compile_plan(RULES, host_of(url)).scanner is None
    slow = without.clean_page(html, url, RULES)
    assert fast.removed and (slow.html, slow.removed) == (fast.html, fast.removed)


def test_selectors_whose_strings_the_source_lacks_are_left_out_but_the_rest_match():
    """The selector scanner leaves out `.sharedaddy` on a page without that string, and a
    class written in another case (quirks mode matches it) still counts as present."""
    from proxy import engine
    plan = engine.compile_plan(RULES, "news.example", lang="en")
    plain = _article(' lang="en"', ENGLISH, "Nothing to see")
    assert plan.source is not None and b"a2a_kit" not in plan.source.scan(plain.encode()).caseless
    quirky = _article("", ENGLISH, "x") + '<div class="A2A_KIT">Share</div>'
    assert b"a2a_kit" in plan.source.scan(quirky.encode()).caseless
    widget = _article(' lang="en"', ENGLISH, "x").replace(
        '<div class="tools">', '<div class="a2a_kit a2a_default_style"><a class="a2a_button_x"></a></div><div class="tools">')
    assert clean_page(widget, "https://news.example/a/3", RULES).removed.get("share-prompts.plugins") == 1


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "sv", "tr", "id"])
def test_every_text_pattern_of_a_spaced_language_has_a_needle(lang):
    # A pattern with no word every match holds is tried from every element of every page:
    # one such pattern (a network's name among alternatives, one of them "x") once doubled
    # the text stage's cost on every English page.
    from proxy.engine import compile_plan

    plan = compile_plan(RULES, "news.example", lang=lang)
    assert [(rule.id, pattern.source) for n in plan.needles if not n.phrase for rule, pattern in n.entries] == []
