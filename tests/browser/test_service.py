"""A page in headless Chromium, from another origin, tries to read and change the
service's state with fetch: with no token, a guessed one, even the real one. It gets nothing."""
from __future__ import annotations

import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from support.net import free_port
from support.paths import CHROMIUM

ATTACK_JS = """async ({base, token}) => {
  const out = {};
  const attempt = async (name, url, init) => {
    try {
      const r = await fetch(url, init);
      out[name] = {status: r.status, type: r.type, body: r.type === 'opaque' ? null : await r.text()};
    } catch (e) {
      out[name] = {error: String(e)};
    }
  };
  await attempt('read', base + '/api/rules');
  await attempt('read_guess', base + '/api/rules', {headers: {Authorization: 'Bearer qp_guess'}});
  await attempt('read_real', base + '/api/rules', {headers: {Authorization: 'Bearer ' + token}});
  await attempt('write_real', base + '/api/rules/rt.com.read-more', {method: 'PUT',
      headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
      body: JSON.stringify({enabled: false})});
  await attempt('pair_no_cors', base + '/api/pair', {method: 'POST', mode: 'no-cors',
      headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({client: 'evil'})});
  await attempt('health', base + '/api/health');
  return out;
}"""


async def news_page(request: web.Request) -> web.Response:
    return web.Response(text="<!DOCTYPE html><title>news</title><p>hello</p>", content_type="text/html")


@pytest.fixture
async def attacker_origin():
    """A web page on another origin (another port of 127.0.0.1)."""
    app = web.Application()
    app.router.add_get("/", news_page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/"
    await runner.cleanup()


async def test_page_from_another_origin_can_read_and_change_nothing(service, attacker_origin):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = await browser.new_page()
            await page.goto(attacker_origin)
            results = await page.evaluate(ATTACK_JS, {"base": service.base, "token": service.token})
        finally:
            await browser.close()
    for name in ("read", "read_guess", "read_real", "write_real", "health"):
        assert "error" in results[name], (name, results[name])  # CORS blocks the answer
    assert results["pair_no_cors"].get("type") == "opaque" or "error" in results["pair_no_cors"]
    assert service.revision() == 0
    store = service.store()
    try:
        assert store.pending_pair_requests() == []
    finally:
        store.close()
