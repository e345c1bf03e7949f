"""The officer's address and preferences, and the outbox, over HTTP (API.md)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from dutyservice.audit import AuditEntry
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.notify.sending import send_queued

from ..support.builders import Builder
from ..support.smtp import Mailbox
from .conftest import address, callout, qualified, with_email

NEW = {
    "force": "cambridgeshire",
    "warrant_number": "SC9001",
    "surname": "Okafor",
    "forenames": "Grace",
    "rank": "SC",
    "base_location": "Parkside",
    "joined_on": "2024-03-01",
}


def test_an_officer_is_created_with_an_address_and_every_kind_of_message_on_by_default(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("supervisor")
    body = {**NEW, "email": "grace.okafor@police.example", "notify": {"training": False}}
    created = client.post("/api/v1/officers", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    read = client.get(f"/api/v1/officers/{created.get_json()['id']}", headers=headers).get_json()
    assert read["email"] == "grace.okafor@police.example"
    assert read["notify"] == {"callouts": True, "reminders": True, "training": False}
    plain = client.post(
        "/api/v1/officers", json={**NEW, "warrant_number": "SC9002"}, headers=headers
    )
    assert plain.get_json()["email"] is None
    assert plain.get_json()["notify"] == {"callouts": True, "reminders": True, "training": True}


def test_a_special_changes_their_own_preferences_and_nothing_else(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer, colleague = build.officer(), build.officer()
    own = build.headers("special", officer=officer)
    changed = client.patch(
        f"/api/v1/officers/{officer.id}",
        json={"email": "me@police.example", "notify": {"callouts": False}},
        headers=own,
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["notify"]["callouts"] is False
    assert changed.get_json()["email"] == "me@police.example"
    surname = client.patch(f"/api/v1/officers/{officer.id}", json={"surname": "X"}, headers=own)
    assert surname.status_code == 403
    other = client.patch(
        f"/api/v1/officers/{colleague.id}", json={"notify": {"callouts": False}}, headers=own
    )
    assert other.status_code == 404
    planner = client.patch(
        f"/api/v1/officers/{officer.id}",
        json={"notify": {"callouts": True}},
        headers=build.headers("planner"),
    )
    assert planner.status_code == 403
    with db.reading() as session:
        trail = json.dumps([e.changes for e in session.scalars(select(AuditEntry))])
    assert "me@police.example" not in trail
    assert '"email": "set"' in trail


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not an address"},
        {"email": "a" * 250 + "@x.example"},
        {"notify": {"sms": True}},
        {"notify": {"callouts": "no"}},
        {"notify": False},
    ],
)
def test_a_bad_address_or_preference_is_refused_and_changes_nothing(
    client: FlaskClient, build: Builder, body: dict[str, object]
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    answer = client.patch(f"/api/v1/officers/{officer.id}", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    read = client.get(f"/api/v1/officers/{officer.id}", headers=headers).get_json()
    assert read["email"] is None
    assert read["version"] == 1


def test_the_outbox_is_shown_to_supervisors_of_the_force_and_admins_only(
    client: FlaskClient,
    build: Builder,
    db: Database,
    settings: Settings,
    mailbox: Mailbox,
) -> None:
    refused, told = (with_email(db, qualified(build)) for _ in range(2))
    neighbour = with_email(db, qualified(build, "bedfordshire"))
    mailbox.refuse[address(refused)] = "550 5.1.1 mailbox unavailable"
    callout(db, open_to="region")
    send_queued(db, settings)

    admin = client.get("/api/v1/notifications", headers=build.headers("admin")).get_json()
    assert admin["total"] == 3
    own = client.get("/api/v1/notifications", headers=build.headers("supervisor")).get_json()
    assert {item["officer_id"] for item in own["items"]} == {refused.id, told.id}
    item = next(i for i in own["items"] if i["officer_id"] == told.id)
    assert (item["kind"], item["status"], item["force"]) == ("callout", "sent", "cambridgeshire")
    assert item["recipient"] == f"officer:{told.id}"
    assert "email" not in item
    failed = client.get(
        "/api/v1/notifications?status=failed&kind=callout", headers=build.headers("supervisor")
    ).get_json()
    assert [(i["officer_id"], i["last_error"]) for i in failed["items"]] == [
        (refused.id, "550 5.1.1 mailbox unavailable")
    ]
    beds = build.headers("supervisor", force="bedfordshire")
    assert (
        client.get(f"/api/v1/notifications?officer_id={told.id}", headers=beds).status_code == 404
    )
    mine = client.get(f"/api/v1/notifications?officer_id={neighbour.id}", headers=beds)
    assert mine.get_json()["total"] == 1
    for role in ("planner", "special", "npocc"):
        headers = build.headers(role, officer=told)
        assert client.get("/api/v1/notifications", headers=headers).status_code == 403
    bad = client.get("/api/v1/notifications?kind=sms", headers=build.headers("admin"))
    assert bad.status_code == 400
    assert bad.content_type == "application/problem+json"
