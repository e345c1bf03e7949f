from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, no_overlap_per_officer, partial_index
from ..forces.models import DutyType, Force
from .rules import LONGEST_DUTY, RANKS

__all__ = ["RANKS", "AvailabilityWindow", "Duty", "Officer"]


class Officer(Base):
    """A Special Constable of one force."""

    __tablename__ = "officers"
    __table_args__ = (
        UniqueConstraint("force_id", "warrant_number"),
        # The officers who left, by their leaving day (retention); in one force, which also
        # finds a force's officers, as an index on the force alone did.
        Index("ix_officers_left_on", "left_on"),
        Index("ix_officers_force_id_left_on", "force_id", "left_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    warrant_number: Mapped[str] = mapped_column(String(40))
    surname: Mapped[str] = mapped_column(String(100))
    forenames: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(10))
    base_location: Mapped[str] = mapped_column(String(120))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    calendar_key_hash: Mapped[str | None] = mapped_column(String(64))
    #: When retention or an erasure removed the officer's personal data (API.md).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Personal: shown only to those who may read the officer, never in a return or a log.
    email: Mapped[str | None] = mapped_column(String(254))
    notify_callouts: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_training: Mapped[bool] = mapped_column(default=True, server_default=true())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    force: Mapped[Force] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def officer_ref(self) -> str:
        return f"{self.force.code}-{self.warrant_number}"


class Duty(Base):
    """A booked, cancelled or completed duty. Booked times are the plan; actual times the fact."""

    __tablename__ = "duties"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status IN ('requested', 'booked', 'cancelled', 'completed')", name="status_known"
        ),
        Index("ix_duties_officer_id_starts_at", "officer_id", "starts_at"),
        # Hours: an officer's completed duties by actual start (bookings have none, so stay out).
        partial_index(
            "ix_duties_officer_id_actual_starts_at",
            "officer_id",
            "actual_starts_at",
            where="actual_starts_at IS NOT NULL",
        ),
        # Reminders: the booked duties starting in the next day, whoever's they are.
        partial_index("ix_duties_booked_starts_at", "starts_at", where="status = 'booked'"),
        # Deployable: whose live duties overlap a window, read from the index alone, once for
        # every officer asked about (eligibility.free_for).
        partial_index(
            "ix_duties_live_starts_at",
            "starts_at",
            "ends_at",
            "officer_id",
            where="status <> 'cancelled'",
        ),
        # One live sign-up per officer per event: an event's duties not cancelled are its places
        # (events.models.places_taken); a withdrawn one may be followed by another.
        partial_index(
            "uq_duties_event_id_officer_id",
            "event_id",
            "officer_id",
            where="event_id IS NOT NULL AND status <> 'cancelled'",
            unique=True,
        ),
        # API.md: no two non-cancelled duties of one officer overlap; touching ends are fine.
        no_overlap_per_officer(
            "ex_duties_no_overlap", "starts_at", "ends_at", where="status <> 'cancelled'"
        ),
        # No hour is counted twice: no two completed duties of one officer overlap in their
        # actual times. On SQLite the completion's IMMEDIATE transaction serialises the check.
        no_overlap_per_officer(
            "ex_duties_actual_no_overlap",
            "actual_starts_at",
            "actual_ends_at",
            where="status = 'completed' AND actual_starts_at IS NOT NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    duty_type_id: Mapped[int] = mapped_column(ForeignKey("duty_types.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="booked")
    location: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    actual_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    officer: Mapped[Officer] = relationship(lazy="joined", innerjoin=True)
    duty_type: Mapped[DutyType] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def overlapping(
        cls, starts_at: Any, ends_at: Any, earliest_start: Any = None
    ) -> list[ColumnElement[bool]]:
        """Duties overlapping [starts_at, ends_at).

        The lower bound on starts_at is implied (no duty lasts over 24 hours) but lets an index
        on (officer_id, starts_at) read a day's duties rather than the officer's whole history.
        Give `earliest_start` (starts_at less 24 hours) when the times are bind parameters.
        """
        if earliest_start is None:
            earliest_start = starts_at - LONGEST_DUTY
        return [cls.starts_at < ends_at, cls.ends_at > starts_at, cls.starts_at > earliest_start]


class AvailabilityWindow(Base):
    """A span an officer has declared they are available for duty."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_availability_windows_officer_id_starts_at", "officer_id", "starts_at"),
        # An officer's declared windows never overlap, so that what is declared is said once.
        no_overlap_per_officer("ex_availability_windows_no_overlap", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
