from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.duties.models import Duty

from ..support.bodies import duty_body
from ..support.builders import Builder


def stored_duties(db: Database) -> int:
    with db.reading() as session:
        return session.query(Duty).count()


def test_special_books_own_duty_and_gets_real_hours(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    response = client.post(
        "/api/v1/duties",
        headers=build.headers("special", officer=officer),
        json=duty_body(
            officer.id,
            "2026-10-24T22:00:00+01:00",
            "2026-10-25T06:00:00+00:00",
            location="Mill Road",
        ),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "booked"
    assert body["hours"] == 9.0
    assert body["starts_at"] == "2026-10-24T21:00:00Z"
    assert body["location"] == "Mill Road"


def test_overlapping_booking_is_refused_and_nothing_is_stored(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    first = duty_body(officer.id, "2026-05-01T18:00:00Z", "2026-05-02T00:00:00Z")
    assert client.post("/api/v1/duties", json=first, headers=headers).status_code == 201
    clash = duty_body(officer.id, "2026-05-01T23:00:00Z", "2026-05-02T03:00:00Z")
    response = client.post("/api/v1/duties", json=clash, headers=headers)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert stored_duties(db) == 1


def test_a_booking_is_in_the_audit_trail_and_a_refused_one_is_not(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    before = datetime.now(UTC).replace(microsecond=0)  # instants are served to the second
    booked = [
        client.post("/api/v1/duties", json=body, headers=headers).get_json()
        for body in (
            duty_body(
                officer.id, "2026-05-01T18:00:00Z", "2026-05-01T22:00:00Z", location="Mill Road"
            ),
            duty_body(officer.id, "2026-05-02T18:00:00Z", "2026-05-02T20:00:00Z"),
        )
    ]
    clash = duty_body(officer.id, "2026-05-01T21:00:00Z", "2026-05-01T23:00:00Z")
    assert client.post("/api/v1/duties", json=clash, headers=headers).status_code == 409
    trail = client.get(
        f"/api/v1/audit?officer_id={officer.id}&resource_type=duty", headers=build.headers("admin")
    ).get_json()["items"]
    assert [(e["action"], e["resource_id"]) for e in trail] == [
        ("duty.book", booked[0]["id"]),
        ("duty.book", booked[1]["id"]),
    ]
    first = trail[0]
    assert first["role"] == "supervisor"
    assert first["token_id"] is not None
    assert first["officer_id"] == officer.id
    assert first["force_id"] == officer.force_id
    assert before <= datetime.fromisoformat(first["at"]) <= datetime.now(UTC)
    assert first["changes"] == {
        "starts_at": "2026-05-01T18:00:00Z",
        "ends_at": "2026-05-01T22:00:00Z",
        "duty_type": "patrol",
        "location": "Mill Road",
    }


def test_touching_duties_may_both_be_booked(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    for starts, ends in (
        ("2026-05-01T18:00:00Z", "2026-05-01T22:00:00Z"),
        ("2026-05-01T22:00:00Z", "2026-05-02T02:00:00Z"),
    ):
        assert (
            client.post(
                "/api/v1/duties", json=duty_body(officer.id, starts, ends), headers=headers
            ).status_code
            == 201
        )


def test_a_cancelled_duty_does_not_block_a_new_booking(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    body = duty_body(officer.id, "2026-05-01T18:00:00Z", "2026-05-01T22:00:00Z")
    duty = client.post("/api/v1/duties", json=body, headers=headers).get_json()
    cancelled = client.post(f"/api/v1/duties/{duty['id']}/cancel", headers=headers)
    assert cancelled.get_json()["status"] == "cancelled"
    assert client.post("/api/v1/duties", json=body, headers=headers).status_code == 201


def test_same_times_for_two_officers_do_not_conflict(client: FlaskClient, build: Builder) -> None:
    a, b = build.officer(), build.officer()
    headers = build.headers("supervisor")
    for officer in (a, b):
        assert (
            client.post(
                "/api/v1/duties",
                headers=headers,
                json=duty_body(officer.id, "2026-05-01T18:00:00Z", "2026-05-01T22:00:00Z"),
            ).status_code
            == 201
        )


def test_duty_longer_than_24_hours_or_ending_before_start_is_refused(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    too_long = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-05-01T08:00:00Z", "2026-05-02T08:00:01Z"),
    )
    assert too_long.status_code == 422
    assert "ends_at" in too_long.get_json()["errors"]
    backwards = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-05-01T08:00:00Z", "2026-05-01T07:00:00Z"),
    )
    assert backwards.status_code == 422
    exactly_a_day = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-05-01T08:00:00Z", "2026-05-02T08:00:00Z"),
    )
    assert exactly_a_day.status_code == 201
    assert exactly_a_day.get_json()["hours"] == 24.0
    assert stored_duties(db) == 1


def test_instants_without_an_offset_and_unknown_duty_types_are_refused(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    naive = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-05-01T08:00:00", "2026-05-01T10:00:00"),
    )
    assert naive.status_code == 422
    assert "starts_at" in naive.get_json()["errors"]
    unknown = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(
            officer.id, "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z", duty_type="karaoke"
        ),
    )
    assert unknown.status_code == 422
    assert "duty_type" in unknown.get_json()["errors"]


def test_reschedule_follows_the_same_rules(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    headers = build.headers("special", officer=officer)
    one = build.duty(officer, datetime(2026, 5, 1, 18, tzinfo=UTC))
    build.duty(officer, datetime(2026, 5, 2, 18, tzinfo=UTC))
    url = f"/api/v1/duties/{one.id}"
    onto_other = client.patch(
        url,
        headers=headers,
        json={"starts_at": "2026-05-02T19:00:00Z", "ends_at": "2026-05-02T21:00:00Z"},
    )
    assert onto_other.status_code == 409
    moved = client.patch(
        url, headers=headers, json={"starts_at": "2026-05-01T17:00:00Z", "notes": "early start"}
    )
    assert moved.status_code == 200
    assert moved.get_json()["hours"] == 7.0
    assert moved.get_json()["notes"] == "early start"


def test_complete_uses_booked_times_by_default_or_the_actual_ones(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("special", officer=officer)
    a = build.duty(officer, datetime(2026, 5, 1, 18, tzinfo=UTC), hours=4)
    b = build.duty(officer, datetime(2026, 5, 3, 18, tzinfo=UTC), hours=4)
    done = client.post(f"/api/v1/duties/{a.id}/complete", headers=headers)
    assert done.status_code == 200
    assert done.get_json()["status"] == "completed"
    assert done.get_json()["hours"] == 4.0
    actual = client.post(
        f"/api/v1/duties/{b.id}/complete",
        headers=headers,
        json={"actual_starts_at": "2026-05-03T18:30:00Z", "actual_ends_at": "2026-05-03T23:15:00Z"},
    )
    assert actual.get_json()["hours"] == 4.75
    assert client.post(f"/api/v1/duties/{a.id}/complete", headers=headers).status_code == 409
    assert client.post(f"/api/v1/duties/{a.id}/cancel", headers=headers).status_code == 409
    assert (
        client.patch(f"/api/v1/duties/{a.id}", headers=headers, json={"notes": "x"}).status_code
        == 409
    )


def test_a_duty_cannot_be_completed_before_it_has_ended(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    future = build.duty(officer, datetime.now(UTC) + timedelta(days=2))
    response = client.post(
        f"/api/v1/duties/{future.id}/complete", headers=build.headers("supervisor")
    )
    assert response.status_code == 422
    assert (
        client.get(f"/api/v1/duties/{future.id}", headers=build.headers("supervisor")).get_json()[
            "status"
        ]
        == "booked"
    )


def test_duties_list_filters_by_officer_window_and_status(
    client: FlaskClient, build: Builder
) -> None:
    a, b = build.officer(), build.officer()
    build.duty(a, datetime(2026, 5, 1, 18, tzinfo=UTC), complete=True)
    build.duty(a, datetime(2026, 6, 1, 18, tzinfo=UTC), complete=True)
    build.duty(b, datetime(2026, 5, 1, 18, tzinfo=UTC))
    headers = build.headers("planner")
    got = client.get(
        f"/api/v1/duties?officer_id={a.id}&from=2026-05-01&to=2026-05-31", headers=headers
    ).get_json()
    assert got["total"] == 1
    assert got["items"][0]["starts_at"] == "2026-05-01T18:00:00Z"
    booked = client.get("/api/v1/duties?status=booked", headers=headers).get_json()
    assert [d["officer_id"] for d in booked["items"]] == [b.id]
    assert client.get("/api/v1/duties?status=lost", headers=headers).status_code == 400


def test_monthly_hours_against_the_force_minimum(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    # May: 2 x 8 hours = green; June: 5 hours = amber; July: nothing = red.
    build.duty(officer, datetime(2026, 5, 1, 16, tzinfo=UTC), hours=8, complete=True)
    build.duty(officer, datetime(2026, 5, 9, 16, tzinfo=UTC), hours=8, complete=True)
    build.duty(officer, datetime(2026, 6, 9, 16, tzinfo=UTC), hours=5, complete=True)
    build.duty(officer, datetime(2026, 7, 9, 16, tzinfo=UTC), hours=5)  # booked, not completed
    # Starts 00:30 BST on 1 August, i.e. 31 July in UTC: an August duty.
    build.duty(officer, datetime(2026, 7, 31, 23, 30, tzinfo=UTC), hours=2, complete=True)
    items = client.get(
        f"/api/v1/officers/{officer.id}/hours?year=2026",
        headers=build.headers("special", officer=officer),
    ).get_json()["items"]
    by_month = {i["month"]: (i["hours"], i["status"]) for i in items}
    assert len(items) == 12
    assert items[0]["minimum"] == 16.0
    assert by_month["2026-05"] == (16.0, "green")
    assert by_month["2026-06"] == (5.0, "amber")
    assert by_month["2026-07"] == (0.0, "red")
    assert by_month["2026-08"] == (2.0, "amber")


def test_months_that_have_not_begun_have_no_status(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    today = london_today()
    headers = build.headers("special", officer=officer)
    items = client.get(
        f"/api/v1/officers/{officer.id}/hours?year={today.year}", headers=headers
    ).get_json()["items"]
    statuses = {i["month"]: i["status"] for i in items}
    assert statuses[f"{today:%Y-%m}"] == "red"
    assert all(statuses[f"{today.year}-{m:02}"] is None for m in range(today.month + 1, 13))
    next_year = client.get(
        f"/api/v1/officers/{officer.id}/hours?year={today.year + 1}", headers=headers
    ).get_json()["items"]
    assert [i["status"] for i in next_year] == [None] * 12


def test_no_duty_is_booked_outside_the_officers_service(
    client: FlaskClient, build: Builder
) -> None:
    from datetime import date

    from dutyservice.ips.serving import officer_leaves

    from ..support.builders import ADMIN

    officer = build.officer(joined_on=date(2025, 3, 1))
    officer_leaves(build.db, ADMIN, officer.id, date(2026, 6, 1))
    headers = build.headers("supervisor")
    for starts in ("2025-02-28T18:00:00Z", "2026-06-01T08:00:00Z"):
        response = client.post(
            "/api/v1/duties",
            headers=headers,
            json=duty_body(officer.id, starts, starts.replace("T18", "T20").replace("T08", "T10")),
        )
        assert response.status_code == 422, starts
    last_day = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "2026-05-31T18:00:00Z", "2026-05-31T22:00:00Z"),
    )
    assert last_day.status_code == 201


def test_a_special_books_their_own_duty_without_naming_the_officer(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    body = duty_body(officer.id, "2026-11-07T18:00:00Z", "2026-11-07T23:00:00Z")
    del body["officer_id"]
    response = client.post(
        "/api/v1/duties", headers=build.headers("special", officer=officer), json=body
    )
    assert response.status_code == 201
    assert response.get_json()["officer_id"] == officer.id


def test_a_supervisor_booking_without_an_officer_is_refused_and_nothing_is_stored(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    body = duty_body(officer.id, "2026-11-07T18:00:00Z", "2026-11-07T23:00:00Z")
    del body["officer_id"]
    response = client.post("/api/v1/duties", headers=build.headers("supervisor"), json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "officer_id" in response.get_json()["errors"]
    assert stored_duties(db) == 0
