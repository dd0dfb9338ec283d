"""What a page says about itself: title, byline, date, site, language, cover image and
description, each from the most reliable place found (JSON-LD, Open Graph, `<meta>`,
`<time>`, `<html lang>`)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from proxy.reader.sanitize import safe_url
from proxy.rules import normalize_text


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
    lead_image = next(filter(None, (safe_url(u, url) for u in (
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
