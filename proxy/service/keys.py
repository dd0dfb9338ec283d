"""Typed application state: every key the service shares, in one place."""
from __future__ import annotations

import asyncio

from aiohttp import web

from proxy.config import Config
from proxy.reports import PageReports
from proxy.service.events import EventHub
from proxy.service.live import LiveState

config_key = web.AppKey("config", Config)
reports_key = web.AppKey("reports", PageReports)
hub_key = web.AppKey("hub", EventHub)
live_key = web.AppKey("live", LiveState)
watcher_key = web.AppKey("watcher", asyncio.Task)
csrf_key = web.AppKey("csrf", str)  # this process's token for the library pages' forms
pair_page_key = web.AppKey("pair_page", str)  # the secret the /pair page's address carries
served_key = web.AppKey("served", set)  # ids of the connections that carried a request
client_key = web.RequestKey("client", str)  # the id of the client whose token a request carries
