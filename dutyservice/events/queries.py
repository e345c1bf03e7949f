"""Reads of events and their sign-ups, limited to what the caller may see."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..auth.scope import (
    Permission,
    Principal,
    Role,
    authorise_force,
    readable_force_id,
    require,
)
from ..clock import utc_now
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..errors import Forbidden, NotFound
from ..forces.models import Force
from ..forces.queries import force_id_by_code
from ..pagination import Page, PageRequest, paginate
from .models import Event, EventSignup, live_duty, places_taken, signup_status_sql
from .rules import LIVE, SignupStatus, places_left
from .service import load_event


def _open_to(force: Force) -> ColumnElement[bool]:
    """Events that Specials of `force` may sign up to (the SQL of rules.open_to_force)."""
    host = aliased(Force)
    same_region = select(host.id).where(host.id == Event.force_id, host.region == force.region)
    return or_(
        Event.force_id == force.id,
        Event.open_to == "national",
        and_(Event.open_to == "region", Event.force_id.in_(same_region)),
    )


def live_signups() -> ScalarSelect[int]:
    return places_taken(Event.id).correlate(Event)


@dataclass(frozen=True)
class EventView:
    event: Event
    signed_up: int

    @property
    def places_left(self) -> int:
        return places_left(self.event.capacity, self.signed_up)


def list_events(
    session: Session,
    principal: Principal,
    *,
    force: str | None,
    starts_from: datetime | None,
    starts_before: datetime | None,
    open_for_officer: int | None,
    requested: PageRequest,
) -> Page[EventView]:
    query = select(Event, live_signups().label("signed_up"))
    if not principal.is_national:
        own = session.get(Force, principal.force_id)
        assert own is not None
        query = query.where(_open_to(own))
    if force:
        query = query.where(Event.force_id == force_id_by_code(session, force))
    if starts_from is not None:
        query = query.where(Event.ends_at > starts_from)
    if starts_before is not None:
        query = query.where(Event.starts_at < starts_before)
    if open_for_officer is not None:
        officer = load_officer(session, principal, open_for_officer)
        already = select(Duty.event_id).where(
            Duty.officer_id == officer.id, Duty.event_id.is_not(None), live_duty()
        )
        query = query.where(
            _open_to(officer.force),
            Event.signup_deadline > utc_now(),
            live_signups() < Event.capacity,
            Event.id.not_in(already),
        )
    result = paginate(session, query.order_by(Event.starts_at, Event.id), requested, scalars=False)
    return Page(
        [EventView(row[0], row[1]) for row in result.items],
        result.page,
        result.per_page,
        result.total,
    )


def get_event(session: Session, principal: Principal, event_id: int) -> EventView:
    event = load_event(session, event_id)
    if not principal.is_national:
        own = session.get(Force, principal.force_id)
        visible = (
            own is not None
            and session.scalar(select(Event.id).where(Event.id == event.id, _open_to(own)))
            is not None
        )
        if not visible:
            raise NotFound("no event with that id")
    signed_up = session.scalar(select(live_signups()).where(Event.id == event.id)) or 0
    return EventView(event, signed_up)


@dataclass(frozen=True)
class SignupView:
    officer_id: int
    officer_ref: str
    force: str
    rank: str
    duty_id: int
    signed_up_at: datetime
    status: str
    event_id: int
    answered_at: datetime | None
    answer_reason: str | None


def _signup_rows(where: ColumnElement[bool]) -> Select[EventSignup, str, str, str, str]:
    """Sign-ups with what an item shows of them: only what the host needs of another force's
    officer (reference, force and rank, never names)."""
    status = signup_status_sql()
    return (
        select(EventSignup, Officer.warrant_number, Officer.rank, Force.code, status)
        .join(Duty, Duty.id == EventSignup.duty_id)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .join(Force, Force.id == Officer.force_id)
        .where(where)
        .order_by(EventSignup.signed_up_at, EventSignup.id)
    )


def _views(rows: Iterable[Any]) -> list[SignupView]:
    return [
        SignupView(
            s.officer_id,
            f"{code}-{warrant}",
            code,
            rank,
            s.duty_id,
            s.signed_up_at,
            status,
            s.event_id,
            s.answered_at,
            s.answer_reason,
        )
        for s, warrant, rank, code, status in rows
    ]


def _host_event(
    session: Session, principal: Principal, event_id: int, *, npocc: bool = False
) -> Event:
    """The event, if the caller is of its host force (supervisors, planners) or an admin (or,
    with `npocc`, NPoCC); outside the host force it is absent (404)."""
    event = load_event(session, event_id)
    try:
        authorise_force(principal, Permission.READ_REPORTS, force_id=event.force_id)
    except Forbidden:
        if npocc and principal.role is Role.NPOCC:
            return event
        if not principal.is_national and principal.force_id != event.force_id:
            raise NotFound("no event with that id") from None
        raise
    return event


def signups(
    session: Session,
    principal: Principal,
    event_id: int,
    statuses: Collection[SignupStatus] = LIVE,
) -> list[SignupView]:
    """Who is signed up (by default, those holding a place): for the host force's supervisors
    and planners."""
    event = _host_event(session, principal, event_id)
    wanted = signup_status_sql().in_([s.value for s in statuses])
    return _views(session.execute(_signup_rows((EventSignup.event_id == event.id) & wanted)))


def aid_by_force(
    session: Session, principal: Principal, event_id: int
) -> dict[str, dict[str, int]]:
    """NPoCC's view of a call-out: each other force's sign-ups by state (API.md
    `GET /events/{id}/aid`), for the host force, NPoCC and admins."""
    event = _host_event(session, principal, event_id, npocc=True)
    status = signup_status_sql()
    rows = session.execute(
        select(Force.code, status, func.count())
        .select_from(EventSignup)
        .join(Duty, Duty.id == EventSignup.duty_id)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .join(Force, Force.id == Officer.force_id)
        .where(EventSignup.event_id == event.id, Officer.force_id != event.force_id)
        .group_by(Force.code, status)
    ).all()
    counted = [SignupStatus.REQUESTED, SignupStatus.CONFIRMED, SignupStatus.DECLINED]
    counted.append(SignupStatus.LAPSED)
    by_force: dict[str, dict[str, int]] = {}
    for code, state, count in rows:
        if state in counted:
            by_force.setdefault(code, {s.value: 0 for s in counted})[state] = count
    return by_force


def force_signups(
    session: Session,
    principal: Principal,
    *,
    force: str | None,
    status: SignupStatus | None,
    requested: PageRequest,
) -> Page[SignupView]:
    """Sign-ups of the caller's force's officers to other forces' events (API.md
    `GET /signups`): the requests awaiting its answer, with `status=requested`."""
    require(principal, Permission.RELEASE_AID)
    force_id = readable_force_id(principal, force_id_by_code(session, force) if force else None)
    where: ColumnElement[bool] = exists().where(
        Event.id == EventSignup.event_id, Event.force_id != Officer.force_id
    )
    if force_id is not None:
        where &= Officer.force_id == force_id
    if status is not None:
        where &= signup_status_sql() == status.value
    result = paginate(session, _signup_rows(where), requested, scalars=False)
    return Page(_views(result.items), result.page, result.per_page, result.total)
