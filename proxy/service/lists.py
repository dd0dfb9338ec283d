"""Adblock lists over HTTP: import, list, replace and remove the lists in the data dir.

The workflows are `proxy.lists`' (parse first, one atomic rename, then the change logged
in the store); here each runs its store work through `LiveState.write`, which reloads the
proxy's rules and tells /api/events before the request is answered.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from proxy import lists
from proxy.errors import NotFound
from proxy.service.inputs import read_json
from proxy.service.keys import config_key, live_key
from proxy.service.security import body_limit
from proxy.state import USER_PACK_ID, pack_on

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
    app = request.app
    return await lists.import_list(app[config_key].data_dir, name, text, replace, _other_packs(request),
                                   app[live_key].write)


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
    revision = await lists.remove_list(request.app[config_key].data_dir, name, request.app[live_key].write)
    return web.json_response({"revision": revision, "name": name, "deleted": True})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/lists", get_lists, allow_head=False)
    app.router.add_post("/api/lists", add_list)
    app.router.add_put("/api/lists/{name}", update_list)
    app.router.add_delete("/api/lists/{name}", remove_list)
