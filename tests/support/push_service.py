"""A real Web Push service on 127.0.0.1, as a browser's push service behaves to a sender.

Each subscription it hands out has its own key pair and auth secret, made here as a browser
makes them. For every message it checks the VAPID JWT (RFC 8292: ES256 with the `k` key, `aud`
its own origin, `exp` in the future, `sub` the expected subject), the `TTL` and the encoding,
then decrypts the `aes128gcm` body (RFC 8291) with http-ece and records the payload. A message
that fails a check is answered 400 and recorded as refused. A script per subscription says
what to answer before it accepts (201): e.g. [429] then accepted, or [410] for ever.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dutyservice.notify.webpush import b64url, from_b64url

from .serving import on_a_thread

_VAPID = re.compile(r"vapid\s+t=([^,\s]+)\s*,\s*k=([A-Za-z0-9_-]+)")


@dataclass
class Subscription:
    """What a browser's PushSubscription gives the page, and the keys only the browser has."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    auth: bytes = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }


@dataclass
class Delivered:
    token: str
    payload: dict[str, Any]
    headers: dict[str, str]


@dataclass
class PushService:
    origin: str
    subject: str
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    delivered: list[Delivered] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    #: Every request that reached the service, accepted or not: (token, status answered).
    answered: list[tuple[str, int]] = field(default_factory=list)
    #: Where a scripted 3xx answer points (its `Location`).
    redirect_to: str = ""

    def subscribe(self, answers: list[int] | None = None) -> Subscription:
        """A new browser subscription; `answers` are given, in turn, before it accepts."""
        token = secrets.token_urlsafe(12)
        made = Subscription(
            token,
            f"{self.origin}/wpush/{token}",
            ec.generate_private_key(ec.SECP256R1()),
            secrets.token_bytes(16),
        )
        self.subscriptions[token] = made
        self.scripts[token] = list(answers or [])
        return made

    def payloads_to(self, subscription: Subscription) -> list[dict[str, Any]]:
        return [d.payload for d in self.delivered if d.token == subscription.token]

    def check(self, token: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        """The message's payload, or ValueError saying which check it failed."""
        subscription = self.subscriptions.get(token)
        if subscription is None:
            raise LookupError("no such subscription")
        found = _VAPID.fullmatch(headers.get("authorization", "").strip())
        if not found:
            raise ValueError("no VAPID authorization")
        token_, key = found.groups()
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), from_b64url(key))
        claims = jwt.decode(
            token_,
            key=public,
            algorithms=["ES256"],
            audience=self.origin,
            options={"require": ["exp", "aud", "sub"]},
        )
        if claims["sub"] != self.subject or claims["exp"] <= time.time():
            raise ValueError("wrong VAPID subject or expiry")
        if not headers.get("ttl", "").isdigit() or int(headers["ttl"]) <= 0:
            raise ValueError("no TTL")
        if headers.get("content-encoding") != "aes128gcm":
            raise ValueError("not aes128gcm")
        plain = http_ece.decrypt(
            body,
            private_key=subscription.private_key,
            auth_secret=subscription.auth,
            version="aes128gcm",
        )
        payload: dict[str, Any] = json.loads(plain)
        return payload


@contextmanager
def push_service(subject: str) -> Iterator[PushService]:
    state = PushService(origin="", subject=subject)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            token = self.path.removeprefix("/wpush/")
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                status = self._answer(token, headers, body)
                state.answered.append((token, status))
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _answer(self, token: str, headers: dict[str, str], body: bytes) -> int:
            try:
                payload = state.check(token, headers, body)
            except LookupError:
                return 404
            except Exception as error:  # any failed check: the sender did it wrong
                state.refused.append(f"{type(error).__name__}: {error}")
                return 400
            script = state.scripts[token]
            if script:
                return script.pop(0)
            state.delivered.append(Delivered(token, payload, headers))
            return 201

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    with on_a_thread(server):
        yield state


@dataclass
class Trap:
    origin: str
    #: Every request that reached it: there must be none.
    asked: list[str] = field(default_factory=list)


@contextmanager
def trap() -> Iterator[Trap]:
    """An HTTP server on 127.0.0.1 that accepts anything and records that it was asked."""
    state = Trap(origin="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _record(self) -> None:
            state.asked.append(f"{self.command} {self.path}")
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PUT = _record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    with on_a_thread(server):
        yield state
