"""The append-only trail of every write: who, when, what resource, what changed.

Who is the Principal that made the change: its token and role, and for a person signed in
through the force's identity provider, their `sub` and name (API.md, OIDC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    CTE,
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    bindparam,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import utc_now
from .db import Base, UTCDateTime


class Actor(Protocol):
    """Who makes a change: a caller's Principal, or the service itself (an import)."""

    @property
    def token_id(self) -> int | None: ...

    @property
    def role(self) -> str: ...

    @property
    def subject(self) -> str | None: ...

    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True)
class ServiceActor:
    """A change the service makes on its own account, e.g. `import`, named by `name`."""

    role: str
    name: str | None = None
    token_id: int | None = None
    subject: str | None = None


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_officer_id_at", "officer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int | None]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    force_id: Mapped[int | None] = mapped_column(ForeignKey("forces.id"))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The identity provider's `sub` of the person who signed in; None for an API token.
    subject: Mapped[str | None] = mapped_column(String(255))
    #: Their `name` (or `preferred_username`) when the provider gave one.
    subject_name: Mapped[str | None] = mapped_column(String(200))


#: Entries that record a read of an officer's records rather than a change to them (API.md
#: "Data protection": a force can answer "who looked at my record").
READ_ACTIONS = ("officer.read", "officer.export")


def is_write() -> ColumnElement[bool]:
    """The entries that record a change, not a read."""
    return AuditEntry.action.not_in(READ_ACTIONS)


def plain(value: Any) -> Any:
    """A stored value as JSON holds it: instants in UTC with `Z`, days as `YYYY-MM-DD`."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(
    session: Session,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: int | None,
    *,
    officer_id: int | None = None,
    force_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the trail inside the caller's transaction, so it commits with the write."""
    session.add(
        AuditEntry(
            resource_id=resource_id,
            officer_id=officer_id,
            **_entry(actor, action, resource_type, force_id=force_id, changes=changes),
        )
    )


class AboutAnOfficer(Protocol):
    """An officer's record: what an entry about them needs of it."""

    @property
    def id(self) -> int: ...

    @property
    def force_id(self) -> int: ...


def about(
    officer: AboutAnOfficer,
    session: Session,
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: int | None,
    *,
    changes: dict[str, Any] | None = None,
) -> None:
    """`record` for a write to one officer's records: the entry names the officer and force."""
    record(
        session,
        actor,
        action,
        resource_type,
        resource_id,
        officer_id=officer.id,
        force_id=officer.force_id,
        changes=changes,
    )


def _entry(
    actor: Actor,
    action: str,
    resource_type: str,
    *,
    force_id: int | None,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    """An entry's columns but the resource's id and the officer's."""
    return {
        "at": utc_now(),
        "token_id": actor.token_id,
        "role": str(actor.role),
        "subject": actor.subject,
        "subject_name": actor.name,
        "action": action,
        "resource_type": resource_type,
        "force_id": force_id,
        "changes": {key: plain(value) for key, value in (changes or {}).items()},
    }


def insert_entry_for(written: CTE, parameters: Iterable[str], **columns: ColumnElement[Any]) -> CTE:
    """An INSERT of the entry for the row that `written` (an INSERT ... RETURNING) returns.

    Added to a statement that selects from `written`, the row and its entry are written by one
    statement (PostgreSQL's data-modifying WITH), in one round trip to the database. `columns`
    gives the entry's columns that come from the written row (its `resource_id`, `officer_id`,
    perhaps `changes`); the others are the bind parameters named in `parameters`, as
    `entry_parameters` gives them.
    """
    table = AuditEntry.__table__.c
    values = dict(columns)
    for parameter in parameters:
        column = parameter.removeprefix("audit_")
        values.setdefault(column, bindparam(parameter, type_=table[column].type))
    return (
        insert(AuditEntry)
        .from_select(list(values), select(*values.values()).select_from(written))
        .cte(f"{written.name}_audit")
    )


def entry_parameters(
    actor: Actor,
    action: str,
    resource_type: str,
    *,
    force_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An entry's columns but its resource's and officer's ids, as bind parameters audit_<column>
    of an `insert_entry_for` statement."""
    entry = _entry(actor, action, resource_type, force_id=force_id, changes=changes)
    return {f"audit_{name}": value for name, value in entry.items()}


def trail(
    session: Session,
    *,
    officer_id: int | None = None,
    force_id: int | None = None,
    resource_type: str | None = None,
    resource_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Any]:
    """The entries matching the filters, oldest first. There is no way to change one."""
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.officer_id, officer_id),
        (AuditEntry.force_id, force_id),
        (AuditEntry.resource_type, resource_type),
        (AuditEntry.resource_id, resource_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query.order_by(AuditEntry.at, AuditEntry.id)
