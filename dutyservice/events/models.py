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
    case,
    func,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime
from ..duties.models import Duty
from ..duties.rules import DutyStatus
from ..forces.models import Force
from ..ips.models import RoleProfile
from .rules import Answer, SignupStatus, signup_status


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
    """An officer signed up to an event, the duty that holds their place, and the answer of
    their force (mutual aid). Whether it is live is its duty's status, stored there only: the
    one-live-sign-up index is on duties (uq_duties_event_id_officer_id)."""

    __tablename__ = "event_signups"
    __table_args__ = (
        # A duty books one place: withdrawing and signing up again books a new duty.
        Index("uq_event_signups_duty_id", "duty_id", unique=True),
        CheckConstraint("answer IN ('released', 'declined', 'lapsed')", name="answer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the officer's force declined (shown to the officer and the host).
    answer_reason: Mapped[str | None] = mapped_column(Text)

    duty: Mapped[Duty] = relationship(lazy="joined", innerjoin=True)

    @property
    def status(self) -> SignupStatus:
        return signup_status(self.duty.status, self.answer)

    @property
    def withdrawn_at(self) -> datetime | None:
        """When the place was given up (withdrawn, declined or lapsed): its duty's last change."""
        return self.duty.updated_at if self.duty.status == DutyStatus.CANCELLED else None


def signup_status_sql() -> ColumnElement[str]:
    """rules.signup_status in SQL, over the sign-up joined to its duty."""
    return case(
        (Duty.status == DutyStatus.REQUESTED, SignupStatus.REQUESTED.value),
        (Duty.status != DutyStatus.CANCELLED, SignupStatus.CONFIRMED.value),
        (EventSignup.answer == Answer.DECLINED, SignupStatus.DECLINED.value),
        (EventSignup.answer == Answer.LAPSED, SignupStatus.LAPSED.value),
        else_=SignupStatus.WITHDRAWN.value,
    )


def live_duty() -> ColumnElement[bool]:
    """A duty that holds a place: requested, booked or done."""
    return Duty.status != DutyStatus.CANCELLED


def places_taken(
    event_id: ColumnElement[int] | InstrumentedAttribute[int] | int,
) -> ScalarSelect[int]:
    """The event's live sign-ups (requested or confirmed): the places taken, counted in the
    database as the event's duties not cancelled."""
    return (
        select(func.count())
        .select_from(Duty)
        .where(Duty.event_id == event_id, live_duty())
        .scalar_subquery()
    )
