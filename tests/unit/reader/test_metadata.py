"""What a page says about itself: dates, titles, bylines, site names, lead images."""
import pytest
from selectolax.lexbor import LexborHTMLParser

from proxy.reader import page_metadata

BASE = "https://news.example/a/b.html"


@pytest.mark.parametrize("head, field, expected", [
    ('<meta property="article:published_time" content="2020-02-29T10:00:00Z">', "published", "2020-02-29"),
    ('<meta property="article:published_time" content="2019-02-30">', "published", None),
    ('<script type="application/ld+json">{"@type":"BlogPosting","datePublished":"2021-07-01"}</script>',
     "published", "2021-07-01"),
    ('<script type="application/ld+json">{not json</script><meta property="og:title" content="OG">',
     "title", "OG"),
    ('<script type="application/ld+json">[{"@type":"Article","author":"Jo Bloggs"}]</script>', "byline", "Jo Bloggs"),
    ('<meta name="author" content="https://social.example/jo">', "byline", None),
    ('<script type="application/ld+json">{"@type":"NewsArticle","publisher":{"name":"Pub"}}</script>',
     "site_name", "Pub"),
    ('<meta property="og:image" content="/i/cover.jpg">', "lead_image", "https://news.example/i/cover.jpg"),
])
def test_page_metadata(head, field, expected):
    tree = LexborHTMLParser(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert getattr(page_metadata(tree, BASE), field) == expected


def test_time_element_dates_a_page_without_meta():
    tree = LexborHTMLParser('<html><body><article><time datetime="2018-10-15T08:00">Oct 15</time></article></body></html>')
    assert page_metadata(tree, BASE).published == "2018-10-15"
