"""The rig for library tests: an upstream of article pages and images on 127.0.0.1 that
counts every request, tiny real images, and the service with the test-only fetch override."""
from __future__ import annotations

import asyncio
import struct
import zlib
from collections import Counter

import pytest
from aiohttp import web

from proxy.config import Config
from proxy.service.app import create_app
from proxyrig import free_port
from servicerig import Service, make_token

EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]


def png(width: int = 3, height: int = 2, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A real PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


COVER_PNG = png(4, 3, (30, 90, 160))
SECRET_PNG = png(1, 1, (0, 0, 0))

LIGHTHOUSE_TITLE = "Keeper of the northern light asks for a new lamp"
PARAGRAPHS = [
    "The harbour council met on a grey Tuesday to talk about lighthouses, and the keeper of the northern light "
    "explained at length how the lamp is cleaned, wound and watched through the long winter nights.",
    "Several councillors asked whether the old lens could be kept, since it was ground by hand in 1898 and still "
    "throws its beam further than any modern replacement the committee has been offered so far.",
    "The treasurer said the repairs would cost less than expected, because volunteers from the rowing club had "
    "offered to repaint the tower and carry the new glass up the spiral stairs themselves this spring.",
    "A decision on the foghorn was postponed until the autumn, when the engineers will have measured how far its "
    "sound carries across the bay on calm days and on days when the wind blows from the west.",
]


def article_page(title: str, paragraphs: list[str], image: str | None = "/img/cover.png", extra: str = "") -> str:
    """An article page as a CMS writes it: metadata in the head, the story in <article>."""
    og = f'<meta property="og:image" content="{image}">' if image else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2])
    body += ('<h2>What the keeper asked for</h2><ul><li>A new brass handle for the lamp room door</li>'
             '<li>Two spare wicks, kept dry in the oil store</li><li>A working telephone in the tower</li></ul>')
    body += "".join(f"<p>{p}</p>" for p in paragraphs[2:])
    body += ('<p>The minutes are on the <a href="https://council.example/minutes/2024-03">council’s website</a> '
             "and in the public library.</p>")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Harbour News</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Harbour News">
<meta property="article:published_time" content="2024-03-05T09:00:00Z">{og}
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1><p class="byline">By <span class="author-name">Mara Quill</span></p>{body}{extra}</article>
<footer>© Harbour News</footer></body></html>"""


class Upstream:
    """Pages and images on 127.0.0.1, every request counted by path."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        self.images: dict[str, bytes] = {"/img/cover.png": COVER_PNG, "/img/secret.png": SECRET_PNG}
        self.hits: Counter[str] = Counter()
        self.slow_started = asyncio.Event()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        if path == "/redirect-to-file":
            raise web.HTTPFound("file:///etc/passwd")
        if path == "/redirect-loop":
            raise web.HTTPFound("/redirect-loop")
        if path.startswith("/slow/"):
            self.slow_started.set()
            await asyncio.sleep(60)
        if path in self.images:
            return web.Response(body=self.images[path], content_type="image/png")
        if path in self.pages:
            return web.Response(text=self.pages[path], content_type="text/html")
        raise web.HTTPNotFound()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def upstream() -> Upstream:
    server = Upstream()
    server.pages["/lighthouse.html"] = article_page(LIGHTHOUSE_TITLE, PARAGRAPHS)
    await server.start()
    yield server
    await server.stop()


async def start_service(data_dir, allow_private_fetch: bool) -> tuple[Service, web.AppRunner]:
    token = make_token(data_dir)
    port = free_port()
    app = create_app(Config(service_port=port, data_dir=data_dir, allow_private_fetch=allow_private_fetch))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return Service(port, data_dir, token, app), runner


@pytest.fixture
async def open_service(tmp_path) -> Service:
    """The service with the test-only override: it may fetch from the upstream on 127.0.0.1."""
    service, runner = await start_service(tmp_path / "open-data", allow_private_fetch=True)
    yield service
    await runner.cleanup()
