"""Running a rule's regular expressions without letting one hold the page.

The built-in packs' patterns and plain phrases are the stdlib's `re` (reviewed, or linear
by construction) and run as they are. Anyone else's (a person's rule, an extra pack, a
filter list's `:has-text()`) is the `regex` module's, run with a time limit: a pattern
that backtracks past it is skipped for the page and quarantined by the engine, and a page
past its deadline is given up (the original goes out).
"""
from __future__ import annotations

import re
import time

# The longest one untrusted pattern may take on one text.
PATTERN_TIME_S = 0.05
_STDLIB = re.Pattern


class PatternTooSlow(Exception):
    """A pattern ran past PATTERN_TIME_S on one text."""


class OverBudget(Exception):
    """The page's deadline passed."""

    def __init__(self) -> None:
        super().__init__("cleaning ran over its time budget")


def search(pattern, text: str, deadline: float | None):
    return pattern.search(text) if type(pattern) is _STDLIB else _bounded(pattern.search, text, deadline)


def fullmatch(pattern, text: str, deadline: float | None):
    return pattern.fullmatch(text) if type(pattern) is _STDLIB else _bounded(pattern.fullmatch, text, deadline)


def _bounded(method, text: str, deadline: float | None):
    limit = PATTERN_TIME_S
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise OverBudget()
        limit = min(limit, left)
    try:
        # concurrent: the match lets go of the GIL (it may be on a worker thread).
        return method(text, timeout=limit, concurrent=True)
    except TimeoutError:
        if deadline is not None and time.perf_counter() >= deadline:
            raise OverBudget() from None
        raise PatternTooSlow() from None


def check(deadline: float | None) -> None:
    """Between stages: give up a page past its deadline."""
    if deadline is not None and time.perf_counter() > deadline:
        raise OverBudget()


class Runner:
    """Runs one page's patterns: the page's deadline, the engine's quarantine (patterns
    that once ran too long: (rule id, pattern) pairs), and the rules skipped on this page."""

    def __init__(self, deadline: float | None = None, quarantine: set | None = None):
        self.deadline = deadline
        self.quarantine = quarantine if quarantine is not None else set()
        self.skipped: dict[str, str] = {}

    # The built-in patterns (the stdlib's) are run straight away: the text rules try
    # tens of thousands of texts a page, and they need no limit, quarantine or note.
    def search(self, rule_id: str, pattern, text: str) -> bool:
        if type(pattern) is _STDLIB:
            return pattern.search(text) is not None
        return self._run(search, rule_id, pattern, text)

    def fullmatch(self, rule_id: str, pattern, text: str) -> bool:
        if type(pattern) is _STDLIB:
            return pattern.fullmatch(text) is not None
        return self._run(fullmatch, rule_id, pattern, text)

    def _run(self, how, rule_id: str, pattern, text: str) -> bool:
        key = (rule_id, pattern.pattern)
        if key in self.quarantine:
            self.skipped[rule_id] = QUARANTINED
            return False
        try:
            return how(pattern, text, self.deadline) is not None
        except PatternTooSlow:
            self.quarantine.add(key)
            self.skipped[rule_id] = QUARANTINED
            return False


QUARANTINED = (f"its regular expression ran over {PATTERN_TIME_S * 1000:.0f} ms on one text (it backtracks); "
               "it is skipped from now on")
