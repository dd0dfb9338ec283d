"""A real browser through the real proxy: headless Chromium loads the seed page over HTTPS."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import async_playwright

from support.paths import CHROMIUM
from support.seed import HEADLINE, NOTICE, SEED_BYTES, SEED_PATH, SUMMARY, seed_paragraphs

URL = f"https://www.rt.com{SEED_PATH}"

# textContent of <body> without script/style/noscript/template, as support.pagetext.visible_text reads HTML.
VISIBLE_TEXT_JS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, noscript, template').forEach(n => n.remove());
  return body.textContent;
}"""
BROKEN_USES_JS = """() => [...document.querySelectorAll('use')]
  .map(u => u.getAttribute('href') || u.getAttribute('xlink:href') || '')
  .filter(h => h.startsWith('#') && !document.getElementById(h.slice(1)))"""


@pytest.fixture
async def page(proxy):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
            "--ignore-certificate-errors", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            context = await browser.new_context(ignore_https_errors=True)
            yield await context.new_page()
        finally:
            await browser.close()


async def test_browser_shows_the_seed_page_clean(proxy, page):
    mark = proxy.log_size()
    response = await page.goto(URL, wait_until="domcontentloaded", timeout=30_000)
    assert response is not None and response.status == 200
    text = re.sub(r"\s+", " ", await page.evaluate(VISIBLE_TEXT_JS)).strip()

    labels = re.findall(r"<title>(icon[^<]*)</title>", SEED_BYTES.decode("utf-8"))
    assert len(labels) == 47
    for label in labels:
        assert label not in text, f"sprite label {label!r} still visible"
    for gone in ["Like this story? Share it with a friend!", "Also on rt.com",
                 "Maduro uses Venezuelan Independence Day to call for dialogue", *NOTICE]:
        assert gone not in text, f"{gone!r} still visible"
    assert text.count(HEADLINE) == 1
    assert SUMMARY in text
    for p in seed_paragraphs():
        assert p in text, f"paragraph lost: {p[:60]}"
    for kept in ["World News", "Russia", "Business", "Op-ed", "Trends", "Venezuela crisis", "US sanctions",
                 "All rights reserved."]:
        assert kept in text, f"{kept!r} lost"

    assert await page.locator('img[src*="5d5d8a0e85f54015b4588b52.jpg"]').count() == 1  # cover image
    for label in ["Search", "Facebook", "Twitter", "Telegram"]:
        assert await page.locator(f'[aria-label="{label}"]').count() >= 1
    assert await page.locator("use").count() >= 4
    assert await page.evaluate(BROKEN_USES_JS) == []
    proxy.wait_for_log(f"cleaned {URL}:", after=mark)
