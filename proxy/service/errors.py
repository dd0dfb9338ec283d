"""Domain errors of the service; one middleware maps each to an HTTP status and JSON."""
from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses: `code` names it, the message explains it."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, field: str | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(ServiceError):
    status, code = 400, "invalid_input"


class NotAuthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class BuiltinRule(ServiceError):
    status, code = 409, "builtin_rule"


class StaleRevision(ServiceError):
    """An `If-Match` revision that is no longer current."""

    status, code = 412, "stale_revision"

    def __init__(self, current: int):
        super().__init__(f"the state changed since that revision; current revision is {current}")
        self.current = current


class TooLarge(ServiceError):
    status, code = 413, "too_large"


class AddressRefused(ServiceError):
    """A URL the library will not fetch: not http(s), or an address that is not public."""

    status, code = 400, "address_refused"


class FetchFailed(ServiceError):
    """The page could not be fetched or held no article; nothing was saved."""

    status, code = 422, "fetch_failed"


class UnsupportedMediaType(ServiceError):
    status, code = 415, "unsupported_media_type"


class MisdirectedHost(ServiceError):
    status, code = 421, "wrong_host"


class TooManyRequests(ServiceError):
    status, code = 429, "too_many_requests"


class Conflict(ServiceError):
    """The thing to create is there already (a list of that name)."""

    status, code = 409, "conflict"


class Unprocessable(ServiceError):
    """Well-formed, but nothing usable in it (a list without one cosmetic rule); nothing changed."""

    status, code = 422, "unprocessable"
