from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class Notification(Base):
    """One message in the outbox: what it is about, to whom, and how sending it went.

    A cause queues its message once: (kind, subject, recipient) is unique. The address is not
    stored here; it is read from the officer (or the settings) when the message is sent.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "recipient"),
        CheckConstraint("kind IN ('callout', 'reminder', 'training', 'return')", name="kind_known"),
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status_known"),
        # The senders' question: what is queued and due now.
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: What the message is about: "event:12", "duty:345", "ost:2026-09-30", "return:7".
    subject: Mapped[str] = mapped_column(String(60))
    #: Who it is for: "officer:678", or "admin" (DUTYSERVICE_ADMIN_EMAIL).
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
