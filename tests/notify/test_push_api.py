"""Push subscriptions over HTTP (API.md "Push to phones"): who may add them, which endpoints
are accepted, and that an endpoint refused is never requested."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice import AppState
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.notify.sending import send_queued
from dutyservice.notify.webpush import public_key_of
from dutyservice.outbox import PushSubscription

from ..support.builders import Builder
from ..support.push_service import PushService, Trap, trap
from ..web.pages import csrf_of, sign_in, token
from .conftest import callout, qualified


@pytest.fixture
def pushing(app: Flask, push_settings: Settings) -> Iterator[Settings]:
    """The running service configured for push, its allowed origin the test's push service."""
    state: AppState = app.extensions["dutyservice"]
    before = state.settings
    state.settings = push_settings
    try:
        yield push_settings
    finally:
        state.settings = before


@pytest.fixture
def elsewhere() -> Iterator[Trap]:
    with trap() as server:
        yield server


def stored(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(PushSubscription)) or 0


def path(officer_id: int) -> str:
    return f"/api/v1/officers/{officer_id}/push-subscriptions"


def test_the_key_browsers_subscribe_with_is_the_configured_keys_public_half(
    client: FlaskClient, build: Builder, pushing: Settings
) -> None:
    answer = client.get(
        "/api/v1/push/key", headers=build.headers("special", officer=build.officer())
    )
    assert answer.status_code == 200
    assert answer.get_json() == {"public_key": public_key_of(pushing.vapid_private_key)}
    assert client.get("/api/v1/push/key").status_code == 401


def test_without_push_configured_the_key_is_not_found(client: FlaskClient, build: Builder) -> None:
    answer = client.get("/api/v1/push/key", headers=build.headers("admin"))
    assert answer.status_code == 404
    assert answer.content_type == "application/problem+json"


def test_an_officer_adds_lists_and_removes_their_own_browser_and_its_keys_are_never_shown(
    client: FlaskClient, build: Builder, push: PushService, pushing: Settings
) -> None:
    officer = build.officer()
    own = build.headers("special", officer=officer)
    browser = push.subscribe().as_json()

    added = client.post(path(officer.id), json=browser, headers=own)
    again = client.post(path(officer.id), json=browser, headers=own)
    listed = client.get(path(officer.id), headers=own).get_json()

    assert added.status_code == 201, added.get_json()
    assert set(added.get_json()) == {"id", "endpoint", "created_at"}
    assert added.get_json()["endpoint"] == browser["endpoint"]
    assert again.get_json()["id"] == added.get_json()["id"]  # the same browser, its keys renewed
    assert listed == {"items": [added.get_json()]}
    gone = client.delete(f"{path(officer.id)}/{added.get_json()['id']}", headers=own)
    assert gone.status_code == 204
    assert client.get(path(officer.id), headers=own).get_json() == {"items": []}
    assert (
        client.delete(f"{path(officer.id)}/{added.get_json()['id']}", headers=own).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "force", "expected"),
    [
        ("supervisor", "cambridgeshire", 201),
        ("authoriser", "cambridgeshire", 201),
        ("admin", None, 201),
        ("planner", "cambridgeshire", 403),
        ("supervisor", "bedfordshire", 404),
        ("npocc", None, 404),
        ("special", None, 404),  # another officer's own token
    ],
)
def test_who_may_turn_on_notifications_for_an_officer(
    client: FlaskClient,
    build: Builder,
    db: Database,
    push: PushService,
    pushing: Settings,
    role: str,
    force: str | None,
    expected: int,
) -> None:
    officer, colleague = build.officer(), build.officer()
    headers = build.headers(role, force, officer=colleague)
    answer = client.post(path(officer.id), json=push.subscribe().as_json(), headers=headers)
    listed = client.get(path(officer.id), headers=headers)
    assert answer.status_code == expected, answer.get_json()
    assert listed.status_code == (200 if expected == 201 else expected)
    assert stored(db) == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com.example.net/fcm/send/abc",
        "https://fcm.googleapis.com:8443/fcm/send/abc",
        "https://user@fcm.googleapis.com/fcm/send/abc",
        "https://push.example.net/abc",
        "https://notify.windows.com.example.net/w/abc",
        "https://127.0.0.1/wpush/abc",
        "file:///etc/passwd",
        "not a url",
    ],
)
def test_an_endpoint_that_is_not_a_known_push_service_is_refused(
    client: FlaskClient,
    build: Builder,
    db: Database,
    push: PushService,
    pushing: Settings,
    endpoint: str,
) -> None:
    officer = build.officer()
    body = {**push.subscribe().as_json(), "endpoint": endpoint}
    answer = client.post(path(officer.id), json=body, headers=build.headers("admin"))
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    assert "endpoint" in answer.get_json()["errors"]
    assert stored(db) == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAA",
    ],
)
def test_the_push_services_browsers_use_are_accepted(
    client: FlaskClient, build: Builder, push: PushService, pushing: Settings, endpoint: str
) -> None:
    body = {**push.subscribe().as_json(), "endpoint": endpoint}
    answer = client.post(path(build.officer().id), json=body, headers=build.headers("admin"))
    assert answer.status_code == 201, answer.get_json()


def test_an_endpoint_a_caller_chooses_is_refused_and_never_requested(
    client: FlaskClient,
    build: Builder,
    db: Database,
    push: PushService,
    pushing: Settings,
    elsewhere: Trap,
) -> None:
    officer = qualified(build)
    own = build.headers("special", officer=officer)
    body = {**push.subscribe().as_json(), "endpoint": f"{elsewhere.origin}/wpush/x"}

    answer = client.post(path(officer.id), json=body, headers=own)
    callout(db)
    send_queued(db, pushing)

    assert answer.status_code == 422
    assert elsewhere.asked == []
    assert push.answered == []


@pytest.mark.parametrize(
    ("keys", "bad"),
    [
        ({"p256dh": "BAAA", "auth": "c2l4dGVlbiBieXRlcyEhIQ"}, {"keys.p256dh"}),
        ({"p256dh": "not base64 !", "auth": "short"}, {"keys.p256dh", "keys.auth"}),
    ],
)
def test_keys_that_are_not_a_p256_point_and_16_bytes_are_refused(
    client: FlaskClient,
    build: Builder,
    db: Database,
    push: PushService,
    pushing: Settings,
    keys: dict[str, str],
    bad: set[str],
) -> None:
    browser = push.subscribe().as_json()
    real = browser["keys"]
    body = {"endpoint": browser["endpoint"], "keys": {**real, **keys}}
    answer = client.post(path(build.officer().id), json=body, headers=build.headers("admin"))
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == bad
    assert stored(db) == 0


def test_the_page_session_turns_notifications_on_with_its_form_token_and_not_without(
    client: FlaskClient, build: Builder, db: Database, push: PushService, pushing: Settings
) -> None:
    client.application.secret_key = client.application.secret_key or "page tests only"
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    page = client.get("/app/").get_data(as_text=True)
    browser = push.subscribe().as_json()

    forged = client.post(path(officer.id), json=browser)
    accepted = client.post(path(officer.id), json=browser, headers={"X-CSRF-Token": csrf_of(page)})
    key = client.get("/api/v1/push/key")

    assert forged.status_code == 403
    assert accepted.status_code == 201, accepted.get_json()
    assert key.status_code == 200
    assert 'id="push-button"' in page
    assert "push.js" in page
    assert stored(db) == 1


def test_the_service_worker_imports_the_push_handlers(client: FlaskClient) -> None:
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert 'importScripts("/app/static/push-sw.js")' in worker.get_data(as_text=True)
    handlers = client.get("/app/static/push-sw.js")
    handlers.close()
    assert handlers.status_code == 200
