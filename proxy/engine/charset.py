"""Finding a page's character encoding and decoding/encoding it faithfully.

Lexbor takes UTF-8 only, so every page is decoded here first and re-encoded in its own
charset afterwards.
"""
from __future__ import annotations

import codecs
import re

_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels mean a superset in browsers, so a page "in" them may use it.
_BROWSER_ALIASES = {
    "iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252", "iso8859-1": "windows-1252",
    "ascii": "windows-1252", "us-ascii": "windows-1252",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "iso-8859-9": "cp1254", "latin5": "cp1254",
    "tis-620": "cp874", "iso-8859-11": "cp874",
}


def codec_name(label: str | None) -> str | None:
    """Python codec for a charset label, or None if Python does not know it."""
    if not label:
        return None
    label = label.strip().lower()
    label = _BROWSER_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # base64, rot13, zlib… are codecs too, but not text encodings a page can be in.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def content_type_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return codec_name(m.group(1)) if m else None


def bom_charset(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def meta_charset(data: bytes) -> str | None:
    """Charset from `<meta charset>` or `http-equiv` in the first 4 KB."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = codec_name(m.group(1).decode("ascii", "replace"))
    # A page that says utf-16 in an ASCII-compatible meta is really utf-8 (WHATWG).
    return "utf-8" if name and name.startswith("utf-16") else name


def sniff_charset(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(codec, how it was found): header, BOM, meta, then UTF-8 check and a detector."""
    bom = bom_charset(data)
    if bom:
        return bom[0], "bom"
    declared = content_type_charset(content_type), "header"
    if declared[0] is None:
        declared = meta_charset(data), "meta"
    if declared[0] is not None:
        return _checked(data, *declared)
    try:
        data.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # noqa: PLC0415 - rarely needed, slow to import

    best = from_bytes(data[:65536]).best()
    return (codec_name(best.encoding) or "windows-1252", "detector") if best else ("windows-1252", "fallback")


def _checked(data: bytes, codec: str, how: str) -> tuple[str, str]:
    """The declared charset, unless the bytes are UTF-8 with some non-ASCII in them: a page
    saved or re-encoded as UTF-8 that kept its old declaration (text in a single- or
    double-byte charset is practically never valid UTF-8 by chance)."""
    if codec == "utf-8" or codec.startswith(("utf-16", "utf-32")) or data.isascii():
        return codec, how
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return codec, how
    return "utf-8", f"{how} mis-declared (the bytes are UTF-8)"


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page; returns (text, codec). BOM wins over the header, as browsers do."""
    codec, _how = sniff_charset(data, content_type)
    bom = bom_charset(data)
    body = data[bom[1]:] if bom else data
    return body.decode(codec, errors="replace"), codec


def encode_html(text: str, codec: str, bom: bytes = b"") -> bytes | None:
    """Encode in the page's own charset; a character it lacks becomes a numeric reference
    (the page had it as one: the parser turned `&rarr;` into the character).
    None when even that fails."""
    try:
        return bom + text.encode(codec, errors="xmlcharrefreplace")
    except (UnicodeEncodeError, LookupError):
        return None
