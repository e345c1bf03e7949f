"""Mutual-aid release (API.md "Events"): the officer's own force answers a sign-up to another
force's event. Every answer is a conditional write on the duty's status (duties.change_status):
of two answers at once one wins and the other is told 409."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..audit import ServiceActor
from ..auth.scope import Permission, Principal, authorise_officer
from ..clock import utc_now
from ..db import Database
from ..duties.models import Duty
from ..duties.rules import DutyStatus
from ..duties.service import change_status
from ..errors import Conflict, NotFound
from ..outbox import Kind, queue
from .aid_messages import answer_recipients
from .models import Event, EventSignup, live_duty
from .rules import Answer, signups_open
from .service import CHANGED_MEANWHILE

#: The lapse at the deadline is the service's own doing.
DEADLINE = ServiceActor("scheduler", "mutual-aid deadline")


def release(
    db: Database, principal: Principal, event_id: int, officer_id: int, now: datetime | None = None
) -> EventSignup:
    """The officer's force releases them: the sign-up is confirmed and its duty booked."""
    return _answer(db, principal, event_id, officer_id, Answer.RELEASED, None, now)


def decline(
    db: Database,
    principal: Principal,
    event_id: int,
    officer_id: int,
    reason: str,
    now: datetime | None = None,
) -> EventSignup:
    """The officer's force declines: the place and the officer's time are freed."""
    return _answer(db, principal, event_id, officer_id, Answer.DECLINED, reason, now)


_BECOMES = {Answer.RELEASED: DutyStatus.BOOKED, Answer.DECLINED: DutyStatus.CANCELLED}
_TOLD = {Answer.RELEASED: Kind.RELEASED, Answer.DECLINED: Kind.DECLINED, Answer.LAPSED: Kind.LAPSED}


def _answer(
    db: Database,
    principal: Principal,
    event_id: int,
    officer_id: int,
    answer: Answer,
    reason: str | None,
    now: datetime | None,
) -> EventSignup:
    now = now or utc_now()
    with db.transaction() as session:
        signup = _request_of(session, principal, event_id, officer_id)
        event = session.get(Event, event_id)
        assert event is not None  # the sign-up refers to it
        if not signups_open(event.signup_deadline, now):
            raise Conflict("the request lapsed at the sign-up deadline")
        if not change_status(session, signup.duty_id, DutyStatus.REQUESTED, _BECOMES[answer], now):
            raise Conflict(CHANGED_MEANWHILE)
        signup.answer, signup.answered_at, signup.answer_reason = answer, now, reason
        officer = signup.duty.officer
        changes = {"duty_id": signup.duty_id} | ({"reason": reason} if reason else {})
        audit.about(
            officer, session, principal, f"event.{answer}", "event", event_id, changes=changes
        )
        queue(session, answer_recipients(_TOLD[answer], [signup.id]), utc_now())
        session.flush()
        session.refresh(signup.duty)
        return signup


def _request_of(
    session: Session, principal: Principal, event_id: int, officer_id: int
) -> EventSignup:
    """The officer's live sign-up to the event, if the caller may answer for their force: the
    officer's own force (supervisors, authorisers) or an admin. The host force, which cannot see
    another force's officer, is told 404; a Special or planner of the force 403."""
    signup = session.scalar(
        select(EventSignup)
        .join(EventSignup.duty)
        .where(EventSignup.event_id == event_id, EventSignup.officer_id == officer_id, live_duty())
    )
    if signup is None:
        raise NotFound("no sign-up of that officer to that event")
    officer = signup.duty.officer
    authorise_officer(
        principal, Permission.RELEASE_AID, force_id=officer.force_id, officer_id=officer.id
    )
    if signup.duty.status != DutyStatus.REQUESTED:
        raise Conflict(f"the sign-up is {signup.status}, not requested")
    return signup


def lapse_due(db: Database, now: datetime | None = None) -> int:
    """The scheduler's job: requests unanswered at their event's sign-up deadline lapse, and
    their places and officers' time are freed. Run twice at once, each request lapses once."""
    now = now or utc_now()
    with db.transaction() as session:
        due = session.execute(
            select(EventSignup.id, EventSignup.duty_id, Duty.officer_id, EventSignup.event_id)
            .join(Duty, Duty.id == EventSignup.duty_id)
            .join(Event, Event.id == EventSignup.event_id)
            .where(Duty.status == DutyStatus.REQUESTED, Event.signup_deadline <= now)
            .order_by(EventSignup.id)
        ).all()
        lapsed = [
            row
            for row in due
            if change_status(session, row.duty_id, DutyStatus.REQUESTED, DutyStatus.CANCELLED, now)
        ]
        for row in lapsed:
            signup = session.get_one(EventSignup, row.id)
            signup.answer, signup.answered_at = Answer.LAPSED, now
            audit.about(
                signup.duty.officer,
                session,
                DEADLINE,
                "event.lapse",
                "event",
                row.event_id,
                changes={"duty_id": row.duty_id},
            )
        if lapsed:
            queue(session, answer_recipients(Kind.LAPSED, [row.id for row in lapsed]), utc_now())
        return len(lapsed)
