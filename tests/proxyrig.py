"""The rig for proxy tests: a local upstream (HTTP and HTTPS), the real proxy as a
subprocess, a client that goes through it, and the pages the tests serve."""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import brotli
import zstandard
from aiohttp import web
from multidict import CIMultiDictProxy

from pagetext import SEED_DIR

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SEED_PATH = "/news/467009-us-venezuela-secret-talks/"
SEED_BYTES = (SEED_DIR / "rt-secret-talks.html").read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- TLS for the upstream -------------------------------------------------------------

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


# --- the upstream -----------------------------------------------------------------------

@dataclass
class Canned:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # send without Content-Length, in pieces


class Upstream:
    """An aiohttp server on its own thread and loop, serving canned responses by path.

    Special paths: /special/reset-before-headers, /special/reset-mid-body,
    /special/not-modified, /special/held/{length|chunked}/{token} (first MB, then waits for
    `release(token)`), /special/sse/{token} (one event, then waits).
    """

    def __init__(self, tls: ssl.SSLContext):
        self.tls = tls
        self.canned: dict[str, Canned] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, Host header, path)
        self.held_payload = b""
        self._released: set[str] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="upstream", daemon=True)
        self._runner: web.AppRunner | None = None
        self.http_port = self.https_port = 0

    def put(self, path: str, body: bytes, status: int = 200, chunked: bool = False, **headers: str) -> str:
        """Serve `body` at `path`; header names are given with underscores (content_type=…)."""
        self.canned[path] = Canned(body, status, {k.replace("_", "-"): v for k, v in headers.items()}, chunked)
        return path

    def release(self, token: str) -> None:
        self._released.add(token)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(15)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        plain = web.TCPSite(self._runner, "127.0.0.1", 0)
        secure = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.tls)
        await plain.start()
        await secure.start()
        self.http_port = plain._server.sockets[0].getsockname()[1]
        self.https_port = secure._server.sockets[0].getsockname()[1]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.headers.get("Host", ""), request.path))
        parts = request.path.strip("/").split("/")
        if parts[0] == "special":
            return await self._special(request, parts[1:])
        canned = self.canned.get(request.path)
        if canned is None:
            return web.Response(status=404, text="not here", content_type="text/plain")
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


# --- the proxy as a subprocess ----------------------------------------------------------

class ProxyProcess:
    """`quietpage run` (or mitmdump) as a person starts it, its output kept in a log file."""

    def __init__(self, argv: list[str], port: int, log_file: Path, service_port: int | None = None,
                 env: dict[str, str] | None = None):
        self.argv, self.port, self.log_file, self.service_port = argv, port, log_file, service_port
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "ProxyProcess":
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "HOME": str(self.log_file.parent), **self.env}
        with open(self.log_file, "wb") as out:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"proxy exited with {self.process.returncode}:\n{self.log()}")
            if _accepts(self.port) and (self.service_port is None or _healthy(self.service_port)):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"proxy did not start in {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 5.0, after: int = 0) -> str:
        """The first log line (from offset `after`) holding `needle`; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log()[after:]
            for line in text.splitlines():
                if needle in line:
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no log line with {needle!r} in:\n{text[-3000:]}")
            time.sleep(0.05)

    def log_size(self) -> int:
        return len(self.log())


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def quietpage_run_argv(port: int, service_port: int, data_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "proxy.cli", "run", "--listen-port", str(port), "--service-port", str(service_port),
            "--data-dir", str(data_dir), "-s", str(TESTS / "reroute.py"), "--set", "ssl_insecure=true", *extra]


def reroute_env(upstream: Upstream) -> dict[str, str]:
    """Where tests/reroute.py sends traffic (read by its option defaults)."""
    return {"REROUTE_HTTP_PORT": str(upstream.http_port), "REROUTE_HTTPS_PORT": str(upstream.https_port)}


# --- the client -------------------------------------------------------------------------

@dataclass
class Fetched:
    status: int
    headers: CIMultiDictProxy
    raw: bytes  # the body as it came off the wire, still content-coded
    seconds: float

    @property
    def body(self) -> bytes:
        """The body with its content coding undone (by the test's own decoders)."""
        return undo_coding(self.raw, self.headers.get("Content-Encoding"))


async def fetch(proxy_port: int, url: str, method: str = "GET", headers: dict | None = None,
                timeout: float = 20) -> Fetched:
    """One request through the proxy, with a fresh connection; the raw body is kept."""
    started = time.monotonic()
    async with aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.request(method, url, proxy=f"http://127.0.0.1:{proxy_port}", ssl=False,
                                   headers=headers or {}) as response:
            raw = await response.read()
            return Fetched(response.status, response.headers, raw, time.monotonic() - started)


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


# A pack of the tests' own, for the session proxy's --rules; {target} is a class name.
RELOAD_PACK = """\
id: mine
title: The tests' own pack
rules:
  - id: mine.box
    title: A box the tests switch between
    domains: [reload.example]
    selectors: [".{target}"]
"""


# --- pages ------------------------------------------------------------------------------

ARTICLE_EN = [
    "The city council voted on Tuesday to extend the tram line to the harbour, a project first proposed in 1998.",
    "Construction is expected to begin next spring and to take about three years, according to the transport office.",
    "Residents of the harbour district have asked for a tram for decades, and many came to the meeting to watch the vote.",
    "The cost of the extension is estimated at 240 million, of which the regional government will pay about half.",
    "Opponents argued that the money would be better spent on buses, which can serve more streets for the same price.",
    "The first trams on the new line could run in the summer of 2028 if the works go according to plan.",
]
CLUTTER_EN = ('<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
              '<ul><li><a href="https://www.facebook.com/sharer.php">Share on Facebook</a></li></ul></div>\n'
              '<p class="share-cta">Like this story? Share it with a friend!</p>\n')
GONE_EN = ["Share this:", "Share on Facebook", "Like this story? Share it with a friend!"]

ARTICLE_RU = [
    "Городской совет во вторник проголосовал за продление трамвайной линии до порта, впервые предложенное в 1998 году.",
    "Строительство начнётся следующей весной и займёт около трёх лет, сообщили в транспортном управлении.",
    "Жители портового района десятилетиями просили провести трамвай, и многие пришли посмотреть на голосование.",
    "Стоимость продления оценивается в 240 миллионов, около половины заплатит региональное правительство.",
    "Противники считают, что деньги лучше потратить на автобусы, которые обслуживают больше улиц за ту же цену.",
    "Первые трамваи по новой линии могут пойти летом 2028 года, если работы пойдут по плану — «без задержек».",
]
CLUTTER_RU = '<div class="sharedaddy"><h3>Поделиться:</h3></div>\n<p>Поделиться в соцсетях</p>\n'
GONE_RU = ["Поделиться"]

ARTICLE_JA = [
    "市議会は火曜日、港までの路面電車の延伸を可決した。この計画は一九九八年に初めて提案されたものだ。",
    "工事は来年の春に始まり、約三年かかる見込みだと交通局は説明している。",
    "港地区の住民は何十年も路面電車を求めてきた。多くの人が採決を見るために議会を訪れた。",
    "延伸の費用は約二億四千万と見積もられ、その半分を地方政府が負担する。",
    "反対派は、同じ費用でより多くの通りを走れるバスに使うべきだと主張した。",
    "計画通りに進めば、新線の最初の電車は二〇二八年の夏に走る可能性がある。",
]
CLUTTER_JA = '<div class="sharedaddy"><h3>シェア</h3></div>\n<p>この記事をシェアする</p>\n'
GONE_JA = ["シェア"]

ARTICLE_FR = [
    "Le conseil municipal a voté mardi le prolongement du tramway jusqu'au port, un projet proposé dès 1998.",
    "Les travaux débuteront au printemps prochain et dureront environ trois ans, selon l'office des transports.",
    "Les habitants du quartier du port réclament un tramway depuis des décennies ; beaucoup sont venus à la séance.",
    "Le coût est estimé à 240 millions d'euros, dont la région paiera à peu près la moitié : « c'est énorme ».",
    "Les opposants jugent que l'argent serait mieux dépensé pour des bus, qui desservent davantage de rues.",
    "Les premières rames pourraient circuler à l'été 2028 si le chantier se déroule comme prévu. Voilà, ça y est.",
]
CLUTTER_FR = ('<div class="sharedaddy"><h3>Partager :</h3></div>\n'
              '<p>Partager cet article :</p>\n')
GONE_FR = ["Partager"]


def article_page(paragraphs: list[str], clutter: str = CLUTTER_EN, head: str = '<meta charset="utf-8">',
                 title: str = "Tram line to the harbour", lang: str = "en") -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n{head}\n<title>{title}</title>\n"
            f"<script>window.answer = 1 < 2 && 3 > 2;</script>\n</head>\n<body>\n"
            f"<header><nav><a href=\"/\">Home</a> <a href=\"/news/\">News</a></nav></header>\n"
            f"<main><article>\n<h1>{title}</h1>\n{paras}\n{clutter}</article></main>\n"
            f"<footer><p>All rights reserved.</p></footer>\n</body>\n</html>\n")


PLAIN_EN = article_page(ARTICLE_EN, clutter="")  # nothing to remove
CLUTTERED_EN = article_page(ARTICLE_EN)


def big_page(size: int, clutter: str = CLUTTER_EN) -> bytes:
    """A cluttered page of about `size` bytes: many paragraphs, clutter between them."""
    block = "".join(f"<p>{p}</p>\n" for p in ARTICLE_EN) + clutter
    head = article_page([], clutter="").split("<main>")[0]
    body = []
    n = 0
    while n < size:
        body.append(block)
        n += len(block)
    return (head + "<main><article><h1>A very long page</h1>\n" + "".join(body)
            + "</article></main></body></html>\n").encode()
