"""Test-only mitmproxy addon: make the cleaning of pages on boom.example raise.

It hands the QuietPage addon a `Toggles` stand-in whose `is_paused` raises for that host
and defers to the real toggles for every other host. No product code is patched: the
addon's `toggles` is the state the service sets.
"""
from __future__ import annotations

import logging

from mitmproxy import ctx

BOOM_HOST = "boom.example"


class ExplodingToggles:
    def __init__(self, real):
        self.real = real

    def is_paused(self, host: str) -> bool:
        if host == BOOM_HOST:
            raise RuntimeError(f"boom on {host}")
        return self.real.is_paused(host)

    def rule_on(self, *args, **kwargs) -> bool:
        return self.real.rule_on(*args, **kwargs)


class Boom:
    def running(self) -> None:
        quietpage = ctx.master.addons.get("quietpage")
        if quietpage is None:
            logging.error("boom: the quietpage addon is not loaded")
            return
        quietpage.toggles = ExplodingToggles(quietpage.toggles)


addons = [Boom()]
