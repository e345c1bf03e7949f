"""What mail and push have in common: a transport opened for a batch, sending one message at a
time and saying what came of each, and closed when the batch is done."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Self, TypeVar

M_contra = TypeVar("M_contra", contravariant=True)


@dataclass(frozen=True)
class Outcome:
    sent: bool
    permanent: bool = False
    error: str | None = None
    #: The server could not be reached or went away: the rest of the batch waits too.
    unreachable: bool = False
    #: A push service says this subscription no longer exists (404, 410): it is deleted.
    gone: int | None = None


SENT = Outcome(sent=True)


class Transport(ABC, Generic[M_contra]):
    """A mail server's connection, or the push services, for one batch."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def send(self, message: M_contra) -> Outcome: ...

    @abstractmethod
    def close(self) -> None: ...
