"""Pairing: a client asks, the person approves outside any web page it could script, the
client collects its token once. Approval: `quietpage pair CODE`, or the local page
/pair?key=KEY, whose key only the person sees (printed by `quietpage run` and `quietpage
pair`): a client that asked cannot approve itself."""
from __future__ import annotations

import hmac
import html

from aiohttp import web

from proxy.errors import InvalidInput, NotFound
from proxy.service.errors import status_of
from proxy.service.inputs import read_json
from proxy.service.keys import live_key, pair_page_key
from proxy.service.security import public, same_origin_form
from proxy.store import MAX_NAME, PAIR_TTL, Store

POLL_AFTER = 1  # seconds a client waits between polls


@public
async def request_pairing(request: web.Request) -> web.Response:
    body = await read_json(request, {"client": (str, True)})
    name = body["client"].strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInput(f"client must be a printable name of 1 to {MAX_NAME} characters", field="client")
    # A browser sets an extension's Origin: each one's requests only push out its own.
    requester = request.headers.get("Origin", "")[:200]
    pair = await request.app[live_key].run(Store.create_pair_request, name, PAIR_TTL, requester)
    return web.json_response({"id": pair.id, "code": pair.display_code, "status": "pending",
                              "expires_at": pair.expires_at, "poll": f"/api/pair/{pair.id}",
                              "approve": f"quietpage pair {pair.display_code}"}, status=201)


@public
async def pairing_status(request: web.Request) -> web.Response:
    pair, token = await request.app[live_key].run(Store.claim_pair, request.match_info["request_id"])
    body = {"id": pair.id, "status": pair.status(), "client": pair.client_name, "expires_at": pair.expires_at}
    if token is not None:
        body.update(status="approved", token=token)
    elif pair.status() == "claimed":
        body["detail"] = "the token was handed out already; pair again if it was lost"
    elif pair.status() == "pending":
        return web.json_response(body, headers={"Retry-After": str(POLL_AFTER)})
    return web.json_response(body)


def _key_ok(request: web.Request, sent: str) -> bool:
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), request.app[pair_page_key].encode())


@public
async def pair_page(request: web.Request) -> web.Response:
    key = request.query.get("key", "")
    if not _key_ok(request, key):
        return _page(NEEDS_KEY, form=False, status=403 if key else 200)
    pending = await request.app[live_key].run(Store.pending_pair_requests)
    return _page(_pending_list(pending), key=key)


NEEDS_KEY = ("<p>Approve a client in a terminal: <code>quietpage pair CODE</code>, with the code it shows. "
             "Or open the address of this page that <code>quietpage run</code> and <code>quietpage pair</code> "
             "print: it carries a key only you can see.</p>")


@public
@same_origin_form
async def pair_page_approve(request: web.Request) -> web.Response:
    if request.content_type != "application/x-www-form-urlencoded":
        return _page("<p class=bad>Send the form on this page.</p>", form=False, status=415)
    form = await request.post()
    key = str(form.get("key", ""))
    if not _key_ok(request, key):
        return _page("<p class=bad>This page's key is missing or wrong.</p>" + NEEDS_KEY, form=False, status=403)
    code = str(form.get("code", ""))
    try:
        pair = await request.app[live_key].run(Store.approve_pair, code)
    except (InvalidInput, NotFound) as exc:
        return _page(f"<p class=bad>{html.escape(exc.detail)}</p>", key=key, status=status_of(exc)[0])
    return _page(f"<p class=ok>Approved {html.escape(pair.client_name)}. It gets its token on its next poll.</p>",
                 key=key)


def _pending_list(pending) -> str:
    if not pending:
        return "<p>No client is waiting to pair.</p>"
    items = "".join(f"<li>{html.escape(p.client_name)}</li>" for p in pending)
    return f"<p>Waiting to pair:</p><ul>{items}</ul>"


def _page(message: str, key: str = "", form: bool = True, status: int = 200) -> web.Response:
    approve = f"""<form method="post" action="/pair"><input type="hidden" name="key" value="{html.escape(key)}">
<label>Code the client shows: <input name="code" autocomplete="off" pattern="[A-Za-z0-9-]{{8,9}}" required></label>
<button>Approve</button></form>
<p>Only approve a code you see in your own extension or script.</p>""" if form else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>QuietPage: pair a client</title>
<meta name="referrer" content="no-referrer">
<style>body{{font:16px system-ui,sans-serif;max-width:36em;margin:3em auto}}.bad{{color:#a00}}.ok{{color:#070}}</style>
</head><body><h1>Pair a client with QuietPage</h1>{message}{approve}</body></html>"""
    return web.Response(text=page, content_type="text/html", status=status, headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/pair", request_pairing)
    app.router.add_get("/api/pair/{request_id}", pairing_status, allow_head=False)
    app.router.add_get("/pair", pair_page, allow_head=False)
    app.router.add_post("/pair", pair_page_approve)
