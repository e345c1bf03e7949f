from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    ScalarSelect,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime
from ..forces.models import Force
from ..ips.models import RoleProfile


class Event(Base):
    """An operation or mutual-aid call-out that Specials sign up to, up to its capacity."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("open_to IN ('force', 'region', 'national')", name="open_to_known"),
        Index("ix_events_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duty_type: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[int]
    signup_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    open_to: Mapped[str] = mapped_column(String(10), default="force")
    role_profile_id: Mapped[int | None] = mapped_column(ForeignKey("role_profiles.id"))
    # Instead of a role profile, a stage of the learning programme (and, for a QSC, its area).
    required_stage: Mapped[str | None] = mapped_column(String(3))
    required_area: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))

    force: Mapped[Force] = relationship(lazy="joined", innerjoin=True)
    role_profile: Mapped[RoleProfile | None] = relationship(lazy="joined")


class EventSignup(Base):
    """An officer signed up to an event, and the duty that booked them onto it."""

    __tablename__ = "event_signups"
    __table_args__ = (
        # One live sign-up per officer per event; a withdrawn one may be followed by another.
        Index(
            "uq_event_signups_event_id_officer_id",
            "event_id",
            "officer_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        # A duty books one place: withdrawing and signing up again books a new duty.
        Index("uq_event_signups_duty_id", "duty_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def places_taken(
    event_id: ColumnElement[int] | InstrumentedAttribute[int] | int,
) -> ScalarSelect[int]:
    """The event's live (not withdrawn) sign-ups: the places taken, counted in the database."""
    return (
        select(func.count())
        .select_from(EventSignup)
        .where(EventSignup.event_id == event_id, EventSignup.withdrawn_at.is_(None))
        .scalar_subquery()
    )
