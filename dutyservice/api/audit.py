"""The audit trail of every write, for admins. Read-only: it has no way in to change it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields
from sqlalchemy import Select
from sqlalchemy.orm import Session

from .. import audit
from ..auth.scope import Permission, require
from ..forces.queries import force_id_by_code
from ..pagination import paginate
from .common import PageQuery, database, page_body, page_of, page_requested, principal
from .formats import Id, InstantOrDay, Text
from .ips import HistoryEntrySchema
from .routing import api_blueprint

blp = api_blueprint(
    "audit", "/audit", "Who changed what, when, through which token or signed-in person (admins)."
)


class AuditEntrySchema(HistoryEntrySchema):
    officer_id = fields.Integer(allow_none=True)
    force_id = fields.Integer(allow_none=True)
    subject = fields.String(
        allow_none=True,
        metadata={"description": "the identity provider's `sub` of the person signed in"},
    )
    subject_name = fields.String(
        allow_none=True,
        metadata={"description": "their `name` or `preferred_username`, when given"},
    )


class AuditQuery(PageQuery):
    officer_id = Id(strict=False)
    force = Text(40)
    resource_type = Text(40)
    resource_id = Id(strict=False)
    from_ = InstantOrDay(data_key="from")
    to = InstantOrDay(end=True)


@blp.route("", methods=["GET"])
@blp.arguments(AuditQuery, location="query")
@blp.response(200, page_of(AuditEntrySchema))
def audit_trail(args: dict[str, Any]) -> dict[str, Any]:
    """Every write the service has taken, oldest first, filtered as asked."""
    require(principal(), Permission.READ_AUDIT)
    with database().reading() as session:
        query = trail_asked(session, args)
        return page_body(paginate(session, query, page_requested(args)))


def trail_asked(session: Session, args: Mapping[str, Any]) -> Select[Any]:
    """The entries an `AuditQuery` asks for, oldest first; a force unknown by its code: 404."""
    force_id = force_id_by_code(session, args["force"]) if args.get("force") else None
    return audit.trail(
        session,
        officer_id=args.get("officer_id"),
        force_id=force_id,
        resource_type=args.get("resource_type"),
        resource_id=args.get("resource_id"),
        since=args.get("from_"),
        until=args.get("to"),
    )
