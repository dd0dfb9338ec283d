"""Reading copies: the article of a page as clean HTML, plain text and metadata.

The page is first cleaned with the rule set (the proxy's engine), so share prompts,
comment notices, promos and sprite labels never reach the extractor; trafilatura then
finds the main content. Metadata comes from what the page declares about itself
(JSON-LD, Open Graph, `<time>`, `<html lang>`) before trafilatura's guesses, and the
result goes through a small allow-list sanitiser before anyone sees it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import tostring as lxml_tostring
from selectolax.lexbor import LexborHTMLParser
from trafilatura.htmlprocessing import convert_to_html

from proxy.engine import clean_page, has_ancestor_in
from proxy.rules import RuleSet, normalize_text


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


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself, each field from the most reliable place found."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None
    site_name: str | None = None
    lang: str | None = None
    lead_image: str | None = None
    description: str | None = None


# Trafilatura's settings for the reading copy, measured on the AEB corpus. Precision over
# recall: the rule set has already removed the known clutter. No comments: a reading copy
# is the article. No images: with them trafilatura also keeps captions, credits and
# teasers around pictures (F1 0.008 lower); the cover image comes from the metadata.
EXTRACTION = dict(include_comments=False, include_tables=True, include_images=False, include_links=True,
                  include_formatting=True, favor_precision=True, with_metadata=False)


def read_article(html: str | bytes, url: str, rules: RuleSet | None = None) -> ReadingCopy:
    """The reading copy of the page at `url`: cleaned by `rules` (the built-in set if None)."""
    page = clean_page(html, url, rules).html
    tree = LexborHTMLParser(page)
    meta = page_metadata(tree, url)
    body = _extract(page, url, tree)
    article = sanitize_html(body, url) if body else ""
    article = _complete(article, meta, tree)
    return ReadingCopy(meta.title, meta.byline, meta.published, meta.site_name, meta.lang, meta.lead_image,
                       article, html_to_text(article))


def _extract(page: str, url: str, tree: LexborHTMLParser) -> str:
    """The main content as simple HTML (trafilatura's), or "" when it finds none."""
    document = trafilatura.bare_extraction(page, url=url, **EXTRACTION)
    found = _body_chars(document)
    # Precision mode sometimes settles on a small block (a reprint notice) on pages with
    # plenty of paragraphs; then the balanced mode, which retries with recall itself, has
    # the article.
    if found < MIN_SHARE * _paragraph_chars(tree):
        balanced = trafilatura.bare_extraction(page, url=url, **{**EXTRACTION, "favor_precision": False})
        if _body_chars(balanced) > found:
            document = balanced
    if document is None or document.body is None or not len(document.body):
        return ""
    return lxml_tostring(convert_to_html(document.body), encoding="unicode")


# Below this share of the page's paragraph text, a precision-mode extraction is retried.
MIN_SHARE = 0.25


def _body_chars(document) -> int:
    if document is None or document.body is None:
        return 0
    return sum(len(t) for t in document.body.itertext())


def _paragraph_chars(tree: LexborHTMLParser) -> int:
    return sum(len(node.text()) for node in tree.css("p"))


def _complete(article: str, meta: PageMetadata, tree: LexborHTMLParser) -> str:
    """Drop the headline (the copy carries it as `.title`), and put back what extractors
    leave out of news pages: the standfirst under the headline and the cover image."""
    body = LexborHTMLParser(article).body
    if body is None:
        return article
    first = _first_element(body)
    if first is not None and first.tag in ("h1", "h2") and _same(first.text(), meta.title):
        first.decompose()
    lead = []
    summary = _standfirst(tree, meta.description)
    if summary and _norm(summary) not in _norm(body.text()):
        lead.append(f"<p>{_escape(summary)}</p>")
    if meta.lead_image and not any(_same_image(n.attributes.get("src"), meta.lead_image) for n in body.css("img")):
        lead.append(f'<figure><img src="{_escape(meta.lead_image)}" alt=""></figure>')
    if lead:
        anchor = _first_element(body)
        for node in list(LexborHTMLParser("".join(lead)).body.iter()):
            if anchor is None:
                body.insert_child(node)
            else:
                anchor.insert_before(node)
    return body.inner_html.strip()


# --- Metadata -------------------------------------------------------------------------

_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|LiveBlogPosting|Posting)$")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def page_metadata(tree: LexborHTMLParser, url: str) -> PageMetadata:
    """Title, byline, date, site, language, image and description the page declares."""
    head_meta = _meta_tags(tree)
    ld = _json_ld_article(tree)
    publisher = ld.get("publisher") if isinstance(ld.get("publisher"), dict) else {}
    h1 = tree.css_first("h1")
    title_tag = tree.css_first("title")
    title = _first_text(ld.get("headline"), head_meta.get("og:title"), head_meta.get("twitter:title"),
                        h1.text() if h1 else None, title_tag.text() if title_tag else None)
    byline = _first_text(_names(ld.get("author")), _not_url(head_meta.get("author")),
                         _not_url(head_meta.get("article:author")), _not_url(head_meta.get("parsely-author")),
                         _not_url(head_meta.get("dc.creator")), _byline_element(tree))
    published = _first_date(ld.get("datePublished"), head_meta.get("article:published_time"),
                            head_meta.get("og:published_time"), head_meta.get("datepublished"),
                            head_meta.get("parsely-pub-date"), head_meta.get("sailthru.date"),
                            head_meta.get("dc.date.issued"), head_meta.get("dc.date"), head_meta.get("date"),
                            head_meta.get("pubdate"), head_meta.get("publish-date"), _time_element(tree),
                            ld.get("dateCreated"), ld.get("dateModified"))
    site_name = _first_text(head_meta.get("og:site_name"), publisher.get("name"),
                            head_meta.get("application-name"))
    lead_image = next(filter(None, (_safe_url(u, url) for u in (
        head_meta.get("og:image:secure_url"), head_meta.get("og:image"), _image_url(ld.get("image")),
        head_meta.get("twitter:image"), head_meta.get("twitter:image:src")) if u)), None)
    description = _first_text(ld.get("description"), head_meta.get("og:description"),
                              head_meta.get("description"), head_meta.get("twitter:description"))
    return PageMetadata(title, byline, published, site_name, _page_lang(tree, head_meta), lead_image, description)


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """`<meta>` contents by lower-cased property/name/itemprop; the first of each wins."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = (attrs.get("content") or "").strip()
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = (attrs.get(key) or "").strip().lower()
            if name:
                found.setdefault(name, content)
    return found


def _json_ld_article(tree: LexborHTMLParser) -> dict:
    """The first Article-like JSON-LD object (NewsArticle, BlogPosting…), or {}."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(), strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _ld_items(data):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and _ARTICLE_TYPES.search(t) for t in types):
                return item
    return {}


def _ld_items(data, depth: int = 0):
    """Every object in a JSON-LD document: top level, lists, `@graph`, `mainEntity`."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_items(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _ld_items(data[key], depth + 1)


def _names(value) -> str | None:
    """Author names from a JSON-LD `author` (a string, a Person, or a list of them)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not _looks_like_url(name):
            names.append(normalize_text(name))
    return ", ".join(dict.fromkeys(names)) or None


def _image_url(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _byline_element(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first('[rel="author"], [itemprop="author"] [itemprop="name"], .byline__name, .author-name')
    return node.text() if node is not None else None


def _time_element(tree: LexborHTMLParser) -> str | None:
    """The first `<time datetime>` in the article (else in the page)."""
    for scope in ("article time[datetime]", "main time[datetime]", "time[datetime]"):
        node = tree.css_first(scope)
        if node is not None:
            return node.attributes.get("datetime")
    return None


def _page_lang(tree: LexborHTMLParser, head_meta: dict[str, str]) -> str | None:
    root = tree.root
    attrs = root.attributes if root is not None else {}
    value = (attrs.get("lang") or attrs.get("xml:lang") or head_meta.get("content-language")
             or head_meta.get("og:locale") or "")
    value = value.split(",")[0].strip().replace("_", "-")
    return value if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value) else None


def _first_text(*values) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return normalize_text(value)
    return None


def _first_date(*values) -> str | None:
    """The first value that starts with a real calendar date, as YYYY-MM-DD."""
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, str):
            continue
        match = _DATE.search(value.strip()[:32])
        if match:
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                continue
    return None


def _not_url(value: str | None) -> str | None:
    return None if value is None or _looks_like_url(value) else value


def _looks_like_url(value: str) -> bool:
    return bool(re.match(r"\s*(https?:)?//", value))


# --- Standfirst -----------------------------------------------------------------------

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


# --- Sanitising -----------------------------------------------------------------------

_KEEP = frozenset("""p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption pre code table thead
tbody tfoot tr td th caption hr br a img em i strong b u s del ins sub sup small mark abbr cite q time
""".split())
# Dropped with everything inside: active content, embedded documents, form controls.
_DROP = frozenset("""script style iframe frame frameset object embed applet form input button select option
textarea svg math noscript template link meta base head title audio video canvas dialog portal source
track picture map area param slot""".split())
_ATTRS = {
    "a": ("href", "title"),
    "img": ("src", "alt", "title", "width", "height"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan"),
    "ol": ("start",),
    "time": ("datetime",),
    "abbr": ("title",),
    "blockquote": ("cite",),
    "q": ("cite",),
}
_URL_ATTRS = frozenset({"href", "src", "cite"})
_NUMBER_ATTRS = frozenset({"colspan", "rowspan", "start", "width", "height"})
_SCHEMES = {"href": ("http", "https", "mailto"), "src": ("http", "https"), "cite": ("http", "https")}
# Browsers ignore these inside a URL's scheme ("java\tscript:"), so they must be gone first.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")


def sanitize_html(html: str, base_url: str) -> str:
    """Keep only allow-listed tags and attributes; URLs made absolute, http(s) only.

    Dangerous elements go with their content; other unknown elements are unwrapped
    (their text stays). The result is the inner HTML of a `<body>`.
    """
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    for node in _outermost(body.css(", ".join(sorted(_DROP)))):
        node.decompose()
    for node in list(body.traverse(include_text=False)):
        tag = node.tag
        if node is body or tag == "body" or tag == "-comment" or node.is_comment_node:
            if node.is_comment_node:
                node.decompose()
            continue
        if tag not in _KEEP:
            node.unwrap()
            continue
        _clean_attributes(node, tag, base_url)
    for node in body.css("img:not([src])"):
        node.decompose()
    for node in body.css("a:not([href])"):
        node.unwrap()
    return body.inner_html.strip()


def _clean_attributes(node, tag: str, base_url: str) -> None:
    allowed = _ATTRS.get(tag, ())
    attrs = node.attrs
    for name, value in list(node.attributes.items()):
        keep = None
        if name in allowed and value is not None:
            if name in _URL_ATTRS:
                keep = _safe_url(value, base_url, _SCHEMES[name])
            elif name in _NUMBER_ATTRS:
                keep = value.strip() if value.strip().isdigit() and len(value.strip()) <= 5 else None
            else:
                keep = value
        if keep is None:
            del attrs[name]
        elif keep != value:
            attrs[name] = keep


def _safe_url(value: str, base_url: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """`value` made absolute against `base_url`, or None unless its scheme is allowed."""
    value = _URL_JUNK.sub("", value)
    if not value:
        return None
    try:
        absolute = urljoin(base_url, value)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in schemes else None


def _outermost(nodes) -> list:
    """Nodes not inside another of them: freeing a node frees its subtree."""
    nodes = list(nodes)
    ids = {n.mem_id for n in nodes}
    return [n for n in nodes if not has_ancestor_in(n, ids)]


# --- Plain text -----------------------------------------------------------------------

_BLOCKS = frozenset("""p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption pre table thead
tbody tfoot tr td th caption hr div body""".split())
_SPACE = re.compile(r"[^\S\n]+")


def html_to_text(html: str) -> str:
    """Plain text of sanitised article HTML: one paragraph per block, blank lines between."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    out: list[str] = []
    buf: list[str] = []
    _walk(body, out, buf)
    _flush(out, buf)
    return "\n\n".join(out)


def _walk(node, out: list[str], buf: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            # Source line breaks are spaces; only <br> breaks a line.
            buf.append(_WS.sub(" ", child.text_content or ""))
        elif tag == "br":
            buf.append("\n")
        elif tag in ("td", "th"):
            buf.append(" ")
            _walk(child, out, buf)
            buf.append(" ")
        elif tag in _BLOCKS:
            _flush(out, buf)
            _walk(child, out, buf)
            _flush(out, buf)
        else:
            _walk(child, out, buf)


def _flush(out: list[str], buf: list[str]) -> None:
    if buf:
        lines = (_SPACE.sub(" ", line).strip() for line in "".join(buf).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            out.append(text)
        buf.clear()


# --- Small helpers --------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _norm(a) == _norm(b)


def _same_image(src: str | None, wanted: str) -> bool:
    if not src:
        return False
    return src.split("?")[0].split("#")[0] == wanted.split("?")[0].split("#")[0]


def _first_element(body):
    for child in body.iter(include_text=False):
        return child
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

