"""A saved copy survives a restart of `quietpage serve`, and a `kill -9` in the middle of
saving another one (the second save is all or nothing)."""
from __future__ import annotations

import asyncio
import sqlite3

import aiohttp

from proxy.database import DB_NAME
from support.pages import COVER_PNG, HARBOUR_NEWS, LIGHTHOUSE_PARAGRAPHS, LIGHTHOUSE_TITLE, article_page
from support.servicerig import Service, ServeProcess, make_token


async def test_copy_survives_restart_and_kill_9_during_another_save(tmp_path, article_site, monkeypatch):
    monkeypatch.setenv("QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH", "1")  # the article site is on 127.0.0.1
    article_site.put("/slow-article.html", article_page(LIGHTHOUSE_PARAGRAPHS, title="A picture that never arrives",
                                                   image="/slow/picture.png", **HARBOUR_NEWS).encode(),
                 content_type="text/html; charset=utf-8")
    article_site.put("/slow/picture.png", COVER_PNG, content_type="image/png", hold=True)  # never released
    data = tmp_path / "data"
    token = make_token(data)
    serve = ServeProcess(data).start()
    try:
        service = Service(serve.port, data, token)
        saved = await service.call("POST", "/api/articles", {"url": f"{article_site.base}/lighthouse.html", "tags": ["keep"]})
        assert saved.status == 201, saved.body
        article_id = saved["article"]["id"]
        serve.stop()

        serve = ServeProcess(data).start()
        service = Service(serve.port, data, token)
        await assert_intact(service, article_id)

        # The second save waits for its image; kill -9 the service meanwhile.
        pending = asyncio.ensure_future(service.call("POST", "/api/articles", {"url": f"{article_site.base}/slow-article.html"}))
        await asyncio.wait_for(article_site.requested("/slow/picture.png"), 20)
        await asyncio.to_thread(serve.kill9)
        await asyncio.gather(pending, return_exceptions=True)

        db = sqlite3.connect(data / DB_NAME)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            db.close()
        serve = ServeProcess(data).start()
        service = Service(serve.port, data, token)
        await assert_intact(service, article_id)
        listing = await service.call("GET", "/api/articles")
        assert [a["id"] for a in listing["articles"]] == [article_id]  # the interrupted save left nothing behind
        assert (await service.call("GET", "/api/articles?q=foghorn"))["total"] == 1
    finally:
        serve.stop()


async def assert_intact(service: Service, article_id: int) -> None:
    got = await service.call("GET", f"/api/articles/{article_id}")
    assert got.status == 200 and got["title"] == LIGHTHOUSE_TITLE and got["tags"] == ["keep"]
    assert "foghorn" in got["text"] and got["image_files"][0]["n"] == 0
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{service.base}/articles/{article_id}/images/0") as r:
            assert r.status == 200 and await r.read() == COVER_PNG
