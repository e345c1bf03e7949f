"""The append-only trail of every write: who, when, what resource, what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import utc_now
from .db import Base, UTCDateTime


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


@dataclass(frozen=True)
class Actor:
    """Who is making a change: the token and its role ('system' for the service itself)."""

    token_id: int | None
    role: str


SYSTEM = Actor(token_id=None, role="system")


def _plain(value: Any) -> Any:
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
            at=utc_now(),
            token_id=actor.token_id,
            role=actor.role,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            officer_id=officer_id,
            force_id=force_id,
            changes={key: _plain(value) for key, value in (changes or {}).items()},
        )
    )


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
