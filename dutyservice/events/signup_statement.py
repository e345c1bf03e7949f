"""PostgreSQL's sign-up write: the duty it books, the sign-up and its entry in the trail, by
one statement built on the booking's (duties.booking_statement), only while the event has a
place."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, insert, select

from .. import audit
from ..duties.booking_statement import duty_insert
from .models import EventSignup, places_taken

if TYPE_CHECKING:
    from sqlalchemy.sql.selectable import ExecutableReturnsRows


@cache
def insert_signup(
    duty_columns: tuple[str, ...], entry_parameters: tuple[str, ...]
) -> ExecutableReturnsRows:
    """A sign-up: the duty it books, its row and its entry in the trail, only while the event
    (parameter `event_id`) has fewer live sign-ups than `capacity`; loads the new EventSignup,
    or nothing when the event is full.

    The count is exact only after the caller holds the event's row: this statement's snapshot
    is then taken after every earlier sign-up to it committed.
    """
    event_id = bindparam("event_id", type_=EventSignup.__table__.c.event_id.type)
    new_duty = duty_insert(duty_columns, only_if=places_taken(event_id) < bindparam("capacity"))
    signed_up_at = bindparam("signed_up_at", type_=EventSignup.__table__.c.signed_up_at.type)
    new_signup = (
        insert(EventSignup)
        .from_select(
            ["event_id", "officer_id", "duty_id", "signed_up_at"],
            select(event_id, new_duty.c.officer_id, new_duty.c.id, signed_up_at),
        )
        .returning(*EventSignup.__table__.c)
        .cte("new_signup")
    )
    entry = audit.insert_entry_for(
        new_duty,
        entry_parameters,
        resource_id=event_id,
        officer_id=new_duty.c.officer_id,
        changes=func.json_build_object("duty_id", new_duty.c.id),
    )
    return select(EventSignup).from_statement(select(new_signup).add_cte(entry))
