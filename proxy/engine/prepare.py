"""Decoding and parsing: a page's bytes in its own charset, as Lexbor (UTF-8 only) takes them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from proxy.engine.charset import bom_charset, sniff_charset


@dataclass(frozen=True)
class Prepared:
    """A page decoded and parsed, ready for the rules (see `prepare`)."""

    page: str | bytes  # the page as given (UTF-8 bytes as they came), or decoded text
    encoding: str | None
    tree: LexborHTMLParser | None  # None for an empty page
    data: bytes | None = None  # the UTF-8 (or ASCII-compatible) bytes Lexbor parsed, when there are any
    raw: bytes | None = None  # a page in another charset: its own bytes (BOM off), for cutting in them


# Lexbor's parse takes time quadratic in how deep elements nest (4,000 levels: ~40 ms;
# 40,000: 13 s) and ~300 bytes of memory an element. Real pages stay far below both
# (deepest in the corpora: ~1,400 levels by the estimate below; most tags: ~7,000).
MAX_TAGS = 100_000
MAX_DEPTH = 4096
# Pages with fewer tags than this cannot nest deeper than MAX_DEPTH: no need to look.
DEPTH_CHECK_FROM = MAX_DEPTH


class PageRefused(ValueError):
    """A page the engine will not parse: too many elements, or nested too deep."""


def structure_problem(data: bytes | str) -> str | None:
    """Why parsing this page would cost too much time or memory, or None."""
    tags = data.count(b"<" if isinstance(data, bytes) else "<")
    if tags > MAX_TAGS:
        return f"it has {tags} tags (at most {MAX_TAGS} are cleaned)"
    if tags > DEPTH_CHECK_FROM:
        depth = nesting_depth(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        if depth > MAX_DEPTH:
            return f"its elements nest over {MAX_DEPTH} levels deep"
    return None


_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Elements that never hold others, or that the parser closes when a sibling opens.
_FLAT = frozenset(b"area base br col embed hr img input link meta param source track wbr p li dt dd option tr td th"
                  .split())
# SVG's leaf elements, which `/>` closes (in HTML a `/>` closes nothing: `<div/>` opens a div).
_SVG_LEAVES = frozenset(b"path circle rect line polyline polygon ellipse use stop image animate animatetransform set "
                        b"mpath fegaussianblur feoffset feblend fecolormatrix feflood fecomposite femergenode"
                        .split())


def nesting_depth(data: bytes, stop: int = MAX_DEPTH) -> int:
    """How deep the page's elements nest, estimated from its tags (closing tags that close
    nothing open are ignored); counting stops past `stop`."""
    depth = deepest = 0
    for m in _TAG.finditer(data):
        name = m.group(2).lower()
        if name in _FLAT or (m.group(3) and name in _SVG_LEAVES):
            continue
        if m.group(1):
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop:
                    break
    return deepest


def prepare(html: str | bytes, content_type: str | None = None) -> Prepared:
    """Decode and parse a page; PageRefused for one too big or deep to parse in bounded
    time and memory. The parse is most of the time and Lexbor releases the GIL while
    parsing, so the proxy may call this off its event loop."""
    if isinstance(html, (bytearray, memoryview)):
        html = bytes(html)
    problem = structure_problem(html)
    if problem:
        raise PageRefused(f"not cleaned: {problem}")
    encoding = None
    page: str | bytes = html
    parsed: str | bytes = html  # what Lexbor gets
    data = raw = None
    if isinstance(html, bytes):
        page, encoding, raw = _parser_input(html, content_type)
        parsed = page
        # Bytes to scan: UTF-8 as it came, or (a rare page in another charset) re-encoded.
        data = page if isinstance(page, bytes) else page.encode("utf-8", "surrogatepass")
    elif html:
        try:  # Lexbor reads UTF-8: encoding here costs the parse nothing, and the bytes serve the scanners
            data = parsed = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: selectolax's own conversion copes
            data = None
    tree = LexborHTMLParser(parsed) if page else None
    return Prepared(page, encoding, tree, data, raw)


def _parser_input(data: bytes, content_type: str | None) -> tuple[str | bytes, str, bytes | None]:
    """What to hand Lexbor: UTF-8 bytes as they are (no decode and re-encode), other
    charsets decoded to text (with their own bytes kept)."""
    codec, _how = sniff_charset(data, content_type)
    bom = bom_charset(data)
    body = data[bom[1]:] if bom else data
    if codec == "utf-8":
        return body, codec, None
    return body.decode(codec, errors="replace"), codec, body


def page_language(tree: LexborHTMLParser) -> str:
    """Primary language subtag of `<html lang>` ("" if the page does not say)."""
    root = tree.root
    if root is None:
        return ""
    attrs = root.attributes
    lang = attrs.get("lang") or attrs.get("xml:lang") or ""
    return lang.split("-", 1)[0].split("_", 1)[0].strip().lower()


# Lead bytes of UTF-8's three-byte characters from U+3000 to U+DFFF: kana, CJK ideographs,
# Hangul. A page whose text is mostly these is not in a language written in Latin letters.
_CJK_LEADS = bytes(range(0xE3, 0xEE))
_NOT_CJK_LEADS = bytes(b for b in range(256) if b not in _CJK_LEADS)
_WRITTEN_IN_CJK = frozenset({"zh", "ja", "ko", "yue", "wuu", "lzh"})


def text_language(tree: LexborHTMLParser, low: bytes) -> str:
    """The language whose text rules a page gets: `<html lang>`'s, unless the page's text is
    mostly Chinese, Japanese or Korean characters where it says another language (many
    sites keep their template's lang="en"): then "" (every language's rules run); for a
    page that does not say, "en" if its text reads as English (`guess_language`)."""
    declared = page_language(tree)
    if not declared:
        return guess_language(low)
    if declared not in _WRITTEN_IN_CJK:
        cjk = len(low.translate(None, _NOT_CJK_LEADS))  # one lead byte a character
        if cjk * 3 * 3 >= len(low):  # a third of the text's bytes or more
            return ""
    return declared


def guess_language(low: bytes) -> str:
    """"en" for a page without `<html lang>` whose text reads as English ("the" and
    "and" throughout), else "" (every language's text rules run)."""
    the = low.count(b" the ")
    return "en" if the >= 5 and the * 4000 >= len(low) and low.count(b" and ") >= 2 else ""
