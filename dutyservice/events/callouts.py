"""Who an event's call-out goes to, as a statement the outbox queues from (outbox.queue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, String, literal, select, true

from ..clock import london_days_spanned
from ..duties.models import Officer
from ..forces.models import Force
from ..ips import eligibility
from ..outbox import Kind, officer_recipient, reachable
from .models import Event
from .requirement import event_requirement
from .rules import OpenTo

if TYPE_CHECKING:
    from ..outbox import Recipients


def _in_scope(event: Event) -> ColumnElement[bool]:
    """Officers whose force may sign up to the event (SQL of events.rules.open_to_force)."""
    match OpenTo(event.open_to):
        case OpenTo.NATIONAL:
            return true()
        case OpenTo.REGION:
            return Officer.force_id.in_(select(Force.id).where(Force.region == event.force.region))
        case _:
            return Officer.force_id == event.force_id


def callout_recipients(event: Event) -> Recipients:
    """API.md "Call-out": every serving officer in the event's `open_to` scope who can be told
    (an address, or a push subscription), has not opted out, meets its role profile or stage
    and is free for its times. One query: the deployable rule of ips.eligibility."""
    first, last = london_days_spanned(event.starts_at, event.ends_at)
    profile = event_requirement(event)
    return select(
        literal(Kind.CALLOUT.value, String),
        literal(f"event:{event.id}", String),
        officer_recipient(Officer.id),
        Officer.id,
        Officer.force_id,
    ).where(
        reachable(Officer.id, Officer.email),
        Officer.notify_callouts,
        _in_scope(event),
        eligibility.deployable(profile, first, last, event.starts_at, event.ends_at),
    )
