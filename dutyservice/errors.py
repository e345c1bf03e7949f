"""Domain errors. They say what went wrong in the users' terms and know nothing of HTTP."""

from __future__ import annotations


class DomainError(Exception):
    title = "Request failed"

    def __init__(
        self,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}


class NotFound(DomainError):
    """Absent, or not visible to the caller (API.md: the two look the same)."""

    title = "Not found"


class Forbidden(DomainError):
    title = "Forbidden"


class Conflict(DomainError):
    """The request conflicts with stored state: overlap, duplicate, stale version, wrong status."""

    title = "Conflict"


class RaceLost(Conflict):
    """Another transaction at the same moment changed what this one read (a stale row version,
    a deadlock, a serialisation failure). Nothing was changed; running the use case again may
    succeed."""


class Invalid(DomainError):
    """Well-formed but breaks a rule (422)."""

    title = "Unprocessable request"


class Unavailable(DomainError):
    """A dependency (the database) is not answering; the request changed nothing."""

    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 5) -> None:
        super().__init__(detail)
        #: Seconds after which asking again may succeed.
        self.retry_after = retry_after
