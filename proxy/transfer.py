"""HTTP content codings: decode a body, and encode it again cheaply.

mitmproxy re-compresses at maximum levels when `.content` is set (gzip 9 costs more than
the whole rewrite), so bodies are encoded here at fast levels and set via `raw_content`.
"""
from __future__ import annotations

import zlib

import brotli
import zstandard

SUPPORTED = ("identity", "gzip", "x-gzip", "deflate", "br", "zstd")


def decode_body(data: bytes, coding: str | None) -> bytes:
    """Undo one content coding; raises ValueError for unknown codings or corrupt data."""
    coding = (coding or "identity").strip().lower()
    try:
        if coding == "identity":
            return data
        if coding in ("gzip", "x-gzip"):
            return _gunzip_members(data)
        if coding == "deflate":
            try:
                return zlib.decompress(data)
            except zlib.error:  # some servers send raw deflate without the zlib header
                return zlib.decompress(data, -zlib.MAX_WBITS)
        if coding == "br":
            return brotli.decompress(data)
        if coding == "zstd":
            return zstandard.ZstdDecompressor().decompressobj(read_across_frames=True).decompress(data)
    except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
        raise ValueError(f"corrupt {coding} body: {exc}") from None
    raise ValueError(f"unsupported content coding {coding!r}")


def _gunzip_members(data: bytes) -> bytes:
    """A gzip body may hold several members back to back; all of them are the body."""
    out = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out.append(d.decompress(data))
        if not d.eof:
            raise zlib.error("truncated gzip member")
        data = d.unused_data.lstrip(b"\x00")  # some servers pad with NULs
    return out[0] if len(out) == 1 else b"".join(out)


def encode_body(data: bytes, coding: str | None) -> bytes:
    """Apply one content coding at a fast level (the client is usually on loopback)."""
    coding = (coding or "identity").strip().lower()
    if coding == "identity":
        return data
    if coding in ("gzip", "x-gzip"):
        c = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return c.compress(data) + c.flush()
    if coding == "deflate":
        return zlib.compress(data, 1)
    if coding == "br":
        return brotli.compress(data, quality=1)
    if coding == "zstd":
        return zstandard.ZstdCompressor(level=1).compress(data)
    raise ValueError(f"unsupported content coding {coding!r}")
