"""One push to one browser (pywebpush): `aes128gcm` (RFC 8291), signed with the service's VAPID
key (RFC 8292), with a `TTL` (RFC 8030); and what the push service's answer means.

201 → sent; 404 or 410 → the subscription has gone (deleted); 429, 5xx, a refused connection
or a time-out → tried again later; any other answer → failed for good. Redirects are never
followed: only the endpoint itself, on a push service we know, is ever requested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from ..config import Settings
from .transport import SENT, Outcome, Transport
from .webpush import endpoint_refusal, load_private_key, vapid_refusal

GONE = frozenset({404, 410})
#: The push service's own trouble, or its rate limit: the message waits and is tried again.
LATER = frozenset({401, 403, 408, 425, 429})


@dataclass(frozen=True)
class PushMessage:
    subscription_id: int
    endpoint: str = field(repr=False)  # a capability: whoever has it can push to the browser
    p256dh: str = field(repr=False)
    auth: str = field(repr=False)
    payload: bytes = field(repr=False)
    ttl: int = 86_400


class _NoRedirects(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


class Pusher(Transport[PushMessage]):
    """The service's VAPID key, and one HTTP session for a batch of pushes."""

    def __init__(self, settings: Settings) -> None:
        refusal = vapid_refusal(settings.vapid_private_key, settings.vapid_subject)
        if refusal:
            raise ValueError(refusal)
        self.vapid = Vapid(private_key=load_private_key(settings.vapid_private_key))
        self.subject = settings.vapid_subject
        self.allowed_origins = settings.push_endpoints
        self.timeout = settings.push_timeout
        self.session = _NoRedirects()

    def close(self) -> None:
        self.session.close()

    def send(self, message: PushMessage) -> Outcome:
        refusal = endpoint_refusal(message.endpoint, self.allowed_origins)
        if refusal:  # the settings changed since it was subscribed: it is not requested
            return Outcome(False, permanent=True, error=f"the endpoint {refusal}")
        try:
            webpush(
                {
                    "endpoint": message.endpoint,
                    "keys": {"p256dh": message.p256dh, "auth": message.auth},
                },
                data=message.payload,
                vapid_private_key=self.vapid,
                # A new dict each time: pywebpush writes `aud` and `exp` into it.
                vapid_claims={"sub": self.subject},
                content_encoding="aes128gcm",
                timeout=self.timeout,
                ttl=message.ttl,
                requests_session=self.session,
            )
        except WebPushException as error:
            return _answered(error, message.subscription_id)
        except requests.RequestException as error:
            return Outcome(False, error=f"{type(error).__name__}: could not reach the push service")
        return SENT


def _answered(error: WebPushException, subscription_id: int) -> Outcome:
    status = error.status_code
    if status is None:
        return Outcome(False, permanent=True, error="the subscription could not be encrypted to")
    reason = f"{status} from the push service"
    if status in GONE:
        return Outcome(
            False, permanent=True, error=f"{reason}: subscription removed", gone=subscription_id
        )
    if status in LATER or status >= 500:
        return Outcome(False, error=reason)
    return Outcome(False, permanent=True, error=reason)
