"""Hostile input for the proxy (issue #12) and the instruments that watch it take it: the
compression bombs, a deeply nested page, a pack of 600 rules; a sampler of a process's
resident memory; another client's page and /api/health, timed while something else is
in flight."""
from __future__ import annotations

import asyncio
import functools
import random
import string
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import brotli

from support.proxyrig import fetch

# --- payloads -------------------------------------------------------------------------------


@functools.cache
def gzip_bomb(size: int = 2 * 1024 * 1024) -> bytes:
    """A valid gzip body of about `size` bytes made of spaces: about 1,000x its size decoded
    (2 MB -> 2 GB). One mebibyte of spaces is compressed once; with a full flush after it,
    every further mebibyte compresses to the very same bytes, so they are repeated."""
    mib = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    count = max(2, size // len(block))
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    last = c.flush()  # the final empty block (its own trailer is for one block only)
    end = last[:-8] + crc.to_bytes(4, "little") + ((count << 20) & 0xFFFFFFFF).to_bytes(4, "little")
    return first + block * (count - 1) + end


BROTLI_BOMB_DECODED = 300 * 1024 * 1024


@functools.cache
def brotli_bomb() -> bytes:
    """About 3 KB of brotli that decodes to about 300 MB: an HTML page whose first few
    kilobytes are random words (they set the compressed size) and the rest spaces."""
    rng = random.Random(12)
    words = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
                     for _ in range(640))
    head = f"<!doctype html><html><head><title>Bomb</title></head><body><p>{words}</p>".encode()
    c = brotli.Compressor(quality=5)
    out = [c.process(head)]
    mib = b" " * (1 << 20)
    for _ in range(BROTLI_BOMB_DECODED >> 20):
        out.append(c.process(mib))
    out.append(c.finish())
    return b"".join(out)


def nested_divs(clutter: str, size: int = 250 * 1024, closed: bool = True) -> bytes:
    """A page of about `size` bytes that is one tower of <div>s (closed at the end, or
    never), with `clutter` before it that the built-in packs would remove."""
    head = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Deep</title></head>\n"
            f"<body><main><h1>A deep page</h1>\n{clutter}").encode()
    tail = b"</main></body></html>\n"
    inner = b"<p>The bottom of the tower.</p>"
    per = len(b"<div>") + (len(b"</div>") if closed else 0)
    levels = (size - len(head) - len(tail) - len(inner)) // per
    return head + b"<div>" * levels + inner + (b"</div>" * levels if closed else b"") + tail


def big_pack(domain: str, fillers: int) -> str:
    """A YAML pack for `domain` of `fillers` selector rules and then the rules the tests
    check: two with two selectors each (the second is what pages hold), one with
    `requires`, and text rules (a phrase, a regex)."""
    lines = ["id: big", "title: A pack of many rules", "kind: other", f"domains: [{domain}]", "rules:"]
    for i in range(fillers):
        lines += [f"  - id: big.filler-{i}", f"    title: Filler box {i}", f"    selectors: [\".filler-{i}\"]"]
        if i % 50 == 7:  # text rules among the fillers too, as a real pack has them
            lines.append(f"    text: [\"Filler phrase number {i} of the big pack\"]")
    lines += [
        "  - id: big.two-selectors",
        "    title: A box under either of two names",
        "    selectors: [\".first-of-two\", \".second-of-two\"]",
        "  - id: big.two-in-one",
        "    title: Two selectors in one string",
        "    selectors: [\".one-of-pair, .other-of-pair\"]",
        "  - id: big.requires",
        "    title: A promo only WordPress pages carry",
        "    selectors: [\".wp-promo\"]",
        "    requires: 'link[href*=\"/wp-content/\"]'",
        "  - id: big.text",
        "    title: The pack's newsletter prompt",
        "    text: [\"Sign up for the big pack newsletter today\"]",
        "  - id: big.regex",
        "    title: A promo counted in stars",
        "    text: [\"/rated \\\\d+ stars by our readers/\"]",
    ]
    return "\n".join(lines) + "\n"


# --- memory ---------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """The process's resident set (VmRSS) in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def idle_rss_kb(pid: int, samples: int = 5, gap: float = 0.02) -> int:
    """The resident set at rest: the median of a few readings."""
    readings = []
    for _ in range(samples):
        readings.append(rss_kb(pid))
        time.sleep(gap)
    return sorted(readings)[len(readings) // 2]


class RssSampler:
    """Reads a process's VmRSS every `every` s on a thread of its own while in a `with`
    block; `peak_kb` is the highest reading."""

    def __init__(self, pid: int, every: float = 0.003):
        self.pid, self.every = pid, every
        self.peak_kb = 0
        self.readings = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid))
            self.readings += 1
            self._stop.wait(self.every)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)


# --- latency of others ----------------------------------------------------------------------


@dataclass
class Probe:
    what: str  # "page" or "health"
    seconds: float
    status: int | None  # None: no answer (timeout or error)
    error: str = ""

    def __str__(self) -> str:
        return f"{self.what} {self.status or self.error} in {self.seconds * 1000:.0f} ms"


async def page_probe(proxy_port: int, url: str, timeout: float) -> Probe:
    started = time.monotonic()
    try:
        r = await fetch(proxy_port, url, timeout=timeout)
        return Probe("page", time.monotonic() - started, r.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return Probe("page", time.monotonic() - started, None, type(exc).__name__)


async def health_probe(service_port: int, timeout: float) -> Probe:
    started = time.monotonic()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.get(f"http://127.0.0.1:{service_port}/api/health") as r:
                await r.read()
                return Probe("health", time.monotonic() - started, r.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return Probe("health", time.monotonic() - started, None, type(exc).__name__)


async def probes_during(job: asyncio.Future, proxy_port: int, page_url: str, service_port: int,
                        gap: float = 0.02, timeout: float = 4.0, at_least: int = 2) -> list[Probe]:
    """Another client's page through the proxy and /api/health, both at once, round after
    round (`gap` s apart) until `job` is done and `at_least` rounds have run. A probe that
    gets no answer in `timeout` s counts as taking `timeout` s."""
    probes: list[Probe] = []
    rounds = 0
    while rounds < at_least or not job.done():
        probes += await asyncio.gather(page_probe(proxy_port, page_url, timeout), health_probe(service_port, timeout))
        rounds += 1
        await asyncio.sleep(gap)
    return probes


def slow_or_failed(probes: list[Probe], limit: float = 0.5) -> list[str]:
    """The probes that took `limit` s or more, or did not answer 200."""
    return [str(p) for p in probes if p.seconds >= limit or p.status != 200]


def write_pack(path: Path, domain: str, fillers: int) -> Path:
    path.write_text(big_pack(domain, fillers), encoding="utf-8")
    return path
