"""Duties: booking, rescheduling, cancelling and completing."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..auth.scope import Permission
from ..duties import queries, service
from ..duties.models import Duty
from ..duties.rules import DutyStatus, elapsed_hours
from .common import (
    PageQuery,
    StrictSchema,
    database,
    etag,
    if_match,
    listed,
    page_of,
    principal,
    read,
)
from .formats import HeaderText, Id, Instant, InstantOrDay, Text
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "duties",
    "/duties",
    "Duties of Specials. No two non-cancelled duties of one officer "
    "overlap; a duty lasts at most 24 hours.",
)

DUTY_ID = id_rule("duty_id")


def duty_hours(duty: Duty) -> float:
    if duty.status == DutyStatus.COMPLETED and duty.actual_starts_at and duty.actual_ends_at:
        return float(elapsed_hours(duty.actual_starts_at, duty.actual_ends_at))
    return float(elapsed_hours(duty.starts_at, duty.ends_at))


class DutySchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    officer_ref = fields.Function(lambda d: d.officer.officer_ref)
    duty_type = fields.Function(lambda d: d.duty_type.code)
    starts_at = Instant()
    ends_at = Instant()
    status = fields.String(
        metadata={
            "description": "requested (awaiting mutual-aid release), booked, cancelled or completed"
        }
    )
    location = fields.String()
    notes = fields.String()
    actual_starts_at = Instant(allow_none=True)
    actual_ends_at = Instant(allow_none=True)
    hours = fields.Function(
        duty_hours,
        metadata={"description": "real elapsed hours, two decimals: actual times once completed"},
    )
    version = fields.Integer()


class DutyCreateSchema(StrictSchema):
    officer_id = Id(
        metadata={
            "description": "the officer the duty is for; a Special's own token may leave it "
            "out (its own officer), every other caller must give it (422 otherwise)"
        }
    )
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    duty_type = Text(40, required=True, min_length=1)
    location = HeaderText(200, load_default="")
    notes = Text(2000, load_default="")


class DutyPatchSchema(StrictSchema):
    starts_at = Instant()
    ends_at = Instant()
    duty_type = Text(40, min_length=1)
    location = HeaderText(200)
    notes = Text(2000)


class DutyQuery(PageQuery):
    officer_id = Id(strict=False)
    force = Text(40)
    starts_from = InstantOrDay(
        data_key="from", metadata={"description": "duties ending after this"}
    )
    starts_before = InstantOrDay(
        data_key="to", end=True, metadata={"description": "duties starting before this"}
    )
    status = fields.String(validate=validate.OneOf([s.value for s in DutyStatus]))


class CompleteSchema(StrictSchema):
    actual_starts_at = Instant()
    actual_ends_at = Instant()


@blp.route("", methods=["GET"])
@blp.arguments(DutyQuery, location="query")
@blp.response(200, page_of(DutySchema))
def list_duties(args: dict[str, Any]) -> dict[str, Any]:
    """Duties the caller may see, in time order."""
    filters = ("officer_id", "force", "starts_from", "starts_before", "status")
    return listed(queries.list_duties, args, *filters)


@blp.route("", methods=["POST"])
@blp.arguments(DutyCreateSchema)
@blp.response(201, DutySchema)
def book(data: dict[str, Any]) -> tuple[Duty, dict[str, str]]:
    """Book a duty. An overlap with another non-cancelled duty of the officer answers 409."""
    caller = principal()
    officer_id = service.officer_booked_for(caller, data.pop("officer_id", None))
    duty = service.book_duty(database(), caller, service.DutyBooking(officer_id=officer_id, **data))
    return duty, etag(duty.version)


@blp.route(f"/{DUTY_ID}", methods=["GET"])
@blp.response(200, DutySchema)
def get_duty(duty_id: int) -> tuple[Duty, dict[str, str]]:
    """One duty."""
    duty = read(service.load_duty, duty_id, Permission.READ_OFFICER)
    return duty, etag(duty.version)


@blp.route(f"/{DUTY_ID}", methods=["PATCH"])
@blp.arguments(DutyPatchSchema)
@blp.response(200, DutySchema)
def reschedule(changes: dict[str, Any], duty_id: int) -> tuple[Duty, dict[str, str]]:
    """Reschedule or edit a booked duty, under the same rules as booking.

    With `If-Match` (`*` matches any version), a stale version answers 409 and changes nothing.
    A duty that books a place on an event keeps the event's times: moving it answers 409
    (withdraw from the event instead).
    """
    duty = service.change_duty(database(), principal(), duty_id, service.Edit(changes, if_match()))
    return duty, etag(duty.version)


@blp.route(f"/{DUTY_ID}/cancel", methods=["POST"])
@blp.response(200, DutySchema)
def cancel(duty_id: int) -> Duty:
    """Cancel a booked duty. Cancelling a cancelled duty changes nothing.

    A duty that booked a place on an event withdraws that sign-up too, freeing the place.
    """
    return service.cancel_duty(database(), principal(), duty_id)


@blp.route(f"/{DUTY_ID}/complete", methods=["POST"])
@blp.arguments(CompleteSchema)
@blp.response(200, DutySchema)
def complete(data: dict[str, Any], duty_id: int) -> Duty:
    """Record a duty as done, with its actual times (default: the booked times).

    The actual times lie within the officer's service, last at most 24 hours and have ended
    (422 otherwise); overlapping another completed duty's actual times answers 409, so that no
    hour is counted twice.
    """
    return service.complete_duty(
        database(), principal(), duty_id, data.get("actual_starts_at"), data.get("actual_ends_at")
    )
