"""Changes made through the service reach the proxy at once, and survive a restart:
the real `quietpage run` in a subprocess, its own data dir, the session's upstream."""
from __future__ import annotations

import pytest

from support.net import free_port
from support.pagetext import visible_text
from support.pages import CLUTTERED_EN
from support.paths import ROOT
from support.proxyrig import ProxyProcess, fetch, quietpage_run_argv, reroute_env
from support.seed import SEED_PATH
from support.servicerig import Service, make_token

SEED_URL = f"http://www.rt.com{SEED_PATH}"
SPRITES = "http://blog.example/svc/sprites"  # another site with icon-sprite labels (the pack's fixture)
SPRITE_LABELS = ["icon-home", "icon-facebook", "Follow us on Twitter"]
SHARE = "Like this story? Share it with a friend!"


@pytest.fixture(scope="module")
def synced(upstream, tmp_path_factory):
    """`quietpage run` with a fresh data dir, and a service client with a token for it."""
    data = tmp_path_factory.mktemp("synced-data")
    token = make_token(data)
    port, service_port = free_port(), free_port()
    running = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                           service_port=service_port, env=reroute_env(upstream)).start()
    upstream.put("/svc/sprites", (ROOT / "rules/tests/icomoon-sprite.html").read_bytes(),
                 content_type="text/html; charset=utf-8")
    upstream.put("/svc/cluttered", CLUTTERED_EN.encode(), content_type="text/html; charset=utf-8")
    yield running, Service(service_port, data, token)
    running.stop()


async def page_text(proxy: ProxyProcess, url: str) -> str:
    r = await fetch(proxy.port, url)
    assert r.status == 200
    return visible_text(r.body)


async def test_toggles_pause_and_user_rules_reach_the_next_load_and_survive_restart(synced):
    proxy, service = synced
    seed = await page_text(proxy, SEED_URL)
    assert "icon bookmark" not in seed and "US sanctions" in seed and SHARE not in seed
    await assert_sprites_clean(proxy)

    # A generic rule off for rt.com: the seed keeps its clutter, another site stays clean.
    r = await service.call("PUT", "/api/rules/icon-sprites.symbol-labels", {"enabled": False, "site": "rt.com"})
    assert r.status == 200
    seed = await page_text(proxy, SEED_URL)
    assert "icon bookmark" in seed and "Also on rt.com" not in seed and SHARE not in seed
    await assert_sprites_clean(proxy)

    # A paused site is untouched, byte for byte; another site with the same page is cleaned.
    r = await service.call("PUT", "/api/sites/quiet.example", {"paused": True})
    assert r.status == 200
    paused = await fetch(proxy.port, "http://quiet.example/svc/cluttered")
    assert paused.body == CLUTTERED_EN.encode()
    assert SHARE not in await page_text(proxy, "http://news.example/svc/cluttered")

    # A user rule changes the next load.
    r = await service.call("POST", "/api/rules", {"site": "rt.com", "title": "The US sanctions trend link",
                                                  "selector": "a[href='/trends/us-sanctions/']"})
    assert r.status == 201
    user_rule = r["rule"]["id"]
    seed = await page_text(proxy, SEED_URL)
    assert "US sanctions" not in seed and "Venezuela crisis" in seed
    report = await service.call("GET", f"/api/page-report?url={SEED_URL}")
    assert report["removed"][user_rule] == 1 and "icon-sprites.symbol-labels" not in report["removed"]
    revision = r["revision"]

    # All of it survives a restart of `quietpage run`.
    proxy.stop()
    proxy.start()
    assert (await service.call("GET", "/api/rules"))["revision"] == revision
    seed = await page_text(proxy, SEED_URL)
    assert "icon bookmark" in seed and "US sanctions" not in seed
    await assert_sprites_clean(proxy)
    assert (await fetch(proxy.port, "http://quiet.example/svc/cluttered")).body == CLUTTERED_EN.encode()

    # On again, resumed, deleted: the seed comes out as clean as ever.
    assert (await service.call("PUT", "/api/rules/icon-sprites.symbol-labels",
                                {"enabled": True, "site": "rt.com"})).status == 200
    assert "icon bookmark" not in await page_text(proxy, SEED_URL)
    assert (await service.call("PUT", "/api/sites/quiet.example", {"paused": False})).status == 200
    assert SHARE not in await page_text(proxy, "http://quiet.example/svc/cluttered")
    assert (await service.call("DELETE", f"/api/rules/{user_rule}")).status == 200
    assert "US sanctions" in await page_text(proxy, SEED_URL)
    assert (await service.call("GET", "/api/rules"))["revision"] == revision + 3


async def test_pack_off_everywhere_reaches_the_proxy(synced):
    proxy, service = synced
    r = await service.call("PUT", "/api/packs/icon-sprites", {"enabled": False})
    assert r.status == 200
    try:
        assert "icon-home" in await page_text(proxy, SPRITES)
    finally:
        assert (await service.call("PUT", "/api/packs/icon-sprites", {"enabled": True})).status == 200
    await assert_sprites_clean(proxy)


async def assert_sprites_clean(proxy: ProxyProcess) -> None:
    text = await page_text(proxy, SPRITES)
    assert "The post body stays" in text
    for label in SPRITE_LABELS:
        assert label not in text, label
