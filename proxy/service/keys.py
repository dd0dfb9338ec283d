"""Typed application state: every key the service shares, in one place."""
from __future__ import annotations

from aiohttp import web

from proxy.config import Config
from proxy.reports import PageReports

config_key = web.AppKey("config", Config)
reports_key = web.AppKey("reports", PageReports)
