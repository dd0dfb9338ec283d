"""Adblock lists in the data dir: `quietpage lists` as a person runs it, `/api/lists` through
a real server, and the real `quietpage run` obeying an imported list and its switches."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from support.net import free_port
from support.pagetext import visible_text
from support.pages import ARTICLE_EN, article_page
from support.proxyrig import ProxyProcess, fetch, quietpage_run_argv, reroute_env
from support.seed import SEED_PATH
from support.servicerig import Service, cli, make_token

MINI = "! Title: Mini list\n##.trends\nrt.com##.read-more\n"
MIXED = ("! Title: Mixed list\n"
         "##.trends\n"                              # 2: applied
         "example.com##.promo\n"                    # 3: applied
         "##div:style(color: red)\n"                # 4: skipped, needs a live browser
         "||ads.example^\n"                         # 5: skipped, a network rule
         "##a[\n"                                   # 6: invalid
         "example.com#@#.promo\n")                  # 7: an exception
NO_COSMETIC = "! Title: Network only\n||ads.example^\n@@||ok.example^\n"
TRENDS_HTML = 'class="layout__sidebar trends"'
SEED_URL = f"https://www.rt.com{SEED_PATH}"
OTHER = "http://news.example/svc/trends"  # another site with a .trends box
OTHER_PAGE = article_page(ARTICLE_EN, clutter='<aside class="trends"><h3>Trending now</h3><p>Tram fares</p></aside>\n')


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the CLI ------------------------------------------------------------------------------

def test_add_prints_what_it_applied_skipped_and_refused_and_lists_show_the_counts(tmp_path):
    data = tmp_path / "data"
    run = cli("lists", "add", str(write(tmp_path, "Mixed List.txt", MIXED)), "--data-dir", str(data))
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert out[0].startswith("mixed-list: 2 rules applied, 1 exceptions; skipped 2 (")
    assert "1 needs a live browser (:style)" in out[0] and "invalid 1" in out[0]
    assert out[1].startswith("  invalid line 6: ")
    assert (data / "lists" / "mixed-list.txt").read_text() == MIXED
    assert "Added the list 'mixed-list'" in run.stderr

    shown = cli("lists", "--data-dir", str(data))
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0] == "mixed-list  Mixed list"
    assert "2 rules applied, 1 exceptions; skipped 2" in shown.stdout and "invalid 1" in shown.stdout
    # The store logged the change: a running service hears of it and tells the extension.
    store = Service(0, data, "").store()
    try:
        assert [c for _r, c in store.changes_since(0)] == [{"type": "list", "id": "mixed-list", "action": "added"}]
    finally:
        store.close()


def test_no_lists_yet(tmp_path):
    run = cli("lists", "--data-dir", str(tmp_path / "data"))
    assert run.returncode == 0 and "No adblock lists yet" in run.stdout


def test_update_replaces_atomically_and_a_refused_update_keeps_the_old_list(tmp_path):
    data = tmp_path / "data"
    assert cli("lists", "add", str(write(tmp_path, "mini.txt", MINI)), "--data-dir", str(data)).returncode == 0
    # A switch on ##.trends (line 2) for rt.com, then a new version with a line on top.
    store = Service(0, data, "").store()
    store.set_toggle("rule", "mini.2", False, "rt.com")
    store.close()
    newer = "! Title: Mini list\n! Version: 2\n##.trends\nrt.com##.read-more\n##.newsletter\n"
    run = cli("lists", "update", "mini", str(write(tmp_path, "mini2.txt", newer)), "--data-dir", str(data))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("mini: 3 rules applied") and "Replaced the list 'mini'" in run.stderr
    assert (data / "lists" / "mini.txt").read_text() == newer
    store = Service(0, data, "").store()
    assert [(t.target, t.site, t.enabled) for t in store.snapshot().toggles] == [("mini.3", "rt.com", False)]
    store.close()

    # Broken updates: no cosmetic rule, unreadable. The old list stays, byte for byte.
    for bad in (write(tmp_path, "net.txt", NO_COSMETIC), write(tmp_path, "binary.txt", "")):
        if bad.name == "binary.txt":
            bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
        run = cli("lists", "update", "mini", str(bad), "--data-dir", str(data))
        assert run.returncode == 1
        assert run.stderr.count("\n") == 1 and "no cosmetic rule" in run.stderr
        assert "the list 'mini' in force stays as it was" in run.stderr
        assert (data / "lists" / "mini.txt").read_text() == newer
    assert sorted(p.name for p in (data / "lists").iterdir()) == ["mini.txt"]  # no temp file left

    run = cli("lists", "remove", "mini", "--data-dir", str(data))
    assert run.returncode == 0 and not (data / "lists" / "mini.txt").exists()
    store = Service(0, data, "").store()
    assert store.snapshot().toggles == ()  # its switches went with it
    store.close()
    assert "No adblock lists yet" in cli("lists", "--data-dir", str(data)).stdout


@pytest.mark.parametrize("args, status, message", [
    (["add", "{missing}"], 2, "no such file: "),
    (["add", "{mini}", "--name", "Bad Name"], 2, "a list name is 1-64 lower-case letters"),
    (["add", "{mini}", "--name", "share-prompts"], 2, "'share-prompts' is the id of another rule pack"),
    (["add", "{mini}", "--name", "user"], 2, "'user' is the id of another rule pack"),
    (["add", "{mini}", "--name", "taken"], 1, "a list named 'taken' exists already; replace it with: quietpage lists update taken"),
    (["add", "{net}"], 1, "no cosmetic rule a proxy can apply was found (1 lines skipped, 0 invalid); nothing was imported"),
    (["update", "nope", "{mini}"], 1, "no list named 'nope' (quietpage lists shows them)"),
    (["update", "taken", "{missing}"], 2, "no such file: "),
    (["remove", "nope"], 1, "no list named 'nope'"),
])
def test_list_errors_exit_with_one_sentence(tmp_path, args, status, message):
    data = tmp_path / "data"
    files = {"mini": write(tmp_path, "mini.txt", MINI), "net": write(tmp_path, "net.txt", "||ads.example^\n"),
             "missing": tmp_path / "missing.txt"}
    assert cli("lists", "add", str(files["mini"]), "--name", "taken", "--data-dir", str(data)).returncode == 0
    run = cli("lists", *[a.format(**files) for a in args], "--data-dir", str(data))
    assert run.returncode == status
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stdout == ""
    assert sorted(p.name for p in (data / "lists").iterdir()) == ["taken.txt"]


# --- the API ------------------------------------------------------------------------------

async def test_lists_through_the_api(service):
    r = await service.call("GET", "/api/lists")
    assert r.status == 200 and r["lists"] == []
    before = service.revision()
    r = await service.call("POST", "/api/lists", {"name": "mixed", "text": MIXED})
    assert r.status == 201 and r.headers["Location"] == "/api/lists/mixed"
    assert r["revision"] == before + 1
    assert {k: r["list"][k] for k in ("name", "title", "applied", "exceptions", "skipped_total", "invalid")} == {
        "name": "mixed", "title": "Mixed list", "applied": 2, "exceptions": 1, "skipped_total": 2, "invalid": 1}
    assert r["list"]["invalid_lines"][0]["line"] == 6 and r["list"]["skipped"]["needs a live browser (:style)"] == 1

    r = await service.call("GET", "/api/lists")
    assert [(x["name"], x["applied"], x["enabled"]) for x in r["lists"]] == [("mixed", 2, True)]
    # It is a pack at once (`quietpage serve` reads the files again), with its rule for the site.
    listing = await service.call("GET", "/api/rules?site=www.example.com")
    pack = next(p for p in listing["packs"] if p["id"] == "mixed")
    assert pack["adblock"] is True and pack["title"] == "Mixed list" and pack["rule_count"] == 2
    assert [(x["id"], x["title"]) for x in pack["rules"]] == [("mixed.3", "example.com##.promo")]
    assert pack["rules_left_out"] == 1

    r = await service.call("PUT", "/api/lists/mixed", {"text": MINI})
    assert r.status == 200 and r["list"]["title"] == "Mini list" and r["list"]["applied"] == 2
    r = await service.call("PUT", "/api/lists/mixed", {"text": NO_COSMETIC})
    assert r.status == 422 and r["error"] == "unprocessable" and r["field"] == "text"
    assert "the list 'mixed' in force stays as it was" in r["detail"]
    assert (service.data_dir / "lists" / "mixed.txt").read_text() == MINI

    r = await service.call("DELETE", "/api/lists/mixed")
    assert r.status == 200 and r.body == {"revision": before + 3, "name": "mixed", "deleted": True}
    listing = await service.call("GET", "/api/rules")
    assert "mixed" not in [p["id"] for p in listing["packs"]]
    store = service.store()
    try:
        changes = [c for _r, c in store.changes_since(before)]
    finally:
        store.close()
    assert [c["action"] for c in changes] == ["added", "updated", "removed"]


async def test_list_changes_are_announced_on_the_event_stream(service):
    async def first_change():
        import aiohttp
        async with aiohttp.ClientSession() as session:
            async with session.get(service.base + "/api/events",
                                   headers={"Authorization": f"Bearer {service.token}"}) as r:
                async for line in r.content:
                    if line.startswith(b"data: ") and b'"change"' in line:
                        return json.loads(line[6:])
    listener = asyncio.create_task(first_change())
    await asyncio.sleep(0.3)
    assert (await service.call("POST", "/api/lists", {"name": "mini", "text": MINI})).status == 201
    event = await asyncio.wait_for(listener, 5)
    assert event["change"] == {"type": "list", "id": "mini", "action": "added"}


@pytest.mark.parametrize("method, path, body, status, error, field", [
    ("POST", "/api/lists", {"text": MINI}, 400, "invalid_input", "name"),
    ("POST", "/api/lists", {"name": "mini"}, 400, "invalid_input", "text"),
    ("POST", "/api/lists", {"name": "Bad Name", "text": MINI}, 400, "invalid_input", "name"),
    ("POST", "/api/lists", {"name": "share-prompts", "text": MINI}, 400, "invalid_input", "name"),
    ("POST", "/api/lists", {"name": "user", "text": MINI}, 400, "invalid_input", "name"),
    ("POST", "/api/lists", {"name": "mini", "text": 7}, 400, "invalid_input", "text"),
    ("POST", "/api/lists", {"name": "mini", "text": MINI, "url": "x"}, 400, "invalid_input", "url"),
    ("POST", "/api/lists", {"name": "taken", "text": MINI}, 409, "conflict", "name"),
    ("POST", "/api/lists", {"name": "mini", "text": NO_COSMETIC}, 422, "unprocessable", "text"),
    ("PUT", "/api/lists/nope", {"text": MINI}, 404, "not_found", None),
    ("PUT", "/api/lists/Bad%20Name", {"text": MINI}, 404, "not_found", None),
    ("PUT", "/api/lists/taken", {"name": "x", "text": MINI}, 400, "invalid_input", "name"),
    ("DELETE", "/api/lists/nope", None, 404, "not_found", None),
])
async def test_list_routes_refuse_bad_input_in_json(service, method, path, body, status, error, field):
    assert (await service.call("POST", "/api/lists", {"name": "taken", "text": MINI})).status == 201
    r = await service.call(method, path, body)
    assert r.status == status and r["error"] == error and r["detail"], r.body
    assert r.body.get("field") == field
    assert sorted(p.name for p in (service.data_dir / "lists").iterdir()) == ["taken.txt"]


async def test_list_body_limit_is_raised_for_lists_only(service):
    big = "! Title: Big\n" + "".join(f"##.ad-banner-{n}\n" for n in range(60_000))  # about 1.2 MB
    assert (await service.call("POST", "/api/lists", {"name": "big", "text": big})).status == 201
    r = await service.call("POST", "/api/rules", {"site": "rt.com", "title": "x" * 70_000, "selector": "p"})
    assert r.status == 413


async def test_rule_listing_stays_small_with_a_list_of_20000_rules(service):
    without = len(json.dumps((await service.call("GET", "/api/rules?site=www.rt.com")).body))
    text = "! Title: Huge\n" + "".join(f"##.ad-slot-{n}\n" for n in range(20_000)) + "rt.com##.read-more\n"
    assert (await service.call("POST", "/api/lists", {"name": "huge", "text": text})).status == 201
    r = await service.call("GET", "/api/rules?site=www.rt.com")
    # The 20,000 rules out of scope add a line of counts, not a listing.
    assert r.status == 200 and len(json.dumps(r.body)) - without < 2_000
    pack = next(p for p in r["packs"] if p["id"] == "huge")
    assert pack["rule_count"] == 20_001 and pack["rules_left_out"] == 20_000
    assert [(x["id"], x["title"], x["in_scope_here"]) for x in pack["rules"]] == [
        ("huge.20002", "rt.com##.read-more", True)]
    assert next(p for p in (await service.call("GET", "/api/rules?site=www.bbc.com"))["packs"]
                if p["id"] == "huge")["rules"] == []

    # A rule a page report named, asked for by id: listed with its switches.
    r = await service.call("GET", "/api/rules?site=www.bbc.com&ids=huge.101,huge.7,nope.1")
    pack = next(p for p in r["packs"] if p["id"] == "huge")
    assert [(x["id"], x["title"], x["enabled_here"]) for x in pack["rules"]] == [
        ("huge.7", "##.ad-slot-5", True), ("huge.101", "##.ad-slot-99", True)]
    # One switched off for a site: listed from then on, on every site.
    assert (await service.call("PUT", "/api/rules/huge.7", {"enabled": False, "site": "rt.com"})).status == 200
    for site, on in (("www.rt.com", False), ("www.bbc.com", True)):
        pack = next(p for p in (await service.call("GET", f"/api/rules?site={site}"))["packs"] if p["id"] == "huge")
        assert {x["id"]: x["enabled_here"] for x in pack["rules"]}.get("huge.7") is on
    r = await service.call("GET", "/api/rules?ids=" + ",".join(["x"] * 501))
    assert r.status == 400 and r["field"] == "ids"


# --- the real `quietpage run` -------------------------------------------------------------

@pytest.fixture(scope="module")
def running(upstream, tmp_path_factory):
    data = tmp_path_factory.mktemp("lists-data")
    token = make_token(data)
    port, service_port = free_port(), free_port()
    proxy = ProxyProcess(quietpage_run_argv(port, service_port, data), port, data / "proxy.log",
                         service_port=service_port, env=reroute_env(upstream)).start()
    upstream.put("/svc/trends", OTHER_PAGE.encode(), content_type="text/html; charset=utf-8")
    yield proxy, Service(service_port, data, token)
    proxy.stop()


async def body_of(proxy: ProxyProcess, url: str) -> str:
    r = await fetch(proxy.port, url)
    assert r.status == 200
    return r.body.decode("utf-8")


async def test_an_imported_list_and_its_switches_reach_the_next_load(running):
    proxy, service = running
    assert TRENDS_HTML in await body_of(proxy, SEED_URL)
    assert "Trending now" in visible_text(await body_of(proxy, OTHER))

    r = await service.call("POST", "/api/lists", {"name": "mini", "text": MINI})
    assert r.status == 201, r.body
    seed = await body_of(proxy, SEED_URL)
    assert TRENDS_HTML not in seed and "Washington now appears to be in a hurry" in seed
    report = await service.call("GET", f"/api/page-report?url={SEED_URL}")
    assert report["removed"]["mini.2"] == 1
    assert "Trending now" not in visible_text(await body_of(proxy, OTHER))

    # The generic list rule off for rt.com: the seed keeps its Trends, the other site stays clean.
    r = await service.call("PUT", "/api/rules/mini.2", {"enabled": False, "site": "rt.com"})
    assert r.status == 200
    assert TRENDS_HTML in await body_of(proxy, SEED_URL)
    assert "Trending now" not in visible_text(await body_of(proxy, OTHER))
    listing = await service.call("GET", "/api/rules?site=www.rt.com")
    rule = next(x for p in listing["packs"] if p["id"] == "mini" for x in p["rules"] if x["id"] == "mini.2")
    assert rule["title"] == "##.trends" and rule["enabled_here"] is False and rule["enabled"] is True

    # A new version moves the line; its switch follows it.
    r = await service.call("PUT", "/api/lists/mini", {"text": "! Title: Mini list\n! v2\n" + MINI.split("\n", 1)[1]})
    assert r.status == 200
    assert TRENDS_HTML in await body_of(proxy, SEED_URL)
    assert "Trending now" not in visible_text(await body_of(proxy, OTHER))
    r = await service.call("GET", "/api/rules?site=www.rt.com&ids=mini.3")
    rule = next(x for p in r["packs"] if p["id"] == "mini" for x in p["rules"] if x["id"] == "mini.3")
    assert rule["title"] == "##.trends" and rule["enabled_here"] is False

    # The whole list off for news.example, then removed: that page keeps its box.
    assert (await service.call("PUT", "/api/packs/mini", {"enabled": False, "site": "news.example"})).status == 200
    assert "Trending now" in visible_text(await body_of(proxy, OTHER))
    assert (await service.call("DELETE", "/api/lists/mini")).status == 200
    assert TRENDS_HTML in await body_of(proxy, SEED_URL)
    assert "mini" not in [p["id"] for p in (await service.call("GET", "/api/rules"))["packs"]]


async def test_lists_added_and_removed_from_the_command_line_reach_the_running_proxy(running, tmp_path):
    proxy, service = running
    data = service.data_dir
    file = write(tmp_path, "Trends Only.txt", "##.trends\n")
    run = cli("lists", "add", str(file), "--data-dir", str(data))
    assert run.returncode == 0, run.stderr
    await until(lambda: body_of(proxy, SEED_URL), lambda seed: TRENDS_HTML not in seed)
    run = cli("lists", "remove", "trends-only", "--data-dir", str(data))
    assert run.returncode == 0, run.stderr
    await until(lambda: body_of(proxy, SEED_URL), lambda seed: TRENDS_HTML in seed)


async def until(get, ok, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await get()
        if ok(value):
            return value
        assert time.monotonic() < deadline, "not picked up in time"
        await asyncio.sleep(0.2)
