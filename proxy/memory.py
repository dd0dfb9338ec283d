"""The process's memory habits around big rule sets.

A full collection of Python's cyclic garbage collector walks every live object, holding
the GIL: with the adblock lists loaded (tens of thousands of rules, millions of objects)
one takes half a second, and whichever thread triggers it — the event loop's, often —
stalls every page and every API call for that long. Building a rule set is what
allocates enough to trigger them, so the collector is paused while one is built, and what
is alive afterwards is moved out of its sight (`gc.freeze`): rule sets hold no reference
cycles, and the ones they replace are freed by reference counting when dropped.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_paused = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside (nests, across threads); everything alive at the
    end of the outermost one is frozen out of later collections."""
    global _paused
    with _lock:
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if not _paused:
                gc.freeze()
                gc.enable()
