"""Reads only the pages need, under the same scope rules as everything else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal
from ..clock import london_day_of, start_of_london_day
from ..duties.models import Duty, Officer
from ..duties.queries import load_officer
from ..duties.rules import DutyStatus
from ..events.models import Event, live_duty
from ..events.queries import SignupView, force_signups
from ..events.rules import SignupStatus
from ..forces.models import DutyType, Force
from ..pagination import PageRequest


@dataclass(frozen=True)
class ForceChoice:
    code: str
    name: str


def forces(session: Session) -> list[ForceChoice]:
    return [
        ForceChoice(code, name)
        for code, name in session.execute(select(Force.code, Force.name).order_by(Force.name))
    ]


def force_code(session: Session, force_id: int) -> str | None:
    return session.scalar(select(Force.code).where(Force.id == force_id))


def duty_type_codes(session: Session, force_id: int) -> list[str]:
    return list(
        session.scalars(
            select(DutyType.code).where(DutyType.force_id == force_id).order_by(DutyType.code)
        )
    )


def visible_names(
    session: Session, principal: Principal, officer_ids: Iterable[int]
) -> dict[int, str]:
    """Names of the officers whose records the caller may read (API.md: names for a planner's
    own force, references only across forces); the others are left out."""
    if not principal.may(Permission.READ_OFFICER):
        return {}
    wanted = list(officer_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Officer.id, Officer.force_id, Officer.forenames, Officer.surname).where(
            Officer.id.in_(wanted)
        )
    )
    return {
        officer_id: f"{forenames} {surname}"
        for officer_id, force_id, forenames, surname in rows
        if principal.covers_officer(force_id, officer_id)
    }


def signed_up_event_ids(session: Session, principal: Principal, officer_id: int) -> set[int]:
    """The events the officer is signed up to now (withdrawn sign-ups left out)."""
    officer = load_officer(session, principal, officer_id)
    return set(
        session.scalars(
            select(Duty.event_id).where(
                Duty.officer_id == officer.id, Duty.event_id.is_not(None), live_duty()
            )
        )
    )


@dataclass(frozen=True)
class AidRequest:
    """A request awaiting the officer's force, with what the page shows beside it."""

    signup: SignupView
    event: Event
    other_duties: list[Duty]  # the officer's other duties that (London) week, not cancelled


def aid_requests(session: Session, principal: Principal) -> list[AidRequest]:
    requests = force_signups(
        session,
        principal,
        force=None,
        status=SignupStatus.REQUESTED,
        requested=PageRequest(1, AID_PAGE),
    ).items
    events = {
        e.id: e
        for e in session.scalars(select(Event).where(Event.id.in_({r.event_id for r in requests})))
    }
    return [
        AidRequest(
            r,
            events[r.event_id],
            _week_around(session, r.officer_id, events[r.event_id], r.duty_id),
        )
        for r in requests
    ]


AID_PAGE = 200


def _week_around(session: Session, officer_id: int, event: Event, duty_id: int) -> list[Duty]:
    """The officer's duties (not cancelled) in the London week, Monday to Sunday, of the start."""
    day = london_day_of(event.starts_at)
    monday = day - timedelta(days=day.weekday())
    start, end = start_of_london_day(monday), start_of_london_day(monday + timedelta(days=7))
    return list(
        session.scalars(
            select(Duty)
            .where(
                Duty.officer_id == officer_id,
                Duty.id != duty_id,
                Duty.status != DutyStatus.CANCELLED,
                *Duty.overlapping(start, end),
            )
            .order_by(Duty.starts_at)
        )
    )
