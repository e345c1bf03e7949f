"""British Transport Police, Police Scotland and the PSNI beside the 43 territorial forces:
their Specials are recorded and called out; the quarter's returns are the 43's unless set."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice import AppState

from ..support.builders import Builder


@pytest.fixture
def exports(app: Flask, tmp_path: Path) -> Iterator[Path]:
    state: AppState = app.extensions["dutyservice"]
    original = state.settings
    state.settings = original.replace(export_dir=tmp_path / "exports")
    yield state.settings.export_dir
    state.settings = original


def test_the_quarters_returns_are_the_43_territorial_forces_until_another_is_set_to_make_one(
    client: FlaskClient, build: Builder, exports: Path
) -> None:
    build.ips_officer("btp", since=date(2025, 1, 6), warrant_number="T1")
    admin = build.headers("admin")
    made = client.post("/api/v1/npocc/returns", json={"quarter": "2025-Q3"}, headers=admin)
    forces = {item["force"] for item in made.get_json()["items"]}
    assert len(forces) == 43
    assert "btp" not in forces
    refused = client.post(
        "/api/v1/npocc/returns", json={"quarter": "2025-Q3", "force": "btp"}, headers=admin
    )
    assert refused.status_code == 422
    set_to = client.patch("/api/v1/forces/btp", json={"makes_returns": True}, headers=admin)
    assert set_to.status_code == 200
    assert set_to.get_json()["makes_returns"] is True
    btp = client.post(
        "/api/v1/npocc/returns", json={"quarter": "2025-Q3", "force": "btp"}, headers=admin
    )
    assert btp.status_code == 201
    assert btp.get_json()["items"][0]["record_count"] == 1


def test_a_police_scotland_special_is_recorded_and_called_out_nationally(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.dps_officer("police-scotland", since=date(2025, 1, 1), warrant_number="S1")
    event = client.post(
        "/api/v1/events",
        json={
            "force": "cambridgeshire",
            "title": "Mutual aid",
            "starts_at": "2026-12-20T08:00:00Z",
            "ends_at": "2026-12-20T16:00:00Z",
            "duty_type": "event",
            "capacity": 5,
            "signup_deadline": "2026-12-19T08:00:00Z",
            "open_to": "national",
        },
        headers=build.headers("supervisor"),
    )
    assert event.status_code == 201, event.get_json()
    signup = client.post(
        f"/api/v1/events/{event.get_json()['id']}/signups",
        json={"officer_id": officer.id},
        headers=build.headers("supervisor", "police-scotland"),
    )
    assert signup.status_code == 201, signup.get_json()
    window = "from=2025-06-10T08:00:00Z&to=2025-06-10T12:00:00Z&stage=DPS"
    body = client.get(f"/api/v1/deployable?{window}", headers=build.headers("npocc")).get_json()
    assert body["by_force"] == {"police-scotland": 1}
