"""What the records must never hold, seen through the API: hours counted twice or outside an
officer's service, a cancelled event duty keeping its place, a version that If-Match cannot
name (API.md "Duties", "Events"; RFC 9110 If-Match)."""

from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from dutyservice.db import Database

from ..support.builders import Builder
from .test_events_api import create

JUNE = datetime(2026, 6, 1, 8, tzinfo=UTC)


def complete(
    client: FlaskClient, headers: dict[str, str], duty_id: int, start: datetime, hours: int
) -> TestResponse:
    return client.post(
        f"/api/v1/duties/{duty_id}/complete",
        json={
            "actual_starts_at": start.isoformat(),
            "actual_ends_at": (start + timedelta(hours=hours)).isoformat(),
        },
        headers=headers,
    )


def june_hours(client: FlaskClient, headers: dict[str, str], officer_id: int) -> float:
    months = client.get(f"/api/v1/officers/{officer_id}/hours?year=2026", headers=headers)
    return float(next(m["hours"] for m in months.get_json()["items"] if m["month"] == "2026-06"))


def test_two_duties_completed_with_the_same_actual_times_count_their_hours_once(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    first = build.duty(officer, JUNE, hours=2)
    second = build.duty(officer, JUNE + timedelta(hours=4), hours=2)
    assert complete(client, headers, first.id, JUNE, 8).status_code == 200
    clash = complete(client, headers, second.id, JUNE, 8)
    assert clash.status_code == 409, clash.get_json()
    assert clash.get_json()["conflicting_duty_id"] == first.id
    assert june_hours(client, headers, officer.id) == 8.0
    duty = client.get(f"/api/v1/duties/{second.id}", headers=headers).get_json()
    assert duty["status"] == "booked"
    # Touching actual times are two duties' hours, not one counted twice.
    assert complete(client, headers, second.id, JUNE + timedelta(hours=8), 2).status_code == 200
    assert june_hours(client, headers, officer.id) == 10.0


def test_actual_times_before_the_officer_joined_are_refused(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2026, 6, 1))
    headers = build.headers("supervisor")
    duty = build.duty(officer, datetime(2026, 6, 1, 9, tzinfo=UTC), hours=4)
    early = complete(client, headers, duty.id, datetime(2026, 5, 31, 20, tzinfo=UTC), 6)
    assert early.status_code == 422
    assert early.get_json()["errors"] == {"actual_starts_at": ["outside the officer's service"]}
    assert june_hours(client, headers, officer.id) == 0.0


def test_actual_times_after_the_officer_left_or_over_24_hours_are_refused(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2026, 1, 1))
    headers = build.headers("supervisor")
    duty = build.duty(officer, datetime(2026, 6, 10, 9, tzinfo=UTC), hours=4)
    left = client.post(
        f"/api/v1/officers/{officer.id}/leave", json={"left_on": "2026-06-11"}, headers=headers
    )
    assert left.status_code == 200
    late = complete(client, headers, duty.id, datetime(2026, 6, 10, 20, tzinfo=UTC), 6)
    assert late.status_code == 422
    long = complete(client, headers, duty.id, datetime(2026, 6, 9, 8, tzinfo=UTC), 25)
    assert long.status_code == 422
    assert (
        complete(client, headers, duty.id, datetime(2026, 6, 10, 9, tzinfo=UTC), 4).status_code
        == 200
    )


def test_cancelling_an_event_duty_withdraws_the_sign_up_and_frees_its_place(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = create(client, build, capacity=1)
    officer, other = build.officer(), build.officer()
    me = build.headers("special", officer=officer)
    url = f"/api/v1/events/{event['id']}/signups"
    signed = client.post(url, json={"officer_id": officer.id}, headers=me)
    assert signed.status_code == 201
    duty_id = signed.get_json()["duty_id"]
    cancelled = client.post(f"/api/v1/duties/{duty_id}/cancel", headers=me)
    assert cancelled.status_code == 200
    assert client.get(f"/api/v1/events/{event['id']}", headers=me).get_json()["places_left"] == 1
    with db.engine.connect() as connection:
        withdrawals = connection.execute(
            text(
                "SELECT count(*) FROM audit_entries WHERE action = 'event.withdraw' "
                "AND resource_id = :event AND officer_id = :officer"
            ),
            {"event": event["id"], "officer": officer.id},
        ).scalar()
    assert withdrawals == 1
    supervisor = build.headers("supervisor")
    assert client.post(url, json={"officer_id": other.id}, headers=supervisor).status_code == 201
    assert client.get(url, headers=supervisor).get_json()["items"][0]["officer_id"] == other.id
    # The officer who cancelled may sign up again once a place is free.
    client.delete(f"{url}/{other.id}", headers=supervisor)
    assert client.post(url, json={"officer_id": officer.id}, headers=me).status_code == 201


def test_an_event_duty_keeps_the_events_times_but_its_notes_may_change(
    client: FlaskClient, build: Builder
) -> None:
    event = create(client, build)
    officer = build.officer()
    me = build.headers("special", officer=officer)
    signed = client.post(
        f"/api/v1/events/{event['id']}/signups", json={"officer_id": officer.id}, headers=me
    )
    duty_url = f"/api/v1/duties/{signed.get_json()['duty_id']}"
    later = datetime.fromisoformat(event["starts_at"]) + timedelta(hours=1)
    moved = client.patch(duty_url, json={"starts_at": later.isoformat()}, headers=me)
    assert moved.status_code == 409
    assert "withdraw from the event instead" in moved.get_json()["detail"]
    assert client.get(duty_url, headers=me).get_json()["starts_at"] == event["starts_at"]
    noted = client.patch(duty_url, json={"notes": "bringing the radio"}, headers=me)
    assert noted.status_code == 200
    assert noted.get_json()["notes"] == "bringing the radio"


def test_if_match_star_matches_whatever_version_is_stored(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(base_location="Ely")
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}"
    client.patch(url, json={"base_location": "March"}, headers=headers)
    star = client.patch(
        url, json={"base_location": "Wisbech"}, headers={**headers, "If-Match": "*"}
    )
    assert star.status_code == 200
    assert star.headers["ETag"] == '"3"'
    stale = client.patch(url, json={"base_location": "Ely"}, headers={**headers, "If-Match": '"2"'})
    assert stale.status_code == 409
    assert client.get(url, headers=headers).get_json()["base_location"] == "Wisbech"


def test_replacing_part_of_a_declared_window_keeps_the_rest_without_overlap(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}/availability"

    def put(start: str, end: str, windows: list[tuple[str, str]]) -> int:
        body = {
            "from": start,
            "to": end,
            "windows": [{"starts_at": s, "ends_at": e} for s, e in windows],
        }
        return client.put(url, json=body, headers=headers).status_code

    assert (
        put(
            "2026-12-20T00:00:00Z",
            "2026-12-21T00:00:00Z",
            [("2026-12-20T08:00:00Z", "2026-12-20T20:00:00Z")],
        )
        == 200
    )
    assert (
        put(
            "2026-12-20T12:00:00Z",
            "2026-12-20T14:00:00Z",
            [("2026-12-20T13:00:00Z", "2026-12-20T14:00:00Z")],
        )
        == 200
    )
    read = client.get(f"{url}?from=2026-12-20&to=2026-12-21", headers=headers).get_json()
    assert [(w["starts_at"], w["ends_at"]) for w in read["windows"]] == [
        ("2026-12-20T08:00:00Z", "2026-12-20T12:00:00Z"),
        ("2026-12-20T13:00:00Z", "2026-12-20T14:00:00Z"),
        ("2026-12-20T14:00:00Z", "2026-12-20T20:00:00Z"),
    ]


def test_leaving_or_joining_may_not_leave_completed_hours_outside_the_service(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2026, 1, 1))
    headers = build.headers("supervisor")
    duty = build.duty(officer, datetime(2026, 6, 10, 20, tzinfo=UTC), hours=6, complete=True)
    url = f"/api/v1/officers/{officer.id}"
    # The duty runs from 21:00 on 10 June to 03:00 on 11 June, London time.
    early = client.post(f"{url}/leave", json={"left_on": "2026-06-11"}, headers=headers)
    assert early.status_code == 409
    assert early.get_json()["conflicting_duty_id"] == duty.id
    late_join = client.patch(url, json={"joined_on": "2026-06-11"}, headers=headers)
    assert late_join.status_code == 409
    stored = client.get(url, headers=headers).get_json()
    assert (stored["joined_on"], stored["left_on"]) == ("2026-01-01", None)
    left = client.post(f"{url}/leave", json={"left_on": "2026-06-12"}, headers=headers)
    assert left.status_code == 200
