"""The planners' question: who is deployable, with IPS, in this window, here or nationally."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as escaped
from typing import Any

from flask import Response, current_app, jsonify
from marshmallow import Schema, fields, validate

from ..ips import queries
from ..ips.learning_rules import AREAS, STAGES
from ..ips.rules import IPS_PROFILE
from .common import PageQuery, database, page_body, principal
from .formats import InstantOrDay, Text
from .officers import OfficerRowSchema
from .routing import api_blueprint

blp = api_blueprint("deployable", "", "Deployable resource for planners and NPoCC.")


class DeployableQuery(PageQuery):
    from_ = InstantOrDay(required=True, data_key="from")
    to = InstantOrDay(required=True, end=True)
    force = Text(40)
    mercury_ref = fields.Integer(load_default=IPS_PROFILE[0], validate=validate.Range(1, 10**6))
    version = fields.Integer(load_default=IPS_PROFILE[1], validate=validate.Range(1, 10**6))
    available_only = fields.Boolean(load_default=False)
    stage = fields.String(
        validate=validate.OneOf(list(STAGES)),
        metadata={"description": "instead of the role profile: at this stage or above (SCLP)"},
    )
    area = fields.String(
        validate=validate.OneOf(list(AREAS)),
        metadata={"description": "with stage=QSC: QSC in this core area"},
    )


class DeployableOfficerSchema(OfficerRowSchema):
    base_location = fields.String()
    ost_expires_on = fields.Date(allow_none=True)


class DeployablePageSchema(Schema):
    items = fields.List(fields.Nested(DeployableOfficerSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    by_force = fields.Dict(keys=fields.String(), values=fields.Integer())


def deployable_question(args: dict[str, Any]) -> dict[str, Any]:
    """The window, scope and profile asked about, from a `DeployableQuery`: the API's and the
    planning page's, one reading."""
    return {
        "starts_at": args["from_"],
        "ends_at": args["to"],
        "force": args.get("force"),
        "mercury_ref": args["mercury_ref"],
        "version": args["version"],
        "available_only": args["available_only"],
        "stage": args.get("stage"),
        "area": args.get("area"),
    }


@blp.route("/deployable", methods=["GET"])
@blp.arguments(DeployableQuery, location="query")
@blp.response(200, DeployablePageSchema)
def deployable(args: dict[str, Any]) -> Response:
    """Officers who meet the role profile (or, with `stage`, are at that stage of the learning
    programme with safety training in force) on every day of the window, are serving and are not
    booked over it; with `available_only`, whose declared availability covers it too."""
    with database().reading() as session:
        result = queries.deployable(
            session,
            principal(),
            **deployable_question(args),
            page=args["page"],
            per_page=args["per_page"],
        )
    # Written here, not dumped through DeployablePageSchema (which documents it): a national
    # page is hundreds of rows, and marshmallow's per-field dump cost more than the query.
    return page_json(result)


#: One officer of the page as jsonify writes it (keys sorted, compact), strings escaped by the
#: same function as json.dumps escapes them.
_ITEM = (
    '{"base_location":%s,"force":%s,"officer_id":%d,"officer_ref":%s,"ost_expires_on":%s,"rank":%s}'
)


def page_json(result: queries.Deployable) -> Response:
    """`jsonify` of the page, byte for byte, each row written from a template rather than
    built as a dict for the encoder to sort and walk (500 rows nationally). Indented, in
    debug mode, it is left to the encoder."""
    page = result.page
    if current_app.debug or getattr(current_app.json, "compact", None) is False:
        shaped = [_item(item) for item in page.items]
        return jsonify({**page_body(page, shaped), "by_force": result.by_force})
    items = ",".join([_ITEM % _written(item) for item in page.items])
    counts = current_app.json.dumps(result.by_force, separators=(",", ":"))
    body = (
        f'{{"by_force":{counts},"items":[{items}],"page":{page.page:d},'
        f'"per_page":{page.per_page:d},"total":{page.total:d}}}\n'
    )
    return current_app.response_class(body, mimetype="application/json")


def _written(item: queries.DeployableOfficer) -> tuple[str, str, int, str, str, str]:
    officer_id, officer_ref, force, rank, base_location, ost_expires_on = item
    expires = f'"{ost_expires_on.isoformat()}"' if ost_expires_on else "null"
    return (
        escaped(base_location),
        escaped(force),
        officer_id,
        escaped(officer_ref),
        expires,
        escaped(rank),
    )


def _item(item: queries.DeployableOfficer) -> dict[str, Any]:
    expires = item.ost_expires_on
    return {**item._asdict(), "ost_expires_on": expires.isoformat() if expires else None}
