"""One officer cannot read or change another's records; one force cannot see another's."""

from datetime import UTC, date, datetime

from flask.testing import FlaskClient

from dutyservice.db import Database
from dutyservice.duties.models import Duty, Officer

from ..support.bodies import duty_body
from ..support.builders import Builder


def snapshot(db: Database) -> list[tuple[object, ...]]:
    with db.reading() as session:
        duties = [(d.id, d.status, d.starts_at, d.ends_at, d.notes) for d in session.query(Duty)]
        officers = [(o.id, o.surname, o.left_on, o.version) for o in session.query(Officer)]
    return sorted(duties) + sorted(officers)


def test_a_special_cannot_see_or_touch_another_officers_records(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    me, colleague = build.officer(), build.officer()
    theirs = build.duty(colleague, datetime(2026, 5, 1, 18, tzinfo=UTC))
    headers = build.headers("special", officer=me)
    before = snapshot(db)
    assert client.get(f"/api/v1/officers/{colleague.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/duties/{theirs.id}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/officers/{colleague.id}/hours?year=2026", headers=headers).status_code
        == 404
    )
    assert client.post(f"/api/v1/duties/{theirs.id}/cancel", headers=headers).status_code == 404
    assert (
        client.patch(
            f"/api/v1/duties/{theirs.id}", json={"notes": "mine now"}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/duties",
            headers=headers,
            json=duty_body(colleague.id, "2026-06-01T18:00:00Z", "2026-06-01T20:00:00Z"),
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/duties", headers=headers).get_json()
    assert listed["total"] == 0
    officers = client.get("/api/v1/officers", headers=headers).get_json()
    assert [o["id"] for o in officers["items"]] == [me.id]
    assert snapshot(db) == before


def test_a_special_may_not_edit_its_own_record_or_create_officers(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    me = build.officer()
    headers = build.headers("special", officer=me)
    before = snapshot(db)
    assert (
        client.patch(
            f"/api/v1/officers/{me.id}", json={"surname": "X"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/officers",
            headers=headers,
            json={
                "force": "cambridgeshire",
                "warrant_number": "N1",
                "surname": "A",
                "forenames": "B",
                "rank": "SC",
                "base_location": "C",
                "joined_on": "2024-01-01",
            },
        ).status_code
        == 403
    )
    assert snapshot(db) == before


def test_one_forces_supervisor_and_planner_see_nothing_of_another_force(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    ours = build.officer("cambridgeshire")
    theirs = build.officer("norfolk", surname="Norfolk")
    duty = build.duty(theirs, datetime(2026, 5, 1, 18, tzinfo=UTC))
    before = snapshot(db)
    for role in ("supervisor", "planner", "authoriser"):
        headers = build.headers(role, "cambridgeshire")
        assert client.get(f"/api/v1/officers/{theirs.id}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/duties/{duty.id}", headers=headers).status_code == 404
        listed = client.get("/api/v1/officers", headers=headers).get_json()
        assert [o["id"] for o in listed["items"]] == [ours.id]
        assert client.get("/api/v1/officers?force=norfolk", headers=headers).status_code == 404
        assert client.get("/api/v1/duties", headers=headers).get_json()["total"] == 0
        assert (
            client.post(
                f"/api/v1/officers/{theirs.id}/leave",
                json={"left_on": "2026-01-01"},
                headers=headers,
            ).status_code
            == 404
        )
    assert snapshot(db) == before


def test_a_planner_reads_its_force_but_writes_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    duty = build.duty(officer, datetime(2026, 5, 1, 18, tzinfo=UTC))
    headers = build.headers("planner")
    before = snapshot(db)
    assert client.get(f"/api/v1/officers/{officer.id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/duties/{duty.id}/cancel", headers=headers).status_code == 403
    assert (
        client.post(
            "/api/v1/duties",
            headers=headers,
            json=duty_body(officer.id, "2026-06-01T18:00:00Z", "2026-06-01T20:00:00Z"),
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/officers/{officer.id}", json={"surname": "X"}, headers=headers
        ).status_code
        == 403
    )
    assert snapshot(db) == before


def test_npocc_reads_no_officer_records_and_admin_reads_every_force(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer("norfolk", joined_on=date(2021, 1, 1))
    npocc = build.headers("npocc")
    assert client.get(f"/api/v1/officers/{officer.id}", headers=npocc).status_code == 404
    assert client.get("/api/v1/officers", headers=npocc).status_code == 403
    admin = build.headers("admin")
    assert client.get(f"/api/v1/officers/{officer.id}", headers=admin).status_code == 200
    assert client.get("/api/v1/officers?force=norfolk", headers=admin).get_json()["total"] == 1


def test_a_supervisor_manages_its_own_forces_officers_duties(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    booked = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-06-01T18:00:00Z", "2026-06-01T20:00:00Z"),
    )
    assert booked.status_code == 201
    assert (
        client.post(
            f"/api/v1/duties/{booked.get_json()['id']}/complete", headers=headers
        ).status_code
        == 200
    )
