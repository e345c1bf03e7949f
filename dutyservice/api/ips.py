"""Independent Patrol Status: competencies, officer safety training, grants, history."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..clock import london_today
from ..ips import queries, service
from ..ips.models import CompetencyRecord, IpsGrant, TrainingRecord
from ..ips.rules import IPS_PROFILE, OST
from .common import (
    PageQuery,
    StrictSchema,
    database,
    list_of,
    page_body,
    page_of,
    page_requested,
    principal,
    read_about,
)
from .formats import Day, FeedText, Instant, Text
from .officers import OFFICER_ID
from .routing import api_blueprint

blp = api_blueprint(
    "ips",
    "/officers",
    "Independent Patrol Status: NOS units, officer safety training, IPS "
    "grants and withdrawals, and the history of who recorded what.",
)


def attainment_schema(name: str, **attained: fields.Field[Any]) -> type[Schema]:
    """A record of what an officer attained on a day, on an assessor's word, that may be revoked
    (a NOS unit, a stage of the learning programme); `attained` are the fields that say what."""
    members: dict[str, fields.Field[Any]] = {
        "id": fields.Integer(),
        "officer_id": fields.Integer(),
        **attained,
        "attained_on": fields.Date(),
        "assessed_by": fields.String(),
        "evidence_ref": fields.String(),
        "revoked_on": fields.Date(allow_none=True),
        "revoke_reason": fields.String(allow_none=True),
        "recorded_at": Instant(),
        "recorded_by_token_id": fields.Integer(allow_none=True),
    }
    return type(name, (Schema,), members)


CompetencySchema = attainment_schema("CompetencySchema", unit=fields.String(attribute="unit_code"))


class CompetencyCreateSchema(StrictSchema):
    unit = Text(20, required=True, min_length=1)
    attained_on = Day(required=True)
    assessed_by = Text(120, required=True, min_length=1)
    evidence_ref = Text(200, load_default="")


class RevokeSchema(StrictSchema):
    revoked_on = Day(required=True)
    reason = Text(2000, required=True, min_length=1)


class TrainingSchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    kind = fields.String()
    completed_on = fields.Date()
    expires_on = fields.Date()
    recorded_at = Instant()
    recorded_by_token_id = fields.Integer(allow_none=True)


class TrainingCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf([OST]))
    completed_on = Day(required=True)
    expires_on = Day(metadata={"description": "default: the force's policy, 12 months less a day"})


class IpsQuery(Schema):
    on = Day(metadata={"description": "default: today (Europe/London)"})
    mercury_ref = fields.Integer(load_default=IPS_PROFILE[0], validate=validate.Range(1, 10**6))
    version = fields.Integer(load_default=IPS_PROFILE[1], validate=validate.Range(1, 10**6))


class IpsStatusSchema(Schema):
    officer_id = fields.Integer()
    on = fields.Date()
    mercury_ref = fields.Integer()
    version = fields.Integer()
    serving = fields.Boolean()
    granted = fields.Boolean()
    granted_on = fields.Date(allow_none=True)
    authorised_by = fields.String(allow_none=True)
    deployable = fields.Boolean()
    missing = fields.List(
        fields.String(),
        metadata={
            "description": "each unmet requirement of the profile on that day, e.g. CD5, ost"
        },
    )
    ost_expires_on = fields.Date(allow_none=True)


class AuthorisedBySchema(StrictSchema):
    name = FeedText(120, required=True, min_length=1)
    rank = FeedText(60, required=True, min_length=1)
    position = FeedText(120, required=True, min_length=1)


class GrantCreateSchema(StrictSchema):
    granted_on = Day(required=True)
    authorised_by = fields.Nested(AuthorisedBySchema, required=True)


class WithdrawSchema(StrictSchema):
    withdrawn_on = Day(required=True)
    reason = Text(2000, required=True, min_length=1)


class GrantSchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    granted_on = fields.Date()
    authorised_by = fields.Function(
        lambda g: {
            "name": g.authorised_by_name,
            "rank": g.authorised_by_rank,
            "position": g.authorised_by_position,
        }
    )
    withdrawn_on = fields.Date(allow_none=True)
    withdraw_reason = fields.String(allow_none=True)
    recorded_at = Instant()
    recorded_by_token_id = fields.Integer(allow_none=True)


class HistoryEntrySchema(Schema):
    id = fields.Integer()
    at = Instant()
    token_id = fields.Integer(allow_none=True, metadata={"description": "the token used"})
    role = fields.String()
    action = fields.String()
    resource_type = fields.String()
    resource_id = fields.Integer(allow_none=True)
    changes = fields.Dict()


@blp.route(f"/{OFFICER_ID}/competencies", methods=["GET"])
@blp.response(200, list_of(CompetencySchema))
def list_competencies(officer_id: int) -> dict[str, Any]:
    """Every competency record of the officer, revoked ones included."""
    return {"items": read_about("competencies", queries.competencies, officer_id)}


@blp.route(f"/{OFFICER_ID}/competencies", methods=["POST"])
@blp.arguments(CompetencyCreateSchema)
@blp.response(201, CompetencySchema)
def record_competency(data: dict[str, Any], officer_id: int) -> CompetencyRecord:
    """Record a NOS unit attained. Unknown unit: 422; a unit already held: 409."""
    return service.record_competency(database(), principal(), officer_id, **data)


@blp.route(f"/{OFFICER_ID}/competencies/<string(maxlength=20):unit>/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, CompetencySchema)
def revoke_competency(data: dict[str, Any], officer_id: int, unit: str) -> CompetencyRecord:
    """Revoke the unit held: it is not held from `revoked_on`. It may be attained again.
    Revoked already: 409; never held: 404."""
    return service.revoke_competency(database(), principal(), officer_id, unit, **data)


@blp.route(f"/{OFFICER_ID}/training", methods=["GET"])
@blp.response(200, list_of(TrainingSchema))
def list_training(officer_id: int) -> dict[str, Any]:
    """Officer safety training records."""
    return {"items": read_about("training", queries.training, officer_id)}


@blp.route(f"/{OFFICER_ID}/training", methods=["POST"])
@blp.arguments(TrainingCreateSchema)
@blp.response(201, TrainingSchema)
def record_training(data: dict[str, Any], officer_id: int) -> TrainingRecord:
    """Record officer safety training; `expires_on` defaults to the force's policy."""
    return service.record_training(
        database(),
        principal(),
        officer_id,
        kind=data["kind"],
        completed_on=data["completed_on"],
        expires_on=data.get("expires_on"),
    )


@blp.route(f"/{OFFICER_ID}/ips", methods=["GET"])
@blp.arguments(IpsQuery, location="query")
@blp.response(200, IpsStatusSchema)
def ips_status(args: dict[str, Any], officer_id: int) -> queries.IpsStatus:
    """IPS on a day: granted, deployable, and each requirement of the profile not met."""
    on = args.get("on") or london_today()
    return read_about(
        "ips", queries.ips_status, officer_id, on, args["mercury_ref"], args["version"]
    )


@blp.route(f"/{OFFICER_ID}/ips", methods=["POST"])
@blp.arguments(GrantCreateSchema)
@blp.response(201, GrantSchema)
def grant(data: dict[str, Any], officer_id: int) -> IpsGrant:
    """Grant IPS (authorisers). 422 with `missing` when the profile is not met on the day."""
    return service.grant_ips(
        database(),
        principal(),
        officer_id,
        granted_on=data["granted_on"],
        authorised_by=service.Authorisation(**data["authorised_by"]),
    )


@blp.route(f"/{OFFICER_ID}/ips/withdraw", methods=["POST"])
@blp.arguments(WithdrawSchema)
@blp.response(200, GrantSchema)
def withdraw(data: dict[str, Any], officer_id: int) -> IpsGrant:
    """Withdraw the IPS grant in force: not granted from `withdrawn_on`."""
    return service.withdraw_ips(database(), principal(), officer_id, **data)


@blp.route(f"/{OFFICER_ID}/ips/grants", methods=["GET"])
@blp.response(200, list_of(GrantSchema))
def list_grants(officer_id: int) -> dict[str, Any]:
    """Every IPS grant of the officer, withdrawn ones included."""
    return {"items": read_about("grants", queries.ips_grants, officer_id)}


@blp.route(f"/{OFFICER_ID}/history", methods=["GET"])
@blp.arguments(PageQuery, location="query")
@blp.response(200, page_of(HistoryEntrySchema))
def history(args: dict[str, Any], officer_id: int) -> dict[str, Any]:
    """Who recorded what about the officer, when, and through which token, oldest first."""
    return page_body(read_about("history", queries.history, officer_id, page_requested(args)))
