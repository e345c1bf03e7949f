"""Events: operations and mutual-aid call-outs that Specials sign up to."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..events import queries, service
from ..events.models import EventSignup
from ..events.rules import OpenTo
from ..ips.learning_rules import AREAS, STAGES
from .common import PageQuery, StrictSchema, database, list_of, listed, page_of, principal, read
from .formats import HeaderText, Id, Instant, InstantOrDay, Text
from .officers import OFFICER_ID, OfficerRowSchema
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "events",
    "/events",
    "Events with a capacity and a sign-up deadline, open to the host "
    "force, its region or the nation (mutual aid).",
)
EVENT_ID = id_rule("event_id")


class EventSchema(Schema):
    id = fields.Function(lambda v: v.event.id)
    force = fields.Function(lambda v: v.event.force.code)
    title = fields.Function(lambda v: v.event.title)
    description = fields.Function(lambda v: v.event.description)
    location = fields.Function(lambda v: v.event.location)
    starts_at = Instant(attribute="event.starts_at")
    ends_at = Instant(attribute="event.ends_at")
    duty_type = fields.Function(lambda v: v.event.duty_type)
    capacity = fields.Function(lambda v: v.event.capacity)
    places_left = fields.Integer()
    signup_deadline = Instant(attribute="event.signup_deadline")
    open_to = fields.Function(lambda v: v.event.open_to)
    mercury_ref = fields.Function(
        lambda v: v.event.role_profile.mercury_ref if v.event.role_profile else None
    )
    version = fields.Function(
        lambda v: v.event.role_profile.version if v.event.role_profile else None
    )
    stage = fields.Function(lambda v: v.event.required_stage)
    area = fields.Function(lambda v: v.event.required_area)


class EventCreateSchema(StrictSchema):
    force = Text(40, required=True, min_length=1)
    title = HeaderText(200, required=True, min_length=1)
    description = Text(4000, load_default="")
    location = HeaderText(200, load_default="")
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    duty_type = Text(40, load_default="event")
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000))
    signup_deadline = InstantOrDay(
        required=True,
        end=True,
        metadata={
            "description": "an instant, or a day: sign-ups close at the end of that London day"
        },
    )
    open_to = fields.String(
        load_default="force", validate=validate.OneOf([o.value for o in OpenTo])
    )
    mercury_ref = fields.Integer(validate=validate.Range(1, 10**6), allow_none=True)
    version = fields.Integer(validate=validate.Range(1, 10**6), load_default=1)
    stage = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(STAGES)),
        metadata={"description": "instead of a role profile: the stage each volunteer must hold"},
    )
    area = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(AREAS)),
        metadata={"description": "with stage QSC: the core area"},
    )


class EventQuery(PageQuery):
    force = Text(40)
    starts_from = InstantOrDay(data_key="from")
    starts_before = InstantOrDay(data_key="to", end=True)
    open_for_officer = Id(strict=False)


class SignupCreateSchema(StrictSchema):
    officer_id = Id(required=True)


_STATUS = fields.String(
    metadata={"description": "`requested`, `confirmed`, `declined`, `lapsed` or `withdrawn`"}
)


class SignupSchema(OfficerRowSchema):
    duty_id = fields.Integer()
    signed_up_at = Instant()
    status = _STATUS


class SignupMadeSchema(Schema):
    event_id = fields.Integer()
    officer_id = fields.Integer()
    duty_id = fields.Integer()
    signed_up_at = Instant()
    withdrawn_at = Instant(allow_none=True)
    status = _STATUS
    answered_at = Instant(allow_none=True)
    answer_reason = fields.String(allow_none=True)


@blp.route("", methods=["GET"])
@blp.arguments(EventQuery, location="query")
@blp.response(200, page_of(EventSchema))
def list_events(args: dict[str, Any]) -> dict[str, Any]:
    """Events the caller may see; `open_for_officer`: those that officer could still join."""
    filters = ("force", "starts_from", "starts_before", "open_for_officer")
    return listed(queries.list_events, args, *filters)


@blp.route("", methods=["POST"])
@blp.arguments(EventCreateSchema)
@blp.response(201, EventSchema)
def create_event(data: dict[str, Any]) -> queries.EventView:
    """Set up an event (supervisors, authorisers and admins of the host force)."""
    return queries.EventView(service.create_event(database(), principal(), data), 0)


@blp.route(f"/{EVENT_ID}", methods=["GET"])
@blp.response(200, EventSchema)
def get_event(event_id: int) -> queries.EventView:
    """One event, with the places left."""
    return read(queries.get_event, event_id)


@blp.route(f"/{EVENT_ID}/signups", methods=["GET"])
@blp.response(200, list_of(SignupSchema))
def list_signups(event_id: int) -> dict[str, Any]:
    """Who is signed up, for the host force's supervisors and planners."""
    return {"items": read(queries.signups, event_id)}


@blp.route(f"/{EVENT_ID}/signups", methods=["POST"])
@blp.arguments(SignupCreateSchema)
@blp.response(201, SignupMadeSchema)
def sign_up(data: dict[str, Any], event_id: int) -> EventSignup:
    """Sign an officer up: holds a place and the officer's time by a duty over the event, booked
    at once (`confirmed`) for the host force's officers; another force's officer's sign-up is
    `requested` until their force answers. 409 when full, closed, already signed up or
    overlapping; 422 when the officer does not meet the event's role profile."""
    return service.sign_up(database(), principal(), event_id, data["officer_id"])


@blp.route(f"/{EVENT_ID}/signups/{OFFICER_ID}", methods=["DELETE"])
@blp.response(200, SignupMadeSchema)
def withdraw(event_id: int, officer_id: int) -> EventSignup:
    """Withdraw before the deadline (a request or a confirmed place): the linked duty is
    cancelled."""
    return service.withdraw(database(), principal(), event_id, officer_id)
