"""The planners' question: who is deployable, with IPS, in this window, here or nationally."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate

from ..ips import queries
from ..ips.learning_rules import AREAS, STAGES
from ..ips.rules import IPS_PROFILE
from .common import PageQuery, database, presorted_json, principal
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
    # Shaped here, not dumped through DeployablePageSchema (which documents it): a national
    # page is hundreds of rows, and marshmallow's per-field dump cost more than the query.
    # Each object's keys are written in sorted order, as jsonify would sort them, so that the
    # encoder need not sort 500 of them again.
    items = [
        {
            "base_location": base_location,
            "force": force,
            "officer_id": officer_id,
            "officer_ref": officer_ref,
            "ost_expires_on": ost_expires_on.isoformat() if ost_expires_on else None,
            "rank": rank,
        }
        for officer_id, officer_ref, force, rank, base_location, ost_expires_on in result.page.items
    ]
    page = result.page
    return presorted_json(
        {
            "by_force": dict(sorted(result.by_force.items())),
            "items": items,
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )
