"""Server-Sent Events: every accepted change, with its revision, to every listener."""
from __future__ import annotations

import asyncio
import json

QUEUE_SIZE = 256
HEARTBEAT = 15.0


class EventHub:
    """Fan-out of changes to SSE listeners; a listener that falls too far behind is dropped
    (its stream ends, and it reconnects with Last-Event-ID)."""

    def __init__(self) -> None:
        self._listeners: set[asyncio.Queue] = set()
        self._clients: dict[asyncio.Queue, str] = {}
        self.closed = False

    def subscribe(self, client_id: str = "") -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._listeners.add(queue)
        self._clients[queue] = client_id
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._listeners.discard(queue)
        self._clients.pop(queue, None)

    def end_client(self, client_id: str) -> None:
        """End the streams of a client whose token was revoked."""
        for queue, owner in list(self._clients.items()):
            if owner == client_id:
                self._listeners.discard(queue)
                _end(queue)

    def publish(self, revision: int, change: dict) -> None:
        for queue in list(self._listeners):
            try:
                queue.put_nowait((revision, change))
            except asyncio.QueueFull:
                self._listeners.discard(queue)
                _end(queue)

    def close(self) -> None:
        """End every stream (on shutdown, before the server waits for its handlers)."""
        self.closed = True
        for queue in list(self._listeners):
            _end(queue)
        self._listeners.clear()

    def __len__(self) -> int:
        return len(self._listeners)


def _end(queue: asyncio.Queue) -> None:
    while True:
        try:
            queue.put_nowait(None)
            return
        except asyncio.QueueFull:
            queue.get_nowait()


def sse_event(event: str, data: dict, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, sort_keys=True)}\n\n".encode()
