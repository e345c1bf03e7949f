"""NPoCC returns: made from the records, never keyed; their files, and delivery."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields

from ..auth.scope import Permission, require
from ..clock import Quarter
from ..errors import NotFound
from ..npocc import delivery, queries, service
from ..npocc.models import NpoccReturn
from .common import (
    PageQuery,
    StrictSchema,
    database,
    list_of,
    listed,
    page_of,
    principal,
    read,
    settings,
)
from .formats import Instant, QuarterText, Text
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "returns", "/npocc/returns", "The quarterly NPoCC role-profile return (FEED.md)."
)
RETURN_ID = id_rule("return_pk")


class ReturnSchema(Schema):
    id = fields.Integer()
    return_id = fields.String()
    force = fields.Function(lambda r: r.force.code)
    quarter = fields.String()
    mercury_ref = fields.Function(lambda r: r.role_profile.mercury_ref)
    version = fields.Function(lambda r: r.role_profile.version)
    revision = fields.Integer()
    record_count = fields.Integer()
    sha256 = fields.String()
    status = fields.String(metadata={"description": "pending, delivered, failed or filed"})
    delivery_attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    generated_at = Instant()
    delivered_at = Instant(allow_none=True)


class ReturnQuery(PageQuery):
    quarter = QuarterText()
    force = Text(40)


class MakeReturnSchema(StrictSchema):
    quarter = QuarterText(required=True)
    force = Text(40)


def _load(return_pk: int) -> NpoccReturn:
    return read(queries.load_return, return_pk)


@blp.route("", methods=["GET"])
@blp.arguments(ReturnQuery, location="query")
@blp.response(200, page_of(ReturnSchema))
def list_returns(args: dict[str, Any]) -> dict[str, Any]:
    """Returns made, newest quarter first, each revision listed."""
    return listed(queries.list_returns, args, quarter="quarter", force="force")


@blp.route("", methods=["POST"])
@blp.arguments(MakeReturnSchema)
@blp.response(201, list_of(ReturnSchema))
@blp.alt_response(200, schema=list_of(ReturnSchema), description="nothing had changed")
def make_returns(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Make the quarter's return for one force, or every force. 201 with the returns made; 200
    with the unchanged ones when nothing had changed."""
    require(principal(), Permission.MANAGE_RETURNS)
    generated = service.make_quarter_returns(
        database(), settings(), Quarter.parse(data["quarter"]), data.get("force")
    )
    made = [g.record for g in generated if g.created]
    if made:
        return {"items": made}, 201
    return {"items": [g.record for g in generated]}, 200


@blp.route(f"/{RETURN_ID}", methods=["GET"])
@blp.response(200, ReturnSchema)
def get_return(return_pk: int) -> NpoccReturn:
    """One return and its delivery state."""
    return _load(return_pk)


def return_file(name: str, mimetype: str) -> Response:
    """A file of a return from the export directory, exactly as written (also for the pages)."""
    path = (settings().export_dir / name).resolve()
    if not path.is_file():
        raise NotFound("the return's file is not in the export directory")
    # Read whole (a return is kilobytes), so that no file handle outlives the request.
    return Response(
        path.read_bytes(),
        mimetype=mimetype,
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-cache"},
    )


@blp.route(f"/{RETURN_ID}/feed.csv", methods=["GET"])
@blp.response(
    200, description="The CSV, exactly as written and delivered.", content_type="text/csv"
)
def feed_csv(return_pk: int) -> Response:
    """The return's CSV."""
    return return_file(_load(return_pk).csv_filename, "text/csv")


@blp.route(f"/{RETURN_ID}/manifest.json", methods=["GET"])
@blp.response(
    200,
    description="The manifest, exactly as written and delivered.",
    content_type="application/json",
)
def manifest_json(return_pk: int) -> Response:
    """The return's manifest."""
    return return_file(_load(return_pk).manifest_filename, "application/json")


@blp.route(f"/{RETURN_ID}/deliver", methods=["POST"])
@blp.response(200, ReturnSchema)
def deliver_now(return_pk: int) -> NpoccReturn:
    """Send the return again now (a failed one, or a pending one without waiting)."""
    return delivery.send_again(database(), settings(), principal(), return_pk)
