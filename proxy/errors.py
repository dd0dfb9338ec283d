"""What the store, the lists and the library refuse, as plain exceptions: no HTTP here.

The service turns each into a status and a JSON body (proxy.service.errors), the CLI into
one sentence and exit status 1 (proxy.cli.main).
"""
from __future__ import annotations


class DomainError(Exception):
    """A refused request: `detail` is one sentence for a person, `field` the input at fault."""

    def __init__(self, detail: str, field: str | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    """A value that is malformed or out of range (a tag, a pairing code, a list name)."""


class NotFound(DomainError):
    """No such thing: a rule, a client, a pairing request, a list, an article."""


class Conflict(DomainError):
    """The thing to create is there already (a list of that name)."""


class BuiltinRule(Conflict):
    """Only the person's own rules can be deleted; a rule from a pack file can be switched off."""


class StaleRevision(DomainError):
    """A change based on a revision that is no longer current; nothing changed."""

    def __init__(self, current: int):
        super().__init__(f"the state changed since that revision; current revision is {current}")
        self.current = current


class AddressRefused(DomainError):
    """A URL the library will not fetch: not http(s), or an address that is not public."""


class FetchFailed(DomainError):
    """The page could not be fetched or held no article; nothing was saved."""


class Unprocessable(DomainError):
    """Well-formed, but nothing usable in it (a list without one cosmetic rule); nothing changed."""
