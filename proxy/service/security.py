"""The locked door: Host and Origin checks, bearer tokens, body limits, JSON errors.

A web page the person visits must not be able to read or change anything: a foreign
`Host` (DNS rebinding) is refused, a web `Origin` is refused, and no response carries
`Access-Control-Allow-Origin`. Everything but health, the OpenAPI document and pairing
needs `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from typing import Awaitable, Callable

from aiohttp import web

from proxy.errors import DomainError
from proxy.service.errors import Forbidden, MisdirectedHost, NotAuthorized, TooLarge, error_json, status_of
from proxy.service.keys import client_key, config_key, live_key, served_key
from proxy.store import Store, token_hash

log = logging.getLogger("quietpage")

MAX_BODY = 64 * 1024
MAX_PAGE_BODY = 8 * 1024 * 1024  # a page's DOM sent to the library (POST /api/articles)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Origins a browser extension sends; every other Origin (http, https, null, file) is refused.
EXTENSION_SCHEMES = ("chrome-extension", "moz-extension", "safari-web-extension")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# A connection that has not sent a whole request head this long after opening (or after
# its last answer) is closed: a client trickling its headers cannot hold a socket for
# long (slowloris). aiohttp arms its keep-alive timer when a connection opens.
HEAD_TIMEOUT_S = 5.0
# Connections the service holds at once (at most a quarter of the process's file
# descriptors, which it shares with the proxy); past it, the oldest of those that have not
# sent a request yet are closed: a flood of idle or trickling sockets goes first, and the
# connections serving requests (the extension's event stream) stay.
MAX_CONNECTIONS = 128
RUNNER_OPTIONS = {"access_log": None, "keepalive_timeout": HEAD_TIMEOUT_S}


def connection_limit() -> int:
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        return MAX_CONNECTIONS
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(8, min(MAX_CONNECTIONS, soft // 4))


@web.middleware
async def served_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Note the connections that carried a request (see guard_connections)."""
    request.app[served_key].add(id(request.protocol))
    return await handler(request)


# How many connections asyncio accepts at once (its `backlog`) before the guard sees any
# of them: a burst cannot run the process out of file descriptors between two looks
# (asyncio would stop accepting for a second). The kernel's queue of connections waiting
# to be accepted is longer (LISTEN_QUEUE), so a client's connection waits there for its
# turn rather than for its SYN to be sent again a second later.
ACCEPT_BATCH = 16
LISTEN_QUEUE = 1024
WARN_EVERY_S = 5.0


class ConnectionGuard:
    """Keeps the service's connections under `limit` as each one opens: past it, some of
    those that have not sent a whole request head are closed at once — first the oldest of
    those that sent part of one (a trickle: a client sends its head at once), then the
    oldest of those that sent nothing yet. `factory` is the protocol factory to listen
    with: it notes each connection's bytes as they arrive, so a client's connection is
    spared however fast a flood of trickling ones churns."""

    def __init__(self, server: web.Server, served: set[int], limit: int | None = None):
        self.server, self.served = server, served
        self.limit = connection_limit() if limit is None else limit
        self._loop = asyncio.get_running_loop()
        self._opened: dict = {}
        self.partial: set[int] = set()  # connections that sent part of a head, not all of it
        self._warned = -WARN_EVERY_S
        made, lost = server.connection_made, server.connection_lost

        def connection_made(handler, transport) -> None:
            made(handler, transport)
            self._opened[handler] = self._loop.time()
            if len(server.connections) > self.limit:
                self.trim()

        def connection_lost(handler, exc) -> None:
            self._opened.pop(handler, None)
            self.served.discard(id(handler))
            self.partial.discard(id(handler))
            lost(handler, exc)

        server.connection_made = connection_made  # type: ignore[method-assign]
        server.connection_lost = connection_lost  # type: ignore[method-assign]

    def factory(self) -> asyncio.Protocol:
        return _Door(self.server(), self.served, self.partial)

    def trim(self) -> None:
        current = self.server.connections
        idle = sorted((h for h in current if id(h) not in self.served),
                      key=lambda h: (id(h) not in self.partial, self._opened.get(h, 0.0)))
        excess = idle[:len(current) - self.limit]
        now = self._loop.time()
        if now - self._warned >= WARN_EVERY_S:
            self._warned = now
            log.warning("service: %d connections open (limit %d); closing the oldest that sent no request",
                        len(current), self.limit)
        for handler in excess:
            handler.force_close()


class _Door(asyncio.Protocol):
    """What asyncio talks to for one connection: aiohttp's handler, which it hands every
    event, and a note in `partial` once part of a request head has come in, in `served`
    once all of it has."""

    __slots__ = ("handler", "served", "partial", "tail")

    def __init__(self, handler, served: set[int], partial: set[int]):
        self.handler, self.served, self.partial, self.tail = handler, served, partial, b""

    def connection_made(self, transport) -> None:
        self.handler.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.tail is not None:
            if b"\r\n\r\n" in self.tail + data[:8192]:
                self.served.add(id(self.handler))
                self.partial.discard(id(self.handler))
                self.tail = None
            else:
                self.partial.add(id(self.handler))
                self.tail = data[-3:]
        self.handler.data_received(data)

    def eof_received(self):
        return self.handler.eof_received()

    def connection_lost(self, exc) -> None:
        self.handler.connection_lost(exc)

    def pause_writing(self) -> None:
        self.handler.pause_writing()

    def resume_writing(self) -> None:
        self.handler.resume_writing()


def public(handler: Handler) -> Handler:
    """Mark a route that answers without a token (health, OpenAPI, pairing)."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def same_origin_form(handler: Handler) -> Handler:
    """Mark the local page's form post: it may carry the service's own Origin."""
    handler.same_origin_form = True  # type: ignore[attr-defined]
    return handler


def loopback_page(handler: Handler) -> Handler:
    """Mark a library page: readable without a token, but only by a client on this machine."""
    handler.loopback_page = True  # type: ignore[attr-defined]
    return handler


def body_limit(size: int) -> Callable[[Handler], Handler]:
    """Mark a route that takes bodies larger than MAX_BODY (up to `size` bytes)."""
    def mark(handler: Handler) -> Handler:
        handler.max_body = size  # type: ignore[attr-defined]
        return handler
    return mark


def max_body(request: web.Request) -> int:
    return getattr(request.match_info.handler, "max_body", MAX_BODY)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(service_host: str, port: int) -> frozenset[str]:
    names = set(LOOPBACK_NAMES)
    if not is_loopback(service_host) and service_host not in ("0.0.0.0", "::"):
        names.add(f"[{service_host}]" if ":" in service_host else service_host)
    return frozenset(f"{name}:{port}" for name in names)


def error_body(status: int, error: str, detail: str, **extra) -> web.Response:
    return web.json_response({"error": error, "detail": detail, **extra}, status=status)


def _refusal(error: DomainError) -> web.Response:
    return web.json_response(error_json(error), status=status_of(error)[0])


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes `{"error": ..., "detail": ...}` with the right status."""
    try:
        return await handler(request)
    except DomainError as exc:
        return _refusal(exc)
    except web.HTTPRequestEntityTooLarge:
        return _refusal(TooLarge(f"request body over the {max_body(request)}-byte limit"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = error_body(exc.status, exc.reason.lower().replace(" ", "_"), exc.text or exc.reason)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:  # noqa: BLE001 - answer in JSON, and keep the trace in the log
        log.exception("service: %s %s failed", request.method, request.path)
        return error_body(500, "internal_error", "the service failed on this request; see its log")


@web.middleware
async def door_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Host, Origin, body size, then the token: in that order, before any handler runs."""
    config = request.app[config_key]
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    port = sockname[1] if sockname else config.service_port
    host = request.headers.get("Host", "")
    if host not in allowed_hosts(config.service_host, port):
        raise MisdirectedHost(f"Host {host!r} is not this service; use http://127.0.0.1:{port}")
    origin = request.headers.get("Origin")
    if getattr(request.match_info.handler, "same_origin_form", False):
        # The local pages' forms: posted by the page itself (or a program), never by an
        # extension or another page.
        if origin is not None and origin != f"http://{host}":
            raise Forbidden(f"this form is only taken from the service's own page (Origin {origin!r})")
    elif origin is not None and origin.split(":", 1)[0].lower() not in EXTENSION_SCHEMES:
        raise Forbidden(f"requests from web pages are refused (Origin {origin!r})")
    length, limit = request.content_length, max_body(request)
    if length is not None and length > limit:
        raise TooLarge(f"request body of {length} bytes is over the {limit}-byte limit")
    if getattr(request.match_info.handler, "loopback_page", False):
        if not is_loopback(request.remote or ""):
            raise Forbidden("the library pages are for this machine only; elsewhere use the API with a token")
        # A browser says who asked: the library's own pages, or the person (an address typed,
        # a bookmark). Another site's page, even one served from this machine, is refused.
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            raise Forbidden(f"the library pages are not embedded in or fetched by other sites (Sec-Fetch-Site: {site})")
    elif not getattr(request.match_info.handler, "public", False):
        request[client_key] = await authenticate(request)
    return await handler(request)


async def authenticate(request: web.Request) -> str:
    """The id of the client whose bearer token this request carries."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorized("this route needs Authorization: Bearer <token> (pair first: POST /api/pair)")
    presented = token_hash(token.strip())
    found = None
    # Every active hash is compared, in constant time each: no early exit.
    for client_id, stored in await request.app[live_key].run(Store.active_token_hashes):
        if hmac.compare_digest(presented, stored):
            found = client_id
    if found is None:
        raise NotAuthorized("unknown or revoked token")
    return found


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.popall("Access-Control-Allow-Origin", None)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-cache")
    response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    # No other origin may even embed an answer (an <img> of a library image tells a page
    # whether an article id exists).
    response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
