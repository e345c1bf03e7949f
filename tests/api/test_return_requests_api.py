"""`POST /api/v1/npocc/returns` with `Prefer: respond-async` (RFC 7240): 202 at once, the
returns made by the scheduler, the request polled until done; without it, the answer as before."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.jobruns import last_successes
from dutyservice.scheduler.jobs import build_scheduler

from ..npocc.test_return_files import GOLDEN, small_force
from ..support.builders import Builder
from ..support.commands import run_in_process

RETURNS = "/api/v1/npocc/returns"
ASYNC = {"Prefer": "respond-async"}
CAMBRIDGESHIRE_Q3 = {"quarter": "2025-Q3", "force": "cambridgeshire"}


@pytest.fixture
def settings(app: Flask, tmp_path: Path) -> Iterator[Settings]:
    """The app's settings, with an export directory of this test's own."""
    state = app.extensions["dutyservice"]
    original = state.settings
    state.settings = original.replace(export_dir=tmp_path / "exports")
    yield state.settings
    state.settings = original


def run_the_scheduler_job(db: Database, settings: Settings) -> None:
    """The scheduler's request job, as the scheduler built for these settings runs it."""
    scheduler = build_scheduler(db, settings)
    job = scheduler.get_job("npocc-requests")
    assert job.trigger.interval == timedelta(seconds=15)
    job.func(*job.args)
    assert "npocc-requests" in last_successes(db)


def without_generated_at(manifest: bytes) -> dict[str, object]:
    document: dict[str, object] = json.loads(manifest)
    document.pop("generated_at")
    return document


def test_asked_to_respond_async_it_answers_202_and_the_scheduler_makes_the_same_files(
    client: FlaskClient, db: Database, build: Builder, settings: Settings
) -> None:
    small_force(build)
    admin = build.headers("admin")
    queued = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers={**admin, **ASYNC})
    assert queued.status_code == 202
    assert queued.headers["Preference-Applied"] == "respond-async"
    location = queued.headers["Location"]
    body = queued.get_json()
    assert location == f"{RETURNS}/requests/{body['id']}"
    assert (body["state"], body["quarter"], body["force"]) == (
        "queued",
        "2025-Q3",
        "cambridgeshire",
    )
    assert body["requested_by"]["role"] == "admin"
    assert body["made"] is None
    polled = client.get(location, headers=admin).get_json()
    assert polled["state"] == "queued"
    assert not settings.export_dir.exists() or not any(settings.export_dir.iterdir())

    run_the_scheduler_job(db, settings)

    done = client.get(location, headers=admin).get_json()
    assert (done["state"], done["unchanged"], done["problem"]) == ("done", [], None)
    [made] = done["made"]
    assert done["started_at"] <= done["finished_at"]
    made_return = client.get(f"{RETURNS}/{made}", headers=admin).get_json()
    assert made_return["return_id"] == "cambridgeshire-135v1-2025Q3-r1"
    # The golden files are what the request without the preference makes, byte for byte.
    csv = client.get(f"{RETURNS}/{made}/feed.csv", headers=admin).data
    assert csv == (GOLDEN / "cambridgeshire-135v1-2025Q3-r1.csv").read_bytes()
    manifest = client.get(f"{RETURNS}/{made}/manifest.json", headers=admin).data
    golden = (GOLDEN / "cambridgeshire-135v1-2025Q3-r1.manifest.json").read_bytes()
    assert without_generated_at(manifest) == without_generated_at(golden)

    again = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers=admin)
    assert again.status_code == 200
    assert [r["id"] for r in again.get_json()["items"]] == [made]


def test_without_the_preference_the_returns_are_made_before_the_answer_as_before(
    client: FlaskClient, build: Builder, settings: Settings
) -> None:
    small_force(build)
    admin = build.headers("admin")
    first = client.post(
        RETURNS, json=CAMBRIDGESHIRE_Q3, headers={**admin, "Prefer": "return=minimal"}
    )
    assert first.status_code == 201
    assert "Preference-Applied" not in first.headers
    assert "Location" not in first.headers
    [made] = first.get_json()["items"]
    assert made["return_id"] == "cambridgeshire-135v1-2025Q3-r1"
    assert (settings.export_dir / made["return_id"]).with_suffix(".csv").read_bytes() == (
        GOLDEN / "cambridgeshire-135v1-2025Q3-r1.csv"
    ).read_bytes()
    again = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers=admin)
    assert again.status_code == 200
    assert again.get_json()["items"][0]["id"] == made["id"]


def test_asked_again_while_queued_it_answers_the_same_request_and_records_each_asker(
    client: FlaskClient, db: Database, build: Builder, settings: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6))
    first_admin, second_admin = build.headers("admin"), build.headers("admin")
    preferences = {"Prefer": 'wait=10, Respond-Async; x="y"'}  # among others, any case
    one = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers={**first_admin, **preferences})
    two = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers={**second_admin, **ASYNC})
    every_force = client.post(
        RETURNS, json={"quarter": "2025-Q3"}, headers={**first_admin, **ASYNC}
    )
    assert (one.status_code, two.status_code, every_force.status_code) == (202, 202, 202)
    assert one.headers["Location"] == two.headers["Location"]
    assert every_force.headers["Location"] != one.headers["Location"]
    assert every_force.get_json()["force"] is None
    request_id = one.get_json()["id"]
    trail = client.get(
        f"/api/v1/audit?resource_type=npocc_return_request&resource_id={request_id}",
        headers=first_admin,
    ).get_json()["items"]
    assert [(e["action"], e["changes"]["queued"]) for e in trail] == [
        ("npocc.request", True),
        ("npocc.request", False),
    ]
    assert trail[0]["token_id"] != trail[1]["token_id"]
    assert two.get_json()["requested_by"]["token_id"] == trail[0]["token_id"]

    run_the_scheduler_job(db, settings)
    assert client.get(one.headers["Location"], headers=first_admin).get_json()["state"] == "done"
    everything = client.get(every_force.headers["Location"], headers=first_admin).get_json()
    assert everything["state"] == "done"
    # The every-force request ran second: Cambridgeshire's return stood unchanged by then.
    assert len(everything["made"]) + len(everything["unchanged"]) == 43
    later = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers={**first_admin, **ASYNC})
    assert later.headers["Location"] != one.headers["Location"]


def test_bad_requests_are_refused_as_before_and_queue_nothing(
    client: FlaskClient, db: Database, build: Builder, settings: Settings
) -> None:
    admin = {**build.headers("admin"), **ASYNC}
    for body in (
        {"quarter": "2099-Q1"},
        {"quarter": "2025-Q3", "force": "gotham"},
        {"quarter": "Q3"},
        {"quarter": "2025-Q3", "colour": "blue"},
    ):
        response = client.post(RETURNS, json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert "Location" not in response.headers
    for role in ("special", "supervisor", "planner"):
        headers = {**build.headers(role, officer=build.officer()), **ASYNC}
        assert client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers=headers).status_code == 403
    assert client.get(f"{RETURNS}/requests/1", headers=admin).status_code == 404
    made = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers=admin)
    assert made.status_code == 202
    # NPoCC may ask too (API.md "The pages"), and follows the request an admin queued.
    npocc = build.headers("npocc")
    assert client.get(made.headers["Location"], headers=npocc).status_code == 200
    planner = build.headers("planner", officer=build.officer())
    assert client.get(made.headers["Location"], headers=planner).status_code == 403
    assert client.get(made.headers["Location"]).status_code == 401


def test_export_queued_makes_what_waits_and_reports_a_request_that_cannot_be_made(
    client: FlaskClient, db: Database, build: Builder, settings: Settings, app: Flask
) -> None:
    small_force(build)
    admin = {**build.headers("admin"), **ASYNC}
    made = client.post(RETURNS, json=CAMBRIDGESHIRE_Q3, headers=admin)
    refused = client.post(RETURNS, json={"quarter": "2025-Q2", "force": "norfolk"}, headers=admin)
    environment = {
        "DUTYSERVICE_EXPORT_DIR": str(settings.export_dir),
        # The go-live quarter moved after the second request was queued: it is refused now.
        "DUTYSERVICE_RETURNS_FROM": "2025-Q3",
    }
    result = run_in_process(db.url, "export-queued", **environment)
    assert result.returncode == 1, result.stdout + result.stderr
    made_id, refused_id = made.get_json()["id"], refused.get_json()["id"]
    assert f"request {made_id} (2025-Q3, cambridgeshire): 1 made, 0 unchanged" in result.stdout
    assert f"request {refused_id} (2025-Q2, norfolk): failed: no return is made" in result.stdout
    failed = client.get(refused.headers["Location"], headers=admin).get_json()
    assert failed["state"] == "failed"
    assert failed["problem"]["errors"] == {"quarter": ["returns are made from 2025-Q3 on"]}
    assert (settings.export_dir / "cambridgeshire-135v1-2025Q3-r1.csv").read_bytes() == (
        GOLDEN / "cambridgeshire-135v1-2025Q3-r1.csv"
    ).read_bytes()
    assert "requests: 0" in run_in_process(db.url, "export-queued", **environment).stdout
