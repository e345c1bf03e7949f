"""Reads of events and their sign-ups, limited to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, and_, or_, select
from sqlalchemy.orm import Session, aliased

from ..auth.scope import Permission, Principal, authorise_force
from ..clock import utc_now
from ..duties.models import Officer
from ..duties.queries import load_officer
from ..errors import Forbidden, NotFound
from ..forces.models import Force
from ..forces.queries import force_id_by_code
from ..pagination import Page, paginate
from .models import Event, EventSignup, places_taken
from .rules import places_left
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
    page: int,
    per_page: int,
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
        already = select(EventSignup.event_id).where(
            EventSignup.officer_id == officer.id, EventSignup.withdrawn_at.is_(None)
        )
        query = query.where(
            _open_to(officer.force),
            Event.signup_deadline > utc_now(),
            live_signups() < Event.capacity,
            Event.id.not_in(already),
        )
    result = paginate(
        session, query.order_by(Event.starts_at, Event.id), page, per_page, scalars=False
    )
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


def signups(session: Session, principal: Principal, event_id: int) -> list[SignupView]:
    """Who is signed up: for the host force's supervisors and planners. Only what the sign-up
    needs of an officer of another force: reference, force and rank, never names."""
    event = load_event(session, event_id)
    try:
        authorise_force(principal, Permission.READ_REPORTS, force_id=event.force_id)
    except Forbidden:
        if not principal.is_national and principal.force_id != event.force_id:
            raise NotFound("no event with that id") from None
        raise
    rows = session.execute(
        select(EventSignup, Officer.warrant_number, Officer.rank, Force.code)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .join(Force, Force.id == Officer.force_id)
        .where(EventSignup.event_id == event.id, EventSignup.withdrawn_at.is_(None))
        .order_by(EventSignup.signed_up_at, EventSignup.id)
    ).all()
    return [
        SignupView(s.officer_id, f"{code}-{warrant}", code, rank, s.duty_id, s.signed_up_at)
        for s, warrant, rank, code in rows
    ]
