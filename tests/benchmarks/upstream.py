"""The origin server of bench_proxy.py: sets of AEB pages in many variants, and page assets.

Run: python tests/benchmarks/upstream.py --page FILE.html.gz [--port P] [--variants N]
     python tests/benchmarks/upstream.py --sets SETS.json [--raw RAW.json] [--port P]

SETS.json: {"NAME": {"pages": [FILE.html.gz, ...], "variants": N}, ...}.
RAW.json: {"KEY": FILE.html.gz, ...}: pages served as they are, for a check of output.
Serves, on 127.0.0.1 (HTTP/1.1, keep-alive):
  /s/NAME/page/N  request N of a set: its pages round-robin (page N % pages), each in
             `variants` versions ((N // pages) % variants), gzip-compressed, text/html;
             charset=utf-8. Every variant differs (a numbered comment before </body>), so
             no layer can reuse the previous response's decode or encode;
  /page/N    the same for --page (a set named "page");
  /asset/X   the scripts, styles and images listed by `ASSETS`, with their content types;
             scripts and styles gzip-compressed as real sites send them, images as they are.
  /_assets   a JSON list of the asset paths, for the load generator;
  any other path, with an `X-Bench-Page: KEY` header: that page of RAW.json, its bytes as
             stored (any charset), gzip-compressed, `text/html` with no charset, so the
             proxy finds the charset as it must on the web. The request may carry the
             page's real Host and path, which the proxy then sees as its URL.
Prints "READY <port>" on stdout once it accepts connections.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import zlib

from aiohttp import web

# (name, content type, size): text assets' decoded size, images' size on the wire.
ASSETS: tuple[tuple[str, str, int], ...] = (
    ("app.js", "application/javascript; charset=utf-8", 180_000),
    ("vendor.js", "application/javascript; charset=utf-8", 120_000),
    ("ads.js", "application/javascript; charset=utf-8", 60_000),
    ("analytics.js", "application/javascript; charset=utf-8", 30_000),
    ("consent.js", "application/javascript; charset=utf-8", 15_000),
    ("embed.js", "application/javascript; charset=utf-8", 8_000),
    ("main.css", "text/css; charset=utf-8", 90_000),
    ("article.css", "text/css; charset=utf-8", 30_000),
    ("fonts.css", "text/css; charset=utf-8", 6_000),
    ("print.css", "text/css; charset=utf-8", 3_000),
    ("hero.jpg", "image/jpeg", 60_000),
    ("inline-1.jpg", "image/jpeg", 45_000),
    ("inline-2.jpg", "image/jpeg", 38_000),
    ("thumb-1.webp", "image/webp", 12_000),
    ("thumb-2.webp", "image/webp", 11_000),
    ("thumb-3.webp", "image/webp", 9_000),
    ("logo.png", "image/png", 6_000),
    ("avatar.png", "image/png", 4_000),
    ("icon-share.png", "image/png", 2_000),
    ("pixel.gif", "image/gif", 2_000),
)
_MAGIC = {"image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/png": b"\x89PNG\r\n\x1a\n",
          "image/webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/gif": b"GIF89a"}
_WORDS = ("function", "return", "var", "const", "this", "null", "true", "false", "if", "else",
          "for", "window", "document", "prototype", "length", "push", "call", "apply", "div",
          "color", "margin", "padding", "display", "flex", "none", "block", "px", "em", "rgba")


def _text_asset(rng: random.Random, size: int, css: bool) -> bytes:
    """Code-like text that compresses about as well as minified JS/CSS does (3-5x)."""
    parts, n = [], 0
    while n < size:
        if css:
            piece = (f".{rng.choice(_WORDS)}-{rng.randrange(10**5):x}{{{rng.choice(_WORDS)}:"
                     f"{rng.randrange(1000)}px;{rng.choice(_WORDS)}:#{rng.randrange(16**6):06x}}}")
        else:
            piece = (f"{rng.choice(_WORDS)} {rng.choice('abcdefghijklmnopqrstuvwxyz')}{rng.randrange(10**4):x}="
                     f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}({rng.randrange(10**6)});")
        parts.append(piece)
        n += len(piece)
    return "".join(parts)[:size].encode()


def build_assets(seed: int = 20240601) -> dict[str, tuple[bytes, dict[str, str]]]:
    rng = random.Random(seed)
    out = {}
    for name, ctype, size in ASSETS:
        headers = {"Content-Type": ctype, "Cache-Control": "public, max-age=31536000"}
        base = ctype.split(";", 1)[0]
        if base.startswith("image/"):
            body = _MAGIC[base] + rng.randbytes(size - len(_MAGIC[base]))
        else:
            body = gzip.compress(_text_asset(rng, size, base == "text/css"), compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        out[name] = (body, headers)
    return out


def build_variants(html: str, count: int) -> list[bytes]:
    """`count` distinct versions of the page, each gzip-compressed at level 6 (nginx's usual)."""
    cut = html.lower().rfind("</body>")
    if cut < 0:
        cut = len(html)
    variants = []
    for i in range(count):
        page = f"{html[:cut]}<!-- bench variant {i}: {random.Random(i).getrandbits(64):016x} -->\n{html[cut:]}"
        c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        variants.append(c.compress(page.encode("utf-8")) + c.flush())
    return variants


def make_app(sets: dict[str, list[list[bytes]]],
             assets: dict[str, tuple[bytes, dict[str, str]]], raw: dict[str, bytes] | None = None) -> web.Application:
    """`sets`: per set name, its pages, each a list of variants; `raw`: gzip bodies by key."""
    page_headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                    "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    listing = json.dumps([f"/asset/{name}" for name, _t, _s in ASSETS])

    async def page(request: web.Request) -> web.Response:
        pages = sets.get(request.match_info.get("set", "page"))
        try:
            n = int(request.match_info["n"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if pages is None:
            raise web.HTTPNotFound()
        variants = pages[n % len(pages)]
        return web.Response(body=variants[n // len(pages) % len(variants)], headers=page_headers)

    async def asset(request: web.Request) -> web.Response:
        found = assets.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], headers=found[1])

    async def asset_list(_request: web.Request) -> web.Response:
        return web.Response(text=listing, content_type="application/json")

    async def raw_page(request: web.Request) -> web.Response:
        body = (raw or {}).get(request.headers.get("X-Bench-Page", ""))
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip",
                                                "Cache-Control": "no-cache"})

    app = web.Application()
    app.router.add_get("/page/{n}", page)
    app.router.add_get("/s/{set}/page/{n}", page)
    app.router.add_get("/asset/{name}", asset)
    app.router.add_get("/_assets", asset_list)
    app.router.add_get("/{tail:.*}", raw_page)
    return app


async def serve(port: int, sets: dict[str, list[list[bytes]]], assets, raw: dict[str, bytes] | None = None) -> None:
    runner = web.AppRunner(make_app(sets, assets, raw), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"READY {bound}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", help="a gzip-compressed UTF-8 HTML file (the set named 'page')")
    parser.add_argument("--sets", help="a JSON file naming sets of pages (see above)")
    parser.add_argument("--raw", help="a JSON file of pages to serve as they are (see above)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--variants", type=int, default=50, help="variants of --page (default 50)")
    args = parser.parse_args()
    spec = {}
    if args.sets:
        with open(args.sets, encoding="utf-8") as f:
            spec = json.load(f)
    if args.page:
        spec["page"] = {"pages": [args.page], "variants": args.variants}
    if not spec and not args.raw:
        parser.error("give --page, --sets or --raw")
    sets = {name: [build_variants(_read_page(p), entry["variants"]) for p in entry["pages"]]
            for name, entry in spec.items()}
    raw = {}
    if args.raw:
        with open(args.raw, encoding="utf-8") as f:
            for key, path in json.load(f).items():
                with open(path, "rb") as page:
                    raw[key] = page.read()  # stored gzip-compressed already
    try:
        asyncio.run(serve(args.port, sets, build_assets(), raw))
    except KeyboardInterrupt:
        pass


def _read_page(path: str) -> str:
    with open(path, "rb") as f:
        return gzip.decompress(f.read()).decode("utf-8")


if __name__ == "__main__":
    main()
