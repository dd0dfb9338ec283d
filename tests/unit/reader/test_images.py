"""The article's pictures in reading copies (issue #15): where they stand, with captions,
lazy-loaded ones kept, clutter pictures left out, the text untouched, work bounded."""
from __future__ import annotations

import re
import time

import pytest
from selectolax.lexbor import LexborHTMLParser

from proxy.reader import read_article
from proxy.reader.images import MAX_PLACED, place_pictures
from proxy.reader.picture import page_base
from unit.reader.pictures import FIGURES, LAZY_PICTURES, PARAGRAPHS, figures_page, lazy_page

URL = "https://news.example/2024/05/harbour-wall"
SITE = "https://news.example"


def blocks(html: str) -> list[tuple[str, str]]:
    """The copy's top-level blocks: (tag, text or image src)."""
    out = []
    for node in LexborHTMLParser(html).body.iter():
        img = node.css_first("img")
        out.append((node.tag, img.attributes["src"] if node.tag == "figure" and img else node.text().strip()))
    return out


def without_pictures(html: str) -> str:
    return re.sub(r"<figure>.*?</figure>|<img[^>]*>|<picture>.*?</picture>", "", html, flags=re.S)


def test_three_figures_stand_where_they_stood_with_their_captions():
    copy = read_article(figures_page(), URL)
    expected = []
    for i, text in enumerate(PARAGRAPHS):
        expected.append(("p", text))
        if i < 3:
            expected.append(("figure", SITE + FIGURES[i][0]))
    assert blocks(copy.html) == expected
    tree = LexborHTMLParser(copy.html)
    assert [n.text() for n in tree.css("figure figcaption")] == [caption for _p, _a, caption in FIGURES]
    assert [n.attributes["alt"] for n in tree.css("img")] == [alt for _p, alt, _c in FIGURES]
    assert tree.css_first("img").attributes.get("width") == "800"


def test_pixel_sprite_logo_and_sidebar_teaser_are_left_out():
    html = read_article(figures_page(), URL).html
    for gone in ("track.example", "sprites.png", "site-logo.png", "ferry-teaser.png", "social-card.png",
                 "placeholder.gif", ".webp"):
        assert gone not in html


def test_pictures_never_change_the_text():
    with_pictures = read_article(figures_page(), URL)
    plain = read_article(without_pictures(figures_page()), URL)
    assert with_pictures.text == plain.text
    assert with_pictures.text.split("\n\n") == PARAGRAPHS  # captions are in the HTML only
    assert not any(caption in with_pictures.text for _p, _a, caption in FIGURES)


def test_lazy_loaded_pictures_are_kept_with_their_real_urls():
    copy = read_article(lazy_page(), URL)
    srcs = [n.attributes["src"] for n in LexborHTMLParser(copy.html).css("img")]
    assert srcs == [SITE + wanted for _markup, wanted in LAZY_PICTURES]
    assert [n.attributes.get("alt") for n in LexborHTMLParser(copy.html).css("img")] == ["First", "Second", "Third",
                                                                                          "Fourth"]
    assert copy.text.split("\n\n") == PARAGRAPHS


def test_relative_image_urls_resolve_against_base_href():
    copy = read_article(figures_page(base="https://cdn.example/harbour/"), URL)
    srcs = [n.attributes["src"] for n in LexborHTMLParser(copy.html).css("img")]
    assert srcs == ["https://cdn.example" + path for path, _a, _c in FIGURES]


@pytest.mark.parametrize("base, url, expected", [
    ('<base href="/static/">', "https://a.example/x/y.html", "https://a.example/static/"),
    ('<base href="javascript:alert(1)">', "https://a.example/x/y.html", "https://a.example/x/y.html"),
    ("", "https://a.example/x/y.html", "https://a.example/x/y.html"),
])
def test_page_base(base, url, expected):
    assert page_base(LexborHTMLParser(f"<html><head>{base}</head><body></body></html>"), url) == expected


@pytest.mark.parametrize("markup", [
    '<img src="/a.jpg" width="1" height="1">',  # a tracking pixel
    '<img src="/a.jpg" width="24" height="24">',  # an icon
    '<img src="/img/icons/sprite.png">',  # a sprite by its name
    '<span class="author-avatar"><img src="/people/ana.jpg"></span>',
    '<div class="share-buttons"><img src="/img/fb.png"></div>',
    '<div class="ad-slot"><img src="/creative/1.jpg"></div>',
    '<img src="/a.jpg" style="display: none">',
    '<img src="javascript:alert(1)">',
    # the author's head shot, in the link to their page
    '<div class="profilePic"><a rel="author" href="/profiles/ana/"><figure><img src="/img/70x70/ana.jpg" '
    'width="70" height="70" alt="Ana mugshot"></figure></a></div>',
    # a navigation box's map (Wikipedia's navboxes say role="navigation")
    '<div role="navigation" class="navbox"><img src="/maps/300px-Oceania.png" width="300" height="300"></div>',
    '<nav><img src="/maps/region.png" width="300" height="200"></nav>',
])
def test_clutter_pictures_inside_the_article_are_left_out(markup):
    page = (f"<html><body><article><h1>T</h1><p>{PARAGRAPHS[0]}</p>{markup}<p>{PARAGRAPHS[1]}</p>"
            f"<p>{PARAGRAPHS[2]}</p></article></body></html>")
    assert "<img" not in read_article(page, URL).html


def test_a_page_of_thousands_of_images_is_read_in_bounded_time():
    figures = "".join(f'<figure><img src="/i/{i}.jpg" alt="{i}"><figcaption>Picture {i}</figcaption></figure>'
                      for i in range(5000))
    page = (f"<html><body><article><h1>T</h1><p>{PARAGRAPHS[0]}</p>{figures}<p>{PARAGRAPHS[1]}</p>"
            f"<p>{PARAGRAPHS[2]}</p></article></body></html>")
    start = time.perf_counter()
    copy = read_article(page, URL)
    assert time.perf_counter() - start < 10
    assert 0 < copy.html.count("<img") <= MAX_PLACED


def test_placing_pictures_on_a_page_of_many_foreign_texts_is_bounded():
    article = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    noise = "".join(f"<div>Unrelated line number {i} of the page's endless footer text</div>"
                    f'<img src="/n/{i}.jpg" alt="">' for i in range(40_000))
    page = LexborHTMLParser(f"<html><body><article>{article}</article>{noise}</body></html>")
    body = LexborHTMLParser(article).body
    start = time.perf_counter()
    placed = place_pictures(body, page, URL)
    assert time.perf_counter() - start < 5
    assert placed.placed == 0 and placed.page_has_pictures
