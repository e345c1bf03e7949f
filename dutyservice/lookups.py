"""Values read from rows the service writes once and never changes or deletes (a role profile's
requirements, a force's id by its code), remembered for the life of the process.

Each database has its own; a session reaches it through `lookups(session)`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class Lookups:
    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The remembered value, or `load()`'s. Only values are remembered: a `load` that
        raises (no such row) is asked again next time."""
        try:
            value: T = self._values[key]  # stored by `load` for this key, so of its type
            return value
        except KeyError:
            value = self._values[key] = load()
            return value

    def forget(self) -> None:
        """For whoever deletes rows behind the service's back (a test emptying its tables)."""
        self._values.clear()


def lookups(session: Session) -> Lookups:
    found: Lookups = session.info["lookups"]  # put there by the Database that made the session
    return found
