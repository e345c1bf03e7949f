"""Reads only the pages need, under the same scope rules as everything else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal
from ..duties.models import Officer
from ..duties.queries import load_officer
from ..events.models import EventSignup
from ..forces.models import DutyType, Force


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
            select(EventSignup.event_id).where(
                EventSignup.officer_id == officer.id, EventSignup.withdrawn_at.is_(None)
            )
        )
    )
