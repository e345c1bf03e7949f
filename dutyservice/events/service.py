"""Event use cases: create, sign up (books a duty), withdraw. Capacity holds under concurrency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..auth.scope import Permission, Principal, authorise_force
from ..clock import london_days_spanned, utc_now
from ..db import Database
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus, duty_time_errors
from ..duties.service import (
    DutyBooking,
    add_booked_duty,
    check_serving,
    duty_type_of,
    refuse_overlap,
)
from ..errors import Conflict, Invalid, NotFound
from ..forces.models import Force
from ..forces.queries import force_by_code
from ..ips.queries import evidence_for, requirements_of, role_profile_row
from ..ips.rules import meets_profile, missing_requirements
from ..notify.service import queue_callouts
from .models import Event, EventSignup
from .rules import OpenTo, open_to_force, signups_open


def create_event(db: Database, principal: Principal, data: dict[str, Any]) -> Event:
    with db.transaction() as session:
        force = force_by_code(session, data["force"])
        authorise_force(principal, Permission.MANAGE_OFFICERS, force_id=force.id)
        # Signing up books one duty over the event, so an event keeps the duties' rules (an
        # overnight event still spans two days, each of which the role profile must cover).
        errors = duty_time_errors(data["starts_at"], data["ends_at"])
        if errors:
            raise Invalid("the event's times are not valid", errors=errors)
        if data["signup_deadline"] > data["starts_at"]:
            raise Invalid("late deadline", errors={"signup_deadline": ["after the event starts"]})
        duty_type_of(session, force.id, data["duty_type"])
        profile_id = None
        if data.get("mercury_ref") is not None:
            profile = role_profile_row(session, data["mercury_ref"], data.get("version", 1))
            profile_id = profile.id
        event = Event(
            force=force,
            title=data["title"],
            description=data["description"],
            location=data["location"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            duty_type=data["duty_type"],
            capacity=data["capacity"],
            signup_deadline=data["signup_deadline"],
            open_to=data["open_to"],
            role_profile_id=profile_id,
            created_at=utc_now(),
            created_by_token_id=principal.token_id,
        )
        session.add(event)
        session.flush()
        audit.record(
            session,
            principal,
            "event.create",
            "event",
            event.id,
            force_id=force.id,
            changes={k: v for k, v in data.items() if k != "force"},
        )
        session.refresh(event)
        queue_callouts(session, event)  # API.md "Call-out": in the event's own transaction
        return event


def _visible_to(session: Session, event: Event, force: Force) -> bool:
    return open_to_force(
        OpenTo(event.open_to), event.force.code, event.force.region, force.code, force.region
    )


def load_event(session: Session, event_id: int, *, for_update: bool = False) -> Event:
    query = select(Event).where(Event.id == event_id)
    if for_update:
        query = query.with_for_update(of=Event)
    event = session.scalar(query)
    if event is None:
        raise NotFound("no event with that id")
    return event


def _live_signups(session: Session, event_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(EventSignup)
            .where(EventSignup.event_id == event_id, EventSignup.withdrawn_at.is_(None))
        )
        or 0
    )


def sign_up(
    db: Database, principal: Principal, event_id: int, officer_id: int, now: datetime | None = None
) -> EventSignup:
    """Book the officer onto the event. 409: full, closed, already signed up, overlapping;
    422: the event's role profile is not met on every day of it."""
    now = now or utc_now()
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        event = load_event(session, event_id)
        _check_may_join(session, event, officer, now)
        duty_type = duty_type_of(session, officer.force_id, event.duty_type)
        booking = DutyBooking(
            officer.id,
            event.starts_at,
            event.ends_at,
            event.duty_type,
            location=event.location,
            notes=event.title,
        )
        check_serving(officer, booking.starts_at)
        refuse_overlap(session, officer.id, booking.starts_at, booking.ends_at)
        # Every sign-up to the event queues on its row (PostgreSQL; SQLite's IMMEDIATE
        # transaction serialises every write), so counting places and taking one cannot
        # interleave with another sign-up. The checks of the officer alone are done by now:
        # a storm's throughput is one over the time this lock is held.
        event = load_event(session, event_id, for_update=True)
        _refuse_if_full(session, event)
        duty = add_booked_duty(session, officer, duty_type, booking, event_id=event.id)
        try:
            session.flush()
            signup = EventSignup(
                event_id=event.id, officer_id=officer.id, duty_id=duty.id, signed_up_at=now
            )
            session.add(signup)
            session.flush()
        except IntegrityError as exc:
            raise Conflict("the officer is already signed up or has an overlapping duty") from exc
        audit.about(
            officer,
            session,
            principal,
            "event.signup",
            "event",
            event.id,
            changes={"duty_id": duty.id},
        )
        return signup


def _check_may_join(session: Session, event: Event, officer: Officer, now: datetime) -> None:
    """What the officer's own records and the event's terms decide, places apart."""
    if not _visible_to(session, event, officer.force):
        raise NotFound("no event with that id open to this officer")
    if not signups_open(event.signup_deadline, now):
        raise Conflict("sign-ups to this event have closed")
    signed_up = select(EventSignup.id).where(
        EventSignup.event_id == event.id,
        EventSignup.officer_id == officer.id,
        EventSignup.withdrawn_at.is_(None),
    )
    if session.scalar(signed_up) is not None:
        raise Conflict("the officer is already signed up to this event")
    _refuse_if_full(session, event)  # most of a call-out storm is refused here, unqueued
    if event.role_profile is None:
        return
    first, last = london_days_spanned(event.starts_at, event.ends_at)
    profile = requirements_of(event.role_profile)
    evidence = evidence_for(session, officer)
    if not meets_profile(evidence, profile, first, last):
        raise Invalid(
            "the officer does not meet the event's role profile on every day",
            errors={"officer_id": ["does not meet the role profile"]},
            extra={"missing": missing_requirements(evidence, profile, first, last)},
        )


def _refuse_if_full(session: Session, event: Event) -> None:
    if _live_signups(session, event.id) >= event.capacity:
        raise Conflict("the event is full")


def withdraw(
    db: Database, principal: Principal, event_id: int, officer_id: int, now: datetime | None = None
) -> EventSignup:
    now = now or utc_now()
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        event = load_event(session, event_id)
        signup = session.scalar(
            select(EventSignup).where(
                EventSignup.event_id == event.id,
                EventSignup.officer_id == officer.id,
                EventSignup.withdrawn_at.is_(None),
            )
        )
        if signup is None:
            raise NotFound("the officer is not signed up to this event")
        if not signups_open(event.signup_deadline, now):
            raise Conflict("the sign-up deadline has passed; ask the event's organiser")
        signup.withdrawn_at = now
        duty = session.get(Duty, signup.duty_id)
        if duty is not None and duty.status == DutyStatus.BOOKED:
            duty.status, duty.updated_at = DutyStatus.CANCELLED, now
        audit.about(
            officer,
            session,
            principal,
            "event.withdraw",
            "event",
            event.id,
            changes={"duty_id": signup.duty_id},
        )
        return signup
