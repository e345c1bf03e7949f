"""Who a mutual-aid message goes to, as statements the outbox queues from (outbox.queue) in the
transaction that makes the request or gives the answer (docs/mutual-aid.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, String, cast, literal, select

from ..duties.models import Officer
from ..forces.models import Force
from ..outbox import Kind, officer_recipient, reachable
from .models import EventSignup

if TYPE_CHECKING:
    from ..outbox import Recipients


def _subject() -> ColumnElement[str]:
    return literal("signup:", String) + cast(EventSignup.id, String)


def aid_request_recipients(signup_id: int) -> Recipients:
    """The officer's force's aid contact, if the force has one: one mail per request."""
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
    """The officers of these sign-ups who can be told (an address, or a push subscription):
    told `kind`."""
    return (
        select(
            literal(kind.value, String),
            _subject(),
            officer_recipient(Officer.id),
            Officer.id,
            Officer.force_id,
        )
        .select_from(EventSignup)
        .join(Officer, Officer.id == EventSignup.officer_id)
        .where(EventSignup.id.in_(list(signup_ids)), reachable(Officer.id, Officer.email))
    )
