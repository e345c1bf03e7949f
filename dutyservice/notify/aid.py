"""Mutual-aid messages: each new request to the officer's force's aid contact (one mail per
request), and the answer to the officer (released, declined or lapsed), once each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, String, cast, literal, select
from sqlalchemy.orm import Session

from ..config import Settings
from ..duties.models import Officer
from ..events.models import Event, EventSignup
from ..forces.models import Force
from . import rules
from .models import Notification
from .rules import Kind

if TYPE_CHECKING:
    from .queries import Recipients


def _subject() -> ColumnElement[str]:
    return literal("signup:", String) + cast(EventSignup.id, String)


def aid_request_recipients(signup_id: int) -> Recipients:
    """The officer's force's aid contact, if the force has one."""
    return (
        select(
            literal(Kind.AID_REQUEST.value, String),
            _subject(),
            literal("force:", String) + cast(Force.id, String),
            Officer.id,
            Force.id,
        )
        .select_from(EventSignup)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .join(Force, Force.id == Officer.force_id)
        .where(EventSignup.id == signup_id, Force.aid_contact_email.is_not(None))
    )


def answer_recipients(kind: Kind, signup_ids: Iterable[int]) -> Recipients:
    """The officers of these sign-ups who have an address: told `kind`."""
    return (
        select(
            literal(kind.value, String),
            _subject(),
            literal("officer:", String) + cast(Officer.id, String),
            Officer.id,
            Officer.force_id,
        )
        .select_from(EventSignup)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .where(EventSignup.id.in_(list(signup_ids)), Officer.email.is_not(None))
    )


def compose_aid(
    session: Session, settings: Settings, note: Notification, signup_id: int
) -> tuple[rules.Text, str] | str:
    """The text of a mutual-aid message and its address, from the records as they are now."""
    signup = session.get(EventSignup, signup_id)
    if signup is None:
        return "the sign-up no longer exists"
    officer, event = signup.duty.officer, session.get(Event, signup.event_id)
    if event is None:
        return "the event no longer exists"
    facts = rules.AidFacts(
        f"{officer.rank} {officer.forenames} {officer.surname} ({officer.officer_ref})",
        event.title,
        event.force.name,
        event.starts_at,
        event.ends_at,
        event.signup_deadline,
        signup.answer_reason if note.kind == Kind.DECLINED else None,
    )
    base = settings.base_url
    if note.kind == Kind.AID_REQUEST:
        if not officer.force.aid_contact_email:
            return "the force has no mutual-aid contact address"
        text = rules.aid_request_text(facts, f"{base}/app/aid" if base else None)
        return text, officer.force.aid_contact_email
    if not officer.email:
        return "the officer has no e-mail address"
    greeting = f"{officer.rank} {officer.forenames} {officer.surname}"
    link = f"{base}/app/" if base else None
    return rules.answer_text(Kind(note.kind), facts, greeting, link), officer.email
