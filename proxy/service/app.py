"""`create_app(config)`: the service's one factory, used by the CLI and every test."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import AsyncIterator

from aiohttp import web

from proxy.config import Config
from proxy.database import DB_NAME
from proxy.store import pairing_page_key
from proxy.reports import PageReports
from proxy.rulebook import Rulebook
from proxy.service import api, library, lists, openapi, pairing
from proxy.service.events import EventHub
from proxy.service.keys import (config_key, csrf_key, hub_key, live_key, pair_page_key, reports_key, served_key,
                                watcher_key)
from proxy.service.live import LiveState
from proxy.service.lists import MAX_LIST_BODY
from proxy.service.security import (MAX_PAGE_BODY, door_middleware, errors_middleware, security_headers,
                                    served_middleware)

log = logging.getLogger("quietpage")


def create_app(config: Config, rulebook: Rulebook | None = None, reports: PageReports | None = None) -> web.Application:
    """The service. Inside `quietpage run` the proxy passes the rulebook it cleans with and
    its page reports; `quietpage serve` (and a test) pass neither: the service then reads
    the rule files itself (the built-in packs, the data dir's lists, `config.rules`)."""
    # The largest body any route takes; each route's own limit is checked by the door and read_json.
    app = web.Application(client_max_size=max(MAX_PAGE_BODY, MAX_LIST_BODY), middlewares=[served_middleware, errors_middleware, door_middleware])
    app[config_key] = config
    app[csrf_key] = secrets.token_urlsafe(32)
    app[pair_page_key] = pairing_page_key(config.data_dir)
    app[served_key] = set()
    app[reports_key] = reports if reports is not None else PageReports()
    app[hub_key] = EventHub()
    if rulebook is None:
        rulebook = Rulebook(paths=config.rules, data_dir=config.data_dir)
        app.cleanup_ctx.append(_own_rules)
    app[live_key] = LiveState(config.data_dir / DB_NAME, rulebook, app[hub_key])
    api.add_routes(app)
    lists.add_routes(app)
    pairing.add_routes(app)
    library.add_routes(app)
    openapi.add_routes(app)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_watcher)
    app.on_response_prepare.append(security_headers)
    app.on_shutdown.append(_end_streams)
    return app


# How often `quietpage serve` looks for edited rule files (the proxy has an option for it).
RELOAD_EVERY_S = 1.0


async def _own_rules(app: web.Application) -> AsyncIterator[None]:
    """A service without a proxy reads the rule files itself, and watches them."""
    rulebook = app[live_key].rulebook
    await asyncio.to_thread(rulebook.reload, True)
    rulebook.start_watching(RELOAD_EVERY_S)
    yield
    rulebook.stop_watching()


async def _store(app: web.Application) -> AsyncIterator[None]:
    live = app[live_key]
    await live.open()
    yield
    await live.close()


async def _watcher(app: web.Application) -> AsyncIterator[None]:
    # Another process (a second service, or a tool on the same file) may write too.
    app[watcher_key] = asyncio.get_running_loop().create_task(app[live_key].watch())
    yield
    app[watcher_key].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app[watcher_key]


async def _end_streams(app: web.Application) -> None:
    app[hub_key].close()
