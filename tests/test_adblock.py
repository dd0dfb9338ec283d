"""Adblock cosmetic lists as rule packs: syntax, scoping, exceptions, operators."""
import pytest

from proxy.engine import clean_page
from proxy.rules import RuleSet, load_rules
from proxy.rules.adblock import parse_list_text
from support.pagetext import visible_text
from support.paths import SHARED

ARTICLE = "".join(f"<p>Paragraph {i} of the article, long enough to be the article itself.</p>" for i in range(8))


def page(extra: str) -> str:
    return f"<html lang=en><body><main><h1>Title</h1>{ARTICLE}{extra}</main></body></html>"


def clean(list_text: str, html: str, url: str = "https://www.example.com/news/1"):
    pack, report = parse_list_text(list_text, "test")
    return clean_page(html, url, RuleSet((pack,))), report


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


@pytest.mark.parametrize("host, gone", [
    ("www.example.com", True),
    ("example.com", True),
    ("sub.example.com", False),  # ~sub.example.com
    ("deep.sub.example.com", False),
    ("example.org", False),
])
def test_domain_scope_with_subdomains_and_exclusions(host, gone):
    result, _ = clean("example.com,~sub.example.com##.share-bar", page('<div class="share-bar">Share</div>'),
                      f"https://{host}/a")
    assert ("Share" not in visible_text(result.html)) is gone


def test_generic_exception_and_site_exception():
    html = page('<div class="share-bar">Share</div><div class="promo">Promo</div>')
    result, _ = clean("##.share-bar\n##.promo\nexample.com#@#.promo", html)
    text = visible_text(result.html)
    assert "Share" not in text and "Promo" in text
    result, _ = clean("##.share-bar\n##.promo\nexample.com#@#.promo", html, "https://other.org/")
    assert "Promo" not in visible_text(result.html)


def test_generichide_turns_generic_rules_off_for_a_site():
    html = page('<div class="share-bar">Share</div><div class="promo">Promo</div>')
    result, _ = clean("##.share-bar\nexample.com##.promo\n@@||example.com^$generichide", html)
    text = visible_text(result.html)
    assert "Share" in text and "Promo" not in text


def test_has_text_and_min_text_length_and_upward():
    html = page('<div class="w"><div class="box"><span>Share this</span></div></div>'
                '<div class="box"><span>Keep me</span></div>')
    result, _ = clean("example.com##.box:has-text(Share):upward(1)", html)
    text = visible_text(result.html)
    assert "Share this" not in text and "Keep me" in text
    assert 'class="w"' not in result.html
    result, _ = clean("##.box:min-text-length(8)", html)
    text = visible_text(result.html)
    assert "Share this" not in text and "Keep me" in text  # "Keep me" is 7 characters


def test_matches_path():
    html = page('<div class="promo">Promo</div>')
    assert "Promo" not in visible_text(clean("example.com##.promo:matches-path(/news)", html)[0].html)
    assert "Promo" in visible_text(clean("example.com##.promo:matches-path(/sport)", html)[0].html)


def test_a_list_never_takes_the_article():
    result, _ = clean("##main", page(""))
    assert result.removed == {} and "test.1" in result.skipped


def test_big_list_goes_through_the_index_and_txt_files_load_as_packs(tmp_path):
    lines = [f"##.noise-{i}" for i in range(2000)] + ["##.share-bar", "example.com##.promo"]
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines))
    rules = load_rules(path)
    assert rules.errors == () and len(rules.rules) == 2002 and rules.packs[0].id == "big"
    html = page('<div class="share-bar">Share</div><div class="promo">Promo</div><div class="noise-7">N</div>')
    result = clean_page(html, "https://www.example.com/a", rules)
    assert result.removed == {"big.2001": 1, "big.2002": 1, "big.8": 1}


def test_escaped_selectors_in_a_big_list_still_match(tmp_path):
    """`###\\5f CookieText` is the id `_CookieText`: the space ends the hex escape, it is
    no descendant combinator (read as one, the rule needed a <cookietext> and never ran)."""
    lines = [f"##.noise-{i}" for i in range(600)] + ["###\\5f CookieText", "###js\\.cookie\\.banner"]
    path = tmp_path / "escaped.txt"
    path.write_text("\n".join(lines))
    html = page('<div id="_CookieText">We use cookies</div><div id="js.cookie.banner">Cookies!</div>')
    result = clean_page(html, "https://www.example.com/a", load_rules(path))
    assert result.removed == {"escaped.601": 1, "escaped.602": 1}
    assert "We use cookies" not in result.html and "Cookies!" not in result.html


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


@pytest.mark.parametrize("attrs", ['class="cookie-box note"', "class='cookie-box note'", 'CLASS="cookie-box note"',
                                   'data-kind="cookie" class="note cookie-box"'])
def test_big_list_keys_class_words_however_the_attribute_is_written(tmp_path, attrs):
    lines = [f"##.noise-{i}" for i in range(600)] + ["##.cookie-box", '##[data-kind="cookie"] > .x', '##a[href^="https://ads."]']
    path = tmp_path / "keys.txt"
    path.write_text("\n".join(lines))
    html = page(f'<div {attrs}>We use cookies</div><a href="https://ads.example/1">Ad</a>')
    result = clean_page(html, "https://www.example.com/a", load_rules(path))
    assert result.removed == {"keys.601": 1, "keys.603": 1}
    assert "We use cookies" not in result.html and "ads.example" not in result.html
