"""PostgreSQL's booking write: the duty and its audit entry written by one statement (a
data-modifying WITH), in one round trip; a sign-up adds the event's place to it
(events.signup_statement).

Booking is the busiest write and a call-out storm the busiest moment, so both book through
here; SQLite, which serialises write transactions, books through the ORM instead. Overlap is
decided by the exclusion constraint on duties, also for bookings that arrive at the same moment.

Measured against the ORM's unit of work on the same server, in alternating runs (8 clients,
20,000 officers, 2 December 2026): booking at 0.57 of the no-op read against 0.45, 1.28 times
the bookings a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import CTE, ColumnElement, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..db import violated_constraint
from ..errors import Conflict
from .models import Duty

if TYPE_CHECKING:
    from sqlalchemy.sql.selectable import ExecutableReturnsRows


class OverlapRefused(Exception):
    """The exclusion constraint refused the duty: the officer has one overlapping it."""


@contextmanager
def constraints_as_refusals(duplicate: str | None = None) -> Iterator[None]:
    """An overlap as `OverlapRefused` (the caller then names the duty it clashed with, in a
    transaction of its own: this one is aborted); with `duplicate`, any other constraint as
    Conflict(duplicate)."""
    try:
        yield
    except IntegrityError as exc:
        if violated_constraint(exc) == "ex_duties_no_overlap":
            raise OverlapRefused() from exc
        if duplicate is None:
            raise
        raise Conflict(duplicate) from exc


def duty_parameters(values: dict[str, Any]) -> dict[str, Any]:
    """The duty's columns as the bind parameters `duty_insert` names them."""
    return {f"duty_{name}": value for name, value in values.items()}


def duty_insert(duty_columns: tuple[str, ...], only_if: ColumnElement[bool] | None = None) -> CTE:
    """INSERT ... RETURNING of the duty, its columns the parameters duty_<column>; with
    `only_if`, inserted only where that holds (nothing returned otherwise)."""
    columns = Duty.__table__.c
    values = {name: bindparam(f"duty_{name}", type_=columns[name].type) for name in duty_columns}
    statement = (
        insert(Duty).values(values)
        if only_if is None
        else insert(Duty).from_select(list(values), select(*values.values()).where(only_if))
    )
    return statement.returning(*columns).cte("new_duty")


@cache
def insert_duty(
    duty_columns: tuple[str, ...], entry_parameters: tuple[str, ...]
) -> ExecutableReturnsRows:
    """A booked duty and its entry in the trail; the statement loads the new Duty. Built once
    a shape of parameters."""
    new_duty = duty_insert(duty_columns)
    entry = audit.insert_entry_for(
        new_duty, entry_parameters, resource_id=new_duty.c.id, officer_id=new_duty.c.officer_id
    )
    return select(Duty).from_statement(select(new_duty).add_cte(entry))
