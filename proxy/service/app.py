"""`create_app(config)`: the service's one factory, used by the CLI and every test."""
from __future__ import annotations

from aiohttp import web

from proxy import __version__
from proxy.config import Config
from proxy.reports import PageReports
from proxy.service.keys import config_key, reports_key


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


def create_app(config: Config, reports: PageReports | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[config_key] = config
    app[reports_key] = reports or PageReports()
    app.router.add_get("/api/health", health)
    return app
