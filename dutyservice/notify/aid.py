"""Mutual-aid messages: each new request to the officer's force's aid contact (one mail per
request), and the answer to the officer (released, declined or lapsed), once each."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..config import Settings
from ..events.models import Event, EventSignup
from ..outbox import Kind, Notification
from . import rules


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
    greeting = f"{officer.rank} {officer.forenames} {officer.surname}"
    link = rules.event_link(base, event.id)
    # No address: the answer may still be pushed to the officer's phone.
    return rules.answer_text(Kind(note.kind), facts, greeting, link), officer.email or ""
