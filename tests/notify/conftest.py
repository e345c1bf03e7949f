from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import Officer
from dutyservice.events import service as events
from dutyservice.events.models import Event
from dutyservice.ips import serving
from dutyservice.notify import subscriptions
from dutyservice.notify.webpush import new_private_key

from ..support.builders import ADMIN, Builder
from ..support.push_service import PushService, Subscription, push_service
from ..support.smtp import Mailbox, smtp_server

#: A fortnight ahead, on the hour: every test's event or duty is in the future.
SOON = (datetime.now(UTC) + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
TODAY = date.today()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def settings(app: Flask, tmp_path: Path, mailbox: Mailbox) -> Settings:
    base: Settings = app.extensions["dutyservice"].settings
    return base.replace(
        export_dir=tmp_path / "exports",
        smtp_url=mailbox.url,
        mail_from="specials@cambs.police.example",
        admin_email="returns-admin@cambs.police.example",
        base_url="https://duties.cambs.police.example",
        smtp_timeout=5.0,
        smtp_retry_backoff=1.0,
    )


def address(officer: Officer) -> str:
    return f"{officer.forenames.lower()}.{officer.warrant_number.lower()}@police.example"


def with_email(db: Database, officer: Officer, **notify: bool) -> Officer:
    changes: dict[str, Any] = {"email": address(officer)}
    if notify:
        changes["notify"] = notify
    return serving.update_officer(db, ADMIN, officer.id, duties.Edit(changes))


def qualified(build: Builder, force: str = "cambridgeshire", **officer: Any) -> Officer:
    """An officer meeting role profile 135 for months to come (OST renewed a month ago)."""
    made = build.ips_officer(force, since=date(2025, 1, 6), **officer)
    build.ost(made, TODAY - timedelta(days=30))
    return made


def callout(db: Database, **overrides: Any) -> Event:
    data: dict[str, Any] = {
        "force": "cambridgeshire",
        "title": "Operation Nightingale",
        "description": "Crowd safety at the fireworks.",
        "location": "Midsummer Common",
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=8),
        "duty_type": "event",
        "capacity": 10,
        "signup_deadline": SOON - timedelta(days=2),
        "open_to": "force",
        "mercury_ref": 135,
        "version": 1,
    }
    data.update(overrides)
    return events.create_event(db, ADMIN, data)


PUSH_SUBJECT = "mailto:specials@cambs.police.example"


@pytest.fixture
def push() -> Iterator[PushService]:
    with push_service(PUSH_SUBJECT) as service:
        yield service


@pytest.fixture
def push_settings(settings: Settings, push: PushService) -> Settings:
    """Mail and push both configured; the test's push service named as an allowed origin."""
    return settings.replace(
        vapid_private_key=new_private_key(),
        vapid_subject=PUSH_SUBJECT,
        push_endpoints=(push.origin,),
        push_timeout=5.0,
    )


def subscribed(
    db: Database, push: PushService, officer: Officer, answers: list[int] | None = None
) -> Subscription:
    """The officer turns notifications on in a new browser, whose push service is `push`."""
    browser = push.subscribe(answers)
    body = browser.as_json()
    subscriptions.subscribe(db, ADMIN, officer.id, body["endpoint"], body["keys"], (push.origin,))
    return browser
