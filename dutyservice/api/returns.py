"""NPoCC returns: made from the records, never keyed; their files, and delivery."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from ..auth.scope import Permission, require
from ..clock import Quarter
from ..errors import NotFound
from ..npocc import delivery, queries, requests, service
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
REQUEST_ID = id_rule("request_pk")


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


class RequesterSchema(Schema):
    role = fields.String(metadata={"description": "The role of the token or person who asked."})
    token_id = fields.Integer(
        allow_none=True, metadata={"description": "The API token used, as the audit trail says."}
    )
    subject = fields.String(
        allow_none=True,
        metadata={"description": "The identity provider's `sub` of the person who asked."},
    )
    name = fields.String(
        allow_none=True, metadata={"description": "Their `name` or `preferred_username`."}
    )


class ReturnRequestSchema(Schema):
    id = fields.Integer(metadata={"description": "The request's id, as assigned by the service."})
    quarter = fields.String()
    force = fields.String(
        allow_none=True, metadata={"description": "The force asked for; null: every force."}
    )
    state = fields.String(metadata={"description": "queued, running, done or failed"})
    requested_at = Instant(metadata={"description": "When it was first asked for."})
    requested_by = fields.Nested(
        RequesterSchema,
        allow_none=True,
        metadata={"description": "Who first asked, as the audit trail names them."},
    )
    started_at = Instant(
        allow_none=True, metadata={"description": "When a worker began making the returns."}
    )
    finished_at = Instant(allow_none=True, metadata={"description": "When it was done, or failed."})
    made = fields.List(
        fields.Integer(),
        allow_none=True,
        metadata={"description": "Once done: the ids of the returns made (new revisions)."},
    )
    unchanged = fields.List(
        fields.Integer(),
        allow_none=True,
        metadata={"description": "Once done: the ids of the returns that stand unchanged."},
    )
    problem = fields.Dict(
        allow_none=True,
        metadata={"description": "Once failed: what went wrong (`title`, `detail`, `errors`)."},
    )


def _request_body(state: requests.RequestState) -> dict[str, Any]:
    made = state.request
    return {
        "id": made.id,
        "quarter": made.quarter,
        "force": made.force_code,
        "state": made.state,
        "requested_at": made.requested_at,
        "requested_by": state.requested_by,
        "started_at": made.started_at,
        "finished_at": made.finished_at,
        "made": made.made,
        "unchanged": made.unchanged,
        "problem": made.problem,
    }


def _load(return_pk: int) -> NpoccReturn:
    return read(queries.load_return, return_pk)


@blp.route("", methods=["GET"])
@blp.arguments(ReturnQuery, location="query")
@blp.response(200, page_of(ReturnSchema))
def list_returns(args: dict[str, Any]) -> dict[str, Any]:
    """Returns made, newest quarter first, each revision listed."""
    return listed(queries.list_returns, args, "quarter", "force")


PREFER = {
    "in": "header",
    "name": "Prefer",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        "`respond-async` (RFC 7240): queue the request and answer 202 at once, with `Location` "
        "naming the request to poll; without it the returns are made before the answer."
    ),
}
QUEUED_HEADERS = {
    "Location": {
        "description": "The request to poll: `/api/v1/npocc/returns/requests/{request_pk}`.",
        "schema": {"type": "string"},
    },
    "Preference-Applied": {
        "description": "`respond-async`: the preference was honoured.",
        "schema": {"type": "string"},
    },
}


def prefers_async() -> bool:
    """RFC 7240: `Prefer: respond-async`, among any preferences, in any Prefer header."""
    for header in request.headers.getlist("Prefer"):
        for preference in header.split(","):
            token = preference.split(";")[0].split("=")[0].strip()
            if token.lower() == "respond-async":
                return True
    return False


@blp.route("", methods=["POST"])
@blp.arguments(MakeReturnSchema)
@blp.response(201, list_of(ReturnSchema))
@blp.alt_response(200, schema=list_of(ReturnSchema), description="nothing had changed")
@blp.alt_response(
    202,
    schema=ReturnRequestSchema,
    description="`Prefer: respond-async` was sent: the request is queued (or was already)",
    headers=QUEUED_HEADERS,
)
@blp.doc(parameters=[PREFER])
def make_returns(data: dict[str, Any]) -> tuple[dict[str, Any], int] | Response:
    """Make the quarter's return for one force, or every force. 201 with the returns made; 200
    with the unchanged ones when nothing had changed. With `Prefer: respond-async`, 202 with
    the request queued for the scheduler, or the same request already waiting."""
    require(principal(), Permission.MAKE_RETURNS)
    quarter = Quarter.parse(data["quarter"])
    if prefers_async():
        return _queued(quarter, data.get("force"))
    generated = service.make_quarter_returns(database(), settings(), quarter, data.get("force"))
    made = [g.record for g in generated if g.created]
    if made:
        return {"items": made}, 201
    return {"items": [g.record for g in generated]}, 200


def _queued(quarter: Quarter, force_code: str | None) -> Response:
    queued, _new = requests.ask(database(), settings(), principal(), quarter, force_code)
    state = read(requests.load_request, queued.id)
    answer = jsonify(ReturnRequestSchema().dump(_request_body(state)))
    answer.status_code = 202
    # A path, not built from the request's Host (DUTYSERVICE_BASE_URL is the public address).
    answer.headers["Location"] = f"{blp.url_prefix}/requests/{queued.id}"
    answer.headers["Preference-Applied"] = "respond-async"
    return answer


@blp.route(f"/requests/{REQUEST_ID}", methods=["GET"])
@blp.response(200, ReturnRequestSchema)
def get_request(request_pk: int) -> dict[str, Any]:
    """A request queued with `Prefer: respond-async`: queued, running, done (with the returns
    made and unchanged) or failed (with the problem)."""
    return _request_body(read(requests.load_request, request_pk))


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
