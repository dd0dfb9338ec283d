"""What one `<img>` shows: its sharpest real URL (srcset candidates, lazy-loading
attributes, `<picture>` sources; relative URLs against the page's `<base>`), its size,
alt text and the caption of its `<figure>`, or nothing worth keeping (tracking pixels,
icons, sprites, avatars, ads, share buttons, placeholders of lazy-loading scripts)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from proxy.engine.dom import is_menu
from proxy.reader.sanitize import safe_url

# Candidates of a srcset: the smallest at least this wide, else the widest.
WANTED_WIDTH = 1200
# Declared sizes: at most PIXEL on a side is a tracking pixel; at most ICON on both an icon.
PIXEL = 2
ICON = 48
MAX_CAPTION = 1000

_SPLIT = re.compile(r"[^a-z0-9]+")
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
               "data-full-src")
_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")
# Words in an image's URL path, or in its own or its wrappers' class and id, that name what
# is not a picture of the article.
_URL_WORDS = frozenset("""sprite sprites icon icons favicon pixel spacer blank tracking tracker beacon badge badges
emoji emoticon emoticons avatar avatars gravatar ads adverts""".split())
_CLASS_WORDS = frozenset("""icon icons sprite sprites avatar avatars gravatar emoji emoticon badge badges share
sharing social pixel tracking ad ads advert adverts advertisement advertising sponsor sponsored promo logo
subscribe newsletter thumbnail""".split())
# A lazy-loading script's stand-in, by its file name ("grey.gif", "placeholder-16x9.png").
_PLACEHOLDER = re.compile(r"(^|/)(blank|spacer|pixel|placeholder|transparent|empty|clear|grey|gray|loading"
                          r"|lazy-?load|lazy-placeholder|1x1)[\w.-]{0,20}\.(gif|png|jpe?g|svg|webp)$", re.I)


@dataclass(frozen=True)
class Picture:
    """An image of the article as the copy shows it."""

    url: str
    alt: str = ""
    caption: str = ""
    width: int | None = None
    height: int | None = None


def page_base(tree: LexborHTMLParser, url: str) -> str:
    """The address relative image URLs are resolved against: `<base href>` (itself made
    absolute against `url`) or `url`."""
    node = tree.css_first("base[href]")
    if node is not None:
        base = safe_url(node.attributes.get("href") or "", url)
        if base:
            return base
    return url


def picture_of(img, base: str) -> Picture | None:
    """The picture an `<img>` shows, or None if it shows none worth keeping."""
    attrs = img.attributes
    url = _best_url(img, attrs, base)
    if url is None:
        return None
    width, height = _size(attrs.get("width")), _size(attrs.get("height"))
    if (width is not None and width <= PIXEL) or (height is not None and height <= PIXEL):
        return None
    if width is not None and height is not None and width <= ICON and height <= ICON:
        return None
    path = urlsplit(url).path.lower()
    if _URL_WORDS.intersection(_SPLIT.split(path)):
        return None
    if _excluded_by_names(img) or _in_navigation_or_byline(img):
        return None
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style or "hidden" in attrs:
        return None
    return Picture(url, " ".join((attrs.get("alt") or "").split())[:MAX_CAPTION], _caption(img), width, height)


def _excluded_by_names(img) -> bool:
    node = img
    for _ in range(4):
        if node is None or node.tag in ("body", "article", "main"):
            return False
        attrs = node.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if names.strip() and _CLASS_WORDS.intersection(_SPLIT.split(names)):
            return True
        node = node.parent
    return False


def _in_navigation_or_byline(img) -> bool:
    """A picture in a menu or a navigation box (Wikipedia's navboxes say role="navigation"),
    or in a link to the author (their head shot), is not the article's."""
    node, level = img.parent, 0
    while node is not None and node.tag != "body":
        if is_menu(node):
            return True
        if level < 4 and node.tag == "a" and "author" in (node.attributes.get("rel") or "").lower().split():
            return True
        node, level = node.parent, level + 1
    return False


def _caption(img) -> str:
    node = img.parent
    for _ in range(6):
        if node is None:
            return ""
        if node.tag == "figure":
            caption = node.css_first("figcaption")
            return " ".join(caption.text().split())[:MAX_CAPTION] if caption is not None else ""
        node = node.parent
    return ""


def _size(value: str | None) -> int | None:
    if not value:
        return None
    match = re.match(r"\s*(\d{1,5})(px)?\s*$", value)
    return int(match.group(1)) if match else None


def _best_url(img, attrs, base: str) -> str | None:
    """The sharpest real URL of an `<img>`: lazy-loading attributes and srcsets before
    `src` (often a placeholder then), then its `<picture>`'s sources."""
    for name in _SRCSET_ATTRS:
        best = _from_srcset(attrs.get(name), base)
        if best:
            return best
    for name in (*_LAZY_ATTRS, "src"):
        value = attrs.get(name)
        if value:
            url = safe_url(value, base)
            if url and not _PLACEHOLDER.search(urlsplit(url).path):
                return url
    parent = img.parent
    if parent is not None and parent.tag == "picture":
        for source in parent.css("source"):
            kind = (source.attributes.get("type") or "").lower()
            if kind and kind not in ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"):
                continue
            for name in _SRCSET_ATTRS:
                best = _from_srcset(source.attributes.get(name), base)
                if best:
                    return best
    return None


def _from_srcset(value: str | None, base: str) -> str | None:
    """The candidate of a srcset to keep: by width the smallest at least WANTED_WIDTH wide
    (else the widest), by density the sharpest up to 2x."""
    if not value:
        return None
    widths: list[tuple[float, str]] = []
    densities: list[tuple[float, str]] = []
    for candidate in re.split(r",\s+", value.strip())[:50]:
        parts = candidate.split()
        if not parts:
            continue
        url = safe_url(parts[0].rstrip(","), base)
        if url is None or _PLACEHOLDER.search(urlsplit(url).path):
            continue
        descriptor = parts[1] if len(parts) > 1 else "1x"
        try:
            amount = float(descriptor[:-1])
        except ValueError:
            continue
        (widths if descriptor.endswith("w") else densities).append((amount, url))
    if widths:
        wide = [c for c in widths if c[0] >= WANTED_WIDTH]
        return min(wide)[1] if wide else max(widths)[1]
    if densities:
        sharp = [c for c in densities if c[0] <= 2]
        return max(sharp)[1] if sharp else min(densities)[1]
    return None
