"""Events: capacity, deadline, profile on every day, mutual aid across forces."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from flask.testing import FlaskClient

from dutyservice.clock import LONDON
from dutyservice.events import service
from dutyservice.events.models import EventSignup

from ..support.builders import ADMIN, Builder

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)


def event_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "force": "cambridgeshire",
        "title": "Operation Nightingale",
        "location": "Cambridge",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=8)).isoformat(),
        "duty_type": "event",
        "capacity": 2,
        "signup_deadline": (SOON - timedelta(days=2)).isoformat(),
    }
    body.update(overrides)
    return body


def create(client: FlaskClient, build: Builder, **overrides: object) -> dict[str, Any]:
    response = client.post(
        "/api/v1/events", json=event_body(**overrides), headers=build.headers("supervisor")
    )
    assert response.status_code == 201, response.get_json()
    return cast(dict[str, Any], response.get_json())


def test_sign_up_books_a_linked_duty_and_withdrawing_cancels_it(
    client: FlaskClient, build: Builder
) -> None:
    event = create(client, build)
    officer = build.officer()
    me = build.headers("special", officer=officer)
    signed = client.post(
        f"/api/v1/events/{event['id']}/signups", json={"officer_id": officer.id}, headers=me
    )
    assert signed.status_code == 201
    duty = client.get(f"/api/v1/duties/{signed.get_json()['duty_id']}", headers=me).get_json()
    assert (duty["starts_at"], duty["status"], duty["hours"]) == (event["starts_at"], "booked", 8.0)
    assert client.get(f"/api/v1/events/{event['id']}", headers=me).get_json()["places_left"] == 1
    again = client.post(
        f"/api/v1/events/{event['id']}/signups", json={"officer_id": officer.id}, headers=me
    )
    assert again.status_code == 409
    out = client.delete(f"/api/v1/events/{event['id']}/signups/{officer.id}", headers=me)
    assert out.status_code == 200
    duty = client.get(f"/api/v1/duties/{duty['id']}", headers=me).get_json()
    assert duty["status"] == "cancelled"
    back = client.post(
        f"/api/v1/events/{event['id']}/signups", json={"officer_id": officer.id}, headers=me
    )
    assert back.status_code == 201


def test_a_full_event_and_an_overlapping_duty_answer_409(
    client: FlaskClient, build: Builder
) -> None:
    event = create(client, build, capacity=1)
    first, second, busy = build.officer(), build.officer(), build.officer()
    supervisor = build.headers("supervisor")
    url = f"/api/v1/events/{event['id']}/signups"
    build.duty(busy, SOON + timedelta(hours=2), hours=2)
    assert client.post(url, json={"officer_id": busy.id}, headers=supervisor).status_code == 409
    assert client.post(url, json={"officer_id": first.id}, headers=supervisor).status_code == 201
    full = client.post(url, json={"officer_id": second.id}, headers=supervisor)
    assert full.status_code == 409
    assert "full" in full.get_json()["detail"]


def test_the_deadline_given_as_a_day_closes_at_london_midnight(
    client: FlaskClient, build: Builder
) -> None:
    # A summer deadline: the day ends at 23:00 UTC.
    event = service.create_event(
        build.db,
        ADMIN,
        {
            **event_body(),
            "description": "",
            "open_to": "force",
            "starts_at": datetime(2027, 7, 10, 18, tzinfo=UTC),
            "ends_at": datetime(2027, 7, 11, 2, tzinfo=UTC),
            "signup_deadline": datetime(2027, 7, 5, tzinfo=LONDON) + timedelta(days=1),
        },
    )
    assert event.signup_deadline == datetime(2027, 7, 5, 23, tzinfo=UTC)
    officer = build.officer()
    late = datetime(2027, 7, 5, 23, tzinfo=UTC)
    just_in_time = late - timedelta(seconds=1)
    import pytest

    from dutyservice.errors import Conflict

    with pytest.raises(Conflict):
        service.sign_up(build.db, ADMIN, event.id, officer.id, now=late)
    signup = service.sign_up(build.db, ADMIN, event.id, officer.id, now=just_in_time)
    assert isinstance(signup, EventSignup)
    with pytest.raises(Conflict):
        service.withdraw(build.db, ADMIN, event.id, officer.id, now=late)
    api_made = client.post(
        "/api/v1/events",
        headers=build.headers("supervisor"),
        json=event_body(
            starts_at="2027-07-10T18:00:00Z",
            ends_at="2027-07-11T02:00:00Z",
            signup_deadline="2027-07-05",
        ),
    )
    assert api_made.get_json()["signup_deadline"] == "2027-07-05T23:00:00Z"


def test_the_profile_must_be_met_on_every_day_of_an_overnight_event(
    client: FlaskClient, build: Builder
) -> None:
    start = datetime(2027, 1, 14, 20, tzinfo=UTC)  # ends 04:00 on the 15th: two London days
    event = create(
        client,
        build,
        mercury_ref=135,
        version=1,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=8)).isoformat(),
        signup_deadline="2027-01-10",
    )
    assert event["mercury_ref"] == 135
    lapses = build.ips_officer(since=date(2025, 1, 15))
    build.ost(lapses, date(2026, 1, 15))  # runs to 2027-01-14: not on the second day
    fine = build.ips_officer(since=date(2025, 1, 15))
    build.ost(fine, date(2026, 1, 16))
    supervisor = build.headers("supervisor")
    url = f"/api/v1/events/{event['id']}/signups"
    refused = client.post(url, json={"officer_id": lapses.id}, headers=supervisor)
    assert refused.status_code == 422
    assert refused.get_json()["missing"] == ["ost"]
    assert client.post(url, json={"officer_id": fine.id}, headers=supervisor).status_code == 201
    no_ips = build.officer()
    assert client.post(url, json={"officer_id": no_ips.id}, headers=supervisor).status_code == 422


def test_a_special_of_another_force_joins_a_national_event_but_not_a_force_only_one(
    client: FlaskClient, build: Builder
) -> None:
    national = create(client, build, open_to="national", title="Mutual aid: coronation")
    local = create(client, build, open_to="force", title="Local fete")
    later = SOON + timedelta(days=1)
    regional = create(
        client,
        build,
        open_to="region",
        title="Eastern region op",
        starts_at=later.isoformat(),
        ends_at=(later + timedelta(hours=6)).isoformat(),
    )
    norfolk = build.officer("norfolk", surname="Visitor", forenames="Vera")
    devon = build.officer("devon-and-cornwall")
    visitor = build.headers("special", officer=norfolk)
    joined = client.post(
        f"/api/v1/events/{national['id']}/signups", json={"officer_id": norfolk.id}, headers=visitor
    )
    assert joined.status_code == 201
    refused = client.post(
        f"/api/v1/events/{local['id']}/signups", json={"officer_id": norfolk.id}, headers=visitor
    )
    assert refused.status_code == 404
    assert (
        client.post(
            f"/api/v1/events/{regional['id']}/signups",
            json={"officer_id": norfolk.id},
            headers=visitor,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/events/{regional['id']}/signups",
            json={"officer_id": devon.id},
            headers=build.headers("special", officer=devon),
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/events", headers=visitor).get_json()
    assert sorted(e["title"] for e in listed["items"]) == [
        "Eastern region op",
        "Mutual aid: coronation",
    ]
    host_view = client.get(
        f"/api/v1/events/{national['id']}/signups", headers=build.headers("planner")
    ).get_json()["items"]
    assert host_view == [
        {
            "officer_id": norfolk.id,
            "officer_ref": norfolk.officer_ref,
            "force": "norfolk",
            "rank": "SC",
            "duty_id": joined.get_json()["duty_id"],
            "signed_up_at": host_view[0]["signed_up_at"],
            # Another force's officer: held until Norfolk releases them (mutual aid).
            "status": "requested",
        }
    ]
    assert "Visitor" not in str(host_view)
    assert (
        client.get(
            f"/api/v1/events/{national['id']}/signups",
            headers=build.headers("supervisor", "norfolk"),
        ).status_code
        == 404
    )
    # The visitor's own force keeps the visitor's record; the host does not see it.
    assert (
        client.get(
            f"/api/v1/officers/{norfolk.id}", headers=build.headers("supervisor")
        ).status_code
        == 404
    )


def test_open_for_officer_lists_what_the_officer_could_still_join(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    joined = create(client, build, title="Joined")
    create(client, build, title="Open")
    full = create(client, build, title="Full", capacity=1)
    supervisor = build.headers("supervisor")
    for event in (joined, full):
        other = officer if event is joined else build.officer()
        client.post(
            f"/api/v1/events/{event['id']}/signups",
            json={"officer_id": other.id},
            headers=supervisor,
        )
    listed = client.get(
        f"/api/v1/events?open_for_officer={officer.id}", headers=supervisor
    ).get_json()
    assert [e["title"] for e in listed["items"]] == ["Open"]


def test_who_may_create_events_and_bad_events(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    for role, status in (("special", 403), ("planner", 403), ("authoriser", 201)):
        response = client.post(
            "/api/v1/events", json=event_body(), headers=build.headers(role, officer=officer)
        )
        assert response.status_code == status, role
    assert (
        client.post(
            "/api/v1/events", json=event_body(force="norfolk"), headers=build.headers("supervisor")
        ).status_code
        == 403
    )
    supervisor = build.headers("supervisor")
    for bad in (
        {"capacity": 0},
        {"open_to": "galaxy"},
        {"duty_type": "karaoke"},
        {"signup_deadline": (SOON + timedelta(days=1)).isoformat()},
        {"ends_at": SOON.isoformat()},
        {"mercury_ref": 999},
    ):
        assert (
            client.post("/api/v1/events", json=event_body(**bad), headers=supervisor).status_code
            == 422
        ), bad
