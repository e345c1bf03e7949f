"""Mutual-aid release: the officer's own force answers their sign-ups to other forces' events."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..events import aid, queries
from ..events.models import EventSignup
from ..events.rules import SignupStatus
from .common import PageQuery, StrictSchema, database, listed, page_of, principal, read
from .events import EVENT_ID, SignupMadeSchema, SignupSchema
from .formats import Instant, Text
from .officers import OFFICER_ID
from .routing import api_blueprint

blp = api_blueprint(
    "mutual-aid",
    "",
    "Mutual-aid release: another force's officer's sign-up is requested until their own force "
    "releases or declines it.",
)
_SIGNUP = f"/events/{EVENT_ID}/signups/{OFFICER_ID}"


class DeclineSchema(StrictSchema):
    reason = Text(500, required=True, min_length=1)


class ForceSignupSchema(SignupSchema):
    event_id = fields.Integer()
    answered_at = Instant(allow_none=True)
    answer_reason = fields.String(allow_none=True)


class ForceSignupQuery(PageQuery):
    force = Text(40)
    status = fields.String(validate=validate.OneOf([s.value for s in SignupStatus]))


class AidSchema(Schema):
    by_force = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={
            "description": "per force code: its officers' sign-ups `requested`, `confirmed`, "
            "`declined` and `lapsed`"
        },
    )


@blp.route("/signups", methods=["GET"])
@blp.arguments(ForceSignupQuery, location="query")
@blp.response(200, page_of(ForceSignupSchema))
def list_force_signups(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's force's officers' sign-ups to other forces' events; `status=requested`:
    those awaiting the force's answer (supervisors, authorisers, admins)."""
    if "status" in args:
        args["status"] = SignupStatus(args["status"])
    return listed(queries.force_signups, args, "force", "status")


@blp.route(f"{_SIGNUP}/release", methods=["POST"])
@blp.response(200, SignupMadeSchema)
def release(event_id: int, officer_id: int) -> EventSignup:
    """Release the officer (their own force's supervisors and authorisers, admins): the
    sign-up is `confirmed` and its duty booked. 409 when it is not `requested`."""
    return aid.release(database(), principal(), event_id, officer_id)


@blp.route(f"{_SIGNUP}/decline", methods=["POST"])
@blp.arguments(DeclineSchema)
@blp.response(200, SignupMadeSchema)
def decline(data: dict[str, Any], event_id: int, officer_id: int) -> EventSignup:
    """Decline, with a reason: the sign-up is `declined`, its place and the officer's time
    freed. 409 when it is not `requested`."""
    return aid.decline(database(), principal(), event_id, officer_id, data["reason"])


@blp.route(f"/events/{EVENT_ID}/aid", methods=["GET"])
@blp.response(200, AidSchema)
def event_aid(event_id: int) -> dict[str, Any]:
    """Per force, how many of its officers' sign-ups to this call-out are requested,
    confirmed, declined and lapsed (the host force, NPoCC, admins)."""
    return {"by_force": read(queries.aid_by_force, event_id)}
