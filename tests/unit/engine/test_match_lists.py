"""Adblock lists applied by the engine: scoping, exceptions, operators, the big-list index."""
import pytest

from proxy.engine import clean_page
from proxy.rules import RuleSet, load_rules
from proxy.rules.adblock import parse_list_text
from support.pagetext import visible_text

ARTICLE = "".join(f"<p>Paragraph {i} of the article, long enough to be the article itself.</p>" for i in range(8))


def page(extra: str) -> str:
    return f"<html lang=en><body><main><h1>Title</h1>{ARTICLE}{extra}</main></body></html>"


def clean(list_text: str, html: str, url: str = "https://www.example.com/news/1"):
    pack, report = parse_list_text(list_text, "test")
    return clean_page(html, url, RuleSet((pack,))), report


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
