"""The seed page: what ../shared/seed/README.md says a cleaned page must show."""
import pytest

from proxy.engine import clean_page
from support.pagetext import visible_text
from support.seed import SEED_FILE, SEED_URL, assert_seed_clean, seed_paragraphs


@pytest.fixture(scope="module")
def seed_html() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


def test_seed_page_comes_out_clean(seed_html):
    result = clean_page(seed_html, SEED_URL)
    assert result.error is None and result.changed
    assert_seed_clean(seed_html, result.html)
    assert result.skipped == {}
    assert result.removed["icon-sprites.symbol-labels"] == 47


def test_seed_page_from_bytes(seed_html):
    result = clean_page(seed_html.encode("utf-8"), SEED_URL)
    assert result.encoding == "utf-8"
    assert_seed_clean(seed_html, result.html)


def test_generic_packs_alone_clean_most_of_the_seed(seed_html):
    """On a host with no site pack, the generic packs still catch the seed's clutter."""
    result = clean_page(seed_html, "https://mirror.example/news/467009/")
    after = visible_text(result.html)
    assert not any(k.startswith("rt.com.") for k in result.removed)
    for gone in ["icon bookmark", "Like this story? Share it with a friend!", "Also on rt.com"]:
        assert gone not in after
    for p in seed_paragraphs():
        assert p in after


def test_other_sites_do_not_get_rt_rules(seed_html):
    result = clean_page(seed_html, "https://example.org/")
    assert not any(rule.startswith("rt.com.") for rule in result.removed)


def test_removal_leaves_every_other_byte_as_it_came():
    """Nodes whose markup stands in the source as Lexbor writes it are cut out of the
    source itself: the rest of the page keeps its own quoting, spacing and entities."""
    page = ("<!doctype html>\n<html lang=en><head><title>t</title>\n<script>var s = '<div class=\"a2a_kit\">x</div>';</script>"
            "</head>\n<body class=x>\n  <p id=p1>Caf&eacute; &amp; news, <b>bold</b><br/>line</p>\n"
            + "<p>Long article text that stays where it is, every byte of it.</p>\n" * 5
            + '<div class="a2a_kit"><a href="https://www.addtoany.com/share">Share</a></div>\n</body></html>')
    result = clean_page(page, "https://example.org/a")
    assert result.removed == {"share-prompts.plugins": 1}
    assert result.html == page.replace('<div class="a2a_kit"><a href="https://www.addtoany.com/share">Share</a></div>', "")
    as_bytes = clean_page(page.encode("utf-8"), "https://example.org/a", content_type="text/html; charset=utf-8")
    assert as_bytes.html == result.html


def test_markup_written_differently_falls_back_to_serializing():
    page = ("<html><body>" + "<p>Long article text that stays where it is.</p>" * 5
            + "<div class='a2a_kit'><a href=x>Share</a></div></body></html>")
    result = clean_page(page, "https://example.org/a")
    assert result.removed == {"share-prompts.plugins": 1}
    assert "a2a_kit" not in result.html and result.html.count("Long article text") == 5


def test_markup_also_written_inside_a_script_is_not_cut_there():
    clutter = '<div class="a2a_kit"><a href="https://www.addtoany.com/share">Share</a></div>'
    page = ("<html><body>" + "<p>Long article text that stays where it is.</p>" * 5
            + f"<SCRIPT>var tpl = '{clutter}';</SCRIPT><div class='a2a_kit'><a href=x>Share</a></div></body></html>")
    result = clean_page(page, "https://example.org/a")
    assert result.removed == {"share-prompts.plugins": 1}
    assert clutter in result.html  # the script's string is intact
    assert "href=\"x\"" not in result.html and "href=x" not in result.html
