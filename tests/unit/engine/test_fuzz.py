"""Garbage in, a page out: `clean_page` never raises, whatever it is handed."""
from __future__ import annotations

import re
import sys
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from proxy.engine import CleanResult, clean_page
from proxy.engine.prepare import MAX_DEPTH, MAX_TAGS
from support.paths import ROOT, SEED_DIR, TESTS

sys.path.insert(0, str(TESTS / "benchmarks"))  # the benchmarks' own visible_text, as they score pages

from aeb import visible_text  # noqa: E402

SEED_URL = "https://www.rt.com/news/467009-us-venezuela-secret-talks/"
SEED_PAGE = next(p for p in (ROOT / "rules" / "tests" / "rt-article.html",
                             SEED_DIR / "rt-secret-talks.html") if p.is_file())
SEED = SEED_PAGE.read_text(encoding="utf-8")
SPRITE_END = SEED.index("</svg>") + len("</svg>")  # the first <svg> of the page is its sprite sheet
SPRITE_LABELS = re.findall(r"<title>(icon[^<]*)</title>", SEED[:SPRITE_END])

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
URLS = st.sampled_from([SEED_URL, "", "https://blog.example.org/2024/05/post/", "http://[::1", "http://[bad",
                        "not a url", "https://xn--80ak6aa92e.com/", "https://EXAMPLE.com./x?y#z", "\x00"])
CONTENT_TYPES = st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=bogus",
                                 "text/html; charset=utf-16", "text/html; charset=shift_jis", "text/html; charset="])


def assert_page_out(result: CleanResult, given_html: str | bytes) -> None:
    """A result always carries a str page: the cleaned one, or the original as given."""
    assert isinstance(result, CleanResult)
    assert isinstance(result.html, str)
    if result.changed:
        assert result.removed and result.error is None
    elif isinstance(given_html, str):
        assert result.html == given_html
    if result.error is not None:
        assert not result.changed and not result.removed


@pytest.mark.parametrize("html", ["", b"", bytearray(), memoryview(b""), " ", "\x00", b"\x00", "<", "</", "<!--",
                                  "<html>", "<body>", "<svg>", "<template>", "\ufeff", b"\xef\xbb\xbf",
                                  "\ud800<p>lone surrogate</p>", b"\xff\xfe", b"\xfe\xff\x00<"])
@pytest.mark.parametrize("url", ["", SEED_URL, "http://[::1"])
def test_degenerate_input(html, url):
    assert_page_out(clean_page(html, url), html)


@FUZZ
@given(data=st.binary(max_size=4096), url=URLS, content_type=CONTENT_TYPES)
def test_random_bytes(data, url, content_type):
    assert_page_out(clean_page(data, url, content_type=content_type), data)


@FUZZ
@given(data=st.lists(st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"<p>", b"</p>",
                                      b"<svg><symbol><title>icon x</title></symbol></svg>", b"Share this:",
                                      b"<meta charset=\"utf-16\">", b"<meta charset=latin1>", b"\xef\xbb\xbf",
                                      b"<body>", b"<div class=\"sharedaddy\">"]), max_size=40).map(b"".join),
       url=URLS)
def test_invalid_utf8_and_nul_bytes(data, url):
    assert_page_out(clean_page(data, url), data)


@FUZZ
@given(text=st.text(st.characters(codec=None), max_size=2000), url=URLS)
def test_random_text(text, url):
    assert_page_out(clean_page(text, url), text)


@FUZZ
@given(offset=st.integers(0, len(SEED)), as_bytes=st.booleans())
def test_truncated_seed_page(offset, as_bytes):
    page = SEED[:offset]
    html = page.encode("utf-8") if as_bytes else page
    assert_page_out(clean_page(html, SEED_URL), html)


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(SPRITE_END, len(SEED)))
def test_truncated_seed_page_loses_sprite_labels(offset):
    result = clean_page(SEED[:offset], SEED_URL)
    assert result.error is None
    shown = visible_text(result.html)
    left = [label for label in SPRITE_LABELS if label in shown]
    assert not left, f"cut at {offset}: {len(left)} sprite labels left, skipped: {result.skipped}"


def test_seed_page_cut_late_loses_sprite_labels():
    # Past the header most of the page's text is the article, so the guard lets the strip rule run.
    cut = SEED.index("</article>") if "</article>" in SEED else len(SEED)
    shown = visible_text(clean_page(SEED[:cut], SEED_URL).html)
    assert len(SPRITE_LABELS) == 47
    assert not [label for label in SPRITE_LABELS if label in shown]


@pytest.mark.parametrize("depth", [10_000, 30_000, 200_000])
@pytest.mark.parametrize("closed", [True, False])
def test_deeply_nested_divs_are_refused_before_the_parse(depth, closed):
    # Lexbor's parse is quadratic in depth (30,000 levels: ~8 s): such a page is handed
    # back as it came, at once, and says why.
    html = "<html><body>" + "<div>" * depth + "<p>Share this:</p><p>The article body.</p>" + "</div>" * depth * closed
    started = time.perf_counter()
    result = clean_page(html.encode(), "https://example.com/")
    assert time.perf_counter() - started < 1.0
    assert result.page == html.encode() and not result.changed
    assert result.error in (f"PageRefused: not cleaned: its elements nest over {MAX_DEPTH} levels deep",
                            f"PageRefused: not cleaned: it has {html.count('<')} tags (at most {MAX_TAGS} are cleaned)")


def test_nesting_up_to_the_limit_is_cleaned():
    depth = MAX_DEPTH - 100
    html = ("<html><body>" + "<div>" * depth + "<p>Share this:</p><p>" + "The article body. " * 50 + "</p>"
            + "</div>" * depth)
    result = clean_page(html, "https://example.com/")
    assert result.error is None and result.removed == {"share-prompts.phrases": 1}


def test_deeply_nested_clutter_at_the_bottom():
    html = ("<body>" + "<div><span>" * 5000 + "Share this:" + "</span></div>" * 5000
            + "<p>" + "The article body stays. " * 200 + "</p>")
    result = clean_page(html, "https://example.com/")
    assert_page_out(result, html)
    assert "The article body stays." in result.html


def test_huge_page():
    body = SEED[SEED.index("<body"):SEED.index("</body>")]
    html = SEED[:SEED.index("<body")] + body * (3_000_000 // len(body) + 1)
    assert len(html) > 3_000_000
    result = clean_page(html, SEED_URL)
    assert_page_out(result, html)
    assert result.error is None and result.changed


def test_html_elements_written_self_closing_still_nest():
    # `<div/>` opens a div in HTML: such a page is as deep as it looks.
    html = "<body>" + "<div/>" * 20_000 + "<p>Share this:</p>"
    assert clean_page(html, "https://example.com/").error.endswith(f"nest over {MAX_DEPTH} levels deep")


def test_page_of_too_many_elements_is_refused_before_the_parse():
    # 240,000 elements would take Lexbor ~80 MB: the page is handed back as it came.
    html = "<body>" + "<p>Share this:</p><p>Words of the article.</p>" * 60_000
    result = clean_page(html.encode("utf-8"), "https://example.com/")
    assert result.page == html.encode() and not result.changed
    assert result.error == f"PageRefused: not cleaned: it has 240001 tags (at most {MAX_TAGS} are cleaned)"


_TAGS = ["div", "p", "span", "a", "ul", "li", "section", "article", "main", "aside", "h1", "svg", "symbol",
         "defs", "title", "desc", "use", "noscript", "script", "style", "template", "table", "tr", "td",
         "form", "select", "option", "iframe", "img", "br", "body", "html", "head", "frameset", "math", "xmp"]
_ATTRS = st.sampled_from([
    'class="sharedaddy"', 'class="read-more"', 'class="article__share"', 'class="comments__notice"',
    'id="disqus_thread"', 'id="jp-relatedposts"', 'href="https://facebook.com/sharer?u=1"',
    'href="https://twitter.com/intent/tweet"', 'href="#icon-x"', 'style="display:none"', 'hidden',
    'class=""', "class='a b c'", 'id=""', 'data-x="<>&quot;"', "onclick=alert(1)", 'xmlns="http://www.w3.org/2000/svg"',
])
_TEXTS = st.one_of(
    st.sampled_from(["Share this:", "Like this:", "Leave a Reply", "Comments are closed.", "Read more: A headline here",
                     "Also on rt.com Something happened", "icon bookmark", "Dear readers and commenters,",
                     "Lesen Sie auch: Die Koalition streitet", "Поделиться", "シェア", "The article body.", "&amp;",
                     "&#0;", "&nbsp;", "<!-- c -->", "<![CDATA[x]]>", "<!DOCTYPE html>", "\x00", "]]>", "--!>"]),
    st.text(max_size=30),
)


def _element(children):
    return st.builds(lambda tag, attrs, inner, close: f"<{tag} {' '.join(attrs)}>{''.join(inner)}"
                     + (f"</{tag}>" if close else ""),
                     st.sampled_from(_TAGS), st.lists(_ATTRS, max_size=3), st.lists(children, max_size=4), st.booleans())


MARKUP = st.recursive(_TEXTS, _element, max_leaves=40)


@FUZZ
@given(parts=st.lists(MARKUP, max_size=6), url=URLS)
def test_random_markup(parts, url):
    html = "<!doctype html><html><body>" + "".join(parts)
    assume(html)
    result = clean_page(html, url)
    assert_page_out(result, html)
    assert result.error is None
