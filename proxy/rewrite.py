"""A response body through the rulebook: decoded (never past the size limit), cleaned
(never past its deadline), and encoded back in its own charset and a content coding; or
the reason the original goes out as it came.

No mitmproxy here: the addon decides which responses to give it and where to run it (on
the event loop for a small page, on a worker thread otherwise: `fits_inline`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from proxy.engine import CleanResult
from proxy.rulebook import Rulebook
from proxy.transfer import BodyTooLarge, decode_body, encode_body

# A page is cleaned on the event loop only when all of it is cheap: at most this many
# compressed bytes, decoding to at most INLINE_BODY bytes with at most INLINE_TAGS tags
# (whose parse, however they nest, stays under ~40 ms). The rest goes to a worker thread.
INLINE_RAW = 64 * 1024
INLINE_BODY = 256 * 1024
INLINE_TAGS = 4096


@dataclass(frozen=True)
class Outcome:
    """What became of one body: `body` (the new raw body, in `coding`) when it was cleaned;
    otherwise `reason` says why the original goes out."""

    status: str  # cleaned | unchanged | paused | passed | error
    body: bytes | None = None
    coding: str | None = None
    result: CleanResult | None = None
    reason: str | None = None


def decode_inline(raw: bytes, coding: str | None) -> bytes | None:
    """The decoded body if the page is cheap enough to clean on the event loop, else None
    (also when decoding fails: the worker thread says why)."""
    if len(raw) > INLINE_RAW:
        return None
    try:
        body = decode_body(raw, coding, INLINE_BODY)
    except ValueError:  # BodyTooLarge included
        return None
    return body if body.count(b"<") <= INLINE_TAGS else None


def rewrite(raw: bytes, coding: str | None, out_coding: str | None, url: str, content_type: str | None,
            rulebook: Rulebook, max_size: int, deadline: float, body: bytes | None = None) -> Outcome:
    """Clean one response body (`body`: already decoded, if it was). Never raises."""
    try:
        return _rewrite(raw, coding, out_coding, url, content_type, rulebook, max_size, deadline, body)
    except Exception as exc:  # noqa: BLE001 - never lose a page
        return Outcome("error", reason=f"{type(exc).__name__}: {exc}")


def _rewrite(raw, coding, out_coding, url, content_type, rulebook, max_size, deadline, body) -> Outcome:
    if body is None:
        try:
            body = decode_body(raw, coding, max_size)
        except BodyTooLarge:
            return Outcome("passed", reason=f"larger than {max_size} bytes decoded")
        except ValueError as exc:
            return Outcome("passed", reason=str(exc))
    result = rulebook.clean(body, url, content_type, deadline)
    if result.error:
        # A page too big or deep to parse safely, or past its deadline, is passed on
        # by design; anything else is an error.
        kind, _, detail = result.error.partition(": ")
        if kind == "OverBudget":
            return Outcome("passed", result=result, reason="over its time budget")
        if kind == "PageRefused":
            return Outcome("passed", result=result, reason=detail)
        return Outcome("error", result=result, reason=result.error)
    if time.perf_counter() > deadline:
        return Outcome("passed", result=result, reason="over its time budget")
    if result.paused or not result.changed:
        return Outcome("paused" if result.paused else "unchanged", result=result)
    page = result.output_bytes(body)
    if page is None:
        return Outcome("passed", result=result,
                       reason=f"the page does not decode cleanly as {result.encoding}: it cannot be re-encoded")
    return Outcome("cleaned", encode_body(page, out_coding), out_coding, result)
