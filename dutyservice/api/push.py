"""Push to phones (API.md "Push to phones"): the key browsers subscribe with, and the browsers
and phones each officer turned notifications on in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from .. import AppState
from ..config import Settings
from ..errors import NotFound
from ..notify import subscriptions
from ..notify.webpush import MAX_ENDPOINT_LENGTH, public_key_of
from ..outbox import PushSubscription
from .common import StrictSchema, database, list_of, principal, read
from .formats import Instant, Text
from .routing import api_blueprint, id_rule

blp = api_blueprint(
    "push",
    "",
    "Push to phones: the application server key, and each officer's push subscriptions.",
)

SUBSCRIPTIONS = f"/officers/{id_rule('officer_id')}/push-subscriptions"


class PushKeySchema(Schema):
    public_key = fields.String(
        metadata={"description": "the application server key (VAPID, base64url)"}
    )


class PushKeysSchema(StrictSchema):
    p256dh = Text(
        100,
        required=True,
        min_length=1,
        metadata={"description": "the browser's P-256 public key, base64url (65 bytes)"},
    )
    auth = Text(
        40,
        required=True,
        min_length=1,
        metadata={"description": "the browser's authentication secret, base64url (16 bytes)"},
    )


class PushSubscriptionCreateSchema(StrictSchema):
    """A browser's PushSubscription (its `toJSON()`); `expirationTime` is accepted and unused."""

    endpoint = Text(
        MAX_ENDPOINT_LENGTH,
        required=True,
        min_length=1,
        metadata={"description": "an https URL of a known push service"},
    )
    keys = fields.Nested(
        PushKeysSchema,
        required=True,
        metadata={"description": "the keys to encrypt to the browser with (RFC 8291)"},
    )
    expirationTime = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "as the browser gives it; not used"},
    )


class PushSubscriptionSchema(Schema):
    """A subscription as it is shown: never its keys."""

    id = fields.Integer(metadata={"description": "the subscription's id"})
    endpoint = fields.String(metadata={"description": "the push service's URL for the browser"})
    created_at = Instant(metadata={"description": "when notifications were turned on in it"})


@blp.route("/push/key", methods=["GET"])
@blp.response(200, PushKeySchema)
def push_key() -> dict[str, str]:
    """The key a browser subscribes with; 404 when push is not configured."""
    principal()  # any signed-in caller
    settings = _settings()
    if not settings.push_enabled:
        raise NotFound("push notifications are not configured")
    return {"public_key": public_key_of(settings.vapid_private_key)}


@blp.route(SUBSCRIPTIONS, methods=["POST"])
@blp.arguments(PushSubscriptionCreateSchema)
@blp.response(201, PushSubscriptionSchema)
def subscribe(data: dict[str, Any], officer_id: int) -> PushSubscription:
    """Turn notifications on in a browser: the officer's own token or session, supervisors of
    their force, admins. The endpoint must be a known push service's (422 otherwise); the same
    endpoint again renews its keys."""
    return subscriptions.subscribe(
        database(),
        principal(),
        officer_id,
        data["endpoint"],
        data["keys"],
        _settings().push_endpoints,
    )


@blp.route(SUBSCRIPTIONS, methods=["GET"])
@blp.response(200, list_of(PushSubscriptionSchema))
def list_subscriptions(officer_id: int) -> dict[str, Sequence[PushSubscription]]:
    """The officer's browsers and phones with notifications on, oldest first."""
    return {"items": read(subscriptions.subscriptions, officer_id)}


@blp.route(f"{SUBSCRIPTIONS}/{id_rule('subscription_id')}", methods=["DELETE"])
@blp.response(204)
def unsubscribe(officer_id: int, subscription_id: int) -> None:
    """Turn notifications off in that browser."""
    subscriptions.unsubscribe(database(), principal(), officer_id, subscription_id)


def _settings() -> Settings:
    state: AppState = current_app.extensions["dutyservice"]
    return state.settings
