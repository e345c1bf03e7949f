"""Reports for supervisors and planners."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..clock import Month
from ..reports import queries
from .common import list_of, read
from .formats import MonthText, Text
from .routing import api_blueprint

blp = api_blueprint(
    "reports", "/reports", "The team's month of hours, and officer safety training running out."
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


class ExpiringQuery(Schema):
    force = Text(40, required=True)
    within_days = fields.Integer(load_default=60, validate=validate.Range(0, 3660))


class ExpiringItemSchema(Schema):
    officer_id = fields.Integer()
    officer_ref = fields.String()
    what = fields.String()
    expires_on = fields.Date()


@blp.route("/hours", methods=["GET"])
@blp.arguments(HoursReportQuery, location="query")
@blp.response(200, list_of(OfficerMonthSchema, "HoursReportSchema"))
def hours(args: dict[str, Any]) -> dict[str, Any]:
    """One item per officer serving in the month: hours, the force minimum, red/amber/green."""
    month = Month.parse(args["month"])
    return {"items": read(queries.team_hours, args["force"], month)}


@blp.route("/expiring", methods=["GET"])
@blp.arguments(ExpiringQuery, location="query")
@blp.response(200, list_of(ExpiringItemSchema, "ExpiringSchema"))
def expiring(args: dict[str, Any]) -> dict[str, Any]:
    """Serving officers whose officer safety training lapses within `within_days` with no
    later training recorded, soonest first."""
    return {"items": read(queries.expiring_training, args["force"], args["within_days"])}
