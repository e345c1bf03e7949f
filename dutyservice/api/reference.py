"""Forces, role profiles and NOS units: the reference data every client needs."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from ..forces.models import Force
from ..ips.models import NosUnit
from ..ips.queries import list_role_profiles
from .common import database

blp = Blueprint(
    "reference",
    __name__,
    url_prefix="/api/v1",
    description="Forces, NPoCC role profiles and National Occupational Standard units.",
)


class ForceItemSchema(Schema):
    code = fields.String(metadata={"description": "data.police.uk force identifier"})
    name = fields.String()
    region = fields.String(metadata={"description": "mutual-aid region"})
    monthly_minimum_hours = fields.Float(metadata={"description": "expected hours a month"})
    ost_validity_months = fields.Integer(
        metadata={"description": "officer safety training is valid this many months, less a day"}
    )


class ForceListSchema(Schema):
    items = fields.List(fields.Nested(ForceItemSchema))


class RoleProfileSchema(Schema):
    mercury_ref = fields.Integer()
    version = fields.Integer()
    specialism = fields.String()
    required_units = fields.List(fields.String())
    requires_current_ost = fields.Boolean()
    equipment = fields.List(fields.String())


class RoleProfileListSchema(Schema):
    items = fields.List(fields.Nested(RoleProfileSchema))


class UnitSchema(Schema):
    code = fields.String()
    title = fields.String()


class UnitListSchema(Schema):
    items = fields.List(fields.Nested(UnitSchema))


@blp.route("/forces", methods=["GET"])
@blp.response(200, ForceListSchema)
def forces() -> dict[str, Any]:
    """The 43 territorial forces of England and Wales, with their settings."""
    with database().reading() as session:
        return {"items": list(session.scalars(select(Force).order_by(Force.code)))}


@blp.route("/role-profiles", methods=["GET"])
@blp.response(200, RoleProfileListSchema)
def role_profiles() -> dict[str, Any]:
    """NPoCC role profiles (Mercury Ref and version) with their required units."""
    with database().reading() as session:
        return {"items": list_role_profiles(session)}


@blp.route("/competencies", methods=["GET"])
@blp.response(200, UnitListSchema)
def units() -> dict[str, Any]:
    """The National Occupational Standard units known to the service."""
    with database().reading() as session:
        return {"items": list(session.scalars(select(NosUnit).order_by(NosUnit.code)))}
