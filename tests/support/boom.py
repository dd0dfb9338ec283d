"""Test-only mitmproxy addon: make the cleaning of pages on boom.example raise.

It hands the QuietPage addon's rulebook a `Toggles` stand-in whose `is_paused` raises
for that host and defers to the real toggles for every other host. No product code is
patched: the toggles are the state the service sets.

A script, loaded by path (`-s tests/support/boom.py`, see support.paths.BOOM_SCRIPT); the
addon's in-process tests import ExplodingToggles from it.
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

    def __getattr__(self, name: str):
        return getattr(self.real, name)


class Boom:
    def running(self) -> None:
        quietpage = ctx.master.addons.get("quietpage")
        if quietpage is None:
            logging.error("boom: the quietpage addon is not loaded")
            return
        book = quietpage.rulebook
        book.set_state(ExplodingToggles(book.toggles), book.user_rules)


addons = [Boom()]
