"""The forces one deployment serves (DUTYSERVICE_FORCES): nothing is made for another."""

from __future__ import annotations

from .errors import Invalid


def check_served(served: tuple[str, ...], code: str, field: str = "force") -> None:
    """Invalid unless `served` is empty (every force) or names the force."""
    if served and code not in served:
        raise Invalid(
            "this service does not serve that force",
            errors={field: [f"{code!r} is not served here: only {', '.join(served)}"]},
        )
