"""The outbox: what was sent to whom, what waits, what failed (API.md "Notifications")."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ..notify import queries
from ..outbox import Kind, Notification, Status
from .common import PageQuery, database, page_body, page_of, page_requested, principal
from .formats import Id, Instant
from .routing import api_blueprint

blp = api_blueprint(
    "notifications",
    "/notifications",
    "E-mail notifications: call-outs, duty reminders, training and return warnings.",
)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "callout, reminder, training or return"})
    subject = fields.String(
        metadata={"description": "what it is about: event:ID, duty:ID, ost:DATE or return:ID"}
    )
    recipient = fields.String(metadata={"description": "officer:ID, or admin"})
    officer_id = fields.Integer(allow_none=True)
    force = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "queued, sent or failed"})
    attempts = fields.Integer()
    next_attempt_at = Instant(
        allow_none=True, metadata={"description": "while queued: when it is tried next"}
    )
    last_error = fields.String(allow_none=True)
    created_at = Instant()
    sent_at = Instant(allow_none=True)


class NotificationQuery(PageQuery):
    officer_id = Id(strict=False)
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))


@blp.route("", methods=["GET"])
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, page_of(NotificationSchema))
def list_notifications(args: dict[str, Any]) -> dict[str, Any]:
    """The outbox, newest first, for supervisors (their own force) and admins."""
    with database().reading() as session:
        page = queries.list_notifications(
            session,
            principal(),
            officer_id=args.get("officer_id"),
            kind=args.get("kind"),
            status=args.get("status"),
            requested=page_requested(args),
        )
        codes = queries.force_codes(session, {n.force_id for n in page.items if n.force_id})
    return page_body(page, [_shape(n, codes) for n in page.items])


def _shape(notification: Notification, force_codes: dict[int, str]) -> dict[str, Any]:
    n = notification
    return {
        "id": n.id,
        "kind": n.kind,
        "subject": n.subject,
        "recipient": n.recipient,
        "officer_id": n.officer_id,
        "force": force_codes.get(n.force_id) if n.force_id else None,
        "status": n.status,
        "attempts": n.attempts,
        "next_attempt_at": n.next_attempt_at if n.status == Status.QUEUED else None,
        "last_error": n.last_error,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
    }
