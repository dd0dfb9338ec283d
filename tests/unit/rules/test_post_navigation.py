"""WordPress's links to the previous and next posts go with the built-in packs; a
multi-page article's own page links stay, and so does the class on a page that is not
WordPress's."""
from __future__ import annotations

from proxy.engine import clean_page
from support.pagetext import visible_text

ARTICLE = "".join(f"<p>Paragraph {n}: the harbour board met on Tuesday to decide how the storm damage to the old "
                  f"quay will be repaired before the summer season.</p>" for n in range(6))
NAVIGATION = ('<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post '
              'navigation</h2><div class="nav-links"><div class="nav-previous"><a href="/2024/05/older-story/" '
              'rel="prev">← Ferry timetable changes for the summer</a></div><div class="nav-next"><a '
              'href="/2024/05/newer-story/" rel="next">Lighthouse reopens to visitors →</a></div></div></nav>')
PAGES = '<div class="page-links">Pages: <a href="/2024/05/story/2/" class="post-page-numbers">2</a></div>'
WORDPRESS = '<link rel="stylesheet" href="https://example-news.com/wp-content/themes/t/style.css">'


def clean(head: str) -> str:
    html = (f"<!doctype html><html lang=en><head><title>t</title>{head}</head><body><article>{ARTICLE}{PAGES}"
            f"</article>{NAVIGATION}</body></html>")
    result = clean_page(html, "https://example-news.com/2024/05/story/")
    return visible_text(result.output_bytes(html.encode()) or html.encode())


def test_wordpress_post_navigation_goes_and_the_articles_pages_stay():
    text = clean(WORDPRESS)
    assert "Ferry timetable" not in text and "Lighthouse reopens" not in text
    assert "Pages: 2" in text and text.count("Paragraph") == 6


def test_the_class_alone_on_another_cms_is_left():
    assert "Ferry timetable" in clean("")
