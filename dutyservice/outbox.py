"""The outbox: the messages queued to be sent, and the one way a cause queues them.

Every message is inserted set-based (`INSERT ... SELECT`), and a cause already queued is left as
it is (`ON CONFLICT DO NOTHING` on (kind, subject, recipient)), so a sweep run twice, or by two
schedulers at once, queues each message once. It sits beneath the packages whose use cases queue
a message in their own transaction (an event's call-out) and notify, which sends them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ColumnExpressionArgument,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    column,
    literal,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .channels import ANSWER_KINDS, PUSH_PREFIX, PUSHED_KINDS, Kind, Status
from .db import Base, UTCDateTime

__all__ = [
    "ANSWER_KINDS",
    "PUSHED_KINDS",
    "PUSH_PREFIX",
    "Kind",
    "Notification",
    "PushSubscription",
    "Status",
]

if TYPE_CHECKING:
    from sqlalchemy import Select

    #: What a cause queues: one row per message, QUEUED_COLUMNS in this order.
    Recipients = Select[str, str, str, int, int]

#: The columns every recipients statement gives, in this order.
QUEUED_COLUMNS = ("kind", "subject", "recipient", "officer_id", "force_id")


class Notification(Base):
    """One message in the outbox: what it is about, to whom, and how sending it went.

    A cause queues its message once: (kind, subject, recipient) is unique. The address is not
    stored here; it is read from the officer (or the settings) when the message is sent.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "recipient"),
        CheckConstraint(f"kind IN ({', '.join(repr(k.value) for k in Kind)})", name="kind_known"),
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status_known"),
        # The senders' question: what is queued and due now.
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: What the message is about: "event:12", "duty:345", "ost:2026-09-30", "return:7",
    #: "signup:89".
    subject: Mapped[str] = mapped_column(String(60))
    #: Who it is for: "officer:678", "push:<subscription>", "force:12" (its aid contact), or
    #: "admin" (DUTYSERVICE_ADMIN_EMAIL).
    recipient: Mapped[str] = mapped_column(String(40))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    force_id: Mapped[int | None] = mapped_column(ForeignKey("forces.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    #: When a sender may next take it: due, retried after back-off, or held by a claim.
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The sender holding the claim (or that last held it).
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def officer_recipient(officer_id: ColumnExpressionArgument[int]) -> ColumnElement[str]:
    """The recipient of a message to an officer, "officer:<id>", in SQL."""
    return literal("officer:", String) + cast(officer_id, String)


def queue(session: Session, recipients: Recipients, now: datetime) -> int:
    """Insert one queued message per row of `recipients` (see QUEUED_COLUMNS) by each channel
    that reaches them: by mail to those with an address (or to the administrator), and, for the
    kinds that are pushed, to each of the officer's subscriptions. The count added."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL evaluates the rule once for both channels; sqlite3 counts the rows only of a
    # statement that begins INSERT, so there the rule is a subquery read by each channel.
    found = recipients.cte("recipients") if postgres else recipients.subquery("recipients")
    kind, subject, recipient, officer_id, force_id = found.c
    by_mail = (
        select(kind, subject, recipient, officer_id, force_id)
        .outerjoin(_OFFICERS, _OFFICERS.c.id == officer_id)
        .where(or_(officer_id.is_(None), _OFFICERS.c.email.is_not(None)))
    )
    subscriptions = PushSubscription.__table__.c
    by_push = (
        select(
            kind,
            subject,
            literal(PUSH_PREFIX, String) + cast(subscriptions.id, String),
            officer_id,
            force_id,
        )
        .join(PushSubscription, subscriptions.officer_id == officer_id)
        .where(kind.in_([k.value for k in PUSHED_KINDS]))
    )
    rows = select(*union_all(by_mail, by_push).subquery().c).add_columns(
        literal(Status.QUEUED.value, String),
        literal(0, Integer),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )
    columns = [*QUEUED_COLUMNS, "status", "attempts", "next_attempt_at", "created_at"]
    dialect = postgresql if postgres else sqlite
    # SQLite reads `ON CONFLICT` after `INSERT ... SELECT` only when the SELECT has a WHERE.
    statement = (
        dialect.insert(Notification)
        .from_select(columns, rows.where(true()))
        .on_conflict_do_nothing()
    )
    # SQLAlchemy keeps the driver's count of rows inserted only when asked to.
    options = {"preserve_rowcount": True}
    return session.connection().execute(statement, execution_options=options).rowcount


def reachable(officer_id: Any, email: Any) -> ColumnElement[bool]:
    """The officer can be told: by mail (an address), or on a browser they turned notifications
    on in (a push subscription)."""
    subscriptions = PushSubscription.__table__.c
    subscribed = select(subscriptions.id).where(subscriptions.officer_id == officer_id)
    return or_(email.is_not(None), subscribed.exists())


#: The officers' table as the outbox reads it (whether an officer has an address), named here
#: rather than imported: the outbox sits beneath the package that owns it.
_OFFICERS = table("officers", column("id", Integer), column("email", String))


class PushSubscription(Base):
    """A browser or phone an officer turned notifications on in (a PushSubscription).

    The keys are the browser's public key and shared secret for encrypting to it: personal
    data that the service needs as they are to send, not credentials that sign anyone in, so
    they are stored as given (never shown back, never in an export) and deleted with the
    subscription.
    """

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("officer_id", "endpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    endpoint: Mapped[str] = mapped_column(String(1000))
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
