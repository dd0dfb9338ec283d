"""`create_app(config)`: the service's one factory, used by the CLI and every test."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import AsyncIterator, Callable

from aiohttp import web

from proxy.config import Config
from proxy.database import DB_NAME
from proxy.reports import PageReports
from proxy.lists import list_paths
from proxy.rules import RuleSet, builtin_rules_dir, load_rules
from proxy.service import api, library, lists, openapi, pairing
from proxy.service.events import EventHub
from proxy.service.keys import config_key, csrf_key, hub_key, live_key, reports_key, watcher_key
from proxy.service.live import ApplyState, LiveState
from proxy.service.lists import MAX_LIST_BODY
from proxy.service.security import MAX_PAGE_BODY, door_middleware, errors_middleware, security_headers

log = logging.getLogger("quietpage")


def create_app(config: Config, reports: PageReports | None = None, file_rules: Callable[[], RuleSet] | None = None,
               apply: ApplyState | None = None, reload_files: Callable[[], object] | None = None) -> web.Application:
    """The service. Inside `quietpage run` the proxy passes its page reports, its file
    rules, `apply`, which gets the new toggles and user rules on every accepted change,
    and `reload_files`, which reads the rule files again when an adblock list changed."""
    # The largest body any route takes; each route's own limit is checked by the door and read_json.
    app = web.Application(client_max_size=max(MAX_PAGE_BODY, MAX_LIST_BODY), middlewares=[errors_middleware, door_middleware])
    app[config_key] = config
    app[csrf_key] = secrets.token_urlsafe(32)
    app[reports_key] = reports if reports is not None else PageReports()
    app[hub_key] = EventHub()
    if file_rules is None:  # `quietpage serve`: no proxy; the files are read here
        files = FileRules(config)
        file_rules, reload_files = files, files.reload
    app[live_key] = LiveState(config.data_dir / DB_NAME, file_rules, app[hub_key], apply, reload_files)
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


class FileRules:
    """`quietpage serve`'s rule files: the built-in packs, the data dir's lists and
    --rules, read at start and again when a list changes."""

    def __init__(self, config: Config):
        self.config = config
        self.current = self._load()

    def __call__(self) -> RuleSet:
        return self.current

    def reload(self) -> None:
        self.current = self._load()

    def _load(self) -> RuleSet:
        return load_rules(builtin_rules_dir(), *list_paths(self.config.data_dir), *self.config.rules)


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
