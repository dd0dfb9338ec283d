"""The rule state as the running service holds it: the store behind one worker thread,
the last snapshot, and the hand-off of every accepted change to the rulebook (which the
proxy cleans with) and to SSE."""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from proxy.library import store as library
from proxy.rulebook import Rulebook
from proxy.rules import RuleSet, Toggles
from proxy.service.events import EventHub
from proxy.state import toggles_of, user_rules
from proxy.store import Snapshot, Store

log = logging.getLogger("quietpage")
T = TypeVar("T")


class LiveState:
    """Owns the Store; every call to it runs on one worker thread, in order.

    SQLite's fsync stays off the event loop (and so off the proxy's path), and writes
    are serialised without locks.
    """

    def __init__(self, db_path: Path, rulebook: Rulebook, hub: EventHub):
        self.db_path, self.rulebook, self.hub = db_path, rulebook, hub
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quietpage-store")
        self._store: Store | None = None
        self.snapshot = Snapshot(0)
        self._parsed_for: tuple = ((), None)  # (user rule rows, file rules) the rulebook's user rules are of

    @property
    def toggles(self) -> Toggles:
        return self.rulebook.toggles

    @property
    def user_rules(self) -> RuleSet:
        return self.rulebook.user_rules

    async def open(self) -> None:
        self._store = await self._call(Store, self.db_path, library.SCHEMA)
        await self._use(await self.run(Store.snapshot))

    async def close(self) -> None:
        if self._store is not None:
            await self.run(Store.close)
        self._executor.shutdown(wait=True)

    async def _call(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def run(self, fn: Callable[..., T], *args) -> T:
        """`fn(store, *args)` on the store's thread."""
        return await self._call(fn, self._store, *args)

    async def write(self, fn: Callable[..., T], *args) -> T:
        """A change: run it, then read the new state in the same job and hand it on.

        Returns only once the proxy has the new state, so the next page load obeys it.
        """
        before = self.snapshot.revision

        def job(store: Store):
            result = fn(store, *args)
            return result, store.snapshot(), store.changes_since(before)

        result, snapshot, changes = await self.run(job)
        await self._accept(snapshot, changes)
        return result

    async def refresh(self) -> bool:
        """Pick up changes another process wrote to the same file; True if any."""
        before = self.snapshot.revision
        if await self.run(Store.revision) == before:
            return False

        def job(store: Store):
            return store.snapshot(), store.changes_since(before)

        await self._accept(*(await self.run(job)))
        return True

    async def watch(self, every: float = 1.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh()
            except Exception as exc:  # noqa: BLE001 - the watcher must outlive one failed read
                log.warning("service: could not read the store: %s", exc)

    async def _accept(self, snapshot: Snapshot, changes: list[tuple[int, dict]]) -> None:
        # Jobs finish in order on the one thread, but be safe against an older snapshot.
        if snapshot.revision < self.snapshot.revision:
            return
        fresh = snapshot.revision > self.snapshot.revision
        if fresh and any(c.get("type") == "list" for _r, c in changes):
            # An adblock list changed in the data dir (here or by `quietpage lists`): read the
            # files again before the change is announced, so whoever hears of it sees the
            # list; on a worker thread, as a big list takes a second to parse and index.
            try:
                await asyncio.to_thread(self.rulebook.reload, True)
            except Exception as exc:  # noqa: BLE001 - the last good rules stay in force
                log.warning("rules: reload after a list change failed: %s", exc)
        await self._use(snapshot)
        if fresh:
            for revision, change in changes:
                self.hub.publish(revision, change)

    async def _use(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        user, files = self.rulebook.user_rules, self.rulebook.file_rules
        if (snapshot.user_rules, files) != self._parsed_for:
            # Parsed like a pack file (selectors compiled, patterns checked): off the loop.
            user = await asyncio.to_thread(user_rules, snapshot.user_rules, [r.id for r in files.rules])
            self._parsed_for = (snapshot.user_rules, files)
            for error in user.errors:
                log.warning("user rules: %s", error)
        # The plans of the new state built off the event loop before it goes into force (and
        # before the change is answered).
        await asyncio.to_thread(self.rulebook.set_state, toggles_of(snapshot), user, True)

    def rules(self) -> RuleSet:
        """File rules and user rules, as the proxy sees them."""
        return self.rulebook.rules
