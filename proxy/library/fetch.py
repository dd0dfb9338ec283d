"""Fetching pages and images for the library, safely: http(s) only, public addresses only.

A saved page names image URLs of its own choosing, so every fetch is a request the page
makes through this machine (server-side request forgery). Every hop of every request is
checked: the URL's scheme, an address written in the URL, and every address its host name
resolves to, through the resolver the connection itself uses (no second lookup to race).
Redirects are followed by hand, each checked again. Sizes, counts and time are bounded.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver

from proxy import __version__

log = logging.getLogger("quietpage")

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 40  # per article
MAX_IMAGES_BYTES = 25 * 1024 * 1024  # all images of one article together
IMAGE_CONCURRENCY = 4
IMAGES_DEADLINE = 60.0  # seconds for all images of one article
MAX_REDIRECTS = 5
TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10, sock_read=15)
USER_AGENT = f"Mozilla/5.0 (compatible; QuietPage/{__version__}; reading copy)"
REDIRECTS = (301, 302, 303, 307, 308)
# Shared address space and benchmarking nets are not private to Python but not public either.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("100.64.0.0/10", "198.18.0.0/15", "192.0.0.0/24"))


class FetchError(Exception):
    """A page or image that could not be fetched; the message says why, for a person."""


class FetchRefused(FetchError):
    """A URL QuietPage will not fetch at all (scheme, or an address that is not public)."""


def address_problem(address: str) -> str | None:
    """Why `address` must not be fetched from (loopback, private…), or None if it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return f"{address!r} is not an IP address"
    if ip.version == 6:
        # An IPv4 address wrapped in IPv6 reaches the IPv4 host.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    for test, what in ((ip.is_loopback, "loopback"), (ip.is_link_local, "link-local (cloud metadata lives here)"),
                       (ip.is_unspecified, "unspecified"), (ip.is_multicast, "multicast"),
                       (ip.is_private, "private"), (ip.is_reserved, "reserved")):
        if test:
            return f"{ip} is a {what} address"
    if any(ip in net for net in _NOT_PUBLIC) or not ip.is_global:
        return f"{ip} is not a public address"
    return None


def url_problem(url: str, allow_private: bool = False) -> str | None:
    """Why `url` must not be fetched (scheme, credentials, an address in it), or None.

    The host is read as the client will connect to it: yarl, which aiohttp uses, maps a
    host through IDNA (full-width digits, ideographic full stops… become ASCII), and
    aiohttp connects to an address written in the URL without asking the resolver."""
    try:
        parts = urlsplit(url)
        port = parts.port
        target = yarl.URL(url)
        raw_host = target.raw_host
    except (ValueError, UnicodeError) as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"only http and https addresses are fetched, not {parts.scheme or 'a relative address'}:"
    if not parts.hostname or not raw_host:
        return "the address names no host"
    if parts.username is not None or parts.password is not None:
        return "addresses with a user name or password are not fetched"
    if port == 0:
        return "port 0 is not a port"
    host = raw_host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return None if allow_private else "localhost is this machine"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: its addresses are checked when it is resolved
    return None if allow_private else address_problem(host)


class GuardedResolver(AbstractResolver):
    """Resolves like the system, then refuses a host if any of its addresses is not public."""

    def __init__(self, allow_private: bool = False):
        self._inner = ThreadedResolver()
        self.allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        infos = await self._inner.resolve(host, port, family)
        if not self.allow_private:
            for info in infos:
                problem = address_problem(info["host"])
                if problem:
                    raise FetchRefused(f"{host} resolves to {info['host']}: {problem.split(' is ', 1)[1]}")
        return infos

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body finally came from, after redirects
    content_type: str
    body: bytes


class Fetcher:
    """One client session for a save: pages and images, with every guard above."""

    def __init__(self, allow_private: bool = False):
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Fetcher":
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.allow_private), limit=IMAGE_CONCURRENCY + 2,
                                         ttl_dns_cache=10)
        # trust_env=False: no proxy from the environment decides where requests go.
        self._session = aiohttp.ClientSession(connector=connector, timeout=TIMEOUT, trust_env=False,
                                              headers={"User-Agent": USER_AGENT}, auto_decompress=True)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, url: str, limit: int, accept: str) -> Fetched:
        """The body at `url` (redirects followed and checked), at most `limit` bytes."""
        assert self._session is not None, "use Fetcher as `async with`"
        for _ in range(MAX_REDIRECTS + 1):
            problem = url_problem(url, self.allow_private)
            if problem:
                raise FetchRefused(f"{_short(url)}: {problem}")
            try:
                # The URL as checked above is the URL requested (yarl parses it once, here too).
                async with self._session.get(yarl.URL(url), allow_redirects=False,
                                             headers={"Accept": accept}) as response:
                    if response.status in REDIRECTS and "Location" in response.headers:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    if response.status != 200:
                        raise FetchError(f"{_short(url)} answered {response.status} {response.reason or ''}".strip())
                    if response.content_length is not None and response.content_length > limit:
                        raise FetchError(f"{_short(url)} is {response.content_length} bytes, over the {limit}-byte limit")
                    body = bytearray()
                    async for chunk in response.content.iter_chunked(65536):
                        body += chunk
                        if len(body) > limit:
                            raise FetchError(f"{_short(url)} is over the {limit}-byte limit")
                    return Fetched(str(response.url), response.headers.get("Content-Type", ""), bytes(body))
            except FetchError:
                raise
            except asyncio.TimeoutError:
                raise FetchError(f"{_short(url)} did not answer in time") from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"could not fetch {_short(url)}: {exc}") from None
        raise FetchError(f"more than {MAX_REDIRECTS} redirects from {_short(url)}")

    async def page(self, url: str) -> Fetched:
        fetched = await self.get(url, MAX_PAGE_BYTES, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
        kind = fetched.content_type.split(";", 1)[0].strip().lower()
        if kind and kind not in ("text/html", "application/xhtml+xml", "text/plain"):
            raise FetchError(f"{_short(url)} is {kind}, not a web page")
        return fetched

    async def image(self, url: str) -> tuple[str, bytes]:
        """An image's media type (from its first bytes, not the server's word) and bytes."""
        fetched = await self.get(url, MAX_IMAGE_BYTES, "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9")
        kind = sniff_image(fetched.body)
        if kind is None:
            raise FetchError(f"{_short(url)} is not a JPEG, PNG, GIF, WebP or AVIF image")
        return kind, fetched.body

    async def images(self, urls: list[str], progress: Callable[[int, int], None] | None = None,
                     problems: dict[str, str] | None = None) -> dict[str, tuple[str, bytes]]:
        """As many of `urls` as can be fetched within the limits, by URL; why each of the
        rest was not goes into `problems` (by URL, for the person saving) and the log."""
        wanted = list(dict.fromkeys(urls))[:MAX_IMAGES]
        problems = {} if problems is None else problems

        def refuse(url: str, why: str) -> None:
            problems[url] = why
            log.info("library: image not kept: %s", why)

        for url in list(dict.fromkeys(urls))[MAX_IMAGES:]:
            refuse(url, f"{_short(url)}: more than the {MAX_IMAGES} images kept per article")
        gate = asyncio.Semaphore(IMAGE_CONCURRENCY)
        got: dict[str, tuple[str, bytes]] = {}
        done = 0
        total_bytes = 0

        async def one(url: str) -> None:
            nonlocal done, total_bytes
            async with gate:
                try:
                    kind, data = await self.image(url)
                except FetchError as exc:
                    refuse(url, str(exc))
                else:
                    if total_bytes + len(data) <= MAX_IMAGES_BYTES:
                        total_bytes += len(data)
                        got[url] = (kind, data)
                    else:
                        refuse(url, f"{_short(url)} would pass the {MAX_IMAGES_BYTES}-byte limit per article")
                done += 1
                if progress is not None:
                    progress(done, len(wanted))

        tasks = [asyncio.ensure_future(one(u)) for u in wanted]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=IMAGES_DEADLINE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for url in wanted:
                if url not in got and url not in problems:
                    refuse(url, f"{_short(url)} did not arrive within {IMAGES_DEADLINE:.0f} s for all images")
        return got


# Magic numbers: the only image types kept (no SVG: it is a document that can carry script).
def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "…"

