"""A Special's duties in their phone's calendar."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields

from ..events.calendar import calendar_feed, make_calendar_key
from .common import database, principal
from .formats import Text
from .officers import OFFICER_ID
from .routing import api_blueprint

blp = api_blueprint("calendar", "/officers", "An iCalendar (RFC 5545) feed of an officer's duties.")


class KeySchema(Schema):
    key = fields.String(metadata={"description": "reads the calendar feed and nothing else"})


class FeedQuery(Schema):
    key = Text(100, required=True)


@blp.route(f"/{OFFICER_ID}/calendar-key", methods=["POST"])
@blp.response(201, KeySchema)
def new_key(officer_id: int) -> dict[str, str]:
    """Make or replace the officer's calendar key (the old one stops working)."""
    return {"key": make_calendar_key(database(), principal(), officer_id)}


@blp.route(f"/{OFFICER_ID}/calendar.ics", methods=["GET"])
@blp.arguments(FeedQuery, location="query")
@blp.response(200, description="text/calendar", content_type="text/calendar")
@blp.doc(security=[])
def feed(args: dict[str, Any], officer_id: int) -> Response:
    """The officer's duties as iCalendar, times in UTC; cancelled ones marked cancelled.
    Authenticated by `key`, not a bearer token."""
    body = calendar_feed(database(), officer_id, args["key"])
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private"})
