from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, partial_index
from ..forces.models import Force
from ..ips.models import RoleProfile


class NpoccReturn(Base):
    """One revision of one force's quarterly return for one role profile version.

    Its two files are written once and never rewritten; this row keeps their checksum and the
    delivery state, so that nothing is lost across a restart.
    """

    __tablename__ = "npocc_returns"
    __table_args__ = (
        UniqueConstraint("force_id", "role_profile_id", "quarter", "revision"),
        Index("ix_npocc_returns_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[str] = mapped_column(String(120), unique=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profiles.id"))
    quarter: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("npocc_returns.id"))
    record_count: Mapped[int]
    total_duty_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    csv_filename: Mapped[str] = mapped_column(String(160))
    csv_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    manifest_filename: Mapped[str] = mapped_column(String(160))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="pending")
    delivery_attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    force: Mapped[Force] = relationship(lazy="joined", innerjoin=True)
    role_profile: Mapped[RoleProfile] = relationship(lazy="joined", innerjoin=True)


class QuarterRun(Base):
    """The scheduled run for a quarter: claimed by one scheduler instance, and what came of it."""

    __tablename__ = "npocc_quarter_runs"

    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12))
    returns_made: Mapped[int] = mapped_column(default=0)
    detail: Mapped[str | None] = mapped_column(Text)


class ReturnRequest(Base):
    """A request to make a quarter's returns, queued (`Prefer: respond-async`) for the scheduler
    or `dutyservice export-queued`, and what came of it.

    Who asked is kept in the audit trail (`npocc.request`), not here: the row holds nothing
    personal, so that anonymising an officer's trail leaves nothing behind in it.
    """

    __tablename__ = "npocc_return_requests"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        # One queued request for a quarter and force (or every force): asked again, it is the
        # same request, however many servers are asked at once.
        partial_index(
            "uq_npocc_return_requests_queued_force",
            "quarter",
            "force_code",
            where="state = 'queued' AND force_code IS NOT NULL",
            unique=True,
        ),
        partial_index(
            "uq_npocc_return_requests_queued_every_force",
            "quarter",
            where="state = 'queued' AND force_code IS NULL",
            unique=True,
        ),
        Index("ix_npocc_return_requests_state_requested_at", "state", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7))
    force_code: Mapped[str | None] = mapped_column(String(40))  # None: every force
    state: Mapped[str] = mapped_column(String(12))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    made: Mapped[list[int] | None] = mapped_column(JSON)
    unchanged: Mapped[list[int] | None] = mapped_column(JSON)
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)
