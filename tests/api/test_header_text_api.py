"""A text that can reach a mail header (a Subject) or a calendar entry's SUMMARY or LOCATION is
one plain line: a title, a location or an officer's name holding a line break or a control
character is refused with 422 naming the field, and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.snapshot import digest
from .test_hostile_input_api import OFFICER, PROBLEM

SOON = (datetime.now(UTC) + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
EVENT = {
    "force": "cambridgeshire",
    "title": "Operation Nightingale",
    "location": "Midsummer Common",
    "description": "Crowd safety.\nBring a torch.",  # a body's text: lines are fine
    "starts_at": SOON.isoformat(),
    "ends_at": (SOON + timedelta(hours=8)).isoformat(),
    "capacity": 10,
    "signup_deadline": (SOON - timedelta(days=2)).isoformat(),
}
BREAKS = {
    "LF": "Night\nBcc: everyone@example.org",
    "CR": "Night\rwatch",
    "U+2028": "Night\u2028watch",
    "U+2029": "Night\u2029watch",
    "tab": "Night\twatch",
    "NEL": "Night\x85watch",
}


def duty(officer_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "officer_id": officer_id,
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=4)).isoformat(),
        "duty_type": "patrol",
        **changes,
    }


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    assert field in response.get_json()["errors"], response.get_json()


@pytest.mark.parametrize("text", BREAKS.values(), ids=BREAKS.keys())
def test_a_title_location_or_name_with_a_line_break_is_refused_naming_the_field(
    client: FlaskClient, build: Builder, db: Database, text: str
) -> None:
    officer = build.officer()
    booked = build.duty(officer, SOON + timedelta(days=2))
    admin = build.headers("admin")
    before = digest(db)

    for field in ("title", "location"):
        refused(client.post("/api/v1/events", json={**EVENT, field: text}, headers=admin), field)
    refused(
        client.post("/api/v1/duties", json=duty(officer.id, location=text), headers=admin),
        "location",
    )
    refused(
        client.patch(f"/api/v1/duties/{booked.id}", json={"location": text}, headers=admin),
        "location",
    )
    for field in ("surname", "forenames"):
        body = {**OFFICER, "warrant_number": "W9", field: text}
        refused(client.post("/api/v1/officers", json=body, headers=admin), field)
        patch = client.patch(f"/api/v1/officers/{officer.id}", json={field: text}, headers=admin)
        refused(patch, field)

    assert digest(db) == before


def test_one_line_texts_are_accepted_and_a_description_may_have_lines(
    client: FlaskClient, build: Builder
) -> None:
    admin = build.headers("admin")
    made = client.post("/api/v1/events", json=EVENT, headers=admin)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["description"] == "Crowd safety.\nBring a torch."
    body = {**OFFICER, "surname": "O'Neill-Smith", "forenames": "Zoë Anne"}
    assert client.post("/api/v1/officers", json=body, headers=admin).status_code == 201
