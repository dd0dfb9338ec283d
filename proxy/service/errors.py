"""Errors as HTTP: the refusals only the service knows, and the one table that gives every
refusal its status and `error` code (used by `errors_middleware`)."""
from __future__ import annotations

from proxy.errors import (AddressRefused, BuiltinRule, Conflict, DomainError, FetchFailed, InvalidInput,
                          NotFound, StaleRevision, Unprocessable)


# Refusals of the HTTP side alone: the locked door and the request body.
class NotAuthorized(DomainError):
    """No token, or one that is unknown or revoked."""


class Forbidden(DomainError):
    """A web page's Origin, or a library page asked for from another machine."""


class TooLarge(DomainError):
    """A request body over the route's limit."""


class UnsupportedMediaType(DomainError):
    """A body that is not JSON (or not the page's form)."""


class MisdirectedHost(DomainError):
    """A Host that is not this service (DNS rebinding)."""


# Every refusal -> (HTTP status, `error` code); a subclass not listed takes its base's row.
STATUS: dict[type[DomainError], tuple[int, str]] = {
    InvalidInput: (400, "invalid_input"),
    AddressRefused: (400, "address_refused"),
    NotAuthorized: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    BuiltinRule: (409, "builtin_rule"),
    StaleRevision: (412, "stale_revision"),
    TooLarge: (413, "too_large"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    MisdirectedHost: (421, "wrong_host"),
    FetchFailed: (422, "fetch_failed"),
    Unprocessable: (422, "unprocessable"),
    DomainError: (400, "bad_request"),
}


def status_of(error: DomainError) -> tuple[int, str]:
    """The HTTP status and `error` code of a refusal."""
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def error_json(error: DomainError) -> dict:
    """The body of a refusal: `{"error", "detail"}`, `"field"` when one is at fault, and its extra data."""
    field = {"field": error.field} if error.field else {}
    return {"error": status_of(error)[1], "detail": error.detail, **field, **error.extra}
