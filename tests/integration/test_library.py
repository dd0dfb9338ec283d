"""The reading-copy library through the real service on 127.0.0.1 with a real SQLite file:
saving (fetched or with the DOM), SSRF refusals, search, tags, exports, the CLI."""
from __future__ import annotations

import asyncio
import io
import re
import socket
import zipfile

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from proxy.library.fetch import Fetcher, FetchError, FetchRefused, address_problem, url_problem
from support.pagetext import assert_harmless
from support.pages import (COVER_PNG, HARBOUR_NEWS, HOSTILE_PAGE, HOSTILE_URL, LIGHTHOUSE_PARAGRAPHS as PARAGRAPHS,
                           LIGHTHOUSE_TITLE as LIGHTHOUSE, article_page)
from support.seed import COVER, HEADLINE, SEED_FILE, SEED_URL, SUMMARY, seed_paragraphs
from support.servicerig import cli

EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]
SEED_HTML = SEED_FILE.read_text(encoding="utf-8")


async def save(service, body, status=201):
    r = await service.call("POST", "/api/articles", body)
    assert r.status == status, r.body
    return r


# --- the seed page, saved with its HTML ---------------------------------------------------------

async def test_seed_saved_with_its_html_is_exactly_the_reading_copy(service):
    r = await save(service, {"url": SEED_URL, "html": SEED_HTML, "tags": ["venezuela"]})
    brief = r["article"]
    assert r["created"] is True and r.headers["Location"] == f"/api/articles/{brief['id']}"
    got = (await service.call("GET", f"/api/articles/{brief['id']}")).body
    assert got["title"] == HEADLINE
    assert got["published"] == "2019-08-21"
    assert got["site_name"] == "RT International"
    assert got["lead_image"] == COVER
    assert got["text"].split("\n\n") == [SUMMARY, *seed_paragraphs()]
    tree = LexborHTMLParser(got["html"])
    assert [n.attributes["src"] for n in tree.css("img")] == [COVER]
    assert [n.text() for n in tree.css("p")] == [SUMMARY, *seed_paragraphs()]
    for gone in ["icon bookmark", "Like this story?", "Share it with a friend", "Dear readers and commenters",
                 "Also on rt.com", "Maduro uses Venezuelan Independence Day"]:
        assert gone not in got["html"] and gone not in got["text"]
    assert got["url"] == SEED_URL and got["tags"] == ["venezuela"]

    # Saved again (a later DOM of the same canonical URL): the same copy, updated, tags kept.
    await service.call("PATCH", f"/api/articles/{brief['id']}", {"tags": ["venezuela", "to read"]})
    again = await save(service, {"url": SEED_URL + "?utm_source=feed#top", "html": SEED_HTML}, status=200)
    assert again["created"] is False and again["article"]["id"] == brief["id"]
    assert again["article"]["tags"] == ["to read", "venezuela"]
    assert (await service.call("GET", "/api/articles"))["total"] == 1


# --- fetching: the override, SSRF refusals ------------------------------------------------------

async def test_service_fetches_the_page_and_its_image_with_the_test_override(open_service, article_site):
    r = await save(open_service, {"url": f"{article_site.base}/lighthouse.html"})
    assert r["article"]["title"] == LIGHTHOUSE and r["article"]["byline"] == "Mara Quill"
    assert r["images"] == {"in_article": 1, "stored": 1, "bytes": len(COVER_PNG), "not_stored": []}
    got = (await open_service.call("GET", f"/api/articles/{r['article']['id']}")).body
    assert got["image_files"] == [{"n": 0, "url": f"{article_site.base}/img/cover.png",
                                   "local": f"/articles/{got['id']}/images/0"}]
    assert await raw_get(open_service, got["image_files"][0]["local"], token=None) == COVER_PNG
    assert article_site.hits["/lighthouse.html"] == 1 and article_site.hits["/img/cover.png"] == 1


async def test_loopback_page_is_refused_by_default(service, article_site):
    for url in (f"{article_site.base}/lighthouse.html", f"http://localhost:{article_site.http_port}/lighthouse.html",
                f"http://vm:{article_site.http_port}/lighthouse.html", f"http://[::1]:{article_site.http_port}/lighthouse.html"):
        r = await service.call("POST", "/api/articles", {"url": url})
        if "vm:" in url and r["error"] == "fetch_failed":
            continue  # this machine may not know the name "vm"
        assert r.status == 400 and r["error"] == "address_refused" and r["field"] == "url", (url, r.body)
    assert sum(article_site.hits.values()) == 0
    assert (await service.call("GET", "/api/articles"))["total"] == 0


@pytest.mark.parametrize("image", ["http://127.0.0.1:{port}/img/secret.png", "http://169.254.169.254/latest/meta-data/x.png",
                                   "http://10.0.0.1/x.png", "file:///etc/passwd"])
async def test_image_urls_at_private_addresses_are_not_fetched(service, article_site, image):
    image = image.format(port=article_site.http_port)
    page = article_page(PARAGRAPHS, title="Private pictures stay private", image=image, **HARBOUR_NEWS)
    r = await save(service, {"url": "https://news.example/private-pictures", "html": page})
    assert r["images"]["stored"] == 0
    assert article_site.hits["/img/secret.png"] == 0
    got = (await service.call("GET", f"/api/articles/{r['article']['id']}")).body
    assert got["image_files"] == [] and "file:" not in got["html"]
    reader = await service.call("GET", f"/articles/{got['id']}", token=None)
    assert "169.254" not in reader.body and "10.0.0.1" not in reader.body and "secret.png" not in reader.body


async def test_url_checks_and_redirects(open_service, article_site):
    for url, error in [("file:///etc/passwd", "invalid_input"), ("ftp://example.com/a", "invalid_input"),
                       ("javascript:alert(1)", "invalid_input"), (f"{article_site.base}/redirect-to-file", "address_refused"),
                       (f"{article_site.base}/redirect-loop", "fetch_failed"), (f"{article_site.base}/missing", "fetch_failed"),
                       (f"{article_site.base}/img/cover.png", "fetch_failed")]:
        r = await open_service.call("POST", "/api/articles", {"url": url})
        assert r["error"] == error, (url, r.body)
    assert article_site.hits["/redirect-loop"] == 6  # the first request and 5 redirects, then it gives up


async def test_names_that_resolve_to_this_machine_are_refused_by_the_resolver():
    assert address_problem("127.0.0.1") and address_problem("::1") and address_problem("fe80::1")
    assert "this machine" in url_problem("http://localhost./")
    name = socket.gethostname()  # in /etc/hosts as a loopback address on most machines
    try:
        local = all(address_problem(a[4][0]) for a in socket.getaddrinfo(name, 80))
    except OSError:
        local = False
    async with Fetcher() as fetcher:
        if local:
            with pytest.raises(FetchRefused, match=f"{name} resolves to"):
                await fetcher.page(f"http://{name}/")
        with pytest.raises(FetchError):
            await fetcher.page("http://2130706433/")  # 127.0.0.1 written as a number


# --- hostile pages --------------------------------------------------------------------------------

SVG_SCRIPT = ('<p>Extra: <svg onload="alert(1)"><script>alert(2)</script></svg><img src="/a.png" onerror="alert(3)">'
              '<a href="javascript:alert(4)">click</a><iframe src="https://evil.example/"></iframe></p>'
              '<math><mi xlink:href="javascript:alert(5)">x</mi></math><object data="x.swf"></object>')


def assert_no_active_content(text: str) -> None:
    lowered = text.lower()
    for needle in ("<script", "javascript:", "onerror", "onload", "onclick", "onmouseover", "<iframe", "<svg",
                   "<object", "<embed", "<math"):
        assert needle not in lowered, needle
    # "alert(" may stay only inside an inert path on the page's own site ('href=" jav&#x09;ascript:…"' is relative).
    assert re.sub(r"https://gazette\.example/news/2024/03/05/ferry-timetable/jav%09ascript:alert\('tab'\)", "",
                  text).count("alert(") == 0


async def test_hostile_page_leaves_nothing_active_in_copy_reader_or_exports(service):
    hostile = HOSTILE_PAGE.read_text(encoding="utf-8").replace("</article>", SVG_SCRIPT + "</article>")
    r = await save(service, {"url": HOSTILE_URL, "html": hostile})
    article_id = r["article"]["id"]
    got = (await service.call("GET", f"/api/articles/{article_id}")).body
    assert_harmless(got["html"])
    assert "evening crossings" in got["text"]
    reader = await service.call("GET", f"/articles/{article_id}", token=None)
    assert reader.status == 200
    assert "script-src" not in reader.headers["Content-Security-Policy"]
    assert reader.headers["Content-Security-Policy"].startswith("default-src 'none'")
    copy = LexborHTMLParser(reader.body).css_first("div.copy").inner_html
    assert_harmless(copy)
    assert_no_active_content(reader.body)
    for fmt in ("html", "md", "epub"):
        raw = await raw_get(service, f"/api/articles/{article_id}/export?format={fmt}")
        if fmt == "epub":
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                text = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
        else:
            text = raw.decode()
        assert_no_active_content(text)
        assert "evening crossings" in text


async def raw_get(service, path: str, token: str | None = "default") -> bytes:
    import aiohttp  # noqa: PLC0415

    headers = {"Authorization": f"Bearer {service.token}"} if token else {}
    async with aiohttp.ClientSession() as session:
        async with session.get(service.base + path, headers=headers) as r:
            assert r.status == 200, await r.text()
            return await r.read()


# --- search, tags, changes --------------------------------------------------------------------------

async def test_search_finds_by_a_body_word_ranked_with_a_highlighted_snippet(service):
    filler = ["The committee discussed the budget for roads and bridges in the county over a long afternoon.",
              "Members agreed to meet again next month to look at the figures with the county engineers."]
    pages = {
        "https://news.example/one": ("Budget day at the county hall", [*filler, "A single cormorant watched."]),
        "https://news.example/two": ("Birds of the estuary", ["The cormorant dives deep; a cormorant can stay under "
                                                              "for a minute, and every cormorant dries its wings.",
                                                              *filler]),
        "https://news.example/three": ("Roads and bridges", filler),
    }
    ids = {}
    for url, (title, paragraphs) in pages.items():
        ids[url] = (await save(service, {"url": url, "html": article_page(paragraphs, title=title, **HARBOUR_NEWS)}))["article"]["id"]
    r = await service.call("GET", "/api/articles?q=cormorants")  # stemmed: finds "cormorant"
    assert r.status == 200 and r["total"] == 2
    assert [a["id"] for a in r["articles"]] == [ids["https://news.example/two"], ids["https://news.example/one"]]
    assert "<mark>cormorant</mark>" in r["articles"][0]["snippet"]
    # Newest first without a query; FTS syntax in a query is taken as words.
    listing = await service.call("GET", "/api/articles")
    assert [a["id"] for a in listing["articles"]] == sorted(ids.values(), reverse=True)
    for q in ['"unbalanced', "NEAR(", "a OR", "*", "title:x"]:
        assert (await service.call("GET", f"/api/articles?q={q}")).status == 200

    # Tags: set, filter, title change reaches the index, delete.
    one = ids["https://news.example/one"]
    r = await service.call("PATCH", f"/api/articles/{one}", {"tags": ["birds", " county "], "title": "Cormorant budget"})
    assert r.status == 200 and r["tags"] == ["birds", "county"] and r["title"] == "Cormorant budget"
    tagged = await service.call("GET", "/api/articles?tag=birds")
    assert [a["id"] for a in tagged["articles"]] == [one] and tagged["tags"] == [{"tag": "birds", "count": 1},
                                                                                 {"tag": "county", "count": 1}]
    assert (await service.call("GET", "/api/articles?q=cormorant&limit=1"))["articles"][0]["id"] == one  # title weighs most
    assert (await service.call("PATCH", f"/api/articles/{one}", {"tags": ["x" * 51]})).status == 400
    assert (await service.call("DELETE", f"/api/articles/{one}"))["deleted"] is True
    assert (await service.call("GET", f"/api/articles/{one}")).status == 404
    assert (await service.call("GET", "/api/articles?q=cormorant"))["total"] == 1


async def test_library_api_needs_the_token_and_pages_need_loopback(service):
    for method, path in [("GET", "/api/articles"), ("POST", "/api/articles"), ("GET", "/api/articles/1"),
                         ("PATCH", "/api/articles/1"), ("DELETE", "/api/articles/1"), ("GET", "/api/export"),
                         ("GET", "/api/articles/1/export")]:
        assert (await service.call(method, path, token=None)).status == 401, path
    page = await service.call("GET", "/", token=None)
    assert page.status == 200 and "Reading copies" in page.body
    assert (await service.call("GET", "/", token=None, headers={"Host": "evil.example"})).status == 421
    form = await service.call("POST", "/articles/1/delete", token=None, data="csrf=guess",
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "Origin": "http://evil.example"})
    assert form.status == 403
    form = await service.call("POST", "/articles/1/delete", token=None, data="csrf=guess",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 400 and form["field"] == "csrf"


async def test_a_large_captured_dom_is_accepted(service):
    padding = "<div hidden>" + "x" * (2 * 1024 * 1024) + "</div>"
    r = await save(service, {"url": "https://news.example/big", "html": article_page(PARAGRAPHS, padding, title="Big page",
                                                                                      **HARBOUR_NEWS)})
    assert r["article"]["title"] == "Big page"


# --- exports ----------------------------------------------------------------------------------------

async def epubcheck(path) -> str:
    process = await asyncio.create_subprocess_exec(*EPUBCHECK, str(path), stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    text = out.decode(errors="replace")
    assert process.returncode == 0, text
    return text


async def test_exports_html_markdown_epub(open_service, article_site, tmp_path):
    service = open_service
    article_id = (await save(service, {"url": f"{article_site.base}/lighthouse.html"}))["article"]["id"]
    await save(service, {"url": SEED_URL, "html": SEED_HTML})

    html = (await service.call("GET", f"/api/articles/{article_id}/export?format=html")).body
    tree = LexborHTMLParser(html)
    srcs = [n.attributes["src"] for n in tree.css("img")]
    assert len(srcs) == 1 and srcs[0].startswith("data:image/png;base64,")
    assert "http://127.0.0.1" not in html.replace(f'href="{article_site.base}/lighthouse.html"', "")
    csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "<script" not in html and csp.startswith("default-src 'none'; img-src data:;")

    md = (await service.call("GET", f"/api/articles/{article_id}/export?format=md")).body
    tokens = [t.type for t in MarkdownIt().parse(md)]
    inline = [c for t in MarkdownIt().parse(md) if t.children for c in t.children]
    assert md.startswith(f"# {LIGHTHOUSE}\n")
    assert "## What the keeper asked for" in md
    assert tokens.count("bullet_list_open") == 1 and tokens.count("list_item_open") == 3
    assert any(t.type == "link_open" and t.attrs["href"] == "https://council.example/minutes/2024-03" for t in inline)
    images = [t for t in inline if t.type == "image"]
    assert len(images) == 1 and images[0].attrs["src"].startswith("data:image/png;base64,")

    book = tmp_path / "one.epub"
    book.write_bytes(await raw_get(service, f"/api/articles/{article_id}/export?format=epub"))
    library = tmp_path / "all.epub"
    library.write_bytes(await raw_get(service, "/api/export?format=epub"))
    await asyncio.gather(epubcheck(book), epubcheck(library))
    with zipfile.ZipFile(book) as z:
        assert z.namelist()[0] == "mimetype" and z.read(f"EPUB/images/a{article_id}-0.png") == COVER_PNG

    bulk_md = await raw_get(service, "/api/export?format=md")
    with zipfile.ZipFile(io.BytesIO(bulk_md)) as z:
        assert len(z.namelist()) == 2
    bulk_html = (await service.call("GET", "/api/export?format=html")).body
    assert LIGHTHOUSE in bulk_html and HEADLINE.replace("‘", "") .split()[0] in bulk_html
    assert (await service.call("GET", f"/api/articles/{article_id}/export?format=pdf")).status == 400


# --- the CLI ----------------------------------------------------------------------------------------

async def test_cli_save_list_export(tmp_path, article_site, monkeypatch):
    data = tmp_path / "data"
    seed = SEED_FILE
    run = await asyncio.to_thread(cli, "save", str(seed), "--url", SEED_URL, "--tag", "venezuela", "--data-dir", str(data))
    assert run.returncode == 0, run.stderr
    assert re.match(rf"1\t{re.escape(HEADLINE)}$", run.stdout.strip())
    monkeypatch.setenv("QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH", "1")
    run = await asyncio.to_thread(cli, "save", f"{article_site.base}/lighthouse.html", "--data-dir", str(data))
    assert run.returncode == 0 and "1 images stored" in run.stderr, run.stderr
    monkeypatch.delenv("QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH")
    run = await asyncio.to_thread(cli, "save", f"{article_site.base}/lighthouse.html", "--data-dir", str(data))
    assert run.returncode == 1 and "loopback" in run.stderr

    run = await asyncio.to_thread(cli, "list", "--data-dir", str(data))
    assert [line.split("\t")[0] for line in run.stdout.splitlines()] == ["2", "1"]
    run = await asyncio.to_thread(cli, "list", "--search", "Caracas", "--data-dir", str(data))
    assert run.stdout.startswith("1\t2019-08-21\tRT International\t") and "**Caracas**" in run.stdout

    out = tmp_path / "library.html"
    run = await asyncio.to_thread(cli, "export", "--all", "--format", "html", "-o", str(out), "--data-dir", str(data))
    assert run.returncode == 0 and "exported 2/2" in run.stderr, run.stderr
    assert LIGHTHOUSE in out.read_text() and "data:image/png;base64," in out.read_text()
    run = await asyncio.to_thread(cli, "export", "9", "--format", "md", "-o", str(tmp_path / "x.md"), "--data-dir", str(data))
    assert run.returncode == 1 and "no saved article 9" in run.stderr
    run = await asyncio.to_thread(cli, "export", "--format", "md", "-o", str(tmp_path / "x.md"), "--data-dir", str(data))
    assert run.returncode == 2 and "--all" in run.stderr
    run = await asyncio.to_thread(cli, "save", "not-a-file-or-url", "--data-dir", str(data))
    assert run.returncode == 2
