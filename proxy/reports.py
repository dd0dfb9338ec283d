"""What the proxy removed on the last load of each page, bounded, in memory."""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock


@dataclass(frozen=True)
class PageReport:
    url: str
    removed: dict[str, int]
    skipped: dict[str, str] = field(default_factory=dict)
    status: str = "cleaned"  # cleaned | unchanged | paused | passed (with reason) | error
    reason: str | None = None
    elapsed_ms: float = 0.0
    at: float = field(default_factory=time.time)
    also: dict[str, list[str]] = field(default_factory=dict)  # rule -> other rules its removals took too

    def as_json(self) -> dict:
        return {"url": self.url, "removed": self.removed, "skipped": self.skipped, "status": self.status,
                "reason": self.reason, "ms": round(self.elapsed_ms, 3), "at": self.at, "also": self.also}


def page_key(url: str) -> str:
    """Reports are kept per page, not per fragment."""
    return url.split("#", 1)[0]


class PageReports:
    """An LRU of the last `capacity` pages' reports; safe to share between threads."""

    def __init__(self, capacity: int = 1000):
        self.capacity = capacity
        self._items: OrderedDict[str, PageReport] = OrderedDict()
        self._lock = Lock()

    def put(self, report: PageReport) -> None:
        key = page_key(report.url)
        with self._lock:
            self._items[key] = report
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, url: str) -> PageReport | None:
        with self._lock:
            return self._items.get(page_key(url))

    def __len__(self) -> int:
        return len(self._items)
