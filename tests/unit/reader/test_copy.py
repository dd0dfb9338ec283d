"""Reading copies: the seed page's copy is exactly right, hostile markup never survives."""
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from proxy.reader import ReadingCopy, html_to_text, read_article
from support.pagetext import assert_harmless
from support.pages import HOSTILE_PAGE, HOSTILE_URL
from support.seed import COVER, HEADLINE, SEED_FILE, SEED_URL, SUMMARY, seed_paragraphs


@pytest.fixture(scope="module")
def seed_html() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_copy(seed_html) -> ReadingCopy:
    return read_article(seed_html, SEED_URL)


@pytest.fixture(scope="module")
def hostile_copy() -> ReadingCopy:
    return read_article(HOSTILE_PAGE.read_bytes(), HOSTILE_URL)


def test_seed_metadata(seed_copy):
    assert seed_copy.title == HEADLINE
    assert seed_copy.published == "2019-08-21"
    assert seed_copy.site_name == "RT International"  # og:site_name over JSON-LD publisher "RT"
    assert seed_copy.lang == "en"
    assert seed_copy.lead_image == COVER
    assert seed_copy.byline is None  # the page names no author


def test_seed_text_is_summary_and_the_12_paragraphs(seed_copy):
    paragraphs = seed_paragraphs()
    assert len(paragraphs) == 12
    assert seed_copy.text.split("\n\n") == [SUMMARY, *paragraphs]


def test_seed_html_holds_the_article_and_the_cover_only(seed_copy, seed_html):
    tree = LexborHTMLParser(seed_copy.html)
    assert [n.attributes.get("src") for n in tree.css("img")] == [COVER]
    assert [n.text() for n in tree.css("p")] == [SUMMARY, *seed_paragraphs()]
    assert html_to_text(seed_copy.html) == seed_copy.text
    labels = re.findall(r"<title>(icon[^<]*)</title>", seed_html)
    assert len(labels) == 47
    everything = seed_copy.html + "\n" + seed_copy.text
    for gone in [*labels, "Like this story?", "Share it with a friend", "Dear readers and commenters",
                 "new engine for our comment section", "Sorry for the inconvenience", "RT Team", "Also on rt.com",
                 "Maduro uses Venezuelan Independence Day", "World News", "Op-ed", "Trends", "Venezuela crisis",
                 "US sanctions", "All rights reserved", "Get short URL", "© Reuters", HEADLINE]:
        assert gone not in everything, f"{gone!r} in the reading copy"


def test_seed_as_bytes_is_the_same_copy(seed_html, seed_copy):
    assert read_article(seed_html.encode("utf-8"), SEED_URL) == seed_copy


# --- Hostile input ------------------------------------------------------------------

def test_hostile_page_copy_is_harmless(hostile_copy):
    assert_harmless(hostile_copy.html)
    assert "alert" not in hostile_copy.text
    assert "evening crossings" in hostile_copy.text  # a javascript: link loses its href, not its words
    assert hostile_copy.lead_image == "https://gazette.example/media/ferry.jpg"  # og:image was javascript:


def test_hostile_page_keeps_the_article(hostile_copy):
    text = hostile_copy.text
    for kept in ["The harbour council voted on Tuesday evening", "Councillors said the extra crossings",
                 "The ferry operator welcomed the vote", "Opponents of the plan argued",
                 "The timetable takes effect on the first Monday of May"]:
        assert kept in text
    for gone in ["subscribe here", "Sign up", "svg text", "Home", "© Example Gazette"]:
        assert gone not in text
    links = [n.attributes.get("href") for n in LexborHTMLParser(hostile_copy.html).css("a")]
    assert "https://gazette.example/docs/timetable-2024.pdf" in links  # relative made absolute (not via <base>)


def test_hostile_page_metadata(hostile_copy):
    assert hostile_copy.title == "Harbour council approves new ferry timetable"
    assert hostile_copy.byline == "Ana Ribeiro, Tom Okafor"
    assert hostile_copy.published == "2024-03-05"
    assert hostile_copy.site_name == "Example Gazette"
    assert hostile_copy.lang == "en-GB"


PARAGRAPHS = "".join(f"<p>Paragraph {n}: the ferry resumed its crossings on Tuesday after the storm had kept "
                     f"it in harbour for three days, the operator said.</p>" for n in range(8))


def _calls(monkeypatch) -> list[bool]:
    """Whether each trafilatura extraction ran in its fast mode (the real function runs)."""
    import trafilatura  # noqa: PLC0415

    calls: list[bool] = []
    real = trafilatura.bare_extraction

    def recording(*args, **kwargs):
        calls.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", recording)
    return calls


def test_an_article_in_paragraphs_is_read_in_trafilaturas_fast_mode(monkeypatch):
    calls = _calls(monkeypatch)
    page = f"<html><body><nav><a href='/'>Home</a></nav><article><h1>Ferry</h1>{PARAGRAPHS}</article></body></html>"
    copy = read_article(page, "https://news.example/ferry/")
    assert calls == [True] and copy.text.count("Paragraph") == 8


def test_an_article_not_in_paragraphs_gets_the_full_mode(monkeypatch):
    calls = _calls(monkeypatch)
    divs = PARAGRAPHS.replace("<p>", "<div>").replace("</p>", "</div>")
    copy = read_article(f"<html><body><article><h1>Ferry</h1>{divs}</article></body></html>",
                        "https://news.example/ferry/")
    assert calls and not any(calls) and "Paragraph 7" in copy.text


def test_links_are_resolved_against_the_pages_own_address():
    page = (f"<html><body><article><h1>Ferry</h1>{PARAGRAPHS}<p>See <a href='#timetable'>the timetable</a> and "
            f"<a href='map.html'>the map of the crossings</a> for the ferry's new times this week.</p>"
            f"</article></body></html>")
    copy = read_article(page, "https://news.example/2024/ferry/")
    assert 'href="https://news.example/2024/ferry/#timetable"' in copy.html
    assert 'href="https://news.example/2024/ferry/map.html"' in copy.html


def test_the_extractor_gets_the_page_without_scripts_and_json_ld_still_names_the_author(monkeypatch):
    import trafilatura  # noqa: PLC0415

    pages: list[str] = []
    real = trafilatura.bare_extraction

    def recording(page, *args, **kwargs):
        pages.append(page)
        return real(page, *args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", recording)
    ld = '{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Person", "name": "Ada Byron"}}'
    page = (f'<html><head><script type="application/ld+json">{ld}</script><style>p {{ color: red }}</style></head>'
            f'<body><article><h1>Ferry</h1>{PARAGRAPHS}<script>window.track("ferry-story-view")</script>'
            f'<noscript><img src="/pixel.gif" alt=""></noscript></article></body></html>')
    copy = read_article(page, "https://news.example/ferry/")
    assert copy.byline == "Ada Byron" and copy.text.count("Paragraph") == 8
    assert pages and all("<script" not in p and "<style" not in p and "<noscript>" in p for p in pages)
