"""Forces' settings and role profiles are data, changed by admins, and used everywhere."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import Quarter
from dutyservice.npocc.generation import generate_quarter

from ..support.builders import Builder

V2 = {
    "mercury_ref": 135,
    "version": 2,
    "specialism": "Special Constabulary Qualified Patrol",
    "required_units": ["CD1", "BE2"],
    "requires_current_ost": False,
    "equipment": ["Uniform"],
}


def test_the_43_territorial_forces_the_three_beside_them_units_and_profile_135_are_seeded(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("special", officer=build.officer())
    forces = client.get("/api/v1/forces", headers=headers).get_json()["items"]
    assert len(forces) == 46
    assert len([f for f in forces if f["makes_returns"]]) == 43
    beside = {f["code"]: (f["name"], f["region"]) for f in forces if not f["makes_returns"]}
    assert beside == {
        "btp": ("British Transport Police", "National"),
        "police-scotland": ("Police Scotland", "Scotland"),
        "psni": ("Police Service of Northern Ireland", "Northern Ireland"),
    }
    assert {
        "code": "metropolitan",
        "name": "Metropolitan Police Service",
        "region": "London",
    }.items() <= next(f for f in forces if f["code"] == "metropolitan").items()
    units = client.get("/api/v1/competencies", headers=headers).get_json()["items"]
    assert [u["code"] for u in units] == ["BE2", "CB1", "CD1", "CD5", "CI101", "GC10"]
    [profile] = client.get("/api/v1/role-profiles", headers=headers).get_json()["items"]
    assert profile["required_units"] == ["BE2", "CB1", "CD1", "CD5", "CI101", "GC10"]
    assert (profile["mercury_ref"], profile["version"], profile["requires_current_ost"]) == (
        135,
        1,
        True,
    )


def test_force_settings_change_the_minimum_and_the_training_validity(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    build.duty(officer, datetime(2026, 5, 1, 16, tzinfo=UTC), hours=18, complete=True)
    admin = build.headers("admin")
    assert (
        client.patch(
            "/api/v1/forces/cambridgeshire",
            json={"monthly_minimum_hours": 20},
            headers=build.headers("supervisor"),
        ).status_code
        == 403
    )
    changed = client.patch(
        "/api/v1/forces/cambridgeshire",
        headers=admin,
        json={"monthly_minimum_hours": 20, "ost_validity_months": 6},
    )
    assert changed.status_code == 200
    assert changed.get_json()["monthly_minimum_hours"] == 20
    may = client.get(f"/api/v1/officers/{officer.id}/hours?year=2026", headers=admin).get_json()[
        "items"
    ][4]
    assert (may["hours"], may["minimum"], may["status"]) == (18.0, 20.0, "amber")
    training = client.post(
        f"/api/v1/officers/{officer.id}/training",
        headers=admin,
        json={"kind": "ost", "completed_on": "2025-10-01"},
    )
    assert training.get_json()["expires_on"] == "2026-03-31"
    assert (
        client.patch(
            "/api/v1/forces/cambridgeshire", json={"ost_validity_months": 0}, headers=admin
        ).status_code
        == 422
    )


def test_a_second_version_of_a_profile_needs_no_code_and_has_its_own_returns(
    app: Flask, client: FlaskClient, build: Builder, tmp_path: Path
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1), warrant_number="Q1")
    build.units(officer, date(2025, 1, 6), ("CD1", "BE2"))
    admin = build.headers("admin")
    assert (
        client.post(
            "/api/v1/role-profiles", json={**V2, "required_units": ["XX1"]}, headers=admin
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/role-profiles", json=V2, headers=build.headers("supervisor")
        ).status_code
        == 403
    )
    # Asked for before it exists: unknown, and that answer is not remembered once it does.
    too_soon = client.get(
        f"/api/v1/officers/{officer.id}/ips?on=2025-06-01&version=2", headers=admin
    )
    assert too_soon.status_code == 422
    created = client.post("/api/v1/role-profiles", json=V2, headers=admin)
    assert created.status_code == 201
    assert created.get_json()["required_units"] == ["CD1", "BE2"]
    assert client.post("/api/v1/role-profiles", json=V2, headers=admin).status_code == 409
    status = client.get(
        f"/api/v1/officers/{officer.id}/ips?on=2025-06-01&version=2", headers=admin
    ).get_json()
    assert status["missing"] == []
    assert not status["granted"]
    v1 = client.get(f"/api/v1/officers/{officer.id}/ips?on=2025-06-01", headers=admin).get_json()
    assert v1["missing"] == ["CB1", "CD5", "CI101", "GC10", "ost"]

    put = client.put(
        "/api/v1/forces/cambridgeshire/role-profiles/135/2/authorisation",
        headers=admin,
        json={
            "host_force_authorisation": {
                "name": "Chris Morgan",
                "rank": "SCO",
                "position": "Head of Specials",
                "date_authorised": "2025-01-02",
            }
        },
    )
    assert put.status_code == 200
    assert put.get_json()["npocc_authorisation"] is None
    settings = app.extensions["dutyservice"].settings.replace(export_dir=tmp_path)
    made = generate_quarter(build.db, settings.export_dir, Quarter(2025, 3), "cambridgeshire")
    assert sorted(g.record.return_id for g in made) == [
        "cambridgeshire-135v1-2025Q3-r1",
        "cambridgeshire-135v2-2025Q3-r1",
    ]
    manifest = json.loads((tmp_path / "cambridgeshire-135v2-2025Q3-r1.manifest.json").read_text())
    assert manifest["host_force_authorisation"]["date_authorised"] == "2025-01-02"
    assert manifest["role_profile"]["required_units"] == ["CD1", "BE2"]
