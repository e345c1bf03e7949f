"""Event use cases: create, sign up (books a duty), withdraw. Capacity holds under concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..auth.scope import Permission, Principal, authorise_force, authorise_officer
from ..clock import london_days_spanned, utc_now
from ..db import Database, flush_or_conflict
from ..duties import booking_statement
from ..duties.booking_statement import OverlapRefused, duty_parameters
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus, duty_time_errors
from ..duties.service import (
    BookedAs,
    DutyBooking,
    add_booked_duty,
    booked_values,
    change_status,
    check_serving,
    duty_type_of,
    raise_overlap_refused,
    refuse_overlap,
)
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..forces.models import DutyType, Force
from ..forces.queries import force_by_code
from ..ips.learning_rules import StageRequirement, meets_stage
from ..ips.learning_service import as_stage_record, stage_records
from ..ips.queries import evidence_for, role_profile_row, stage_requirement
from ..ips.rules import meets_profile, missing_requirements
from ..outbox import queue
from .aid_messages import aid_request_recipients
from .callouts import callout_recipients
from .models import Event, EventSignup, live_duty, places_taken
from .requirement import event_requirement
from .rules import OpenTo, needs_release, open_to_force, signups_open
from .signup_statement import insert_signup


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
        stage = _stage_asked(data, profile_id is not None)
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
            required_stage=stage.stage if stage else None,
            required_area=stage.area if stage else None,
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
        # API.md "Call-out": in the event's own transaction
        queue(session, callout_recipients(event), utc_now())
        return event


def _visible_to(event: Event, force: Force) -> bool:
    return open_to_force(
        OpenTo(event.open_to), event.force.code, event.force.region, force.code, force.region
    )


def load_event(session: Session, event_id: int) -> Event:
    event = session.scalar(select(Event).where(Event.id == event_id))
    if event is None:
        raise NotFound("no event with that id")
    return event


def _live_signups(session: Session, event_id: int) -> int:
    return session.scalar(select(places_taken(event_id))) or 0


@dataclass(frozen=True)
class _Joining:
    """What decides whether an officer may join an event, read at once."""

    officer: Officer
    event: Event
    duty_type: DutyType | None
    signed_up: bool
    live_signups: int


_JOINING = (
    select(
        Officer,
        Event,
        DutyType,
        exists().where(Duty.event_id == Event.id, Duty.officer_id == Officer.id, live_duty()),
        places_taken(Event.id),
    )
    .select_from(Officer)
    .join(Event, Event.id == bindparam("event_id"))
    .outerjoin(
        DutyType, (DutyType.force_id == Officer.force_id) & (DutyType.code == Event.duty_type)
    )
    .where(Officer.id == bindparam("officer_id"))
)


def _joining(session: Session, principal: Principal, event_id: int, officer_id: int) -> _Joining:
    row = session.execute(_JOINING, {"event_id": event_id, "officer_id": officer_id}).first()
    if row is None:
        load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)  # says which
        raise NotFound("no event with that id")
    joining = _Joining(row[0], row[1], row[2], bool(row[3]), int(row[4]))
    officer = joining.officer
    authorise_officer(
        principal, Permission.BOOK_DUTIES, force_id=officer.force_id, officer_id=officer.id
    )
    return joining


def sign_up(
    db: Database, principal: Principal, event_id: int, officer_id: int, now: datetime | None = None
) -> EventSignup:
    """Book the officer onto the event. 409: full, closed, already signed up, overlapping;
    422: the event's role profile is not met on every day of it.

    One transaction: the checks read in one statement; the write then queues on the event's
    row, so that counting places and taking one cannot interleave with another sign-up. A
    refusal (most of a call-out storm's answers) has written nothing when it is made, and ends
    the transaction with COMMIT: psycopg forgets a connection's prepared statements on rollback.
    """
    now = now or utc_now()
    try:
        with db.transaction() as session:
            try:
                place = _place_for(session, principal, event_id, officer_id, now)
            except DomainError as refused:
                refusal = refused
            else:
                return _take_place(session, db.dialect, principal, place)
    except OverlapRefused:
        raise_overlap_refused(db, officer_id, place.booking.starts_at, place.booking.ends_at)
    raise refusal


def _place_for(
    session: Session, principal: Principal, event_id: int, officer_id: int, now: datetime
) -> _Place:
    """The place the officer would take on the event; refused as the checks decide."""
    joining = _joining(session, principal, event_id, officer_id)
    officer, event = joining.officer, joining.event
    _check_may_join(session, joining, now)
    duty_type = joining.duty_type or duty_type_of(session, officer.force_id, event.duty_type)
    booking = DutyBooking(
        officer.id,
        event.starts_at,
        event.ends_at,
        event.duty_type,
        location=event.location,
        notes=event.title,
    )
    check_serving(officer, booking.starts_at)
    held = needs_release(event.force.code, officer.force.code, officer.force.auto_release)
    status = DutyStatus.REQUESTED if held else DutyStatus.BOOKED
    return _Place(officer, event, duty_type, booking, signed_up_at=now, status=status)


def _stage_asked(data: dict[str, Any], has_profile: bool) -> StageRequirement | None:
    """The stage of the learning programme an event requires instead of a role profile."""
    if data.get("stage") is None:
        if data.get("area") is not None:
            raise Invalid("an area is asked for with a stage", errors={"area": ["needs stage QSC"]})
        return None
    if has_profile:
        raise Invalid(
            "an event requires a role profile or a stage, not both",
            errors={"stage": ["leave out mercury_ref to require a stage"]},
        )
    return stage_requirement(data["stage"], data.get("area"))


def _check_requirement(session: Session, event: Event, officer: Officer) -> None:
    """422 unless the officer meets the event's role profile or stage on every day of it."""
    requirement = event_requirement(event)
    if requirement is None:
        return
    first, last = london_days_spanned(event.starts_at, event.ends_at)
    evidence = evidence_for(session, officer)
    if isinstance(requirement, StageRequirement):
        records = [as_stage_record(r) for r in stage_records(session, officer.id)]
        if not meets_stage(evidence, records, requirement.stage, requirement.area, first, last):
            raise Invalid(
                "the officer does not meet the event's stage on every day",
                errors={"officer_id": [f"is not at {requirement.describe()} on every day"]},
            )
    elif not meets_profile(evidence, requirement, first, last):
        raise Invalid(
            "the officer does not meet the event's role profile on every day",
            errors={"officer_id": ["does not meet the role profile"]},
            extra={"missing": missing_requirements(evidence, requirement, first, last)},
        )


def _check_may_join(session: Session, joining: _Joining, now: datetime) -> None:
    """What the officer's own records and the event's terms decide."""
    event, officer = joining.event, joining.officer
    if not _visible_to(event, officer.force):
        raise NotFound("no event with that id open to this officer")
    if not signups_open(event.signup_deadline, now):
        raise Conflict("sign-ups to this event have closed")
    if joining.signed_up:
        raise Conflict("the officer is already signed up to this event")
    if joining.live_signups >= event.capacity:
        raise Conflict(_FULL)
    _check_requirement(session, event, officer)


_FULL = "the event is full"
_ALREADY = "the officer is already signed up or has an overlapping duty"


@dataclass(frozen=True)
class _Place:
    """A place on an event as the officer would take it: the duty it books, and when."""

    officer: Officer
    event: Event
    duty_type: DutyType
    booking: DutyBooking
    signed_up_at: datetime
    status: DutyStatus  # requested: waits for the officer's own force to release them

    @property
    def booked_as(self) -> BookedAs:
        return BookedAs(self.event.id, self.status)


def _take_place(session: Session, dialect: str, principal: Principal, place: _Place) -> EventSignup:
    _queue_on_event(session, place.event.id)
    if dialect == "postgresql":
        signup = _insert_signup(session, principal, place)
    else:
        signup = _add_signup(session, principal, place)
    if place.status is DutyStatus.REQUESTED and place.officer.force.aid_contact_email:
        queue(session, aid_request_recipients(signup.id), utc_now())
    return signup


def _add_signup(session: Session, principal: Principal, place: _Place) -> EventSignup:
    """SQLite's sign-up through the ORM: its IMMEDIATE transaction serialises the count."""
    officer, event = place.officer, place.event
    if _live_signups(session, event.id) >= event.capacity:
        raise Conflict(_FULL)
    refuse_overlap(session, officer.id, event.starts_at, event.ends_at)
    duty = add_booked_duty(session, officer, place.duty_type, place.booking, place.booked_as)
    session.flush()
    signup = EventSignup(
        event_id=event.id,
        officer_id=officer.id,
        duty_id=duty.id,
        signed_up_at=place.signed_up_at,
    )
    signup.duty = duty
    session.add(signup)
    flush_or_conflict(session, _ALREADY)
    audit.about(
        officer, session, principal, "event.signup", "event", event.id,
        changes={"duty_id": duty.id},
    )  # fmt: skip
    return signup


def _queue_on_event(session: Session, event_id: int) -> None:
    """Every sign-up to the event waits here for the one before it to commit, so that it counts
    the places that one took (PostgreSQL; SQLite's IMMEDIATE transaction serialises every
    write). A storm's throughput is one over the time this is held."""
    session.execute(select(Event.id).where(Event.id == event_id).with_for_update())


def _insert_signup(session: Session, principal: Principal, place: _Place) -> EventSignup:
    """The duty, the sign-up and its entry in the trail by one statement (signup_statement),
    if a place is left."""
    officer, event = place.officer, place.event
    values = booked_values(officer, place.duty_type, place.booking, place.booked_as)
    entry = audit.entry_parameters(principal, "event.signup", "event", force_id=officer.force_id)
    statement = insert_signup(tuple(values), tuple(entry))
    parameters = duty_parameters(values) | entry
    parameters |= {"event_id": event.id, "capacity": event.capacity}
    parameters |= {"signed_up_at": place.signed_up_at}
    with booking_statement.constraints_as_refusals(_ALREADY):
        signup: EventSignup | None = session.scalars(statement, parameters).one_or_none()
    if signup is None:
        raise Conflict(_FULL)
    # The statement wrote the duty with these values: known without reading it back.
    duty = Duty(id=signup.duty_id, **values)
    make_transient_to_detached(duty)
    session.add(duty)
    set_committed_value(duty, "officer", officer)
    set_committed_value(duty, "duty_type", place.duty_type)
    set_committed_value(signup, "duty", duty)
    return signup


def withdraw(
    db: Database, principal: Principal, event_id: int, officer_id: int, now: datetime | None = None
) -> EventSignup:
    """Give the place up before the deadline: the duty is cancelled, whether it was requested
    or booked. Conditional on the state read: a release or decline made meanwhile wins (409)."""
    now = now or utc_now()
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        event = load_event(session, event_id)
        signup = live_signup(session, event.id, officer.id)
        if signup is None:
            raise NotFound("the officer is not signed up to this event")
        if not signups_open(event.signup_deadline, now):
            raise Conflict("the sign-up deadline has passed; ask the event's organiser")
        was = DutyStatus(signup.duty.status)
        if was is DutyStatus.COMPLETED:
            raise Conflict("the duty is completed")
        if not change_status(session, signup.duty_id, was, DutyStatus.CANCELLED, now):
            raise Conflict(CHANGED_MEANWHILE)
        audit.about(
            officer,
            session,
            principal,
            "event.withdraw",
            "event",
            event.id,
            changes={"duty_id": signup.duty_id},
        )
        session.refresh(signup.duty)
        return signup


CHANGED_MEANWHILE = "the sign-up was answered or withdrawn meanwhile; read it again"


def live_signup(session: Session, event_id: int, officer_id: int) -> EventSignup | None:
    """The officer's sign-up to the event that holds a place (requested or confirmed)."""
    return session.scalar(
        select(EventSignup)
        .join(EventSignup.duty)
        .where(EventSignup.event_id == event_id, EventSignup.officer_id == officer_id, live_duty())
    )
