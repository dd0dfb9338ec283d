"""Decoding and parsing: a page's bytes in its own charset, as Lexbor (UTF-8 only) takes them."""
from __future__ import annotations

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


def prepare(html: str | bytes, content_type: str | None = None) -> Prepared:
    """Decode and parse a page. The parse is most of the time and Lexbor releases the GIL
    while parsing, so the proxy may call this off its event loop."""
    encoding = None
    page: str | bytes = html
    parsed: str | bytes = html  # what Lexbor gets
    data = None
    if isinstance(html, (bytes, bytearray, memoryview)):
        page, encoding = _parser_input(bytes(html), content_type)
        parsed = page
        # Bytes to scan: UTF-8 as it came, or (a rare page in another charset) re-encoded.
        data = page if isinstance(page, bytes) else page.encode("utf-8", "surrogatepass")
    elif html:
        try:  # Lexbor reads UTF-8: encoding here costs the parse nothing, and the bytes serve the scanners
            data = parsed = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: selectolax's own conversion copes
            data = None
    tree = LexborHTMLParser(parsed) if page else None
    return Prepared(page, encoding, tree, data)


def _parser_input(data: bytes, content_type: str | None) -> tuple[str | bytes, str]:
    """What to hand Lexbor: UTF-8 bytes as they are (no decode and re-encode), other
    charsets decoded to text."""
    codec, _how = sniff_charset(data, content_type)
    bom = bom_charset(data)
    body = data[bom[1]:] if bom else data
    if codec == "utf-8":
        return body, codec
    return body.decode(codec, errors="replace"), codec


def page_language(tree: LexborHTMLParser) -> str:
    """Primary language subtag of `<html lang>` ("" if the page does not say)."""
    root = tree.root
    if root is None:
        return ""
    attrs = root.attributes
    lang = attrs.get("lang") or attrs.get("xml:lang") or ""
    return lang.split("-", 1)[0].split("_", 1)[0].strip().lower()


def guess_language(low: bytes) -> str:
    """"en" for a page without `<html lang>` whose text reads as English ("the" and
    "and" throughout), else "" (every language's text rules run)."""
    the = low.count(b" the ")
    return "en" if the >= 5 and the * 4000 >= len(low) and low.count(b" and ") >= 2 else ""
