"""The service through a real client against the real app on 127.0.0.1, with a real
SQLite file: every route, success and failure, the locked door, pairing, tokens."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from proxy.reports import PageReport
from proxy.service.keys import reports_key
from proxy.service.security import MAX_BODY
from proxy.store import pairing_page_key
from support.servicerig import cli, make_token

RT = "rt.com.read-more"


def rule_entry(listing, rule_id):
    return next(r for p in listing["packs"] for r in p["rules"] if r["id"] == rule_id)


def pack_entry(listing, pack_id):
    return next(p for p in listing["packs"] if p["id"] == pack_id)


# --- health and the locked door ---------------------------------------------------------

async def test_health_answers_without_a_token(service):
    r = await service.call("GET", "/api/health", token=None)
    assert r.status == 200 and r["status"] == "ok" and r["version"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/rules"), ("PUT", f"/api/rules/{RT}"), ("POST", "/api/rules"), ("DELETE", "/api/rules/user.1"),
    ("PUT", "/api/packs/share-prompts"), ("PUT", "/api/sites/rt.com"), ("GET", "/api/page-report?url=x"),
    ("GET", "/api/events"), ("GET", "/api/clients"), ("DELETE", "/api/clients/abc"),
])
async def test_every_other_route_needs_a_token(service, method, path):
    r = await service.call(method, path, token=None)
    assert r.status == 401 and r["error"] == "unauthorized" and "Bearer" in r["detail"]
    r = await service.call(method, path, token="qp_guessed-token")
    assert r.status == 401 and r["detail"] == "unknown or revoked token"
    r = await service.call(method, path, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status == 401


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}", "127.0.0.1:1", "localhost",
                                  "127.0.0.2:{port}", "rebind.127.0.0.1.nip.io:{port}"])
async def test_foreign_host_is_refused_even_with_a_valid_token(service, host):
    r = await service.call("GET", "/api/rules", headers={"Host": host.format(port=service.port)})
    assert r.status == 421 and r["error"] == "wrong_host"
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
async def test_own_loopback_names_are_accepted(service, host):
    r = await service.call("GET", "/api/rules", headers={"Host": host.format(port=service.port)})
    assert r.status == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "http://evil.example", "http://127.0.0.1:{port}",
                                    "http://localhost:{port}", "null", "file://"])
@pytest.mark.parametrize("method, path", [("GET", "/api/rules"), ("PUT", f"/api/rules/{RT}"), ("OPTIONS", "/api/rules"),
                                          ("POST", "/api/pair"), ("GET", "/api/health")])
async def test_web_origin_is_refused_even_with_a_token(service, origin, method, path):
    body = {"enabled": False} if method == "PUT" else {"client": "x"} if method == "POST" else None
    r = await service.call(method, path, body, headers={"Origin": origin.format(port=service.port),
                                                        "Access-Control-Request-Method": "PUT"})
    assert r.status == 403 and r["error"] == "forbidden"
    assert not any(h.lower().startswith("access-control-") for h in r.headers)
    assert service.revision() == 0


async def test_extension_origin_is_accepted(service):
    r = await service.call("GET", "/api/rules", headers={"Origin": "chrome-extension://abcdefghijklmnop"})
    assert r.status == 200 and "Access-Control-Allow-Origin" not in r.headers


async def test_no_response_carries_access_control_allow_origin(service):
    for method, path, body in [("GET", "/api/health", None), ("GET", "/api/rules", None), ("GET", "/api/openapi.json", None),
                               ("PUT", f"/api/rules/{RT}", {"enabled": True}), ("GET", "/nowhere", None)]:
        r = await service.call(method, path, body, headers={"Origin": "chrome-extension://x"})
        assert "Access-Control-Allow-Origin" not in r.headers, path


async def test_oversized_body_is_413_and_changes_nothing(service):
    big = json.dumps({"site": "rt.com", "title": "x" * (MAX_BODY + 10), "selector": ".a"})
    r = await service.call("POST", "/api/rules", data=big, headers={"Content-Type": "application/json"})
    assert r.status == 413 and r["error"] == "too_large"
    assert service.revision() == 0


async def test_oversized_chunked_body_is_413(service):
    async def chunks():
        for _ in range(20):
            yield b" " * 8192

    r = await service.call("POST", "/api/rules", data=chunks(), headers={"Content-Type": "application/json"})
    assert r.status == 413 and r["error"] == "too_large"


@pytest.mark.parametrize("data, field", [
    ("{not json", "body"), ("[1, 2]", "body"), ('{"enabled": "no"}', "enabled"), ('{"enabled": 1}', "enabled"),
    ("{}", "enabled"), ('{"enabled": true, "site": 5}', "site"), ('{"enabled": true, "extra": 1}', "extra"),
    ('{"enabled": true, "site": "not a host"}', "site"), ('{"enabled": true, "site": "-x.com"}', "site"),
])
async def test_bad_json_is_400_naming_the_field(service, data, field):
    r = await service.call("PUT", f"/api/rules/{RT}", data=data, headers={"Content-Type": "application/json"})
    assert r.status == 400 and r["field"] == field, r.body
    assert r["error"] == "invalid_input" and r["detail"]
    assert service.revision() == 0


async def test_body_that_is_not_json_is_415(service):
    r = await service.call("PUT", f"/api/rules/{RT}", data="enabled=false",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 415 and r["error"] == "unsupported_media_type"


async def test_unknown_route_and_method_are_json(service):
    r = await service.call("GET", "/api/nothing")
    assert r.status == 404 and r["error"] == "not_found"
    r = await service.call("PATCH", "/api/rules")
    assert r.status == 405 and r["error"] and "Allow" in r.headers


# --- GET /api/rules -----------------------------------------------------------------------

async def test_rules_listing_for_a_site(service):
    r = await service.call("GET", "/api/rules?site=www.rt.com")
    assert r.status == 200 and r["revision"] == 0 and r["site"] == "www.rt.com" and r["paused"] is False
    entry = rule_entry(r.body, RT)
    assert entry["title"] == "“Also on rt.com” promos" and entry["kind"] == "related-promos"
    assert entry["scope"] == {"include": ["rt.com"], "exclude": []}
    assert entry["enabled"] is entry["enabled_here"] is entry["in_scope_here"] is entry["active_here"] is True
    assert rule_entry(r.body, RT)["user"] is False
    other = await service.call("GET", "/api/rules?site=news.example")
    assert rule_entry(other.body, RT)["in_scope_here"] is False and rule_entry(other.body, RT)["active_here"] is False
    plain = await service.call("GET", "/api/rules")
    assert plain["site"] is None and rule_entry(plain.body, RT)["enabled_here"] is None


async def test_rules_listing_bad_site_is_400(service):
    r = await service.call("GET", "/api/rules?site=not%20a%20host")
    assert r.status == 400 and r["field"] == "site"


async def test_rules_etag_and_if_none_match(service):
    first = await service.call("GET", "/api/rules?site=rt.com")
    etag = first.headers["ETag"]
    same = await service.call("GET", "/api/rules?site=rt.com", headers={"If-None-Match": etag})
    assert same.status == 304 and same.headers["ETag"] == etag
    other_site = await service.call("GET", "/api/rules?site=news.example", headers={"If-None-Match": etag})
    assert other_site.status == 200
    await service.call("PUT", f"/api/rules/{RT}", {"enabled": False})
    changed = await service.call("GET", "/api/rules?site=rt.com", headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag and changed["revision"] == 1


# --- switches -------------------------------------------------------------------------------

async def test_rule_off_on_one_site_only(service):
    r = await service.call("PUT", f"/api/rules/{RT}", {"enabled": False, "site": "WWW.RT.COM."})
    assert r.status == 200 and r.body == {"revision": 1, "id": RT, "site": "www.rt.com", "enabled": False}
    here = await service.call("GET", "/api/rules?site=www.rt.com")
    assert rule_entry(here.body, RT)["enabled_here"] is False and rule_entry(here.body, RT)["enabled"] is True
    sub = await service.call("GET", "/api/rules?site=m.www.rt.com")
    assert rule_entry(sub.body, RT)["enabled_here"] is False
    apex = await service.call("GET", "/api/rules?site=rt.com")
    assert rule_entry(apex.body, RT)["enabled_here"] is True


async def test_rule_off_everywhere(service):
    r = await service.call("PUT", f"/api/rules/{RT}", {"enabled": False, "site": None})
    assert r.status == 200 and r["site"] is None
    listing = await service.call("GET", "/api/rules?site=rt.com")
    assert rule_entry(listing.body, RT)["enabled"] is False and rule_entry(listing.body, RT)["active_here"] is False


async def test_unknown_rule_is_404_and_changes_nothing(service):
    r = await service.call("PUT", "/api/rules/no.such-rule", {"enabled": False})
    assert r.status == 404 and r["error"] == "not_found" and "no.such-rule" in r["detail"]
    assert service.revision() == 0


async def test_pack_switch(service):
    r = await service.call("PUT", "/api/packs/share-prompts", {"enabled": False, "site": "rt.com"})
    assert r.status == 200 and r["revision"] == 1
    listing = await service.call("GET", "/api/rules?site=www.rt.com")
    pack = pack_entry(listing.body, "share-prompts")
    assert pack["enabled"] is True and pack["enabled_here"] is False
    assert all(rule["enabled_here"] is False for rule in pack["rules"])
    r = await service.call("PUT", "/api/packs/share-prompts", {"enabled": False})
    listing = await service.call("GET", "/api/rules")
    assert pack_entry(listing.body, "share-prompts")["enabled"] is False
    r = await service.call("PUT", "/api/packs/no-such-pack", {"enabled": False})
    assert r.status == 404 and service.revision() == 2


async def test_pause_and_resume_a_site(service):
    r = await service.call("PUT", "/api/sites/RT.com", {"paused": True})
    assert r.status == 200 and r.body == {"revision": 1, "site": "rt.com", "paused": True}
    listing = await service.call("GET", "/api/rules?site=www.rt.com")
    assert listing["paused"] is True and rule_entry(listing.body, RT)["active_here"] is False
    r = await service.call("PUT", "/api/sites/rt.com", {"paused": False})
    assert r["revision"] == 2
    assert (await service.call("GET", "/api/rules?site=www.rt.com"))["paused"] is False
    r = await service.call("PUT", "/api/sites/bad_host!", {"paused": True})
    assert r.status == 400 and r["field"] == "host"
    r = await service.call("PUT", "/api/sites/rt.com", {"paused": "yes"})
    assert r.status == 400 and r["field"] == "paused"


# --- If-Match -----------------------------------------------------------------------------

async def test_if_match_current_revision_is_accepted_stale_is_412_with_state(service):
    r = await service.call("PUT", f"/api/rules/{RT}", {"enabled": False}, headers={"If-Match": "0"})
    assert r.status == 200 and r["revision"] == 1
    stale = await service.call("PUT", f"/api/rules/{RT}", {"enabled": True, "site": "rt.com"}, headers={"If-Match": '"0"'})
    assert stale.status == 412 and stale["error"] == "stale_revision" and stale["revision"] == 1
    assert stale["state"]["revision"] == 1 and stale["state"]["site"] == "rt.com"
    assert rule_entry(stale["state"], RT)["enabled"] is False
    assert service.revision() == 1
    for path, body in [("/api/packs/share-prompts", {"enabled": False}), ("/api/sites/rt.com", {"paused": True})]:
        r = await service.call("PUT", path, body, headers={"If-Match": "0"})
        assert r.status == 412
    r = await service.call("POST", "/api/rules", {"site": "rt.com", "title": "t", "selector": ".x"}, headers={"If-Match": "0"})
    assert r.status == 412
    r = await service.call("PUT", f"/api/rules/{RT}", {"enabled": True}, headers={"If-Match": "one"})
    assert r.status == 400 and r["field"] == "If-Match"
    assert service.revision() == 1


async def test_concurrent_writes_with_the_same_if_match_one_wins(service):
    answers = await asyncio.gather(*[
        service.call("PUT", f"/api/rules/{RT}", {"enabled": i % 2 == 0, "site": f"s{i}.example"}, headers={"If-Match": "0"})
        for i in range(10)])
    assert sorted(a.status for a in answers) == [200] + [412] * 9
    assert service.revision() == 1


async def test_fifty_concurrent_toggles_all_applied(service):
    before = (await service.call("GET", "/api/rules"))["revision"]
    answers = await asyncio.gather(*[
        service.call("PUT", f"/api/rules/{RT}", {"enabled": False, "site": f"site{i}.example"}) for i in range(50)])
    assert [a.status for a in answers] == [200] * 50
    assert sorted(a["revision"] for a in answers) == list(range(before + 1, before + 51))
    after = await service.call("GET", "/api/rules")
    assert after["revision"] == before + 50
    for i in range(50):
        listing = await service.call("GET", f"/api/rules?site=site{i}.example")
        assert rule_entry(listing.body, RT)["enabled_here"] is False
    store = service.store()
    try:
        assert len(store.snapshot().toggles) == 50 and store.integrity_check() == "ok"
    finally:
        store.close()


# --- user rules -----------------------------------------------------------------------------

async def test_user_rule_create_list_delete(service):
    r = await service.call("POST", "/api/rules", {"site": "RT.com", "title": " Hide the tags ", "selector": ".tags-trends"})
    assert r.status == 201 and r["revision"] == 1
    rule = r["rule"]
    assert rule["id"] == "user.1" and rule["title"] == "Hide the tags" and rule["scope"]["include"] == ["rt.com"]
    assert r.headers["Location"] == "/api/rules/user.1"
    listing = await service.call("GET", "/api/rules?site=www.rt.com")
    entry = rule_entry(listing.body, "user.1")
    assert entry["user"] is True and entry["active_here"] is True and pack_entry(listing.body, "user")["user"] is True
    r = await service.call("POST", "/api/rules", {"site": "rt.com", "title": "Promo line", "pattern": "/sponsored by .{1,40}/"})
    assert r.status == 201 and r["rule"]["id"] == "user.2" and r["rule"]["text"] == ["/sponsored by .{1,40}/"]
    r = await service.call("PUT", "/api/rules/user.2", {"enabled": False})
    assert r.status == 200
    r = await service.call("DELETE", "/api/rules/user.1")
    assert r.status == 200 and r.body == {"revision": 4, "id": "user.1", "deleted": True}
    r = await service.call("DELETE", "/api/rules/user.1")
    assert r.status == 404
    listing = await service.call("GET", "/api/rules")
    assert [x["id"] for x in pack_entry(listing.body, "user")["rules"]] == ["user.2"]
    export = cli("rules", "export", "--data-dir", str(service.data_dir))
    assert export.returncode == 0 and "id: user.2" in export.stdout and "sponsored by" in export.stdout


@pytest.mark.parametrize("body, field", [
    ({"site": "rt.com", "title": "t", "selector": "div["}, "selector"),
    ({"site": "rt.com", "title": "t", "selector": "   "}, "selector"),
    ({"site": "rt.com", "title": "t", "pattern": "/a(/"}, "pattern"),
    ({"site": "rt.com", "title": "t", "pattern": "   "}, "pattern"),
    ({"site": "rt.com", "title": "t"}, "selector"),
    ({"site": "rt.com", "title": "  ", "selector": ".a"}, "title"),
    ({"site": "rt.com", "title": "two\nlines", "selector": ".a"}, "title"),
    ({"site": "not a site", "title": "t", "selector": ".a"}, "site"),
    ({"site": "~rt.com", "title": "t", "selector": ".a"}, "site"),
    ({"title": "t", "selector": ".a"}, "site"),
    ({"site": "rt.com", "selector": ".a"}, "title"),
    ({"site": "rt.com", "title": "t", "selector": ["a"]}, "selector"),
    ({"site": "rt.com", "title": "t", "selector": ".a", "domains": ["x"]}, "domains"),
])
async def test_bad_user_rule_is_400_naming_the_field_and_changes_nothing(service, body, field):
    r = await service.call("POST", "/api/rules", body)
    assert r.status == 400 and r["field"] == field, r.body
    assert r["detail"]
    assert service.revision() == 0


async def test_deleting_a_builtin_rule_is_409_with_the_way_out(service):
    r = await service.call("DELETE", f"/api/rules/{RT}")
    assert r.status == 409 and r["error"] == "builtin_rule"
    assert "PUT /api/rules/rt.com.read-more" in r["detail"] and "enabled" in r["detail"]
    r = await service.call("DELETE", "/api/rules/no.such")
    assert r.status == 404
    assert service.revision() == 0


# --- page reports ---------------------------------------------------------------------------

async def test_page_report(service):
    url = "https://www.rt.com/news/1-x/"
    service.app[reports_key].put(PageReport(url, {RT: 2}, {}, "cleaned", elapsed_ms=3.5))
    r = await service.call("GET", f"/api/page-report?url={url}%23comments")
    assert r.status == 200 and r["url"] == url and r["removed"] == {RT: 2} and r["status"] == "cleaned"
    r = await service.call("GET", "/api/page-report?url=https://elsewhere.example/")
    assert r.status == 404 and r["error"] == "not_found"
    r = await service.call("GET", "/api/page-report")
    assert r.status == 400 and r["field"] == "url"


# --- events ---------------------------------------------------------------------------------

async def read_events(response, count: int, timeout: float = 5) -> list[tuple[str, dict, str | None]]:
    events, event, data, ident = [], None, None, None
    async with asyncio.timeout(timeout):
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line.startswith("id: "):
                ident = line[4:]
            elif line == "" and event:
                events.append((event, data, ident))
                event, data, ident = None, None, None
                if len(events) == count:
                    return events
    return events


async def test_events_stream_every_change_with_its_revision(service):
    headers = {"Authorization": f"Bearer {service.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(service.base + "/api/events", headers=headers) as stream:
            assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
            hello = await read_events(stream, 1)
            assert hello == [("hello", {"revision": 0}, None)]
            await service.call("PUT", f"/api/rules/{RT}", {"enabled": False, "site": "rt.com"})
            await service.call("PUT", "/api/sites/news.example", {"paused": True})
            changes = await read_events(stream, 2)
    assert changes[0] == ("change", {"revision": 1, "change": {"type": "rule", "id": RT, "site": "rt.com",
                                                                 "enabled": False}}, "1")
    assert changes[1][1]["revision"] == 2 and changes[1][1]["change"]["paused"] is True
    # A client that reconnects with Last-Event-ID gets what it missed.
    async with aiohttp.ClientSession() as session:
        async with session.get(service.base + "/api/events", headers={**headers, "Last-Event-ID": "1"}) as stream:
            replay = await read_events(stream, 2)
    assert replay[0] == ("hello", {"revision": 2}, None) and replay[1][2] == "2"
    r = await service.call("GET", "/api/events", headers={"Last-Event-ID": "x"})
    assert r.status == 400


async def test_revoking_a_token_ends_its_open_event_stream(service):
    other = make_token(service.data_dir, "second")
    clients = await service.call("GET", "/api/clients", token=other)
    other_id = next(c["id"] for c in clients["clients"] if c["current"])
    async with aiohttp.ClientSession() as session:
        async with session.get(service.base + "/api/events", headers={"Authorization": f"Bearer {other}"}) as stream:
            assert (await read_events(stream, 1))[0][0] == "hello"
            revoked = await service.call("DELETE", f"/api/clients/{other_id}")
            assert revoked.status == 200
            async with asyncio.timeout(5):
                rest = await stream.content.read()  # the stream ends instead of waiting for more
    assert b"event: change" not in rest


# --- pairing and tokens ---------------------------------------------------------------------

async def test_pairing_end_to_end_with_the_cli(service):
    asked = await service.call("POST", "/api/pair", {"client": "Chromium on laptop"}, token=None)
    assert asked.status == 201 and asked["status"] == "pending"
    code, poll = asked["code"], asked["poll"]
    assert len(code) == 9 and code[4] == "-"
    waiting = await service.call("GET", poll, token=None)
    assert waiting.status == 200 and waiting["status"] == "pending" and "token" not in waiting.body
    listed = await asyncio.to_thread(cli, "pair", "--data-dir", str(service.data_dir))
    assert listed.returncode == 0 and "Chromium on laptop" in listed.stdout and code not in listed.stdout
    approved = await asyncio.to_thread(cli, "pair", code.lower().replace("-", ""), "--data-dir", str(service.data_dir))
    assert approved.returncode == 0, approved.stderr
    got = await service.call("GET", poll, token=None)
    assert got["status"] == "approved" and got["token"].startswith("qp_")
    token = got["token"]
    again = await service.call("GET", poll, token=None)
    assert again["status"] == "claimed" and "token" not in again.body
    r = await service.call("GET", "/api/rules", token=token)
    assert r.status == 200
    clients = await service.call("GET", "/api/clients", token=token)
    me = [c for c in clients["clients"] if c["current"]]
    assert [c["name"] for c in me] == ["Chromium on laptop"]
    # Only a hash of the token is on disk.
    assert token.encode() not in (service.data_dir / "quietpage.sqlite3").read_bytes()
    wal = service.data_dir / "quietpage.sqlite3-wal"
    assert not wal.exists() or token.encode() not in wal.read_bytes()
    # Revocation: the token stops working at once.
    revoked = await service.call("DELETE", f"/api/clients/{me[0]['id']}")
    assert revoked.status == 200 and revoked["revoked"] is True
    r = await service.call("GET", "/api/rules", token=token)
    assert r.status == 401 and r["detail"] == "unknown or revoked token"
    r = await service.call("DELETE", "/api/clients/nobody")
    assert r.status == 404


async def test_pairing_failures(service):
    assert (await service.call("POST", "/api/pair", {}, token=None)).status == 400
    assert (await service.call("POST", "/api/pair", {"client": ""}, token=None))["field"] == "client"
    assert (await service.call("POST", "/api/pair", {"client": "x" * 101}, token=None)).status == 400
    assert (await service.call("GET", "/api/pair/nope", token=None)).status == 404
    bad = await asyncio.to_thread(cli, "pair", "ZZZZ-ZZZZ", "--data-dir", str(service.data_dir))
    assert bad.returncode == 1 and "no waiting pairing request" in bad.stderr
    short = await asyncio.to_thread(cli, "pair", "AB", "--data-dir", str(service.data_dir))
    assert short.returncode == 1 and "8 letters" in short.stderr



async def test_a_pairing_flood_does_not_keep_another_client_from_pairing(service):
    """Twenty-five requests from one extension leave its own three newest waiting, and a
    request from another client is taken and can be approved."""
    flood = {"Origin": "chrome-extension://floodfloodfloodfloodfloodflood"}
    asked = [await service.call("POST", "/api/pair", {"client": "flood"}, token=None, headers=flood)
             for _ in range(25)]
    assert all(a.status == 201 for a in asked)
    statuses = [(await service.call("GET", a["poll"], token=None))["status"] for a in asked]
    assert statuses == ["expired"] * 22 + ["pending"] * 3
    mine = await service.call("POST", "/api/pair", {"client": "Chromium"}, token=None,
                              headers={"Origin": "chrome-extension://mineminemineminemineminemine"})
    assert mine.status == 201
    approved = await asyncio.to_thread(cli, "pair", mine["code"], "--data-dir", str(service.data_dir))
    assert approved.returncode == 0
    assert (await service.call("GET", mine["poll"], token=None))["status"] == "approved"


def _page_key(service) -> str:
    return pairing_page_key(service.data_dir)


async def test_pairing_on_the_local_page(service):
    asked = await service.call("POST", "/api/pair", {"client": "Firefox"}, token=None)
    key = _page_key(service)
    # Without the key the page only says how to approve: it lists nobody and has no form.
    bare = await service.call("GET", "/pair", token=None)
    assert bare.status == 200 and "Firefox" not in bare.body and "<form" not in bare.body
    assert (await service.call("GET", "/pair?key=guess", token=None)).status == 403
    page = await service.call("GET", f"/pair?key={key}", token=None)
    assert page.status == 200 and "Firefox" in page.body and asked["code"] not in page.body
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Referrer-Policy"] == "no-referrer"
    own = {"Origin": f"http://127.0.0.1:{service.port}", "Content-Type": "application/x-www-form-urlencoded"}
    wrong = await service.call("POST", "/pair", data=f"key={key}&code=AAAA-AAAA", token=None, headers=own)
    assert wrong.status == 404 and "no waiting pairing request" in wrong.body
    # Another page posting the form is refused (its Origin), as is a rebinding Host.
    cross = await service.call("POST", "/pair", data=f"key={key}&code={asked['code']}", token=None,
                               headers={**own, "Origin": "https://evil.example"})
    assert cross.status == 403
    keyless = await service.call("POST", "/pair", data=f"code={asked['code']}", token=None, headers=own)
    assert keyless.status == 403 and "key" in keyless.body
    ok = await service.call("POST", "/pair", data=f"key={key}&code={asked['code']}", token=None, headers=own)
    assert ok.status == 200 and "Approved Firefox" in ok.body
    got = await service.call("GET", asked["poll"], token=None)
    assert got["status"] == "approved" and got["token"]


async def test_an_extension_cannot_approve_the_code_it_asked_for(service):
    """Any installed extension may ask to pair; none can approve itself: the form refuses an
    extension's Origin, and without the page's key it refuses everyone."""
    extension = {"Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"}
    asked = await service.call("POST", "/api/pair", {"client": "Totally the QuietPage extension"}, token=None,
                               headers=extension)
    assert asked.status == 201
    form = {**extension, "Content-Type": "application/x-www-form-urlencoded"}
    for data in (f"code={asked['code']}", f"key={_page_key(service)}&code={asked['code']}"):
        r = await service.call("POST", "/pair", data=data, token=None, headers=form)
        assert r.status == 403
    page = await service.call("GET", "/pair", token=None, headers=extension)
    assert "<form" not in page.body
    assert (await service.call("GET", asked["poll"], token=None))["status"] == "pending"


async def test_token_cli_prints_lists_and_revokes(service):
    made = await asyncio.to_thread(cli, "token", "--name", "my script", "--data-dir", str(service.data_dir))
    assert made.returncode == 0
    token = made.stdout.strip()
    assert (await service.call("GET", "/api/rules", token=token)).status == 200
    listed = await asyncio.to_thread(cli, "token", "--list", "--data-dir", str(service.data_dir))
    line = next(ln for ln in listed.stdout.splitlines() if "my script" in ln)
    client_id = line.split()[0]
    assert "active" in line
    revoked = await asyncio.to_thread(cli, "token", "--revoke", client_id, "--data-dir", str(service.data_dir))
    assert revoked.returncode == 0
    assert (await service.call("GET", "/api/rules", token=token)).status == 401
    missing = await asyncio.to_thread(cli, "token", "--revoke", "nobody", "--data-dir", str(service.data_dir))
    assert missing.returncode == 1 and "no client" in missing.stderr


async def test_change_written_by_another_process_is_picked_up(service):
    store = service.store()
    try:
        await asyncio.to_thread(store.set_paused, "rt.com", True)
    finally:
        store.close()
    for _ in range(40):
        listing = await service.call("GET", "/api/rules?site=rt.com")
        if listing["revision"] == 1:
            break
        await asyncio.sleep(0.1)
    assert listing["revision"] == 1 and listing["paused"] is True


def test_serve_on_a_non_loopback_address_warns_loudly(tmp_path):
    from support.servicerig import ServeProcess

    serve = ServeProcess(tmp_path / "data", None, "--service-host", "0.0.0.0").start()
    try:
        assert "WARNING: the service listens on 0.0.0.0, not on loopback" in serve.log()
    finally:
        serve.stop()


def test_serve_and_run_document_their_options():
    for command in ("serve", "pair", "token"):
        run = cli(command, "--help")
        assert run.returncode == 0 and "--data-dir" in run.stdout
