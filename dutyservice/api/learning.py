"""The learning programme (SCLP) beside IPS: stages and areas, stage records, an officer's stage."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..clock import london_today
from ..ips import learning_queries, learning_service
from ..ips.learning_models import LearningRecord
from ..ips.learning_rules import AREAS, STAGES
from .common import StrictSchema, database, principal, read
from .formats import Day, Text
from .ips import RevokeSchema, attainment_schema
from .officers import OFFICER_ID
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "learning",
    "",
    "The Special Constable Learning Programme beside IPS: APS, DPS and QSC by core area, "
    "recorded with their evidence, and the stage an officer holds on a day.",
)


class CodeTitleSchema(Schema):
    code = fields.String()
    title = fields.String()


class ProgrammeSchema(Schema):
    stages = fields.List(fields.Nested(CodeTitleSchema))
    areas = fields.List(fields.Nested(CodeTitleSchema))


LearningRecordSchema = attainment_schema(
    "LearningRecordSchema", stage=fields.String(), area=fields.Function(lambda r: r.area or None)
)


class LearningCreateSchema(StrictSchema):
    stage = fields.String(required=True, validate=validate.OneOf(list(STAGES)))
    area = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(list(AREAS)),
        metadata={"description": "the core area: QSC only, and required there"},
    )
    attained_on = Day(required=True)
    assessed_by = Text(120, required=True, min_length=1)
    evidence_ref = Text(200, load_default="")


class LearningQuery(Schema):
    on = Day(metadata={"description": "default: today (Europe/London)"})


class LearningStatusSchema(Schema):
    officer_id = fields.Integer()
    on = fields.Date()
    stage = fields.String(allow_none=True, metadata={"description": "the highest stage held"})
    qsc_areas = fields.List(fields.String())
    qsc_full = fields.Boolean(metadata={"description": "QSC-F: QSC in all five core areas"})
    since = fields.Date(allow_none=True, metadata={"description": "held without a break since"})
    next_needs = fields.List(fields.String(), metadata={"description": "what the next step needs"})
    records = fields.List(fields.Nested(LearningRecordSchema))


@blp.route("/learning-programme", methods=["GET"])
@blp.response(200, ProgrammeSchema)
def programme() -> dict[str, Any]:
    """The stages in order and the core areas in which a QSC is awarded."""
    return learning_queries.programme()


@blp.route(f"/officers/{OFFICER_ID}/learning", methods=["POST"])
@blp.arguments(LearningCreateSchema)
@blp.response(201, LearningRecordSchema)
def record_stage(data: dict[str, Any], officer_id: int) -> LearningRecord:
    """Record a stage attained. 422 when the stage before it is not held on `attained_on` (DPS
    needs APS; QSC in an area needs DPS) or the same stage (and area) is already held."""
    return learning_service.record_stage(database(), principal(), officer_id, **data)


@blp.route(f"/officers/{OFFICER_ID}/learning/{id_rule('record_id')}/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, LearningRecordSchema)
def revoke_stage(data: dict[str, Any], officer_id: int, record_id: int) -> LearningRecord:
    """Revoke a stage record: it is not held from `revoked_on`. It may be attained again."""
    return learning_service.revoke_stage(database(), principal(), officer_id, record_id, **data)


@blp.route(f"/officers/{OFFICER_ID}/learning", methods=["GET"])
@blp.arguments(LearningQuery, location="query")
@blp.response(200, LearningStatusSchema)
def learning_status(args: dict[str, Any], officer_id: int) -> learning_queries.LearningStatus:
    """The highest stage held on a day, the QSC areas, QSC-F, since when, and every record."""
    on = args.get("on") or london_today()
    return read(learning_queries.learning_status, officer_id, on)
