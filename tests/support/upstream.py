"""The upstream the tests' traffic goes to: canned answers by path on 127.0.0.1, over HTTP
and (given a certificate) HTTPS. The proxy's tests reach it behind real site names (see
reroute.py); the library's tests fetch from it directly, as a site of their own."""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web


def make_server_tls(directory: Path) -> ssl.SSLContext:
    """A self-signed certificate for the sites the tests name, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.rt.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    sans = [x509.DNSName(n) for n in ("www.rt.com", "rt.com", "*.rt.com", "news.example", "*.example", "localhost")]
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([*sans, x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "upstream-cert.pem", directory / "upstream-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@dataclass
class Canned:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # send without Content-Length, in pieces
    hold: bool = False  # send only once `release(path)` is called (or after 60 s)


class Upstream:
    """An aiohttp server on its own thread and loop, serving canned answers by path, so sync
    fixtures, async tests and subprocesses all reach it alike. Every request is recorded.

    Special paths: /special/reset-before-headers, /special/reset-mid-body,
    /special/not-modified, /special/held/{length|chunked}/{token} (first MB, then waits for
    `release(token)`), /special/sse/{token} (one event, then waits). Any other path not put
    is a 404.
    """

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.tls = tls  # None: plain HTTP only
        self.canned: dict[str, Canned] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, Host header, path)
        self.held_payload = b""
        self._released: set[str] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="upstream", daemon=True)
        self._runner: web.AppRunner | None = None
        self.http_port = self.https_port = 0

    @property
    def base(self) -> str:
        """The plain-HTTP address, for clients that talk to it directly."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def hits(self) -> Counter[str]:
        """Requests so far, by path."""
        return Counter(path for _method, _host, path in list(self.requests))

    def put(self, path: str, body: bytes, status: int = 200, chunked: bool = False, hold: bool = False,
            **headers: str) -> str:
        """Serve `body` at `path`; header names are given with underscores (content_type=…)."""
        self.canned[path] = Canned(body, status, {k.replace("_", "-"): v for k, v in headers.items()}, chunked, hold)
        return path

    def release(self, token: str) -> None:
        """Let a held answer (a /special/held or /special/sse token, or a path put with `hold`) go on."""
        self._released.add(token)

    async def requested(self, path: str) -> None:
        """Returns once `path` has been asked for (from any event loop)."""
        while not self.hits[path]:
            await asyncio.sleep(0.02)

    def start(self) -> "Upstream":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(15)
        return self

    def stop(self) -> None:
        """Close the server and its thread; a second call does nothing."""
        if not self._thread.is_alive():
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await self._runner.setup()
        plain = web.TCPSite(self._runner, "127.0.0.1", 0)
        await plain.start()
        self.http_port = plain._server.sockets[0].getsockname()[1]
        if self.tls is not None:
            secure = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls)
            await secure.start()
            self.https_port = secure._server.sockets[0].getsockname()[1]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.headers.get("Host", ""), request.path))
        parts = request.path.strip("/").split("/")
        if parts[0] == "special":
            return await self._special(request, parts[1:])
        canned = self.canned.get(request.path)
        if canned is None:
            return web.Response(status=404, text="not here", content_type="text/plain")
        if canned.hold:
            await self._wait_released(request.path, timeout=60)
        if not canned.chunked:
            return web.Response(body=canned.body, status=canned.status, headers=canned.headers)
        response = web.StreamResponse(status=canned.status, headers=canned.headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for i in range(0, len(canned.body), 8192):
            await response.write(canned.body[i:i + 8192])
        await response.write_eof()
        return response

    async def _special(self, request: web.Request, parts: list[str]) -> web.StreamResponse:
        what = parts[0]
        if what == "reset-before-headers":
            request.transport.abort()
            raise asyncio.CancelledError
        if what == "reset-mid-body":
            response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
            response.content_length = 200_000
            await response.prepare(request)
            await response.write(b"<!doctype html><html><body><p>" + b"x" * 20_000)
            await asyncio.sleep(0.1)
            request.transport.abort()
            raise asyncio.CancelledError
        if what == "not-modified":
            return web.Response(status=304, headers={"ETag": '"v1"', "Content-Type": "text/html; charset=utf-8"})
        if what == "held":
            mode, token = parts[1], parts[2]
            payload = self.held_payload
            response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
            if mode == "length":
                response.content_length = len(payload)
            else:
                response.enable_chunked_encoding()
            await response.prepare(request)
            # Without a length the proxy cannot know the page is too big until it has
            # more than its limit (10 MB): chunked mode sends 11 MB before holding.
            first = 1024 * 1024 if mode == "length" else 11 * 1024 * 1024
            await response.write(payload[:first])
            await self._wait_released(token)
            await response.write(payload[first:])
            await response.write_eof()
            return response
        if what == "sse":
            token = parts[1]
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
            await response.prepare(request)
            await response.write(b"data: first\n\n")
            await self._wait_released(token)
            await response.write(b"data: last\n\n")
            await response.write_eof()
            return response
        return web.Response(status=404, text="no such special")

    async def _wait_released(self, token: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while token not in self._released and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
