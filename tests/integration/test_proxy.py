"""The proxy as a person runs it: `quietpage run` (and plain mitmdump) in a subprocess,
a local upstream on 127.0.0.1 behind real site names, a client going through the proxy."""
from __future__ import annotations

import asyncio
import functools
import gzip
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import zstandard

from support.coding import apply_coding
from support.net import free_port
from support.pagetext import visible_text
from support.pages import (ARTICLE_EN, ARTICLE_FR, ARTICLE_JA, ARTICLE_RU, CLUTTER_EN, CLUTTER_FR, CLUTTER_JA,
                           CLUTTER_RU, CLUTTERED_EN, GONE_EN, GONE_FR, GONE_JA, GONE_RU, PLAIN_EN, article_page,
                           big_page, png)
from support.paths import BOOM_SCRIPT, REROUTE_SCRIPT, ROOT
from support.proxyrig import RELOAD_PACK, ProxyProcess, fetch, quietpage_run_argv, reroute_env
from support.seed import SEED_BYTES, SEED_PATH, assert_seed_clean

SEED_TEXT = SEED_BYTES.decode("utf-8")
CLEANED_LINE = re.compile(r"cleaned (\S+): (\d+) removed \((.*)\) in [\d.]+ ms")


def serve(upstream, name: str, body: bytes, host: str = "news.example", **headers) -> str:
    """Put `body` on the upstream at /m/<name>; returns the URL a browser would ask for."""
    headers.setdefault("content_type", "text/html; charset=utf-8")
    upstream.put(f"/m/{name}", body, **headers)
    return f"http://{host}/m/{name}"


def assert_article_cleaned(html: str, paragraphs: list[str], gone: list[str]) -> None:
    text = visible_text(html)
    for p in paragraphs:
        assert p in text, f"paragraph lost: {p[:50]}"
    for g in gone:
        assert g not in text, f"{g!r} still visible"


def assert_length_right(r) -> None:
    if "Content-Length" in r.headers:
        assert int(r.headers["Content-Length"]) == len(r.raw)
    else:
        assert r.headers.get("Transfer-Encoding", "").lower() == "chunked"


# --- 1. the seed page ---------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_seed_page_comes_out_clean(proxy, scheme):
    url = f"{scheme}://www.rt.com{SEED_PATH}"
    mark = proxy.log_size()
    r = await fetch(proxy.port, url)
    assert r.status == 200
    assert_length_right(r)
    assert int(r.headers["Content-Length"]) < len(SEED_BYTES)
    assert_seed_clean(SEED_TEXT, r.body.decode("utf-8"))
    line = proxy.wait_for_log(f"cleaned {url}:", after=mark)
    url_logged, removed, detail = CLEANED_LINE.search(line).groups()
    assert url_logged == url and int(removed) >= 47 and "icon-sprites.symbol-labels 47" in detail


async def test_seed_page_brotli(proxy, upstream):
    path = "/br" + SEED_PATH
    upstream.put(path, apply_coding(SEED_BYTES, "br"), content_type="text/html; charset=utf-8",
                 content_encoding="br")
    r = await fetch(proxy.port, f"https://www.rt.com{path}")
    assert r.status == 200 and r.headers["Content-Encoding"] == "br"
    assert_length_right(r)
    assert_seed_clean(SEED_TEXT, r.body.decode("utf-8"))


# --- 2. plain mitmdump ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def mitmdump(upstream, tmp_path_factory):
    data = tmp_path_factory.mktemp("mitmdump")
    port = free_port()
    argv = [str(Path(sys.executable).parent / "mitmdump"), "-s", "proxy/addon.py", "-s", str(REROUTE_SCRIPT),
            "--listen-host", "127.0.0.1", "-p", str(port), "--set", f"confdir={data / 'conf'}",
            "--set", "ssl_insecure=true", "--set", f"reroute_http_port={upstream.http_port}",
            "--set", f"reroute_https_port={upstream.https_port}"]
    running = ProxyProcess(argv, port, data / "mitmdump.log").start()
    yield running
    running.stop()


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_mitmdump_with_the_addon_alone_cleans_the_seed(mitmdump, scheme):
    url = f"{scheme}://www.rt.com{SEED_PATH}"
    r = await fetch(mitmdump.port, url)
    assert r.status == 200
    assert_length_right(r)
    assert_seed_clean(SEED_TEXT, r.body.decode("utf-8"))
    mitmdump.wait_for_log(f"cleaned {url}:")


# --- 3. the matrix --------------------------------------------------------------------------

@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", "deflate"])
async def test_compressed_page_is_cleaned_and_stays_valid(proxy, upstream, coding):
    url = serve(upstream, f"coded-{coding}", apply_coding(CLUTTERED_EN.encode(), coding), content_encoding=coding)
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.headers["Content-Encoding"] == coding
    assert_length_right(r)
    assert_article_cleaned(r.body.decode("utf-8"), ARTICLE_EN, GONE_EN)


async def test_cleaned_page_goes_uncompressed_to_a_local_client_by_default(mitmdump, upstream):
    """quietpage_recompress=auto: compressing for a client on loopback costs more than the
    rewrite and saves nothing, so a cleaned page goes out as identity; an unchanged page
    keeps the origin's bytes and coding."""
    url = serve(upstream, "auto-coding", apply_coding(CLUTTERED_EN.encode(), "gzip"), content_encoding="gzip")
    r = await fetch(mitmdump.port, url)
    assert r.status == 200 and "Content-Encoding" not in r.headers
    assert_length_right(r)
    assert_article_cleaned(r.raw.decode("utf-8"), ARTICLE_EN, GONE_EN)
    plain = apply_coding(PLAIN_EN.encode(), "gzip")
    url = serve(upstream, "auto-coding-plain", plain, content_encoding="gzip")
    r = await fetch(mitmdump.port, url)
    assert r.headers["Content-Encoding"] == "gzip" and r.raw == plain


def _two_parts(page: bytes) -> tuple[bytes, bytes]:
    cut = page.index(b"<footer>")
    return page[:cut], page[cut:]


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
async def test_compressed_page_in_several_members_comes_back_whole(proxy, upstream, coding):
    """A gzip body may hold several members and a zstd body several frames (streaming
    compressors write them); the cleaned page must keep all of them."""
    first, rest = _two_parts(CLUTTERED_EN.encode())
    if coding == "gzip":
        body = gzip.compress(first) + gzip.compress(rest)
    else:
        body = zstandard.ZstdCompressor().compress(first) + zstandard.ZstdCompressor().compress(rest)
    url = serve(upstream, f"members-{coding}", body, content_encoding=coding)
    r = await fetch(proxy.port, url)
    assert r.status == 200
    assert_length_right(r)
    html = r.body.decode("utf-8")
    assert "All rights reserved." in html and html.rstrip().endswith("</html>"), "page cut after the first member"
    assert_article_cleaned(html, ARTICLE_EN, GONE_EN)


RU_META = '<meta charset="windows-1251">'
RU_HTTP_EQUIV = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
JA_META = '<meta charset="Shift_JIS">'

CHARSET_CASES = {
    # name: (body bytes, Content-Type, codec the page is in, paragraphs, clutter that must go)
    "utf-8": (CLUTTERED_EN.encode(), "text/html; charset=utf-8", "utf-8", ARTICLE_EN, GONE_EN),
    "utf-8-bom": (b"\xef\xbb\xbf" + article_page(ARTICLE_EN, CLUTTER_EN, head="").encode(), "text/html", "utf-8-sig",
                  ARTICLE_EN, GONE_EN),
    "windows-1251-meta": (article_page(ARTICLE_RU, CLUTTER_RU, head=RU_META, lang="ru").encode("cp1251"),
                          "text/html", "cp1251", ARTICLE_RU, GONE_RU),
    "windows-1251-http-equiv": (article_page(ARTICLE_RU, CLUTTER_RU, head=RU_HTTP_EQUIV, lang="ru").encode("cp1251"),
                                "text/html", "cp1251", ARTICLE_RU, GONE_RU),
    "iso-8859-1-header": (article_page(ARTICLE_FR, CLUTTER_FR, head="", lang="fr").encode("latin-1"),
                          "text/html; charset=ISO-8859-1", "latin-1", ARTICLE_FR, GONE_FR),
    "shift_jis": (article_page(ARTICLE_JA, CLUTTER_JA, head=JA_META, lang="ja").encode("shift_jis"),
                  "text/html; charset=Shift_JIS", "shift_jis", ARTICLE_JA, GONE_JA),
}


@pytest.mark.parametrize("case", list(CHARSET_CASES))
async def test_page_is_cleaned_in_its_own_charset(proxy, upstream, case):
    body, ctype, codec, paragraphs, gone = CHARSET_CASES[case]
    url = serve(upstream, f"charset-{case}", body, content_type=ctype)
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.headers["Content-Type"] == ctype
    assert_length_right(r)
    assert r.raw != body, "nothing was cleaned"
    for p in paragraphs:  # the article's bytes, exactly as the site encoded them
        assert p.encode(codec.replace("-sig", "")) in r.raw
    if codec == "utf-8-sig":
        assert r.raw.startswith(b"\xef\xbb\xbf")
    assert_article_cleaned(r.raw.decode(codec), paragraphs, gone)


async def test_shift_jis_page_with_windows_31j_characters_is_cleaned(proxy, upstream):
    """Browsers read Shift_JIS as Windows-31J (WHATWG), so ①, Ⅱ and ㈱ are ordinary on
    Japanese pages; such a page must be cleaned like any other."""
    paragraphs = ARTICLE_JA[:-1] + ["①工事の開始、②運行の開始、Ⅱ期工事は㈱市交通が担当する。"]
    body = article_page(paragraphs, CLUTTER_JA, head=JA_META, lang="ja").encode("cp932")
    url = serve(upstream, "charset-sjis-31j", body, content_type="text/html; charset=Shift_JIS")
    mark = proxy.log_size()
    r = await fetch(proxy.port, url)
    assert r.status == 200
    assert_length_right(r)
    assert paragraphs[-1].encode("cp932") in r.raw
    log = proxy.log()[mark:]
    assert r.raw != body, f"page not cleaned: {log.strip()}"
    assert_article_cleaned(r.raw.decode("cp932"), paragraphs, GONE_JA)


async def test_character_the_charset_lacks_goes_back_as_a_reference(proxy, upstream):
    """A windows-1251 page with an emoji as a character reference: the parser turns it
    into a character windows-1251 lacks, so it goes back out as a numeric reference."""
    body = article_page(ARTICLE_RU[:-1] + ["Смайлик &#x1F600; в тексте статьи, и ещё немного слов."], CLUTTER_RU,
                        head=RU_META, lang="ru").encode("cp1251")
    url = serve(upstream, "charset-no-roundtrip", body, content_type="text/html")
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw != body
    assert_length_right(r)
    text = r.raw.decode("cp1251")
    # cut out of the source (the reference stays as written) or serialized (a new one)
    assert re.search(r"Смайлик &#(x1F600|128512); в тексте статьи", text)
    assert_article_cleaned(text, ARTICLE_RU[:-1], GONE_RU)


async def test_bytes_not_valid_in_the_charset_survive_a_cut_elsewhere(proxy, upstream):
    """Bytes that are not valid UTF-8 in a page that says UTF-8 leave as they came: the
    clutter is cut out of the page's own bytes, every other byte stays."""
    body = CLUTTERED_EN.encode("utf-8").replace(b"</h1>", b"\xff\xfe</h1>")
    url = serve(upstream, "invalid-utf8", body, content_type="text/html; charset=utf-8")
    r = await fetch(proxy.port, url)
    start = body.index(CLUTTER_EN.encode("utf-8"))
    end = start + len(CLUTTER_EN.encode("utf-8"))
    assert r.status == 200 and r.raw.startswith(body[:start]) and r.raw.endswith(body[end:])
    assert b"\xff\xfe</h1>" in r.raw
    assert_article_cleaned(r.raw.decode("utf-8", "replace"), ARTICLE_EN, GONE_EN)


async def test_a_cut_through_bytes_not_valid_in_the_charset_sends_the_original(proxy, upstream):
    """When the clutter itself holds bytes that do not decode, it cannot be found in the
    source as the parser saw it: the page goes out as it came, and the log says why."""
    body = CLUTTERED_EN.encode("utf-8").replace(b"sharer.php", b"sharer.php?\xff", 1)
    url = serve(upstream, "invalid-utf8-in-clutter", body, content_type="text/html; charset=utf-8")
    mark = proxy.log_size()
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw == body
    line = proxy.wait_for_log(f"passed {url} unchanged:", after=mark)
    assert "does not decode cleanly as utf-8" in line


@functools.cache
def thirteen_mb() -> bytes:
    return big_page(13 * 1024 * 1024)


async def test_page_over_the_size_limit_is_byte_identical(proxy, upstream):
    body = thirteen_mb()
    url = serve(upstream, "huge", body)
    mark = proxy.log_size()
    r = await fetch(proxy.port, url, timeout=60)
    assert r.status == 200 and int(r.headers["Content-Length"]) == len(body)
    assert r.raw == body
    assert url not in proxy.log()[mark:]


async def _first_megabyte_while_held(proxy, upstream, mode: str) -> None:
    """The upstream sends part of a 13 MB page (1 MB with a Content-Length, 11 MB chunked)
    and holds the rest until released: the client must get a first megabyte before the
    upstream lets go."""
    upstream.held_payload = thirteen_mb()
    token = f"{mode}-{uuid.uuid4().hex}"
    url = f"http://news.example/special/held/{mode}/{token}"
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            try:
                async with asyncio.timeout(5):
                    r = await session.get(url, proxy=f"http://127.0.0.1:{proxy.port}")
                    first = await r.content.readexactly(1024 * 1024)
            except TimeoutError:
                pytest.fail("the proxy buffered the body (nothing came while the upstream held the rest)")
            upstream.release(token)
            rest = await asyncio.wait_for(r.read(), 30)
            r.release()
            assert first + rest == upstream.held_payload
    finally:
        upstream.release(token)


async def test_page_over_the_size_limit_streams_unbuffered(proxy, upstream):
    await asyncio.wait_for(_first_megabyte_while_held(proxy, upstream, "length"), 30)


async def test_chunked_page_over_the_size_limit_streams_unbuffered(proxy, upstream):
    """Without a Content-Length the size is known only on the way; once past the limit
    the body must stream instead of being held whole in memory."""
    await asyncio.wait_for(_first_megabyte_while_held(proxy, upstream, "chunked"), 30)


async def test_event_stream_passes_as_it_comes(proxy, upstream):
    token = uuid.uuid4().hex
    try:
        async with aiohttp.ClientSession() as session:
            try:
                async with asyncio.timeout(5):
                    r = await session.get(f"http://news.example/special/sse/{token}",
                                          proxy=f"http://127.0.0.1:{proxy.port}")
                    first = await r.content.readuntil(b"\n\n")
            except TimeoutError:
                pytest.fail("the proxy held the event stream back (no event while the upstream kept it open)")
            assert first == b"data: first\n\n"
            upstream.release(token)
            assert await asyncio.wait_for(r.content.read(), 10) == b"data: last\n\n"
            r.release()
    finally:
        upstream.release(token)


NOT_PAGES = {
    "png": (png(1, 1, (255, 0, 0)), "image/png"),
    "json": (b'{"title": "Share this:", "html": "<div class=\\"sharedaddy\\">Share this:</div>"}', "application/json"),
    "javascript": (b'document.write("<div class=sharedaddy>Share this:</div>");', "application/javascript"),
    "css": (b".sharedaddy { display: none }", "text/css"),
    "html-as-text": (CLUTTERED_EN.encode(), "text/plain; charset=utf-8"),
}


@pytest.mark.parametrize("kind", list(NOT_PAGES))
async def test_other_content_passes_byte_identical(proxy, upstream, kind):
    body, ctype = NOT_PAGES[kind]
    url = serve(upstream, f"other-{kind}", body, content_type=ctype, etag='"other-1"')
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw == body
    assert r.headers["Content-Type"] == ctype and r.headers["ETag"] == '"other-1"'
    assert int(r.headers["Content-Length"]) == len(body)


@pytest.mark.parametrize("coding", ["identity", "gzip"])
async def test_chunked_page_is_cleaned_and_valid(proxy, upstream, coding):
    body = CLUTTERED_EN.encode() if coding == "identity" else apply_coding(CLUTTERED_EN.encode(), coding)
    headers = {"content_type": "text/html; charset=utf-8"}
    if coding != "identity":
        headers["content_encoding"] = coding
    upstream.put(f"/m/chunked-{coding}", body, chunked=True, **headers)
    r = await fetch(proxy.port, f"http://news.example/m/chunked-{coding}")
    assert r.status == 200
    assert_length_right(r)
    assert_article_cleaned(r.body.decode("utf-8"), ARTICLE_EN, GONE_EN)


async def test_head_is_untouched(proxy, upstream):
    body = CLUTTERED_EN.encode()
    url = serve(upstream, "head", body, etag='"head-1"')
    r = await fetch(proxy.port, url, method="HEAD")
    assert r.status == 200 and r.raw == b""
    assert int(r.headers["Content-Length"]) == len(body) and r.headers["ETag"] == '"head-1"'


async def test_not_modified_is_untouched(proxy):
    r = await fetch(proxy.port, "http://news.example/special/not-modified", headers={"If-None-Match": '"v1"'})
    assert r.status == 304 and r.raw == b"" and r.headers["ETag"] == '"v1"'


async def test_attachment_is_untouched(proxy, upstream):
    body = CLUTTERED_EN.encode()
    url = serve(upstream, "attachment", body, content_disposition='attachment; filename="story.html"')
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw == body


async def test_server_error_page_is_untouched(proxy, upstream):
    body = CLUTTERED_EN.encode()
    url = serve(upstream, "error-500", body, status=500)
    r = await fetch(proxy.port, url)
    assert r.status == 500 and r.raw == body


@pytest.mark.parametrize("when", ["reset-before-headers", "reset-mid-body"])
async def test_upstream_reset_is_an_error_not_a_hang(proxy, when):
    started = time.monotonic()
    try:
        r = await fetch(proxy.port, f"http://news.example/special/{when}", timeout=15)
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
        pass  # the body broke off, as the upstream's did
    else:
        assert r.status == 502
    assert time.monotonic() - started < 10


async def test_malformed_html_comes_back_valid(proxy, upstream):
    paragraph = "The first paragraph of the broken page keeps its words."
    body = (b"<html><head><title>Broken<body><div><p>" + paragraph.encode() + b"<p>Second \xff\xfe\x00\x9d garbage"
            b"<table><tr><td>cell<div class='sharedaddy'><h3>Share this:</h3><span>x</div></b></i>"
            b"<p>Like this story? Share it with a friend!<script>if (a < b) {</script><!-- unterminated")
    url = serve(upstream, "malformed", body, content_type="text/html")
    r = await fetch(proxy.port, url)
    assert r.status == 200
    assert_length_right(r)
    assert paragraph.encode() in r.raw
    visible_text(r.raw)  # parses


async def test_changed_page_gets_a_weak_etag(proxy, upstream):
    url = serve(upstream, "etag-strong", CLUTTERED_EN.encode(), etag='"abc123"')
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw != CLUTTERED_EN.encode()
    assert r.headers["ETag"] == 'W/"abc123"'


async def test_weak_etag_stays_weak_once(proxy, upstream):
    url = serve(upstream, "etag-weak", CLUTTERED_EN.encode(), etag='W/"abc123"')
    r = await fetch(proxy.port, url)
    assert r.raw != CLUTTERED_EN.encode() and r.headers["ETag"] == 'W/"abc123"'


QUIRKY_PLAIN = PLAIN_EN.replace("<p>", "<P class=lead >").replace("\n", "\r\n").replace(
    "<main>", "<main><!-- kept comment --><img src=a.jpg alt='x'>").encode()


@pytest.mark.parametrize("page", [PLAIN_EN.encode(), QUIRKY_PLAIN], ids=["plain", "quirky-markup"])
async def test_page_without_clutter_is_byte_identical(proxy, upstream, page):
    url = serve(upstream, f"plain-{len(page)}", page, etag='"plain-1"')
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw == page
    assert r.headers["ETag"] == '"plain-1"' and int(r.headers["Content-Length"]) == len(page)


# --- 4. never break a page ------------------------------------------------------------------

@pytest.fixture(scope="module")
def fragile(upstream, tmp_path_factory):
    """A second proxy with a 1 ms budget and the boom script (rewrites on boom.example raise)."""
    data = tmp_path_factory.mktemp("fragile")
    port, service = free_port(), free_port()
    argv = quietpage_run_argv(port, service, data, "-s", str(BOOM_SCRIPT), "--set", "quietpage_budget_ms=1")
    running = ProxyProcess(argv, port, data / "proxy.log", service_port=service, env=reroute_env(upstream)).start()
    yield running
    running.stop()


async def test_rewrite_over_budget_sends_the_original(fragile, upstream):
    body = big_page(3 * 1024 * 1024)
    url = serve(upstream, "over-budget", body)
    r = await fetch(fragile.port, url, timeout=30)
    assert r.status == 200 and r.raw == body
    line = fragile.wait_for_log(f"passed {url} unchanged:")
    assert "budget" in line


async def test_rewrite_that_raises_sends_the_original(fragile, upstream):
    body = CLUTTERED_EN.encode()
    url = serve(upstream, "boom", body, host="boom.example", etag='"boom-1"')
    r = await fetch(fragile.port, url)
    assert r.status == 200 and r.raw == body and r.headers["ETag"] == '"boom-1"'
    line = fragile.wait_for_log(f"passed {url} unchanged:")
    assert "RuntimeError: boom on boom.example" in line


async def test_corrupt_compressed_body_is_sent_as_it_came(proxy, upstream):
    body = b"\x1f\x8b\x08\x00this is not gzip at all" + CLUTTERED_EN.encode()
    url = serve(upstream, "corrupt-gzip", body, content_encoding="gzip")
    r = await fetch(proxy.port, url)
    assert r.status == 200 and r.raw == body
    assert "gzip" in proxy.wait_for_log(f"passed {url} unchanged:")


# --- 5. rule files reload -------------------------------------------------------------------

async def test_rule_file_edit_takes_effect_without_restart(proxy, upstream, rules_file):
    page = article_page(ARTICLE_EN, clutter='<div class="box-a">Box A is here</div>\n'
                                            '<div class="box-b">Box B is here</div>\n').encode()
    url = serve(upstream, "reload", page, host="reload.example")

    async def visible() -> str:
        r = await fetch(proxy.port, url)
        assert r.status == 200
        return visible_text(r.raw)

    async def until(predicate, seconds: float = 5) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = await visible()
            if predicate(text) or time.monotonic() > deadline:
                return text
            await asyncio.sleep(0.2)

    text = await visible()
    assert "Box A is here" not in text and "Box B is here" in text

    rules_file.write_text(RELOAD_PACK.format(target="box-b"), encoding="utf-8")
    await asyncio.sleep(1)
    text = await until(lambda t: "Box B is here" not in t)
    assert "Box B is here" not in text and "Box A is here" in text

    mark = proxy.log_size()
    broken = RELOAD_PACK.format(target="box-a").replace("    selectors:", "    colour: blue\n    selectors:")
    rules_file.write_text(broken, encoding="utf-8")
    line = proxy.wait_for_log(f"{rules_file}:", after=mark, timeout=5)
    assert re.search(rf"{re.escape(str(rules_file))}:7\b.*colour", line), line
    text = await visible()
    assert "Box B is here" not in text and "Box A is here" in text, "the last good rules were not kept"


# --- 6. `quietpage run` refuses bad input ---------------------------------------------------

def _run(tmp_path, *args, timeout=30) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "proxy.cli", "run", "--data-dir", str(tmp_path / "data"), *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HOME": str(tmp_path)})


@pytest.mark.parametrize("setting", ["quietpage_budget_ms=soon", "quietpage_budget_ms=0", "quietpage_max_size=-5"])
def test_bad_set_value_exits_2_with_one_line(tmp_path, setting):
    run = _run(tmp_path, "--listen-port", str(free_port()), "--service-port", str(free_port()), "--set", setting)
    assert run.returncode == 2
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("quietpage run: "), run.stderr
    name, value = setting.split("=")
    assert name in lines[0] and value in lines[0], f"the message should say which setting and value: {lines[0]}"


def test_busy_service_port_exits_1(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = _run(tmp_path, "--listen-port", str(free_port()), "--service-port", str(port))
    assert run.returncode == 1
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], run.stderr


def test_busy_proxy_port_exits_1(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = _run(tmp_path, "--listen-port", str(port), "--service-port", str(free_port()))
    assert run.returncode == 1
    assert str(port) in run.stdout + run.stderr


def test_set_reaches_options_of_a_script(upstream, tmp_path):
    """`--set` works "as mitmdump does": options that a `-s` script declares can be set."""
    port, service = free_port(), free_port()
    argv = quietpage_run_argv(port, service, tmp_path / "data", "--set", f"reroute_http_port={upstream.http_port}")
    running = ProxyProcess(argv, port, tmp_path / "proxy.log", service_port=service)
    try:
        running.start(timeout=20)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        r = asyncio.run(fetch(port, f"http://www.rt.com{SEED_PATH}"))
        assert r.status == 200
        assert_seed_clean(SEED_TEXT, r.body.decode("utf-8"))
    finally:
        running.stop()
