"""Reads of one officer's records leave an entry (API.md "Data protection"): a force can
answer "who looked at my record", and the officer's own page shows it."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from tests.support.builders import Builder
from tests.web.pages import sign_in, token


def reads_about(client: FlaskClient, build: Builder, officer: Officer) -> list[dict[str, object]]:
    trail = client.get(
        f"/api/v1/audit?officer_id={officer.id}&per_page=500", headers=build.headers("admin")
    ).get_json()["items"]
    return [entry for entry in trail if entry["action"] == "officer.read"]


def test_a_supervisor_reading_an_officer_s_record_and_evidence_is_in_the_trail(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer()
    supervisor = build.headers("supervisor")
    for path in ("", "/ips", "/competencies", "/training", "/ips/grants"):
        assert (
            client.get(f"/api/v1/officers/{officer.id}{path}", headers=supervisor).status_code
            == 200
        )
    assert [e["resource_type"] for e in reads_about(client, build, officer)] == [
        "officer",
        "ips",
        "competencies",
        "training",
        "grants",
    ]
    assert {e["role"] for e in reads_about(client, build, officer)} == {"supervisor"}


def test_a_special_reading_their_own_record_leaves_no_entry(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer()
    own = build.headers("special", officer=officer)
    assert client.get(f"/api/v1/officers/{officer.id}", headers=own).status_code == 200
    assert client.get(f"/api/v1/officers/{officer.id}/ips", headers=own).status_code == 200
    assert reads_about(client, build, officer) == []


def test_a_refused_read_leaves_no_entry(client: FlaskClient, build: Builder) -> None:
    officer = build.ips_officer()
    outsider = build.headers("supervisor", "essex")
    assert client.get(f"/api/v1/officers/{officer.id}", headers=outsider).status_code == 404
    assert reads_about(client, build, officer) == []


def test_asking_who_is_deployable_reads_no_one_s_record(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2026, 6, 1))
    answer = client.get(
        "/api/v1/deployable?from=2026-12-24T18:00:00Z&to=2026-12-25T02:00:00Z",
        headers=build.headers("planner"),
    )
    assert answer.status_code == 200
    assert answer.get_json()["items"]
    assert reads_about(client, build, officer) == []


def test_the_history_of_a_record_lists_its_changes_not_its_reads(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer()
    supervisor = build.headers("supervisor")
    before = client.get(f"/api/v1/officers/{officer.id}/history", headers=supervisor).get_json()
    client.get(f"/api/v1/officers/{officer.id}", headers=supervisor)
    after = client.get(f"/api/v1/officers/{officer.id}/history", headers=supervisor).get_json()
    assert after["total"] == before["total"]
    assert all(item["action"] != "officer.read" for item in after["items"])


def test_the_special_s_own_page_shows_who_looked_at_their_record(
    client: FlaskClient, db: Database, build: Builder
) -> None:
    officer = build.ips_officer()
    supervisor_token = token(db, "supervisor")
    supervisor_page = client.application.test_client()
    sign_in(supervisor_page, supervisor_token)
    assert supervisor_page.get(f"/app/?officer_id={officer.id}").status_code == 200
    client.get(f"/api/v1/officers/{officer.id}/ips", headers=build.headers("planner"))
    sign_in(client, token(db, "special", officer=officer))
    page = client.get("/app/").get_data(as_text=True)
    assert "Who has looked at your record" in page
    assert "Supervisor read your record" in page
    assert "Planner read your IPS status" in page
