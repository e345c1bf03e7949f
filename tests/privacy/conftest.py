"""An officer with a record in every table that can name one, made through the use cases."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.auth.service import create_token
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import Officer
from dutyservice.events import service as events
from dutyservice.ips import serving
from dutyservice.notify import subscriptions
from dutyservice.notify.webpush import b64url
from tests.support.builders import ADMIN, Builder

LEFT_LONG_AGO = date(2018, 3, 31)
SERVED_IN = datetime(2017, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def everywhere(db: Database, build: Builder) -> Officer:
    """A Special with duties, availability, units, training, a grant, a sign-up, a message
    queued for them, a token and audit entries: every holding of the export non-empty."""
    officer = build.ips_officer(since=date(2025, 1, 1), surname="Okafor", forenames="Ngozi")
    serving.update_officer(db, ADMIN, officer.id, duties.Edit({"email": "ngozi@example.police.uk"}))
    build.duty(officer, datetime(2025, 6, 1, 9, 0, tzinfo=UTC), complete=True)
    start = datetime(2099, 1, 1, tzinfo=UTC)
    duties.replace_availability(
        db,
        ADMIN,
        officer.id,
        start,
        start + timedelta(days=7),
        [(start, start + timedelta(hours=8))],
    )
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = events.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": "Operation Nightingale",
            "description": "Crowd safety at the fireworks.",
            "location": "Midsummer Common",
            "starts_at": soon,
            "ends_at": soon + timedelta(hours=8),
            "duty_type": "event",
            "capacity": 10,
            "signup_deadline": soon - timedelta(days=2),
            "open_to": "force",
        },
    )
    events.sign_up(db, ADMIN, event.id, officer.id)
    build.stage(officer, "APS", date(2025, 1, 1))
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    keys = {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}
    subscriptions.subscribe(
        db, ADMIN, officer.id, "https://fcm.googleapis.com/fcm/send/ngozi", keys, ()
    )
    create_token(db, role="special", officer_id=officer.id, label="Ngozi's phone")
    return officer


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.secret_key = app.secret_key or "a key for the page tests only"
    return app.test_client()
