"""Adblock lists over HTTP: import, list, replace and remove the lists in the data dir.

The file work is `proxy.lists` (parse first, then one atomic rename); each accepted change
is then logged in the store, which reloads the proxy's rules and tells /api/events.
"""
from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from proxy import lists
from proxy.errors import Conflict, InvalidInput, NotFound, Unprocessable
from proxy.service.inputs import read_json
from proxy.service.keys import config_key, live_key
from proxy.service.security import body_limit
from proxy.state import USER_PACK_ID, pack_on
from proxy.store import Store

MAX_LIST_BODY = 16 * 1024 * 1024  # EasyList is about 2 MB; JSON escaping adds a little


def _name(request: web.Request) -> str:
    name = request.match_info["name"]
    if lists.name_problem(name):
        raise NotFound(f"no list named {name!r}")
    return name


def _other_packs(request: web.Request) -> frozenset[str]:
    """Ids a new list must not take: the packs that are not lists."""
    rules = request.app[live_key].rules()
    return frozenset(p.id for p in rules.packs if not p.adblock) | {USER_PACK_ID}


async def _save(request: web.Request, name: str, text: str, replace: bool) -> tuple[lists.StoredList, int]:
    data_dir = request.app[config_key].data_dir
    job = functools.partial(lists.save, data_dir, name, text, replace, _other_packs(request))
    try:
        # Parsing a big list takes a second: off the event loop the proxy runs on.
        saved, moved = await asyncio.get_running_loop().run_in_executor(None, job)
    except lists.BadListName as exc:
        raise InvalidInput(str(exc), field="name") from None
    except lists.ListExists as exc:
        raise Conflict(str(exc), field="name") from None
    except lists.ListNotFound as exc:
        raise NotFound(str(exc)) from None
    except lists.ListRefused as exc:
        kept = f"the list {name!r} in force stays as it was" if replace else "nothing was imported"
        raise Unprocessable(f"{exc}; {kept}", field="text") from None
    revision = await request.app[live_key].write(Store.list_changed, name, "updated" if replace else "added", moved)
    return saved, revision


@body_limit(MAX_LIST_BODY)
async def add_list(request: web.Request) -> web.Response:
    body = await read_json(request, {"name": (str, True), "text": (str, True)})
    saved, revision = await _save(request, body["name"], body["text"], replace=False)
    return web.json_response({"revision": revision, "list": saved.as_json()}, status=201,
                             headers={"Location": f"/api/lists/{saved.name}"})


@body_limit(MAX_LIST_BODY)
async def update_list(request: web.Request) -> web.Response:
    name = _name(request)
    body = await read_json(request, {"text": (str, True)})
    saved, revision = await _save(request, name, body["text"], replace=True)
    return web.json_response({"revision": revision, "list": saved.as_json()})


async def get_lists(request: web.Request) -> web.Response:
    data_dir = request.app[config_key].data_dir
    found = await asyncio.get_running_loop().run_in_executor(None, lists.stored, data_dir)
    live = request.app[live_key]
    rules = live.rules()
    out = []
    for stored in found:
        pack = rules.pack(stored.name)
        out.append({**stored.as_json(), "enabled": pack_on(live.toggles, pack) if pack is not None else None})
    return web.json_response({"lists": out})


async def remove_list(request: web.Request) -> web.Response:
    name = _name(request)
    try:
        lists.remove(request.app[config_key].data_dir, name)
    except lists.ListNotFound as exc:
        raise NotFound(str(exc)) from None
    revision = await request.app[live_key].write(Store.list_changed, name, "removed")
    return web.json_response({"revision": revision, "name": name, "deleted": True})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/lists", get_lists, allow_head=False)
    app.router.add_post("/api/lists", add_list)
    app.router.add_put("/api/lists/{name}", update_list)
    app.router.add_delete("/api/lists/{name}", remove_list)
