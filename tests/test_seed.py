"""The seed page: what ../shared/seed/README.md says a cleaned page must show."""
import re

import pytest

from pagetext import SEED_DIR, SEED_URL, broken_uses, seed_paragraphs, visible_text
from proxy.engine import clean_page

HEADLINE = "Once more with feeling? US holds ‘secret’ talks with Venezuela officials"
SUMMARY = ("Faced with eight months of failed regime-change efforts, the US is trying to achieve its goals "
           "in Venezuela by holding secret talks with members of the government in Caracas, to the dismay "
           "of hawks and US-backed opposition.")
NOTICE = [
    "Dear readers and commenters,",
    "We have implemented a new engine for our comment section.",
    "Unfortunately, the comments made before the change have been lost due to a technical problem.",
    "you are invited to create a new profile with the new commenting system.",
    "Sorry for the inconvenience, and looking forward to your future comments,",
    "RT Team.",
]


@pytest.fixture(scope="module")
def seed_html() -> str:
    return (SEED_DIR / "rt-secret-talks.html").read_text(encoding="utf-8")


def assert_seed_clean(original: str, cleaned: str) -> None:
    """Every point of "What a cleaned page must show — through the proxy"."""
    before, after = visible_text(original), visible_text(cleaned)
    labels = re.findall(r"<title>(icon[^<]*)</title>", original)
    assert len(labels) == 47 and all(label in before for label in labels)
    for label in labels:
        assert label not in after, f"sprite label {label!r} still visible"
    assert "icon " not in after
    for gone in ["Like this story? Share it with a friend!", "Also on rt.com",
                 "Maduro uses Venezuelan Independence Day to call for dialogue", *NOTICE]:
        assert gone in before
        assert gone not in after, f"{gone!r} still visible"
    assert before.count(HEADLINE) == 2 and after.count(HEADLINE) == 1
    assert SUMMARY in after
    paragraphs = seed_paragraphs()
    assert len(paragraphs) == 12
    for p in paragraphs:
        assert p in after, f"paragraph lost: {p[:60]}"
    assert "5d5d8a0e85f54015b4588b52.jpg" in cleaned  # cover image
    for kept in ["World News", "Russia", "Business", "Op-ed", "Trends", "Venezuela crisis", "US sanctions",
                 "All rights reserved."]:
        assert kept in after, f"{kept!r} lost"
    for label in ["Search", "Facebook", "Twitter", "Telegram"]:
        assert f'aria-label="{label}"' in cleaned
    assert cleaned.count("<use") >= 4  # header search + footer icons are still drawn
    assert broken_uses(cleaned) == []
    assert cleaned.lstrip().lower().startswith("<!doctype html>")
    assert "window.SPOTIM" in cleaned and "application/ld+json" in cleaned  # scripts and head untouched


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
