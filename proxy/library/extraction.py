"""Extraction with a deadline: trafilatura in a child process that is stopped when a page
takes too long, and a small thread pool of the library's own for reading copies.

trafilatura walks lxml trees in Python: some pages (hundreds of thousands of tiny
elements) take minutes, and a thread cannot be stopped. A child process can: each page
goes to one (forked from a server that has trafilatura loaded, so it starts in a few
milliseconds), and is killed at the deadline. The library's saves run on their own
threads, so a slow one never holds the threads other requests (lists, exports) use.
"""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

from proxy.reader import extract_main

EXTRACT_TIMEOUT_S = 20.0
# Saves prepared at once; more wait their turn (never in the shared default thread pool).
SAVE_THREADS = 2


class ExtractionTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"finding the article took over {seconds:.0f} s; the page was given up")


def _context():
    try:
        context = multiprocessing.get_context("forkserver")
        # The children extract: the server they fork from has trafilatura loaded (this
        # process does not need it).
        context.set_forkserver_preload(["proxy.reader", "trafilatura", "trafilatura.htmlprocessing", "lxml.html"])
        return context
    except ValueError:  # pragma: no cover - a platform without fork
        return multiprocessing.get_context("spawn")


_CONTEXT = None
_CONTEXT_LOCK = threading.Lock()


def _child(conn, page: str, paragraph_chars: int) -> None:
    try:
        conn.send(("ok", extract_main(page, paragraph_chars)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def bounded_extract(page: str, paragraph_chars: int, timeout_s: float = EXTRACT_TIMEOUT_S) -> str:
    """`extract_main` in a child process; ExtractionTimeout (the child killed) past `timeout_s`."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            _CONTEXT = _context()
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(send, page, paragraph_chars), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            raise ExtractionTimeout(timeout_s)
        status, value = receive.recv()
    except EOFError:
        raise RuntimeError("the extraction process ended without an answer") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        child.close()
    if status != "ok":
        raise RuntimeError(value)
    return value


# The library's own threads for preparing copies (extraction waits on its child there).
SAVES = ThreadPoolExecutor(max_workers=SAVE_THREADS, thread_name_prefix="quietpage-save")
