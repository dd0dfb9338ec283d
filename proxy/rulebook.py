"""The rulebook: the one owner of the rules in force.

Where rules come from (the built-in packs, the adblock lists in the data dir, extra pack
files, the person's own rules and switches), the last good version of a pack whose file
broke, watching the files for edits, and the compiled plans. The proxy's addon, the
service, `quietpage serve` and every CLI command read the rules from one of these.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from proxy.engine import CleanResult, Engine, default_engine
from proxy.lists import list_paths
from proxy.memory import collector_paused
from proxy.rules import NO_TOGGLES, RuleSet, Toggles, builtin_rules_dir, load_rules, pack_files

log = logging.getLogger("quietpage")


@dataclass(frozen=True)
class InForce:
    """The rules and switches pages are cleaned with, swapped as one."""

    rules: RuleSet
    toggles: Toggles = NO_TOGGLES


class Rulebook:
    def __init__(self, *, builtin: bool = True, paths: Iterable[str | Path] = (), data_dir: Path | None = None,
                 engine: Engine | None = None):
        self.engine = engine or default_engine()
        self._builtin = builtin
        self._paths = tuple(Path(p) for p in paths)
        self._data_dir = data_dir  # whose lists/ holds the adblock lists
        self.file_rules = RuleSet()  # built-in packs, lists and extra packs
        self.user_rules = RuleSet()
        self.in_force = InForce(RuleSet())
        self._merged_of: RuleSet | None = None  # the file rules `in_force.rules` was merged from
        self._mtimes: dict[Path, tuple[int, int, int]] = {}
        self._lock = threading.Lock()  # a watcher's thread and the service may both reload
        self._swap = threading.Lock()  # held only to swap what is in force, never while parsing
        self._watcher: asyncio.Task | None = None

    @property
    def rules(self) -> RuleSet:
        return self.in_force.rules

    @property
    def toggles(self) -> Toggles:
        return self.in_force.toggles

    def sources(self) -> list[Path]:
        """The built-in packs, the imported lists (listed afresh each time, so a reload sees
        adds and removes), then the extra pack files and folders."""
        paths = [builtin_rules_dir()] if self._builtin else []
        if self._data_dir is not None:
            paths += list_paths(self._data_dir)
        return paths + list(self._paths)

    def set_paths(self, paths: Iterable[str | Path]) -> None:
        """Other extra pack files (read at the next reload)."""
        self._paths = tuple(Path(p) for p in paths)

    def reload(self, force: bool = False) -> bool:
        """Read the rule files again if any changed (or `force`); a pack whose file broke
        keeps its last good version. True if the rules were read."""
        with self._lock, collector_paused():
            sources = self.sources()
            files = {f: _mtime(f) for root in sources for f in (pack_files(root) if root.exists() else [root])}
            if not force and files == self._mtimes:
                return False
            self._mtimes = files
            fresh = load_rules(*sources) if sources else RuleSet()
            for error in fresh.errors:
                log.warning("rules: %s", error)
            if fresh.errors and self.file_rules.packs:
                kept = {p.id for p in fresh.packs}
                # A pack whose file was removed goes; one whose file broke keeps its last good version.
                lost = [p for p in self.file_rules.packs if p.id not in kept and Path(p.path) in files]
                fresh = RuleSet(fresh.packs + tuple(lost), fresh.errors)
                if lost:
                    log.warning("rules: kept the last good version of %s", ", ".join(p.id for p in lost))
            # Everything the new rules need (an adblock list's index takes seconds) is built
            # before they go into force: a page cleaned meanwhile uses the old ones, never
            # builds it on the event loop.
            user_rules, toggles = self.user_rules, self.toggles
            merged = fresh.merged(user_rules)
            self._warm(merged, toggles)
            with self._swap:
                self.file_rules = fresh
                if self.user_rules is user_rules:
                    self.in_force = InForce(merged, self.in_force.toggles)
                    self._merged_of = fresh
                else:  # the person's own rules changed meanwhile
                    self._use(self.user_rules, self.toggles)
            self.engine.retain(self.in_force.rules)
            self.warm()
            log.info("rules: %d packs, %d rules loaded", len(fresh.packs), len(fresh.rules))
            return True

    def set_state(self, toggles: Toggles, user_rules: RuleSet, warm: bool = False) -> None:
        """The person's switches and own rules (from the service's store); the next page
        cleaned obeys them. With `warm` (off the event loop: it takes a moment), their plans
        are built before they go into force, so no page builds them on the event loop."""
        with self._swap:
            files = self.file_rules
            rules = self._rules_for(user_rules)
        if warm:
            with collector_paused():
                self._warm(rules, toggles)
        with self._swap:
            if self.file_rules is not files:  # a reload came in between: merge afresh
                rules = self._rules_for(user_rules)
            self._merged_of = self.file_rules
            self.user_rules = user_rules
            replaced, self.in_force = self.in_force.rules, InForce(rules, toggles)
        if replaced is not rules:
            self.engine.retain(rules)

    def _use(self, user_rules: RuleSet, toggles: Toggles) -> None:
        rules = self._rules_for(user_rules)
        self._merged_of = self.file_rules
        self.user_rules = user_rules
        self.in_force = InForce(rules, toggles)

    def _rules_for(self, user_rules: RuleSet) -> RuleSet:
        """The file rules merged with `user_rules`: the rule set in force when nothing
        changed (plans are cached per rule set), a new one otherwise."""
        if user_rules is self.user_rules and self._merged_of is self.file_rules:
            return self.in_force.rules
        return self.file_rules.merged(user_rules)

    def warm(self) -> None:
        """Build the plans of the rules in force (and an adblock list's index, a second or so
        for big lists) now, not on the next page load: call it off the event loop."""
        now = self.in_force
        self._warm(now.rules, now.toggles)

    def _warm(self, rules: RuleSet, toggles: Toggles) -> None:
        self.engine.compile_plan(rules, "", toggles)
        # A plan is per site (its packs, its switches) and language (the text rules): those
        # of the pages seen lately, ready before the next page of them.
        for host, lang in self.engine.recent_pages():
            self.engine.compile_plan(rules, host, toggles)
            self.engine.compile_plan(rules, host, toggles, lang)

    def clean(self, html: str | bytes, url: str, content_type: str | None = None,
              deadline: float | None = None) -> CleanResult:
        """A page through the rules in force (given up past `deadline`, a perf_counter time)."""
        now = self.in_force
        return self.engine.clean_page(html, url, now.rules, now.toggles, content_type=content_type, deadline=deadline)

    def start_watching(self, every_s: float) -> None:
        """Check the rule files for edits every `every_s` seconds (once per rulebook, on the
        running event loop; parsing happens on a worker thread)."""
        if self._watcher is None and every_s > 0:
            self._watcher = asyncio.get_running_loop().create_task(self._watch(every_s))

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def _watch(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await asyncio.to_thread(self.reload)
            except Exception as exc:  # noqa: BLE001 - a watcher must outlive one bad read
                log.warning("rules: reload failed: %s", exc)


def _mtime(path: Path) -> tuple[int, int, int]:
    # With the inode and size: a list replaced (os.replace) within one clock tick still counts as changed.
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_mtime_ns, st.st_size, st.st_ino)
