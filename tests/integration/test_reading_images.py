"""A reading copy's pictures through the real service on 127.0.0.1, a real news site of its
own and a real SQLite file (issue #15): stored locally once each, in every export (data:
URIs in HTML, manifest items in an epubcheck-clean EPUB, `![alt](…)` with the caption in
Markdown), and the images that could not be stored named, with why, to the person saving."""
from __future__ import annotations

import asyncio
import re
import zipfile

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from proxy.cli.common import store_jobs
from proxy.library.saving import save_reading_copy
from proxy.library.store import SCHEMA
from proxy.store import Store
from integration.test_library import epubcheck  # the library's epubcheck run, shared
from support.servicerig import cli
from support.upstream import Upstream
from unit.reader.pictures import FIGURES, PNGS, figures_page

PAGE = "/2024/05/harbour-wall.html"


@pytest.fixture
def news_site() -> Upstream:
    """The harbour-wall story and its three pictures (and the clutter pictures it names)."""
    site = Upstream().start()
    site.put(PAGE, figures_page().encode(), content_type="text/html; charset=utf-8")
    for path, data in PNGS.items():
        site.put(path, data, content_type="image/png")
    yield site
    site.stop()


async def save(service, url: str):
    r = await service.call("POST", "/api/articles", {"url": url})
    assert r.status == 201, r.body
    return r


async def export(service, article_id: int, fmt: str) -> bytes:
    import aiohttp  # noqa: PLC0415

    async with aiohttp.ClientSession() as session:
        async with session.get(f"{service.base}/api/articles/{article_id}/export?format={fmt}",
                               headers={"Authorization": f"Bearer {service.token}"}) as r:
            assert r.status == 200, await r.text()
            return await r.read()


async def test_three_figures_are_stored_and_in_every_export(open_service, news_site, tmp_path):
    service = open_service
    r = await save(service, news_site.base + PAGE)
    assert r["images"]["in_article"] == 3 and r["images"]["stored"] == 3, r.body
    article_id = r["article"]["id"]
    got = (await service.call("GET", f"/api/articles/{article_id}")).body
    srcs = [n.attributes["src"] for n in LexborHTMLParser(got["html"]).css("img")]
    assert srcs == [news_site.base + path for path, _a, _c in FIGURES]
    assert [f["url"] for f in got["image_files"]] == srcs
    # Only the article's pictures were fetched: no pixel, sprite, logo, teaser or share card.
    assert sorted(p for p in news_site.hits if p.startswith("/img/")) == sorted(PNGS)

    # HTML: one file, every picture a data: URI of the stored bytes, captions under them.
    html = (await export(service, article_id, "html")).decode()
    tree = LexborHTMLParser(html)
    assert [n.attributes["src"][:22] for n in tree.css("figure img")] == ["data:image/png;base64,"] * 3
    assert [n.text() for n in tree.css("figure figcaption")] == [c for _p, _a, c in FIGURES]
    assert news_site.base not in html.replace(f'href="{news_site.base}{PAGE}"', "")

    # Markdown: each picture named as ![alt](…), its caption right under it.
    md = (await export(service, article_id, "md")).decode()
    images = [c for t in MarkdownIt().parse(md) if t.children for c in t.children if c.type == "image"]
    assert [i.content for i in images] == [alt for _p, alt, _c in FIGURES]
    assert all(i.attrs["src"].startswith("data:image/png;base64,") for i in images)
    for _path, alt, caption in FIGURES:
        assert re.search(rf"!\[{re.escape(alt)}\]\[image-\d\]\n\n\*{re.escape(caption)}\*", md), md

    # EPUB: epubcheck-clean, the three pictures as manifest items, shown in the chapter.
    book = tmp_path / "harbour.epub"
    book.write_bytes(await export(service, article_id, "epub"))
    assert "No errors or warnings detected" in await epubcheck(book)
    with zipfile.ZipFile(book) as z:
        opf = z.read("EPUB/package.opf").decode()
        items = re.findall(r'<item id="img-[^"]+" href="(images/[^"]+)" media-type="image/png"', opf)
        assert len(items) == 3
        assert [z.read(f"EPUB/{name}") for name in items] == list(PNGS.values())
        chapter = z.read(f"EPUB/text/a{article_id}.xhtml").decode()
        assert [f"../{name}" for name in items] == re.findall(r'<img src="([^"]+)"', chapter)
        assert chapter.count("<figcaption>") == 3


async def test_a_picture_under_two_addresses_is_stored_once(open_service, news_site):
    page = figures_page().replace('<img src="/img/quay.png"', '<img src="/img/wall-again.png"')
    news_site.put("/same.html", page.encode(), content_type="text/html; charset=utf-8")
    news_site.put("/img/wall-again.png", PNGS["/img/wall.png"], content_type="image/png")
    r = await save(open_service, news_site.base + "/same.html")
    assert r["images"]["stored"] == 2
    got = (await open_service.call("GET", f"/api/articles/{r['article']['id']}")).body
    srcs = [n.attributes["src"] for n in LexborHTMLParser(got["html"]).css("img")]
    wall = news_site.base + "/img/wall.png"
    assert srcs == [wall, news_site.base + "/img/diver.png", wall]
    assert [f["url"] for f in got["image_files"]] == [wall, news_site.base + "/img/diver.png"]


async def test_images_not_stored_are_told_to_the_person_saving(news_site, tmp_path, monkeypatch):
    news_site.put("/img/diver.png", b"not found", status=404, content_type="text/plain")
    news_site.put("/img/quay.png", b"<html>a page</html>", content_type="image/png")
    with Store.in_dir(tmp_path / "direct", SCHEMA) as store:  # the built-in rules (None), as `save` has them
        saved = await save_reading_copy(news_site.base + PAGE, None, [], None, store_jobs(store),
                                        allow_private_fetch=True)
    prepared = saved.prepared
    report = prepared.image_report()
    assert (report["in_article"], report["stored"]) == (3, 1)
    why = {p["url"].rsplit("/", 1)[1]: p["why"] for p in report["not_stored"]}
    assert set(why) == {"diver.png", "quay.png"}
    assert "answered 404" in why["diver.png"]
    assert "is not a JPEG, PNG, GIF, WebP or AVIF image" in why["quay.png"]

    # The command line says the same.
    monkeypatch.setenv("QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH", "1")
    run = await asyncio.to_thread(cli, "save", news_site.base + PAGE, "--data-dir", str(tmp_path / "data"))
    assert run.returncode == 0, run.stderr
    assert "2 of the article's 3 images not stored" in run.stderr
    assert "answered 404" in run.stderr and "not a JPEG, PNG, GIF, WebP or AVIF image" in run.stderr
