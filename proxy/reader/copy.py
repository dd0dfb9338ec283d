"""Reading copies: the article of a page as clean HTML, plain text and metadata.

The page is first cleaned with the rule set (the proxy's engine), so share prompts,
comment notices, promos and sprite labels never reach the extractor; trafilatura then
finds the main content. Metadata comes from what the page declares about itself
(metadata.py) before trafilatura's guesses, and the result goes through a small
allow-list sanitiser (sanitize.py) before anyone sees it; the article's pictures are put
back where they stand (images.py) after its text is taken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from selectolax.lexbor import LexborHTMLParser

from proxy.engine import clean_page
from proxy.engine.prepare import PageRefused, structure_problem
from proxy.reader.images import place_pictures
from proxy.reader.picture import page_base
from proxy.reader.metadata import PageMetadata, page_metadata
from proxy.reader.sanitize import html_to_text, sanitize_html
from proxy.rules import RuleSet


@dataclass(frozen=True)
class ReadingCopy:
    """One article as a reader keeps it; `.html` is sanitised and its URLs absolute."""

    title: str | None
    byline: str | None
    published: str | None  # ISO 8601 date, YYYY-MM-DD
    site_name: str | None
    lang: str | None
    lead_image: str | None
    html: str
    text: str  # paragraphs separated by blank lines


# Trafilatura's settings for the reading copy, measured on the AEB corpus. Precision over
# recall: the rule set has already removed the known clutter. No comments: a reading copy
# is the article. No images: with them trafilatura also keeps captions, credits and
# teasers around pictures (F1 0.008 lower); images.py puts the article's pictures back
# where they stand, without touching the text.
EXTRACTION = dict(include_comments=False, include_tables=True, include_images=False, include_links=True,
                  include_formatting=True, favor_precision=True, with_metadata=False)


Extractor = Callable[[str, int], str]


def read_article(html: str | bytes, url: str, rules: RuleSet | None = None,
                 extract: "Extractor | None" = None) -> ReadingCopy:
    """The reading copy of the page at `url`: cleaned by `rules` (the built-in set if None).

    PageRefused for a page too big or deep to parse in bounded time. `extract(page,
    paragraph_chars)` finds the main content (`extract_main`, in this process, if None;
    the library runs it in a process it can stop)."""
    problem = structure_problem(html)
    if problem:
        raise PageRefused(f"not read: {problem}")
    page = clean_page(html, url, rules).html
    tree = LexborHTMLParser(page)
    meta = page_metadata(tree, url)  # before the scripts go: JSON-LD is read there
    body = (extract or extract_main)(_without_scripts(tree, page), _paragraph_chars(tree))
    article = sanitize_html(body, url) if body else ""
    html, text = _complete(article, meta, tree, page_base(tree, url))
    return ReadingCopy(meta.title, meta.byline, meta.published, meta.site_name, meta.lang, meta.lead_image,
                       html, text)


def _without_scripts(tree: LexborHTMLParser, page: str) -> str:
    """`page` (parsed as `tree`) without its scripts and styles, for the extractor: it drops
    them too, but only after parsing them (often half a news page's bytes; a quarter of its
    time). `<noscript>` stays: its pictures are the page's. A page with none goes as it is."""
    nodes = tree.css("script, style, template")
    if not nodes:
        return page
    for node in nodes:
        node.decompose()
    return tree.html or ""


def extract_main(page: str, paragraph_chars: int) -> str:
    """The main content as simple HTML (trafilatura's), or "" when it finds none
    (`paragraph_chars`: the text of the page's <p>, to judge a precision-mode result by).

    trafilatura and lxml are loaded on the first call: the proxy's process extracts in a
    child (library/extraction.py), so it never holds them."""
    import trafilatura  # noqa: PLC0415

    # No `url`: links stay as the page wrote them, and the sanitiser resolves them against
    # the page's address as a browser does (trafilatura's resolver drops the path of
    # "#section" and "page.html" links, and costs a millisecond a page).
    # trafilatura's fast mode skips its fallback extractors and their comparison (40 % of
    # its time); it is trusted where it agrees with the page's paragraphs (most of an
    # article's text is in <p>): neither much less text than they hold nor much more.
    if paragraph_chars >= FAST_PARAGRAPHS:
        document = trafilatura.bare_extraction(page, fast=True, **EXTRACTION)
        low, high = FAST_SHARE
        if low * paragraph_chars <= _body_chars(document) <= high * paragraph_chars:
            return _as_html(document)
    document = trafilatura.bare_extraction(page, **EXTRACTION)
    found = _body_chars(document)
    # Precision mode sometimes settles on a small block (a reprint notice) on pages with
    # plenty of paragraphs; then the balanced mode, which retries with recall itself, has
    # the article.
    if found < MIN_SHARE * paragraph_chars:
        balanced = trafilatura.bare_extraction(page, **{**EXTRACTION, "favor_precision": False})
        if _body_chars(balanced) > found:
            document = balanced
    return _as_html(document)


# Below this share of the page's paragraph text, a precision-mode extraction is retried.
MIN_SHARE = 0.25
# A fast-mode extraction is trusted between these shares of the page's paragraph text, on
# pages with FAST_PARAGRAPHS characters of paragraphs or more. On AEB: the full mode's
# text F1 in 60 % of its time; on Readability's test pages, against their expected text,
# F1 0.918 either way.
FAST_SHARE = (0.5, 1.25)
FAST_PARAGRAPHS = 500


def _as_html(document) -> str:
    from lxml.html import tostring as lxml_tostring  # noqa: PLC0415
    from trafilatura.htmlprocessing import convert_to_html  # noqa: PLC0415

    if document is None or document.body is None or not len(document.body):
        return ""
    return lxml_tostring(convert_to_html(document.body), encoding="unicode")


def _body_chars(document) -> int:
    if document is None or document.body is None:
        return 0
    return sum(len(t) for t in document.body.itertext())


def _paragraph_chars(tree: LexborHTMLParser) -> int:
    return sum(len(node.text()) for node in tree.css("p"))


def _complete(article: str, meta: PageMetadata, tree: LexborHTMLParser, base: str) -> tuple[str, str]:
    """The copy's HTML and text: the headline dropped (the copy carries it as `.title`), and
    what extractors leave out of news pages put back: the standfirst under the headline, the
    article's pictures where they stand (`base`: their URLs' base), the cover image when the
    page shows no picture. The text is taken before the pictures: their captions are not
    the article's words (the extracted text stays as it was)."""
    body = LexborHTMLParser(article).body
    if body is None:
        return article, html_to_text(article)
    first = _first_element(body)
    if first is not None and first.tag in ("h1", "h2") and _same(first.text(), meta.title):
        first.decompose()
    summary = _standfirst(tree, meta.description)
    if summary and _norm(summary) not in _norm(body.text()):
        _insert_first(body, f"<p>{_escape(summary)}</p>")
    text = html_to_text(body.inner_html)
    pictures = place_pictures(body, tree, base, meta.title)
    # The cover stands in for pictures a page shows only by script; a page whose own
    # pictures are all judged not the article's gets none (its og:image is a share card).
    if meta.lead_image and not pictures.page_has_pictures:
        _insert_first(body, f'<figure><img src="{_escape(meta.lead_image)}" alt=""></figure>')
    return body.inner_html.strip(), text


def _insert_first(body, html: str) -> None:
    anchor = _first_element(body)
    for node in list(LexborHTMLParser(html).body.iter()):
        if anchor is None:
            body.insert_child(node)
        else:
            anchor.insert_before(node)


def _standfirst(tree: LexborHTMLParser, description: str | None) -> str | None:
    """The page's description when the body shows it as a block of its own (a summary
    under the headline), else None: a description only in `<meta>` is not article text."""
    if not description or len(description) < 60 or tree.body is None:
        return None
    # Lexbor finds the elements whose own text holds the opening words without a walk.
    opening = re.match(r"[^\"\\<>]{20,60}(?=\s)", description)
    if opening is None:
        return None
    needle = opening.group(0).strip()
    wanted = _norm(description)
    for node in tree.body.css(f'p:lexbor-contains("{needle}"), div:lexbor-contains("{needle}"), '
                              f'h2:lexbor-contains("{needle}"), span:lexbor-contains("{needle}")'):
        if _norm(node.text()) == wanted and not _inside(node, ("header", "nav", "footer", "aside", "form")):
            return description
    return None


def _inside(node, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _norm(a) == _norm(b)


def _first_element(body):
    for child in body.iter(include_text=False):
        return child
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
