"""A saved copy's pictures in headless Chromium (issue #15): with every request but the
service's blocked, the reader view shows the article's three figures, each decoded from the
local store and with its caption, and the HTML export shows them from a file, offline."""
from __future__ import annotations

import aiohttp
from playwright.async_api import async_playwright

from support.paths import CHROMIUM
from support.upstream import Upstream
from unit.reader.pictures import FIGURES, PNGS, figures_page

PAGE = "/2024/05/harbour-wall.html"
FIGURES_JS = """() => [...document.querySelectorAll('figure')].map(f => {
    const img = f.querySelector('img');
    return {src: img.src, alt: img.alt, w: img.naturalWidth, done: img.complete,
            caption: (f.querySelector('figcaption') || {}).textContent || ''};
})"""


async def test_saved_figures_show_offline_with_captions(open_service, tmp_path):
    service = open_service
    site = Upstream().start()
    try:
        site.put(PAGE, figures_page().encode(), content_type="text/html; charset=utf-8")
        for path, data in PNGS.items():
            site.put(path, data, content_type="image/png")
        saved = await service.call("POST", "/api/articles", {"url": site.base + PAGE})
        assert saved.status == 201 and saved["images"]["stored"] == 3, saved.body
    finally:
        site.stop()  # the origin is gone: what shows now comes from the library
    article_id = saved["article"]["id"]
    export = tmp_path / "harbour.html"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{service.base}/api/articles/{article_id}/export?format=html",
                               headers={"Authorization": f"Bearer {service.token}"}) as r:
            export.write_bytes(await r.read())

    blocked: list[str] = []

    def only(prefix: str):
        async def route(route):
            if route.request.url.startswith(prefix):
                await route.continue_()
            else:
                blocked.append(route.request.url)
                await route.abort()
        return route

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            context = await browser.new_context()
            await context.route("**/*", only(service.base + "/"))
            reader = await context.new_page()
            await reader.goto(f"{service.base}/articles/{article_id}", wait_until="load")
            shown = await reader.evaluate(FIGURES_JS)
            assert [f["caption"] for f in shown] == [caption for _p, _a, caption in FIGURES]
            assert [f["alt"] for f in shown] == [alt for _p, alt, _c in FIGURES]
            for figure in shown:
                assert figure["done"] and figure["w"] > 0, figure
                assert figure["src"].startswith(f"{service.base}/articles/{article_id}/images/"), figure
            assert await reader.locator("script").count() == 0

            offline = await browser.new_context()
            await offline.route("**/*", only("file:"))
            page = await offline.new_page()
            await page.goto(export.as_uri(), wait_until="load")
            shown = await page.evaluate(FIGURES_JS)
            assert [f["caption"] for f in shown] == [caption for _p, _a, caption in FIGURES]
            assert all(f["w"] > 0 and f["src"].startswith("data:image/png;base64,") for f in shown), shown
            await reader.screenshot(path=str(tmp_path / "reader.png"), full_page=True)
        finally:
            await browser.close()
    assert blocked == []  # nothing even tried to leave
