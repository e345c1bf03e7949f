"""Mutual-aid release (API.md "Events"): another force's officer's sign-up is requested, holds
a place and their time, and their own force releases or declines it; unanswered, it lapses."""

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from dutyservice.db import Database
from dutyservice.duties.models import Duty, Officer
from dutyservice.errors import Conflict
from dutyservice.events import aid, service
from dutyservice.events.models import EventSignup, signup_status_sql
from dutyservice.events.rules import signup_status

from ..support.builders import ADMIN, Builder

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
HOST, HOME = "cambridgeshire", "norfolk"


def callout(client: FlaskClient, build: Builder, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "force": HOST,
        "title": "Operation Harvest",
        "location": "Ely",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=8)).isoformat(),
        "duty_type": "event",
        "capacity": 2,
        "signup_deadline": (SOON - timedelta(days=2)).isoformat(),
        "open_to": "national",
    }
    body.update(overrides)
    response = client.post("/api/v1/events", json=body, headers=build.headers("supervisor"))
    assert response.status_code == 201, response.get_json()
    return cast(dict[str, Any], response.get_json())


def signups_url(event: dict[str, Any], officer: Officer | None = None) -> str:
    url = f"/api/v1/events/{event['id']}/signups"
    return f"{url}/{officer.id}" if officer is not None else url


def sign_up(client: FlaskClient, build: Builder, event: dict[str, Any], officer: Officer) -> Any:
    me = build.headers("special", officer=officer)
    return client.post(signups_url(event), json={"officer_id": officer.id}, headers=me)


def home_supervisor(build: Builder) -> dict[str, str]:
    return build.headers("supervisor", HOME)


def duty_status(db: Database, duty_id: int) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM duties WHERE id = :id"), {"id": duty_id}
            ).scalar_one()
        )


def test_another_forces_officer_is_requested_and_holds_a_place_and_their_time(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build, capacity=2)
    visitor, host_officer = build.officer(HOME), build.officer(HOST)
    requested = sign_up(client, build, event, visitor)
    assert requested.status_code == 201
    assert requested.get_json()["status"] == "requested"
    assert duty_status(db, requested.get_json()["duty_id"]) == "requested"
    confirmed = sign_up(client, build, event, host_officer)
    assert confirmed.get_json()["status"] == "confirmed"
    me = build.headers("special", officer=visitor)
    # The requested place counts: the event is full.
    assert client.get(f"/api/v1/events/{event['id']}", headers=me).get_json()["places_left"] == 0
    third = sign_up(client, build, event, build.officer(HOME))
    assert third.status_code == 409
    assert "full" in third.get_json()["detail"]
    # The officer's time is held: no overlapping duty, however it is booked.
    overlapping = client.post(
        "/api/v1/duties",
        json={
            "officer_id": visitor.id,
            "starts_at": (SOON + timedelta(hours=2)).isoformat(),
            "ends_at": (SOON + timedelta(hours=4)).isoformat(),
            "duty_type": "patrol",
        },
        headers=me,
    )
    assert overlapping.status_code == 409
    assert overlapping.get_json()["conflicting_duty_id"] == requested.get_json()["duty_id"]
    # A requested duty is not booked: it cannot be completed.
    duty_id = requested.get_json()["duty_id"]
    done = client.post(f"/api/v1/duties/{duty_id}/complete", headers=home_supervisor(build))
    assert done.status_code == 409


def test_the_officers_own_force_releases_and_the_duty_is_booked(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build)
    visitor = build.officer(HOME)
    duty_id = sign_up(client, build, event, visitor).get_json()["duty_id"]
    released = client.post(f"{signups_url(event, visitor)}/release", headers=home_supervisor(build))
    assert released.status_code == 200, released.get_json()
    assert released.get_json()["status"] == "confirmed"
    assert released.get_json()["answered_at"] is not None
    assert duty_status(db, duty_id) == "booked"
    again = client.post(f"{signups_url(event, visitor)}/release", headers=home_supervisor(build))
    assert again.status_code == 409
    host_view = client.get(signups_url(event), headers=build.headers("supervisor")).get_json()
    assert [s["status"] for s in host_view["items"]] == ["confirmed"]


def test_a_decline_frees_the_place_and_the_time_and_keeps_the_reason(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build, capacity=1)
    visitor, other = build.officer(HOME), build.officer(HOST)
    duty_id = sign_up(client, build, event, visitor).get_json()["duty_id"]
    assert sign_up(client, build, event, other).status_code == 409  # full while requested
    url = f"{signups_url(event, visitor)}/decline"
    assert client.post(url, json={}, headers=home_supervisor(build)).status_code == 422
    assert client.post(url, json={"reason": ""}, headers=home_supervisor(build)).status_code == 422
    assert duty_status(db, duty_id) == "requested"  # bad input changed nothing
    declined = client.post(
        url, json={"reason": "needed for the county show"}, headers=home_supervisor(build)
    )
    assert declined.status_code == 200
    body = declined.get_json()
    assert (body["status"], body["answer_reason"]) == ("declined", "needed for the county show")
    assert body["withdrawn_at"] is not None
    assert duty_status(db, duty_id) == "cancelled"
    assert sign_up(client, build, event, other).status_code == 201  # the place is free
    # The officer's time is free too: they may book a duty over the same hours.
    me = build.headers("special", officer=visitor)
    booked = client.post(
        "/api/v1/duties",
        json={
            "officer_id": visitor.id,
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "duty_type": "patrol",
        },
        headers=me,
    )
    assert booked.status_code == 201
    # Release after a decline: nothing is requested any more.
    again = client.post(f"{signups_url(event, visitor)}/release", headers=home_supervisor(build))
    assert again.status_code == 404


def test_the_host_force_may_not_answer_for_another_force(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build)
    visitor = build.officer(HOME)
    duty_id = sign_up(client, build, event, visitor).get_json()["duty_id"]
    for role in ("supervisor", "authoriser"):
        answer = client.post(
            f"{signups_url(event, visitor)}/release", headers=build.headers(role, HOST)
        )
        assert answer.status_code == 404
    special = client.post(
        f"{signups_url(event, visitor)}/release",
        headers=build.headers("special", officer=visitor),
    )
    assert special.status_code == 403  # the officer cannot release themselves
    planner = client.post(
        f"{signups_url(event, visitor)}/decline",
        json={"reason": "no"},
        headers=build.headers("planner", HOME),
    )
    assert planner.status_code == 403
    assert duty_status(db, duty_id) == "requested"
    admin = client.post(f"{signups_url(event, visitor)}/release", headers=build.headers("admin"))
    assert admin.status_code == 200


def test_host_force_sign_ups_and_an_auto_releasing_force_are_confirmed_at_once(
    client: FlaskClient, build: Builder
) -> None:
    event = callout(client, build, capacity=5)
    assert sign_up(client, build, event, build.officer(HOST)).get_json()["status"] == "confirmed"
    patched = client.patch(
        f"/api/v1/forces/{HOME}",
        json={"auto_release": True, "aid_contact_email": "aid@norfolk.police.example"},
        headers=build.headers("admin"),
    )
    assert patched.status_code == 200
    assert patched.get_json()["auto_release"] is True
    assert patched.get_json()["aid_contact_email"] == "aid@norfolk.police.example"
    assert sign_up(client, build, event, build.officer(HOME)).get_json()["status"] == "confirmed"
    refused = client.patch(
        f"/api/v1/forces/{HOME}", json={"auto_release": True}, headers=home_supervisor(build)
    )
    assert refused.status_code == 403
    bad = client.patch(
        f"/api/v1/forces/{HOME}",
        json={"aid_contact_email": "not an address"},
        headers=build.headers("admin"),
    )
    assert bad.status_code == 422


def test_the_home_force_lists_the_requests_awaiting_it(client: FlaskClient, build: Builder) -> None:
    event = callout(client, build, capacity=5)
    waiting, answered = build.officer(HOME), build.officer(HOME)
    sign_up(client, build, event, waiting)
    sign_up(client, build, event, answered)
    sign_up(client, build, event, build.officer(HOST))  # the host's own: not a request
    client.post(f"{signups_url(event, answered)}/release", headers=home_supervisor(build))
    listed = client.get("/api/v1/signups?status=requested", headers=home_supervisor(build))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(i["officer_id"], i["status"], i["event_id"]) for i in items] == [
        (waiting.id, "requested", event["id"])
    ]
    every = client.get("/api/v1/signups", headers=home_supervisor(build)).get_json()
    assert {i["status"] for i in every["items"]} == {"requested", "confirmed"}
    # The host force has no requests of its own officers elsewhere; other forces' are not its.
    host = client.get("/api/v1/signups?status=requested", headers=build.headers("supervisor"))
    assert host.get_json()["items"] == []
    other_force = client.get(f"/api/v1/signups?force={HOME}", headers=build.headers("supervisor"))
    assert other_force.status_code == 404
    bad = client.get("/api/v1/signups?status=maybe", headers=home_supervisor(build))
    assert bad.status_code == 400  # a malformed query (API.md conventions)


def test_the_aid_view_counts_each_forces_sign_ups_by_state(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build, capacity=10)
    norfolk = [build.officer(HOME) for _ in range(4)]
    suffolk = build.officer("suffolk")
    for officer in [*norfolk, suffolk]:
        assert sign_up(client, build, event, officer).status_code == 201
    sign_up(client, build, event, build.officer(HOST))
    client.post(f"{signups_url(event, norfolk[0])}/release", headers=home_supervisor(build))
    client.post(
        f"{signups_url(event, norfolk[1])}/decline",
        json={"reason": "rest days"},
        headers=home_supervisor(build),
    )
    # The deadline passes with norfolk[2] unanswered: it lapses.
    assert aid.lapse_due(db, now=SOON - timedelta(days=1)) == 3
    view = client.get(f"/api/v1/events/{event['id']}/aid", headers=build.headers("npocc"))
    assert view.status_code == 200
    zero = {"requested": 0, "confirmed": 0, "declined": 0, "lapsed": 0}
    assert view.get_json() == {
        "by_force": {
            "norfolk": zero | {"confirmed": 1, "declined": 1, "lapsed": 2},
            "suffolk": zero | {"lapsed": 1},
        }
    }
    assert (
        client.get(
            f"/api/v1/events/{event['id']}/aid", headers=build.headers("planner")
        ).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/events/{event['id']}/aid", headers=home_supervisor(build)).status_code
        == 404
    )


def test_a_lapsed_request_frees_its_place_and_the_late_answer_is_refused(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build, capacity=1)
    visitor = build.officer(HOME)
    duty_id = sign_up(client, build, event, visitor).get_json()["duty_id"]
    deadline = SOON - timedelta(days=2)
    assert aid.lapse_due(db, now=deadline - timedelta(seconds=1)) == 0  # not yet
    # Answered after the deadline, before the scheduler's run: refused.
    with pytest.raises(Conflict, match="lapsed"):
        aid.release(db, ADMIN, event["id"], visitor.id, now=deadline)
    assert aid.lapse_due(db, now=deadline) == 1
    assert aid.lapse_due(db, now=deadline) == 0  # once
    assert duty_status(db, duty_id) == "cancelled"
    host_view = client.get(f"/api/v1/events/{event['id']}", headers=build.headers("supervisor"))
    assert host_view.get_json()["places_left"] == 1


def test_a_confirmed_aid_duty_counts_in_the_officers_hours_like_any_duty(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    start = datetime(2026, 6, 13, 9, tzinfo=UTC)
    made = service.create_event(
        db,
        ADMIN,
        {
            "force": HOST,
            "title": "Show",
            "description": "",
            "location": "",
            "starts_at": start,
            "ends_at": start + timedelta(hours=6),
            "duty_type": "event",
            "capacity": 3,
            "signup_deadline": start - timedelta(days=1),
            "open_to": "national",
        },
    )
    visitor = build.officer(HOME)
    signup = service.sign_up(db, ADMIN, made.id, visitor.id, now=start - timedelta(days=5))
    supervisor = home_supervisor(build)
    early = client.post(f"/api/v1/duties/{signup.duty_id}/complete", headers=supervisor)
    assert early.status_code == 409  # requested: not booked, not done
    aid.release(db, ADMIN, made.id, visitor.id, now=start - timedelta(days=4))
    done = client.post(f"/api/v1/duties/{signup.duty_id}/complete", headers=supervisor)
    assert done.status_code == 200
    hours = client.get(f"/api/v1/officers/{visitor.id}/hours?year=2026", headers=supervisor)
    june = next(m for m in hours.get_json()["items"] if m["month"] == "2026-06")
    assert june["hours"] == 6
    team = client.get(f"/api/v1/reports/hours?force={HOME}&month=2026-06", headers=supervisor)
    row = next(i for i in team.get_json()["items"] if i["officer_id"] == visitor.id)
    assert row["hours"] == 6


def test_withdrawing_a_request_frees_it_and_a_later_answer_is_refused(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build)
    visitor = build.officer(HOME)
    duty_id = sign_up(client, build, event, visitor).get_json()["duty_id"]
    me = build.headers("special", officer=visitor)
    withdrawn = client.delete(signups_url(event, visitor), headers=me)
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert duty_status(db, duty_id) == "cancelled"
    answer = client.post(f"{signups_url(event, visitor)}/release", headers=home_supervisor(build))
    assert answer.status_code == 404
    # Signing up again is a new request.
    again = sign_up(client, build, event, visitor)
    assert again.status_code == 201
    assert again.get_json()["status"] == "requested"


def test_a_sign_ups_state_reads_the_same_in_python_and_in_sql_for_every_duty_and_answer(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = callout(client, build)
    signup = service.sign_up(db, ADMIN, event["id"], build.officer(HOME).id)
    for duty in ("requested", "booked", "completed", "cancelled"):
        for answer in (None, "released", "declined", "lapsed"):
            with db.engine.begin() as connection:
                connection.execute(
                    text("UPDATE duties SET status = :s WHERE id = :id"),
                    {"s": duty, "id": signup.duty_id},
                )
                connection.execute(
                    text("UPDATE event_signups SET answer = :a WHERE id = :id"),
                    {"a": answer, "id": signup.id},
                )
            with db.reading() as session:
                in_sql = session.execute(
                    select(signup_status_sql())
                    .select_from(EventSignup)
                    .join(Duty, Duty.id == EventSignup.duty_id)
                    .where(EventSignup.id == signup.id)
                ).scalar_one()
            assert in_sql == signup_status(duty, answer), (duty, answer)


def test_a_requested_duty_is_tentative_in_the_officers_calendar_until_released(
    client: FlaskClient, build: Builder
) -> None:
    event = callout(client, build)
    visitor = build.officer(HOME)
    me = build.headers("special", officer=visitor)
    key = client.post(f"/api/v1/officers/{visitor.id}/calendar-key", headers=me).get_json()["key"]
    feed = f"/api/v1/officers/{visitor.id}/calendar.ics?key={key}"
    sign_up(client, build, event, visitor)
    assert "STATUS:TENTATIVE" in client.get(feed).get_data(as_text=True)
    client.post(f"{signups_url(event, visitor)}/release", headers=home_supervisor(build))
    released = client.get(feed).get_data(as_text=True)
    assert "STATUS:CONFIRMED" in released
    assert "TENTATIVE" not in released
