from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime
from .rules import Kind


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
    #: Who it is for: "officer:678", "force:12" (its aid contact), or "admin"
    #: (DUTYSERVICE_ADMIN_EMAIL).
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
