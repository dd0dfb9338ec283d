"""The library in headless Chromium: offline copies show their images, the library page lists,
searches and opens copies, its forms work without script, and the HTML export opens offline."""
from __future__ import annotations

from playwright.async_api import async_playwright

from support.pages import LIGHTHOUSE_TITLE
from support.paths import CHROMIUM
from support.seed import HEADLINE, SEED_FILE, SEED_URL

IMAGES_JS = "() => [...document.images].map(i => ({src: i.src, w: i.naturalWidth, done: i.complete}))"


async def test_library_in_a_real_browser_offline(open_service, article_site, tmp_path):
    service = open_service
    saved = await service.call("POST", "/api/articles", {"url": f"{article_site.base}/lighthouse.html", "tags": ["sea"]})
    assert saved.status == 201, saved.body
    article_id = saved["article"]["id"]
    seed = SEED_FILE.read_text(encoding="utf-8")
    assert (await service.call("POST", "/api/articles", {"url": SEED_URL, "html": seed})).status == 201
    article_site.stop()  # the origin is gone too
    export = tmp_path / "copy.html"
    async with __import__("aiohttp").ClientSession() as session:
        async with session.get(f"{service.base}/api/articles/{article_id}/export?format=html",
                               headers={"Authorization": f"Bearer {service.token}"}) as r:
            export.write_bytes(await r.read())

    blocked: list[str] = []

    async def only_the_service(route):
        if route.request.url.startswith(service.base + "/"):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            context = await browser.new_context(java_script_enabled=False)  # the pages need none
            await context.route("**/*", only_the_service)
            page = await context.new_page()

            # The library: newest first, search with highlighted snippets, open a copy.
            await page.goto(service.base + "/")
            titles = await page.locator("ol.articles h2").all_inner_texts()
            assert titles == [HEADLINE, LIGHTHOUSE_TITLE]
            await page.fill("input[name=q]", "foghorn")
            await page.press("input[name=q]", "Enter")
            await page.wait_for_url("**/?q=foghorn*")
            assert await page.locator("ol.articles h2").all_inner_texts() == [LIGHTHOUSE_TITLE]
            assert (await page.locator(".excerpt mark").first.inner_text()).lower() == "foghorn"
            await page.click(f"text={LIGHTHOUSE_TITLE}")
            await page.wait_for_url(f"**/articles/{article_id}")

            # The reader view, offline: every image from the local store, and shown.
            # (page has script off, as a person may; reading image sizes needs it on.)
            js_context = await browser.new_context()
            await js_context.route("**/*", only_the_service)
            reader = await js_context.new_page()
            await reader.goto(f"{service.base}/articles/{article_id}", wait_until="load")
            images = await reader.evaluate(IMAGES_JS)
            assert len(images) == 1 and all(i["w"] > 0 and i["src"].startswith(service.base) for i in images), images
            assert await reader.locator("h1").inner_text() == LIGHTHOUSE_TITLE
            assert await reader.locator(f'a[href="{article_site.base}/lighthouse.html"]').count() == 1  # the original
            assert await reader.locator("script").count() == 0

            # The tag form works without script (same-origin form with its CSRF token).
            await page.fill("input[name=tags]", "sea, lighthouses")
            async with page.expect_navigation():
                await page.click("text=Save tags")
            assert page.url == f"{service.base}/articles/{article_id}", await page.content()
            assert (await service.call("GET", f"/api/articles/{article_id}"))["tags"] == ["lighthouses", "sea"]
            await page.goto(service.base + "/?tag=lighthouses")
            assert await page.locator("ol.articles h2").all_inner_texts() == [LIGHTHOUSE_TITLE]

            # The HTML export opens from a file with no network at all and shows its images.
            no_network = await browser.new_context()

            async def the_file_only(route):
                if route.request.url.startswith("file:"):
                    await route.continue_()
                else:
                    blocked.append(route.request.url)
                    await route.abort()

            await no_network.route("**/*", the_file_only)
            offline = await no_network.new_page()
            await offline.goto(export.as_uri(), wait_until="load")
            images = await offline.evaluate(IMAGES_JS)
            assert len(images) == 1 and images[0]["w"] > 0 and images[0]["src"].startswith("data:image/png")
        finally:
            await browser.close()
    assert not any(url.startswith(article_site.base) for url in blocked)  # nothing even tried the origin
