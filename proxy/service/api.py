"""The rule-sync API: list rules, switch rules, packs and sites, user rules, page reports,
clients, and the change stream."""
from __future__ import annotations

import asyncio
import hashlib
import json

from aiohttp import web

from proxy import __version__
from proxy.errors import BuiltinRule, InvalidInput, NotFound, StaleRevision
from proxy.service.events import HEARTBEAT, sse_event
from proxy.service.inputs import if_match, read_json
from proxy.service.keys import client_key, hub_key, live_key, reports_key
from proxy.service.security import public
from proxy.state import describe, normalize_site, rule_json, site_problem, validate_user_rule
from proxy.store import Store


@public
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


def _site_param(value: str | None, field: str = "site") -> str | None:
    if value is None:
        return None
    site = normalize_site(value)
    problem = site_problem(site)
    if problem:
        raise InvalidInput(problem, field=field)
    return site


def _listing(request: web.Request, site: str | None, ids: tuple[str, ...] = ()) -> dict:
    live = request.app[live_key]
    return describe(live.rules(), live.toggles, live.snapshot.revision, site, ids)


MAX_IDS = 500


def _ids_param(value: str | None) -> tuple[str, ...]:
    """`ids=ID,ID`: rules of adblock lists to list besides those for the site (the popup asks
    for the ones the page report names)."""
    if not value:
        return ()
    ids = tuple(i.strip() for i in value.split(",") if i.strip())
    if len(ids) > MAX_IDS or any(len(i) > 200 for i in ids):
        raise InvalidInput(f"ids takes at most {MAX_IDS} rule ids of at most 200 characters each", field="ids")
    return ids


async def _write(request: web.Request, site: str | None, fn, *args):
    """A change through the store; a stale If-Match answers 412 with the current state."""
    try:
        return await request.app[live_key].write(fn, *args)
    except StaleRevision as exc:
        exc.extra = {"revision": exc.current, "state": _listing(request, site)}
        raise


async def list_rules(request: web.Request) -> web.Response:
    site = _site_param(request.query.get("site"))
    ids = _ids_param(request.query.get("ids"))
    body = json.dumps(_listing(request, site, ids), sort_keys=True).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    wanted = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
    if etag in wanted or f"W/{etag}" in wanted or "*" in wanted:
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(body=body, content_type="application/json", headers={"ETag": etag})


async def switch_rule(request: web.Request) -> web.Response:
    return await _switch(request, "rule", request.match_info["rule_id"], request.app[live_key].rules().rule)


async def switch_pack(request: web.Request) -> web.Response:
    return await _switch(request, "pack", request.match_info["pack_id"], request.app[live_key].rules().pack)


async def _switch(request: web.Request, kind: str, ident: str, lookup) -> web.Response:
    """A rule's or a pack's switch, everywhere or on one site."""
    body = await read_json(request, {"enabled": (bool, True), "site": (str, False)})
    site = _site_param(body["site"])
    expected = if_match(request)
    if lookup(ident) is None:
        raise NotFound(f"no {kind} {ident!r}")
    revision = await _write(request, site, Store.set_toggle, kind, ident, body["enabled"], site or "", expected)
    return web.json_response({"revision": revision, "id": ident, "site": site, "enabled": body["enabled"]})


async def pause_site(request: web.Request) -> web.Response:
    site = _site_param(request.match_info["host"], field="host")
    body = await read_json(request, {"paused": (bool, True)})
    expected = if_match(request)
    revision = await _write(request, site, Store.set_paused, site, body["paused"], expected)
    return web.json_response({"revision": revision, "site": site, "paused": body["paused"]})


async def add_rule(request: web.Request) -> web.Response:
    body = await read_json(request, {"site": (str, True), "title": (str, True), "selector": (str, False),
                                     "pattern": (str, False), "selectors": ((str, list), False),
                                     "text": ((str, list), False)})
    # A pack file's words are taken too: `selectors` (a selector or a list, joined into one
    # selector list) and `text` (one pattern).
    for word, pack_word in (("selector", "selectors"), ("pattern", "text")):
        value = body[pack_word]
        if value is None:
            continue
        if body[word] is not None:
            raise InvalidInput(f"give {word} or {pack_word}, not both", field=pack_word)
        if isinstance(value, list):
            if not value or not all(isinstance(v, str) for v in value) or (pack_word == "text" and len(value) != 1):
                want = "one or more strings" if pack_word == "selectors" else "one string"
                raise InvalidInput(f"{pack_word} must be {want}", field=pack_word)
            value = ", ".join(value)
        body[word] = value
    site = normalize_site(body["site"])
    title = body["title"].strip()
    problems = validate_user_rule(site, title, body["selector"], body["pattern"])
    if problems:
        field, problem = next(iter(problems.items()))
        raise InvalidInput(f"{field}: {problem}", field=field, problems=problems)
    expected = if_match(request)
    revision, row = await _write(request, site, Store.add_user_rule, site, title, body["selector"], body["pattern"], expected)
    rule = request.app[live_key].rules().rule(row.id)
    return web.json_response({"revision": revision, "rule": rule_json(rule) if rule else {"id": row.id}}, status=201,
                             headers={"Location": f"/api/rules/{row.id}"})


async def delete_rule(request: web.Request) -> web.Response:
    rule_id = request.match_info["rule_id"]
    expected = if_match(request)
    live = request.app[live_key]
    if not await live.run(Store.has_user_rule, rule_id):
        rule = live.rules().rule(rule_id)
        if rule is not None:
            raise BuiltinRule(f"{rule_id!r} comes from the pack {rule.pack_id!r} ({rule.source}); only your own rules "
                              f"can be deleted. Turn it off instead: PUT /api/rules/{rule_id} {{\"enabled\": false}}")
        raise NotFound(f"no rule {rule_id!r}")
    revision = await _write(request, None, Store.delete_user_rule, rule_id, expected)
    return web.json_response({"revision": revision, "id": rule_id, "deleted": True})


async def page_report(request: web.Request) -> web.Response:
    url = request.query.get("url")
    if not url:
        raise InvalidInput("give the page's address: ?url=https://…", field="url")
    report = request.app[reports_key].get(url)
    if report is None:
        raise NotFound(f"no report for {url!r}: the proxy has not cleaned it since it started")
    return web.json_response(report.as_json())


async def list_clients(request: web.Request) -> web.Response:
    clients = await request.app[live_key].run(Store.clients)
    me = request[client_key]
    return web.json_response({"clients": [{**c.as_json(), "current": c.id == me} for c in clients]})


async def revoke_client(request: web.Request) -> web.Response:
    client = await request.app[live_key].run(Store.revoke, request.match_info["client_id"])
    request.app[hub_key].end_client(client.id)  # a revoked token keeps no open stream
    return web.json_response(client.as_json())


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: `change` with the revision as event id; Last-Event-ID replays."""
    last = request.headers.get("Last-Event-ID", "").strip()
    if last and not last.isdigit():
        raise InvalidInput("Last-Event-ID must be a revision number", field="Last-Event-ID")
    hub, live = request.app[hub_key], request.app[live_key]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    queue = hub.subscribe(request[client_key])
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        sent = live.snapshot.revision
        await response.write(sse_event("hello", {"revision": sent}))
        if last and int(last) < sent:
            for revision, change in await live.run(Store.changes_since, int(last)):
                await response.write(sse_event("change", {"revision": revision, "change": change}, revision))
                sent = max(sent, revision)
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), HEARTBEAT)
            except asyncio.TimeoutError:
                # Revoked from elsewhere (`quietpage token --revoke`)? Then the stream ends.
                active = {cid for cid, _hash in await live.run(Store.active_token_hashes)}
                if request[client_key] not in active:
                    break
                await response.write(b": keep-alive\n\n")
                continue
            if item is None:
                break
            revision, change = item
            if revision > sent:
                await response.write(sse_event("change", {"revision": revision, "change": change}, revision))
                sent = max(sent, revision)
        await response.write_eof()
    except ConnectionResetError:  # the listener went away
        pass
    finally:
        hub.unsubscribe(queue)
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/health", health, allow_head=False)
    app.router.add_get("/api/rules", list_rules, allow_head=False)
    app.router.add_post("/api/rules", add_rule)
    app.router.add_put("/api/rules/{rule_id:.+}", switch_rule)
    app.router.add_delete("/api/rules/{rule_id:.+}", delete_rule)
    app.router.add_put("/api/packs/{pack_id:.+}", switch_pack)
    app.router.add_put("/api/sites/{host}", pause_site)
    app.router.add_get("/api/page-report", page_report, allow_head=False)
    app.router.add_get("/api/clients", list_clients, allow_head=False)
    app.router.add_delete("/api/clients/{client_id}", revoke_client)
    app.router.add_get("/api/events", events, allow_head=False)
