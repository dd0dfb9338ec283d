"""HTTP content codings: decode a body (never past a size limit), and encode it again cheaply.

A small body can decode to gigabytes (a compression bomb): every decoder here stops as
soon as its output passes the limit, so a bomb costs at most the limit in memory and the
time to produce it. mitmproxy re-compresses at maximum levels when `.content` is set (gzip
9 costs more than the whole rewrite), so bodies are encoded here at fast levels and set
via `raw_content`.
"""
from __future__ import annotations

import ctypes
import zlib

import brotli
import zstandard

SUPPORTED = ("identity", "gzip", "x-gzip", "deflate", "br", "zstd")
# Output produced per step: big enough to cost nothing per call, small enough that a
# step past the limit wastes little.
STEP = 256 * 1024


class BodyTooLarge(ValueError):
    """The decoded body would be larger than the limit (it was not decoded further)."""

    def __init__(self, limit: int):
        super().__init__(f"decodes to more than {limit} bytes")
        self.limit = limit


def decode_body(data: bytes, coding: str | None, limit: int | None = None) -> bytes:
    """Undo one content coding; BodyTooLarge past `limit` bytes of output, ValueError for
    unknown codings or corrupt data."""
    coding = (coding or "identity").strip().lower()
    cap = limit if limit is not None else 1 << 62
    try:
        if coding == "identity":
            if len(data) > cap:
                raise BodyTooLarge(cap)
            return data
        if coding in ("gzip", "x-gzip"):
            return _gunzip_members(data, cap)
        if coding == "deflate":
            d = zlib.decompressobj()
            try:
                body = _inflate(d, data, cap)
            except zlib.error:  # some servers send raw deflate without the zlib header
                d = zlib.decompressobj(-zlib.MAX_WBITS)
                body = _inflate(d, data, cap)
            if not d.eof:
                raise zlib.error("truncated deflate stream")
            return body
        if coding == "br":
            return _unbrotli(data, cap)
        if coding == "zstd":
            return _unzstd(data, cap)
    except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
        raise ValueError(f"corrupt {coding} body: {exc}") from None
    raise ValueError(f"unsupported content coding {coding!r}")


def _inflate(d, data: bytes, cap: int) -> bytes:
    """All of one zlib stream's output (at most `cap` bytes); `d.unused_data` holds what follows it."""
    out, total = [], 0
    chunk = d.decompress(data, STEP)
    while True:
        total += len(chunk)
        if total > cap:
            raise BodyTooLarge(cap)
        out.append(chunk)
        if d.eof or not d.unconsumed_tail and len(chunk) < STEP:
            break
        chunk = d.decompress(d.unconsumed_tail, STEP)
    if not d.eof:
        tail = d.flush()
        if total + len(tail) > cap:
            raise BodyTooLarge(cap)
        out.append(tail)
    return out[0] if len(out) == 1 else b"".join(out)


def _gunzip_members(data: bytes, cap: int) -> bytes:
    """A gzip body may hold several members back to back; all of them are the body."""
    out, total = [], 0
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        member = _inflate(d, data, cap - total)
        if not d.eof:
            raise zlib.error("truncated gzip member")
        total += len(member)
        out.append(member)
        data = d.unused_data.lstrip(b"\x00")  # some servers pad with NULs
    return out[0] if len(out) == 1 else b"".join(out)


def _unzstd(data: bytes, cap: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    out, total = [], 0
    while chunk := reader.read(STEP):
        total += len(chunk)
        if total > cap:
            raise BodyTooLarge(cap)
        out.append(chunk)
    return b"".join(out)


def _unbrotli(data: bytes, cap: int) -> bytes:
    """Brotli through its C decoder's streaming call, a bounded buffer at a time: the
    Python binding mitmproxy 11 allows (brotli 1.1) takes no output limit."""
    if _BROTLI is None:  # pragma: no cover - a build that hides the decoder's symbols
        return _unbrotli_bytewise(data, cap)
    lib = _BROTLI
    state = lib.BrotliDecoderCreateInstance(None, None, None)
    if not state:
        raise MemoryError("brotli: no decoder")
    try:
        source = ctypes.create_string_buffer(data, len(data))
        available_in = ctypes.c_size_t(len(data))
        next_in = ctypes.c_void_p(ctypes.addressof(source))
        # The first step's buffer is sized for a typical page (about 4x its compressed size).
        size = min(STEP, max(65536, 8 * len(data)))
        buffer = (ctypes.c_char * size)()
        out, total = [], 0
        while True:
            available_out = ctypes.c_size_t(size)
            next_out = ctypes.c_void_p(ctypes.addressof(buffer))
            result = lib.BrotliDecoderDecompressStream(state, ctypes.byref(available_in), ctypes.byref(next_in),
                                                       ctypes.byref(available_out), ctypes.byref(next_out), None)
            produced = size - available_out.value
            total += produced
            if total > cap:
                raise BodyTooLarge(cap)
            out.append(ctypes.string_at(buffer, produced))
            if result == 1:  # success
                return out[0] if len(out) == 1 else b"".join(out)
            if result == 3:  # needs more output
                continue
            if result == 2:  # needs more input: the body ended inside the stream
                raise brotli.error("truncated brotli stream")
            raise brotli.error(lib.BrotliDecoderErrorString(lib.BrotliDecoderGetErrorCode(state)).decode())
    finally:
        lib.BrotliDecoderDestroyInstance(state)


def _unbrotli_bytewise(data: bytes, cap: int) -> bytes:
    """Slow but bounded: one input byte yields at most one command's copy (<= 16 MiB)."""
    d, out, total = brotli.Decompressor(), [], 0
    for i in range(len(data)):
        chunk = d.process(data[i:i + 1])
        total += len(chunk)
        if total > cap:
            raise BodyTooLarge(cap)
        out.append(chunk)
    if not d.is_finished():
        raise brotli.error("truncated brotli stream")
    return b"".join(out)


def _load_brotli():
    try:
        import _brotli  # noqa: PLC0415 - the binding's extension, which carries the C decoder

        lib = ctypes.CDLL(_brotli.__file__)
        lib.BrotliDecoderCreateInstance.restype = ctypes.c_void_p
        lib.BrotliDecoderCreateInstance.argtypes = [ctypes.c_void_p] * 3
        lib.BrotliDecoderDestroyInstance.argtypes = [ctypes.c_void_p]
        lib.BrotliDecoderDecompressStream.restype = ctypes.c_int
        lib.BrotliDecoderDecompressStream.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 5
        lib.BrotliDecoderGetErrorCode.restype = ctypes.c_int
        lib.BrotliDecoderGetErrorCode.argtypes = [ctypes.c_void_p]
        lib.BrotliDecoderErrorString.restype = ctypes.c_char_p
        lib.BrotliDecoderErrorString.argtypes = [ctypes.c_int]
        return lib
    except (ImportError, OSError, AttributeError):  # pragma: no cover
        return None


_BROTLI = _load_brotli()


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
