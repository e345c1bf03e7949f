"""Forces, role profiles and NOS units: the reference data every client needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from ..clock import Month
from ..forces import minimums
from ..forces.models import Force
from ..forces.queries import list_forces
from ..forces.service import change_settings
from ..ips import profiles
from ..ips.learning_rules import STAGES
from ..ips.models import RoleProfile
from ..ips.queries import list_role_profiles, list_units
from .common import StrictSchema, database, list_of, principal
from .formats import Day, FeedText, MonthText, Text
from .officers import Email
from .routing import api_blueprint

blp = api_blueprint(
    "reference", "", "Forces, NPoCC role profiles and National Occupational Standard units."
)


class ForceItemSchema(Schema):
    code = fields.String(metadata={"description": "data.police.uk force identifier"})
    name = fields.String()
    region = fields.String(metadata={"description": "mutual-aid region"})
    monthly_minimum_hours = fields.Float(metadata={"description": "expected hours a month"})
    ost_validity_months = fields.Integer(
        metadata={"description": "officer safety training is valid this many months, less a day"}
    )
    follows_sclp = fields.Boolean(
        metadata={"description": "follows the learning programme: pages say PST for OST"}
    )
    months_in_stage = fields.Integer(
        metadata={"description": "readiness lists officers at APS or DPS longer than this"}
    )
    makes_returns = fields.Boolean(
        metadata={"description": "the quarter's NPoCC returns include the force"}
    )
    auto_release = fields.Boolean(
        metadata={"description": "mutual aid: its officers' sign-ups elsewhere released at once"}
    )


class ForceSettingsOutSchema(ForceItemSchema):
    aid_contact_email = fields.String(
        allow_none=True, metadata={"description": "mailed each mutual-aid request of its officers"}
    )


class RoleProfileSchema(Schema):
    mercury_ref = fields.Integer()
    version = fields.Integer()
    specialism = fields.String()
    required_units = fields.List(fields.String())
    requires_current_ost = fields.Boolean()
    equipment = fields.List(fields.String())


class UnitSchema(Schema):
    code = fields.String()
    title = fields.String()


@blp.route("/forces", methods=["GET"])
@blp.response(200, list_of(ForceItemSchema, "ForceListSchema"))
def forces() -> dict[str, Any]:
    """The 43 territorial forces of England and Wales, British Transport Police, Police
    Scotland and the Police Service of Northern Ireland, with their settings."""
    with database().reading() as session:
        return {"items": list_forces(session)}


@blp.route("/role-profiles", methods=["GET"])
@blp.response(200, list_of(RoleProfileSchema))
def role_profiles() -> dict[str, Any]:
    """NPoCC role profiles (Mercury Ref and version) with their required units."""
    with database().reading() as session:
        return {"items": list_role_profiles(session)}


@blp.route("/competencies", methods=["GET"])
@blp.response(200, list_of(UnitSchema))
def units() -> dict[str, Any]:
    """The National Occupational Standard units known to the service."""
    with database().reading() as session:
        return {"items": list_units(session)}


class ForceSettingsSchema(StrictSchema):
    monthly_minimum_hours = fields.Float(validate=validate.Range(0, 744), allow_nan=False)
    ost_validity_months = fields.Integer(validate=validate.Range(1, 60))
    follows_sclp = fields.Boolean()
    months_in_stage = fields.Integer(validate=validate.Range(1, 120))
    makes_returns = fields.Boolean()
    auto_release = fields.Boolean(truthy={True}, falsy={False})
    aid_contact_email = Email()


class RoleProfileCreateSchema(StrictSchema):
    mercury_ref = fields.Integer(required=True, validate=validate.Range(1, 10**6))
    version = fields.Integer(required=True, validate=validate.Range(1, 10**6))
    specialism = FeedText(200, required=True, min_length=1)
    required_units = fields.List(
        Text(20, min_length=1), required=True, validate=validate.Length(max=50)
    )
    requires_current_ost = fields.Boolean(required=True)
    equipment = fields.List(Text(200), load_default=list, validate=validate.Length(max=50))


class SignatorySchema(StrictSchema):
    name = FeedText(120, required=True, min_length=1)
    rank = FeedText(60, required=True, min_length=1)
    position = FeedText(120, required=True, min_length=1)
    date_authorised = Day(required=True)


class AuthorisationSchema(StrictSchema):
    host_force_authorisation = fields.Nested(SignatorySchema, allow_none=True, load_default=None)
    npocc_authorisation = fields.Nested(SignatorySchema, allow_none=True, load_default=None)


class AuthorisationOutSchema(Schema):
    host_force_authorisation = fields.Function(lambda a: _signatory(a, "host"))
    npocc_authorisation = fields.Function(lambda a: _signatory(a, "npocc"))


def _signatory(row: Any, prefix: str) -> dict[str, str] | None:
    if getattr(row, f"{prefix}_name") is None:
        return None
    return {
        "name": getattr(row, f"{prefix}_name"),
        "rank": getattr(row, f"{prefix}_rank"),
        "position": getattr(row, f"{prefix}_position"),
        "date_authorised": getattr(row, f"{prefix}_date_authorised").isoformat(),
    }


@blp.route("/forces/<string(maxlength=40):code>", methods=["PATCH"])
@blp.arguments(ForceSettingsSchema)
@blp.response(200, ForceSettingsOutSchema)
def change_force_settings(changes: dict[str, Any], code: str) -> Force:
    """Change a force's settings (admins): monthly minimum hours, OST validity in months,
    mutual aid's automatic release and the address each request is mailed to."""
    return change_settings(database(), principal(), code, changes)


class MinimumHoursSchema(StrictSchema):
    from_month = MonthText(required=True)
    stage = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(list(STAGES)),
        metadata={"description": "a stage of the learning programme; null: every officer"},
    )
    hours = fields.Float(required=True, validate=validate.Range(0, 744), allow_nan=False)


class MinimumHoursOutSchema(Schema):
    force = fields.String()
    from_month = fields.Function(lambda row: row["from_month"].strftime("%Y-%m"))
    stage = fields.Function(lambda row: row["stage"] or None)
    hours = fields.Float()


@blp.route("/forces/<string(maxlength=40):code>/minimum-hours", methods=["PUT"])
@blp.arguments(MinimumHoursSchema)
@blp.response(200, MinimumHoursOutSchema)
def set_minimum_hours(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The force's monthly minimum from `from_month` on (admins), for officers at `stage` or,
    with none, for every officer: the monthly status uses the minimum in force that month for
    the officer's stage that month (a row with a stage wins over the force's row without)."""
    row = minimums.set_minimum(
        database(),
        principal(),
        code,
        from_month=Month.parse(data["from_month"]).first_day,
        stage=data["stage"],
        hours=Decimal(str(data["hours"])),
    )
    return {"force": code, "from_month": row.from_month, "stage": row.stage, "hours": row.hours}


@blp.route("/role-profiles", methods=["POST"])
@blp.arguments(RoleProfileCreateSchema)
@blp.response(201, RoleProfileSchema)
def create_profile(data: dict[str, Any]) -> RoleProfile:
    """Add a role profile version (admins). Its returns are separate from other versions'."""
    return profiles.create_role_profile(database(), principal(), **data)


@blp.route(
    "/forces/<string(maxlength=40):code>/role-profiles/"
    "<int(max=1000000):mercury_ref>/<int(max=1000000):version>/authorisation",
    methods=["PUT"],
)
@blp.arguments(AuthorisationSchema)
@blp.response(200, AuthorisationOutSchema)
def set_profile_authorisation(
    data: dict[str, Any], code: str, mercury_ref: int, version: int
) -> Any:
    """The force's host-force and NPoCC authorising officers for a role profile (admins);
    they are named in the return's manifest."""

    def signatory(value: dict[str, Any] | None) -> profiles.Signatory | None:
        return profiles.Signatory(**value) if value else None

    return profiles.set_authorisation(
        database(),
        principal(),
        code,
        mercury_ref,
        version,
        signatory(data["host_force_authorisation"]),
        signatory(data["npocc_authorisation"]),
    )
