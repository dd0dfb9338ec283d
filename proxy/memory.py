"""The process's memory habits around big rule sets.

A full collection of Python's cyclic garbage collector walks every live object, holding
the GIL: with the adblock lists loaded (tens of thousands of rules, millions of objects)
one takes half a second, and whichever thread triggers it — the event loop's, often —
stalls every page and every API call for that long. Building a rule set is what
allocates enough to trigger them, so the collector is paused while one is built, and what
is alive afterwards is moved out of its sight (`gc.freeze`): rule sets hold no reference
cycles, and the ones they replace are freed by reference counting when dropped.

And glibc's malloc, left to itself, hands each page's parse tree back to the kernel when
the page is done (its trim and mmap thresholds start at 128 KiB), so the next page faults
the same memory in again: about 60 minor faults and 0.4 ms of kernel time a median page.
`keep_parse_memory` raises both thresholds once, at start, and keeps every thread on one
arena.
"""
from __future__ import annotations

import ctypes
import gc
import platform
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_paused = 0
_count_at_pause = 0
# Freeze only when at least this many container objects were made while paused (the
# built-in packs alone make about 13,000; a check of the rule files' mtimes, 20). The
# watcher pauses every second, and a freeze then would also move the proxy's flows in
# flight, and the cyclic garbage of those just done, out of the collector's sight for
# good: measured, 5 MiB a second leaked under load, all of it faulted in afresh.
FREEZE_MIN_OBJECTS = 5000


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside (nests, across threads); if a rule set was built
    inside (many objects made), everything alive at the end of the outermost one is
    frozen out of later collections."""
    global _paused, _count_at_pause
    with _lock:
        if not _paused:
            _count_at_pause = gc.get_count()[0]
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if not _paused:
                if gc.get_count()[0] - _count_at_pause >= FREEZE_MIN_OBJECTS:
                    gc.freeze()
                gc.enable()


# mallopt(3) parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks up to this size come from the heap, not from mmap: a big page's parse tree is
# reused by the next page, not unmapped and faulted in again.
MMAP_THRESHOLD = 4 * 1024 * 1024
# Free memory at the top of a heap up to this much is kept for the next page: what a
# page's parse takes, plus headroom; each thread's arena keeps at most this much.
TRIM_THRESHOLD = 8 * 1024 * 1024
# One arena for every thread: the parse workers' big pages reuse the loop's free memory
# instead of each keeping a heap of its own (measured on the whole corpus: peak PSS
# 124 MiB instead of 158). 0 leaves glibc's default (8 a core).
ARENA_MAX = 1
_M_ARENA_MAX = -8


def keep_parse_memory() -> bool:
    """Raise glibc's trim and mmap thresholds and keep to one arena (a no-op elsewhere);
    True if they were set. Called at start, before threads allocate."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - a libc without mallopt
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if ARENA_MAX:
        ok = bool(mallopt(_M_ARENA_MAX, ARENA_MAX)) and ok
    return ok
