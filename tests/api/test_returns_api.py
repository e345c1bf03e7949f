"""The returns endpoints: made by admins, read by NPoCC and admins, files exactly as written."""

import hashlib
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


def test_admin_makes_a_return_then_a_rerun_answers_200_unchanged(
    client: FlaskClient, build: Builder, exports: Path
) -> None:
    build.ips_officer(since=date(2025, 1, 6), warrant_number="X1")
    admin = build.headers("admin")
    body = {"quarter": "2025-Q3", "force": "cambridgeshire"}
    first = client.post("/api/v1/npocc/returns", json=body, headers=admin)
    assert first.status_code == 201
    [made] = first.get_json()["items"]
    assert made["return_id"] == "cambridgeshire-135v1-2025Q3-r1"
    assert (made["record_count"], made["status"], made["revision"]) == (1, "filed", 1)
    again = client.post("/api/v1/npocc/returns", json=body, headers=admin)
    assert again.status_code == 200
    assert again.get_json()["items"][0]["id"] == made["id"]

    npocc = build.headers("npocc")
    with client.get(f"/api/v1/npocc/returns/{made['id']}/feed.csv", headers=npocc) as csv:
        assert csv.status_code == 200
        assert csv.mimetype == "text/csv"
        assert hashlib.sha256(csv.data).hexdigest() == made["sha256"]
        assert csv.data == (exports / "cambridgeshire-135v1-2025Q3-r1.csv").read_bytes()
    with client.get(f"/api/v1/npocc/returns/{made['id']}/manifest.json", headers=npocc) as manifest:
        assert manifest.get_json()["csv"]["sha256"] == made["sha256"]
    listed = client.get("/api/v1/npocc/returns?quarter=2025-Q3", headers=npocc).get_json()
    assert [r["return_id"] for r in listed["items"]] == [made["return_id"]]
    assert client.get("/api/v1/npocc/returns?quarter=2025-Q9", headers=npocc).status_code == 400


def test_without_a_feed_endpoint_an_operator_resend_is_refused(
    client: FlaskClient, build: Builder, exports: Path
) -> None:
    admin = build.headers("admin")
    made = client.post(
        "/api/v1/npocc/returns", headers=admin, json={"quarter": "2025-Q3", "force": "norfolk"}
    ).get_json()["items"][0]
    response = client.post(f"/api/v1/npocc/returns/{made['id']}/deliver", headers=admin)
    assert response.status_code == 409


def test_who_may_make_and_read_returns(client: FlaskClient, build: Builder, exports: Path) -> None:
    body = {"quarter": "2025-Q3", "force": "cambridgeshire"}
    for role in ("special", "supervisor", "authoriser", "planner"):
        officer = build.officer()
        headers = build.headers(role, officer=officer)
        assert (
            client.post("/api/v1/npocc/returns", json=body, headers=headers).status_code == 403
        ), role
    # NPoCC and admins make the quarter's returns (API.md "The pages"); admins alone send again.
    npocc = build.headers("npocc")
    made = client.post("/api/v1/npocc/returns", json=body, headers=npocc).get_json()["items"][0]
    deliver = f"/api/v1/npocc/returns/{made['id']}/deliver"
    assert client.post(deliver, headers=npocc).status_code == 403
    for role in ("special", "supervisor", "planner"):
        officer = build.officer()
        headers = build.headers(role, officer=officer)
        assert client.get("/api/v1/npocc/returns", headers=headers).status_code == 403
        assert (
            client.get(f"/api/v1/npocc/returns/{made['id']}/feed.csv", headers=headers).status_code
            == 403
        )
    assert (
        client.get(
            f"/api/v1/npocc/returns/{made['id']}", headers=build.headers("npocc")
        ).status_code
        == 200
    )


def test_making_a_return_for_an_unfinished_quarter_or_unknown_force_is_422(
    client: FlaskClient, build: Builder, exports: Path
) -> None:
    admin = build.headers("admin")
    assert (
        client.post("/api/v1/npocc/returns", json={"quarter": "2099-Q1"}, headers=admin).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/npocc/returns", json={"quarter": "2025-Q3", "force": "gotham"}, headers=admin
        ).status_code
        == 422
    )
    assert (
        client.post("/api/v1/npocc/returns", json={"quarter": "Q3"}, headers=admin).status_code
        == 422
    )
    assert not exports.exists() or not any(exports.iterdir())
