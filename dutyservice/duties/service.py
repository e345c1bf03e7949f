"""Officer, duty and availability use cases. Each opens one transaction and commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..auth.scope import Permission, Principal, Role, authorise_force, authorise_officer
from ..clock import london_day_of, start_of_london_day, to_utc, utc_now
from ..db import Database, end_live, flush_or_conflict, violated_constraint
from ..errors import Conflict, Invalid, NotFound, RaceLost
from ..forces.models import DutyType
from ..forces.queries import force_by_code
from . import booking_statement
from .booking_statement import OverlapRefused, duty_parameters
from .models import RANKS, AvailabilityWindow, Duty, Officer
from .queries import load_officer
from .rules import (
    LONGEST_DUTY,
    SELF_SERVICE_FIELDS,
    DutyStatus,
    Service,
    audited,
    availability_errors,
    completion_errors,
    contact_columns,
    duty_time_errors,
    elapsed_hours,
    first_overlapping,
    outside_range,
    overlaps,
    serving_on,
)

OFFICER_FIELDS = ("warrant_number", "surname", "forenames", "rank", "base_location", "joined_on")


@dataclass(frozen=True)
class Edit:
    """Changes to a record, and the version the client last read (If-Match) where it sent one:
    a stale version changes nothing."""

    changes: dict[str, Any]
    if_match: int | None = None

    def check_current(self, version: int) -> None:
        if self.if_match is not None and self.if_match != version:
            raise Conflict(
                "the record has changed since you read it (stale If-Match); read it again"
            )


def _apply(row: Officer | Duty, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the values that differ from the row's; those, for the audit trail."""
    changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    if changed:
        row.updated_at = utc_now()
    return changed


def _check_rank(rank: str) -> None:
    if rank not in RANKS:
        raise Invalid("unknown rank", errors={"rank": [f"one of {', '.join(RANKS)}"]})


def service_held(session: Session, officer_id: int, *, changing: bool = False) -> Service:
    """The officer's service as stored now, its row held until commit (PostgreSQL; SQLite's
    write transactions are serialised already).

    Completions share the hold (FOR SHARE), so that completions of one officer still run side
    by side; a change of service takes it alone (FOR UPDATE). So a completion never decides on
    a service that is being changed, and a change never misses a completion in flight.
    """
    joined_on, left_on = session.execute(
        select(Officer.joined_on, Officer.left_on)
        .where(Officer.id == officer_id)
        .with_for_update(read=not changing)
    ).one()
    return Service(joined_on, left_on)


def _refuse_completed_outside(session: Session, officer_id: int, service: Service) -> None:
    """A change of service may not leave a completed duty's hours outside it."""
    outside = [Duty.actual_starts_at < start_of_london_day(service.joined_on)]
    if service.left_on is not None:
        outside.append(Duty.actual_ends_at > start_of_london_day(service.left_on))
    duty_id = session.scalar(
        select(Duty.id)
        .where(Duty.officer_id == officer_id, Duty.status == DutyStatus.COMPLETED, or_(*outside))
        .limit(1)
    )
    if duty_id is not None:
        raise Conflict(
            f"the officer completed duty {duty_id} outside that service",
            extra={"conflicting_duty_id": duty_id},
        )


# Officers ---------------------------------------------------------------------------------------


def create_officer(db: Database, principal: Principal, data: dict[str, Any]) -> Officer:
    with db.transaction() as session:
        force = force_by_code(session, data["force"])
        authorise_force(principal, Permission.MANAGE_OFFICERS, force_id=force.id)
        _check_rank(data["rank"])
        now = utc_now()
        contact = contact_columns(data)
        officer = Officer(
            force=force,
            **{k: data[k] for k in OFFICER_FIELDS},
            **contact,
            created_at=now,
            updated_at=now,
        )
        session.add(officer)
        flush_or_conflict(session, "that warrant number is already used in this force")
        audit.record(
            session,
            principal,
            "officer.create",
            "officer",
            officer.id,
            officer_id=officer.id,
            force_id=force.id,
            changes={k: data[k] for k in OFFICER_FIELDS} | audited(contact),
        )
        return officer


def change_officer(session: Session, principal: Principal, officer_id: int, edit: Edit) -> Officer:
    """Change an officer's record in the caller's transaction; `ips.serving.update_officer`
    is the use case, which also brings the spans of eligibility to a new joining day."""
    # A Special may change how they are told (API.md "Notifications"); the rest is managed.
    asked = edit.changes
    permission = (
        Permission.BOOK_DUTIES if set(asked) <= SELF_SERVICE_FIELDS else Permission.MANAGE_OFFICERS
    )
    changes = {k: v for k, v in asked.items() if k not in SELF_SERVICE_FIELDS} | contact_columns(
        asked
    )
    officer = load_officer(session, principal, officer_id, permission)
    edit.check_current(officer.version)
    if "rank" in changes:
        _check_rank(changes["rank"])
    joined_on = changes.get("joined_on", officer.joined_on)
    if officer.left_on is not None and joined_on > officer.left_on:
        raise Invalid("joined after leaving", errors={"joined_on": ["after left_on"]})
    if joined_on != officer.joined_on:
        service_held(session, officer.id, changing=True)
        _refuse_completed_outside(session, officer.id, Service(joined_on, officer.left_on))
    changed = _apply(officer, changes)
    flush_or_conflict(session, "that warrant number is already used in this force")
    if changed:
        audit.about(
            officer,
            session,
            principal,
            "officer.update",
            "officer",
            officer.id,
            changes=audited(changed),
        )
    return officer


def end_service(session: Session, principal: Principal, officer_id: int, left_on: date) -> Officer:
    """Record the officer's leaving in the caller's transaction; `ips.serving.officer_leaves`
    is the use case, which also ends the officer's spans of eligibility on that day."""
    officer = load_officer(session, principal, officer_id, Permission.MANAGE_OFFICERS)
    if officer.left_on is not None:
        raise Conflict(f"the officer already left on {officer.left_on.isoformat()}")
    if left_on < officer.joined_on:
        raise Invalid("left before joining", errors={"left_on": ["before joined_on"]})
    service_held(session, officer.id, changing=True)
    _refuse_completed_outside(session, officer.id, Service(officer.joined_on, left_on))
    end_live(
        session,
        officer,
        Officer.left_on.is_(None),
        "the officer has already left",
        left_on=left_on,
        updated_at=utc_now(),
        version=Officer.version + 1,
    )
    audit.about(
        officer,
        session,
        principal,
        "officer.leave",
        "officer",
        officer.id,
        changes={"left_on": left_on},
    )
    return officer


# Duties -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyBooking:
    officer_id: int
    starts_at: datetime
    ends_at: datetime
    duty_type: str
    location: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts_at", to_utc(self.starts_at))
        object.__setattr__(self, "ends_at", to_utc(self.ends_at))


def duty_type_of(session: Session, force_id: int, code: str) -> DutyType:
    duty_type = session.scalar(
        select(DutyType).where(DutyType.force_id == force_id, DutyType.code == code)
    )
    if duty_type is None:
        known = session.scalars(
            select(DutyType.code).where(DutyType.force_id == force_id).order_by(DutyType.code)
        )
        raise Invalid(
            "unknown duty type",
            errors={"duty_type": [f"one of the force's types: {', '.join(known)}"]},
        )
    return duty_type


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    errors = duty_time_errors(starts_at, ends_at)
    if errors:
        raise Invalid("the duty's times are not valid", errors=errors)


def check_serving(officer: Officer, starts_at: datetime) -> None:
    if not serving_on(london_day_of(starts_at), officer.joined_on, officer.left_on):
        raise Invalid(
            "the officer is not serving then",
            errors={"starts_at": ["outside the officer's service"]},
        )


def refuse_overlap(
    session: Session,
    officer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    ignore_duty_id: int | None = None,
) -> None:
    query = select(Duty.id, Duty.starts_at, Duty.ends_at).where(
        Duty.officer_id == officer_id,
        Duty.status != DutyStatus.CANCELLED,
        *Duty.overlapping(starts_at, ends_at),
    )
    if ignore_duty_id is not None:
        query = query.where(Duty.id != ignore_duty_id)
    clash = session.execute(query.limit(1)).first()
    if clash is not None and overlaps(clash.starts_at, clash.ends_at, starts_at, ends_at):
        raise Conflict(
            f"the officer already has duty {clash.id} overlapping that time",
            extra={"conflicting_duty_id": clash.id},
        )


_OVERLAP = "the officer already has a duty overlapping that time"


def officer_booked_for(principal: Principal, officer_id: int | None) -> int:
    """The officer a booking is for: a Special's own when it names none (API.md, Duties)."""
    if officer_id is not None:
        return officer_id
    if principal.role is Role.SPECIAL and principal.officer_id is not None:
        return principal.officer_id
    raise Invalid(
        "officer_id is required unless a special books their own duty",
        errors={"officer_id": ["Missing data for required field."]},
    )


def book_duty(db: Database, principal: Principal, booking: DutyBooking) -> Duty:
    try:
        return _book(db, principal, booking)
    except OverlapRefused:
        raise_overlap_refused(db, booking.officer_id, booking.starts_at, booking.ends_at)


def raise_overlap_refused(
    db: Database, officer_id: int, starts_at: datetime, ends_at: datetime
) -> NoReturn:
    """PostgreSQL's constraint refused a duty: name the one it clashed with, committed by now."""
    with db.reading() as session:
        refuse_overlap(session, officer_id, starts_at, ends_at)
    raise Conflict(_OVERLAP)


@dataclass(frozen=True)
class BookedAs:
    """What a booking makes besides its times and place: a plain duty, or an event's duty
    (`requested` where a supervisor answers the sign-up first)."""

    event_id: int | None = None
    status: DutyStatus = DutyStatus.BOOKED


PLAIN_BOOKING = BookedAs()


def add_booked_duty(
    session: Session,
    officer: Officer,
    duty_type: DutyType,
    booking: DutyBooking,
    booked_as: BookedAs = PLAIN_BOOKING,
) -> Duty:
    """The duty row a booking makes (a plain booking, or an event sign-up), not yet flushed."""
    duty = Duty(**booked_values(officer, duty_type, booking, booked_as))
    duty.officer, duty.duty_type = officer, duty_type
    session.add(duty)
    return duty


def booked_values(
    officer: Officer,
    duty_type: DutyType,
    booking: DutyBooking,
    booked_as: BookedAs = PLAIN_BOOKING,
) -> dict[str, Any]:
    """The columns of the duty a booking makes (a sign-up's may be `requested`)."""
    now = utc_now()
    return {
        "officer_id": officer.id,
        "duty_type_id": duty_type.id,
        "event_id": booked_as.event_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "location": booking.location,
        "notes": booking.notes,
        "status": booked_as.status,
        "created_at": now,
        "updated_at": now,
        "version": 1,  # named: a statement's INSERT ... SELECT does not fill in defaults
    }


# The officer and their force's duty type in one round trip: booking is the busiest write.
_OFFICER_AND_DUTY_TYPE = (
    select(Officer, DutyType)
    .outerjoin(
        DutyType,
        (DutyType.force_id == Officer.force_id) & (DutyType.code == bindparam("duty_type")),
    )
    .where(Officer.id == bindparam("officer_id"))
)


def _book(db: Database, principal: Principal, booking: DutyBooking) -> Duty:
    with db.transaction() as session:
        row = session.execute(
            _OFFICER_AND_DUTY_TYPE,
            {"officer_id": booking.officer_id, "duty_type": booking.duty_type},
        ).first()
        if row is None:
            raise NotFound("no officer with that id")
        officer, duty_type = row
        authorise_officer(
            principal, Permission.BOOK_DUTIES, force_id=officer.force_id, officer_id=officer.id
        )
        _check_times(booking.starts_at, booking.ends_at)
        check_serving(officer, booking.starts_at)
        if duty_type is None:
            duty_type = duty_type_of(session, officer.force_id, booking.duty_type)  # says which
        if db.dialect == "postgresql":
            return _insert_booked_duty(session, principal, officer, duty_type, booking)
        # SQLite has no exclusion constraint; its IMMEDIATE transaction serialises bookings,
        # so this check sees every committed duty.
        refuse_overlap(session, officer.id, booking.starts_at, booking.ends_at)
        duty = add_booked_duty(session, officer, duty_type, booking)
        session.flush()
        audit.about(
            officer,
            session,
            principal,
            "duty.book",
            "duty",
            duty.id,
            changes=_booking_changes(booking, duty_type),
        )
        return duty


def _insert_booked_duty(
    session: Session,
    principal: Principal,
    officer: Officer,
    duty_type: DutyType,
    booking: DutyBooking,
) -> Duty:
    """The duty and its audit entry, by one statement (booking_statement)."""
    values = booked_values(officer, duty_type, booking)
    entry = audit.entry_parameters(
        principal,
        "duty.book",
        "duty",
        force_id=officer.force_id,
        changes=_booking_changes(booking, duty_type),
    )
    statement = booking_statement.insert_duty(tuple(values), tuple(entry))
    with booking_statement.constraints_as_refusals():
        duty: Duty = session.scalars(statement, duty_parameters(values) | entry).one()
    # The statement loads the duty's columns only; its officer and duty type are those above.
    set_committed_value(duty, "officer", officer)
    set_committed_value(duty, "duty_type", duty_type)
    return duty


def _booking_changes(booking: DutyBooking, duty_type: DutyType) -> dict[str, Any]:
    return {
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "duty_type": duty_type.code,
        "location": booking.location,
    }


def load_duty(session: Session, principal: Principal, duty_id: int, permission: Permission) -> Duty:
    """The duty, if the caller may `permission` on its officer's records (outside: 404)."""
    duty = session.get(Duty, duty_id)
    if duty is None:
        raise NotFound("no duty with that id")
    authorise_officer(
        principal,
        permission,
        force_id=duty.officer.force_id,
        officer_id=duty.officer_id,
        what="duty",
    )
    return duty


def _require_status(duty: Duty, *allowed: DutyStatus) -> None:
    if duty.status not in allowed:
        raise Conflict(f"the duty is {duty.status}")


def change_duty(db: Database, principal: Principal, duty_id: int, edit: Edit) -> Duty:
    changes = edit.changes
    with db.transaction() as session:
        duty = load_duty(session, principal, duty_id, Permission.BOOK_DUTIES)
        edit.check_current(duty.version)
        _require_status(duty, DutyStatus.BOOKED)
        starts_at = changes.get("starts_at", duty.starts_at)
        ends_at = changes.get("ends_at", duty.ends_at)
        if duty.event_id is not None and (starts_at, ends_at) != (duty.starts_at, duty.ends_at):
            raise Conflict(
                "the duty books a place on an event, whose times it keeps: "
                "withdraw from the event instead",
                extra={"event_id": duty.event_id},
            )
        _check_times(starts_at, ends_at)
        check_serving(duty.officer, starts_at)
        if "duty_type" in changes:
            changes["duty_type"] = duty_type_of(
                session, duty.officer.force_id, changes["duty_type"]
            )
        refuse_overlap(session, duty.officer_id, starts_at, ends_at, ignore_duty_id=duty.id)
        changed = _apply(duty, changes)
        if changed:
            flush_or_conflict(session, _OVERLAP)
            if "duty_type" in changed:
                changed["duty_type"] = changed["duty_type"].code
            audit.about(
                duty.officer,
                session,
                principal,
                "duty.change",
                "duty",
                duty.id,
                changes=changed,
            )
        return duty


def cancel_duty(db: Database, principal: Principal, duty_id: int) -> Duty:
    with db.transaction() as session:
        duty = load_duty(session, principal, duty_id, Permission.BOOK_DUTIES)
        if duty.status == DutyStatus.CANCELLED:
            return duty
        # A sign-up's duty cancelled is the sign-up withdrawn (events.rules.signup_status), so
        # its place is free and the officer may sign up again, whatever the deadline.
        _require_status(duty, DutyStatus.BOOKED, DutyStatus.REQUESTED)
        duty.status = DutyStatus.CANCELLED
        duty.updated_at = utc_now()
        audit.about(
            duty.officer,
            session,
            principal,
            "duty.cancel",
            "duty",
            duty.id,
            changes={"status": DutyStatus.CANCELLED.value},
        )
        if duty.event_id is not None:
            audit.about(
                duty.officer,
                session,
                principal,
                "event.withdraw",
                "event",
                duty.event_id,
                changes={"duty_id": duty.id, "by": "duty.cancel"},
            )
        return duty


_COUNTED_TWICE = "the officer already has a completed duty overlapping those actual times"


def _refuse_counted_twice(
    session: Session, officer_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    """Conflict when the officer has a completed duty overlapping these actual times.

    PostgreSQL's ex_duties_actual_no_overlap holds this also for completions at the same
    moment; on SQLite this transaction is IMMEDIATE, so the check sees every completion."""
    completed = session.execute(
        select(Duty.id, Duty.actual_starts_at, Duty.actual_ends_at).where(
            Duty.officer_id == officer_id,
            Duty.status == DutyStatus.COMPLETED,
            Duty.actual_starts_at > starts_at - LONGEST_DUTY,
            Duty.actual_starts_at < ends_at,
        )
    )
    clash = first_overlapping(
        ((i, s, e) for i, s, e in completed if s is not None and e is not None),
        starts_at,
        ends_at,
    )
    if clash is not None:
        raise Conflict(_COUNTED_TWICE, extra={"conflicting_duty_id": clash})


def complete_duty(
    db: Database,
    principal: Principal,
    duty_id: int,
    actual_starts_at: datetime | None,
    actual_ends_at: datetime | None,
) -> Duty:
    with db.transaction() as session:
        duty = load_duty(session, principal, duty_id, Permission.BOOK_DUTIES)
        _require_status(duty, DutyStatus.BOOKED)
        starts_at = to_utc(actual_starts_at or duty.starts_at)
        ends_at = to_utc(actual_ends_at or duty.ends_at)
        errors = completion_errors(
            starts_at, ends_at, service_held(session, duty.officer_id), utc_now()
        )
        if errors:
            raise Invalid("the actual times are not valid", errors=errors)
        _refuse_counted_twice(session, duty.officer_id, starts_at, ends_at)
        duty.status = DutyStatus.COMPLETED
        duty.actual_starts_at, duty.actual_ends_at = starts_at, ends_at
        duty.updated_at = utc_now()
        flush_or_conflict(session, _COUNTED_TWICE)
        audit.about(
            duty.officer,
            session,
            principal,
            "duty.complete",
            "duty",
            duty.id,
            changes={
                "status": DutyStatus.COMPLETED.value,
                "actual_starts_at": starts_at,
                "actual_ends_at": ends_at,
                "hours": elapsed_hours(starts_at, ends_at),
            },
        )
        return duty


# Availability -----------------------------------------------------------------------------------


def replace_availability(
    db: Database,
    principal: Principal,
    officer_id: int,
    range_start: datetime,
    range_end: datetime,
    windows: list[tuple[datetime, datetime]],
) -> list[AvailabilityWindow]:
    """Replace what the officer declared within [range_start, range_end); outside it is kept."""
    ordered = sorted(windows)
    errors = availability_errors(range_start, range_end, ordered)
    if errors:
        raise Invalid("the availability is not valid", errors=errors)
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        straddling = session.scalars(
            select(AvailabilityWindow).where(
                AvailabilityWindow.officer_id == officer.id,
                AvailabilityWindow.starts_at < range_end,
                AvailabilityWindow.ends_at > range_start,
            )
        ).all()
        kept = outside_range(((w.starts_at, w.ends_at) for w in straddling), range_start, range_end)
        if straddling:
            session.execute(
                delete(AvailabilityWindow).where(
                    AvailabilityWindow.id.in_([w.id for w in straddling])
                )
            )
        # Added once the windows they come from are gone, so that no two ever overlap.
        session.add_all(
            AvailabilityWindow(officer_id=officer.id, starts_at=s, ends_at=e) for s, e in kept
        )
        created = [
            AvailabilityWindow(officer_id=officer.id, starts_at=s, ends_at=e) for s, e in ordered
        ]
        session.add_all(created)
        _flush_windows(session)
        audit.about(
            officer,
            session,
            principal,
            "availability.replace",
            "officer",
            officer.id,
            changes={"from": range_start, "to": range_end, "windows": len(created)},
        )
        return created


def _flush_windows(session: Session) -> None:
    """The windows written; on PostgreSQL ex_availability_windows_no_overlap holds them apart.

    What this replacement keeps and adds cannot overlap by itself (checked above), so a clash
    is with windows another replacement committed meanwhile: the race is lost, and running the
    replacement again reads and replaces them.
    """
    try:
        session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == "ex_availability_windows_no_overlap":
            raise RaceLost(
                "another change to this availability was made at the same moment"
            ) from exc
        raise


def change_status(
    session: Session, duty_id: int, was: DutyStatus, becomes: DutyStatus, now: datetime
) -> bool:
    """Move the duty from `was` to `becomes` if it is still `was`: a conditional write, so that
    of two changes made at once from the same state one wins and the other is told (False).
    On PostgreSQL the second waits for the first to commit, then finds the state changed."""
    changed = session.execute(
        update(Duty)
        .where(Duty.id == duty_id, Duty.status == was)
        .values(status=becomes, updated_at=now, version=Duty.version + 1)
        .execution_options(synchronize_session=False),
        execution_options={"preserve_rowcount": True},
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]
