"""Content codings as an origin server applies them and as a client undoes them, written
with the codecs' own libraries (not QuietPage's transfer module, which the tests check)."""
from __future__ import annotations

import zlib

import brotli
import zstandard


def undo_coding(data: bytes, coding: str | None) -> bytes:
    coding = (coding or "identity").strip().lower()
    if coding == "identity":
        return data
    if coding in ("gzip", "x-gzip"):
        out, rest = b"", data
        while rest:  # every member
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += d.decompress(rest) + d.flush()
            assert d.eof, "truncated gzip body"
            rest = d.unused_data
        return out
    if coding == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)
    if coding == "br":
        return brotli.decompress(data)
    if coding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj(read_across_frames=True).decompress(data)
    raise AssertionError(f"unknown content coding {coding!r}")


def apply_coding(data: bytes, coding: str) -> bytes:
    """How an origin server would compress a page (default levels)."""
    if coding == "gzip":
        c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return c.compress(data) + c.flush()
    if coding == "deflate":
        return zlib.compress(data)
    if coding == "br":
        return brotli.compress(data)
    if coding == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    raise ValueError(coding)
