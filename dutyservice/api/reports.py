"""Reports for supervisors and planners."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..clock import Month
from ..reports import queries
from .common import database, principal
from .formats import MonthText, Text

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="The team's month of hours, and officer safety training running out.",
)


class HoursReportQuery(Schema):
    force = Text(40, required=True)
    month = MonthText(required=True)


class OfficerMonthSchema(Schema):
    officer_id = fields.Integer()
    officer_ref = fields.String()
    hours = fields.Float()
    minimum = fields.Float()
    status = fields.Function(lambda row: row.status.value)


class HoursReportSchema(Schema):
    items = fields.List(fields.Nested(OfficerMonthSchema))


class ExpiringQuery(Schema):
    force = Text(40, required=True)
    within_days = fields.Integer(load_default=60, validate=validate.Range(0, 3660))


class ExpiringItemSchema(Schema):
    officer_id = fields.Integer()
    officer_ref = fields.String()
    what = fields.String()
    expires_on = fields.Date()


class ExpiringSchema(Schema):
    items = fields.List(fields.Nested(ExpiringItemSchema))


@blp.route("/hours", methods=["GET"])
@blp.arguments(HoursReportQuery, location="query")
@blp.response(200, HoursReportSchema)
def hours(args: dict[str, Any]) -> dict[str, Any]:
    """One item per officer serving in the month: hours, the force minimum, red/amber/green."""
    with database().reading() as session:
        return {
            "items": queries.team_hours(
                session, principal(), args["force"], Month.parse(args["month"])
            )
        }


@blp.route("/expiring", methods=["GET"])
@blp.arguments(ExpiringQuery, location="query")
@blp.response(200, ExpiringSchema)
def expiring(args: dict[str, Any]) -> dict[str, Any]:
    """Serving officers whose officer safety training lapses within `within_days` with no
    later training recorded, soonest first."""
    with database().reading() as session:
        return {
            "items": queries.expiring_training(
                session, principal(), args["force"], args["within_days"]
            )
        }
