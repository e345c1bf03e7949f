"""Setting up an event or call-out from the pages: the same event as `POST /api/v1/events`
makes, refusals as the error summary beside their fields, and only for those who may."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import LONDON, london_today
from dutyservice.db import Database

from ..support.builders import Builder
from ..support.snapshot import digest
from .pages import post, sign_in, text_of, token


def event_form(day_offset: int = 10, /, **more: str) -> dict[str, str]:
    """The form as a supervisor fills it in: 18:00 to 23:00, deadline the day before noon."""
    day = london_today() + timedelta(days=day_offset)
    before = day - timedelta(days=1)
    return {
        "title": "Bonfire night",
        "description": "Crowd safety on the common.",
        "location": "Midsummer Common",
        **{"starts-day": str(day.day), "starts-month": str(day.month)},
        **{"starts-year": str(day.year), "starts_time": "18:00"},
        **{"ends-day": str(day.day), "ends-month": str(day.month), "ends-year": str(day.year)},
        "ends_time": "23:00",
        "duty_type": "event",
        "capacity": "12",
        **{"deadline-day": str(before.day), "deadline-month": str(before.month)},
        **{"deadline-year": str(before.year), "deadline_time": "12:00"},
        "open_to": "region",
        "profile": "135:1",
        **more,
    }


def api_body(day_offset: int = 10) -> dict[str, Any]:
    day = london_today() + timedelta(days=day_offset)
    before = day - timedelta(days=1)
    return {
        "force": "cambridgeshire",
        "title": "Bonfire night",
        "description": "Crowd safety on the common.",
        "location": "Midsummer Common",
        "starts_at": f"{day.isoformat()}T18:00:00{_offset(day)}",
        "ends_at": f"{day.isoformat()}T23:00:00{_offset(day)}",
        "duty_type": "event",
        "capacity": 12,
        "signup_deadline": f"{before.isoformat()}T12:00:00{_offset(before)}",
        "open_to": "region",
        "mercury_ref": 135,
        "version": 1,
    }


def _offset(day: date) -> str:
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=LONDON).utcoffset()
    return "+01:00" if offset and offset.total_seconds() else "+00:00"


def _events(app: Flask, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        app.test_client().get("/api/v1/events", headers=headers).get_json()["items"]
    )
    return [{k: v for k, v in item.items() if k != "id"} for item in items]


def test_a_supervisor_sets_up_the_same_event_the_api_would(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    headers = build.headers("supervisor")
    sign_in(client, token(db, "supervisor"))
    form = client.get("/app/events/new").get_data(as_text=True)
    assert "Specials of my force" in form
    assert "Specials of my region" in form
    answer = post(client, "/app/events/new", event_form(), from_page="/app/events/new")
    assert answer.status_code == 303
    assert "Set up: Bonfire night" in text_of(client.get("/app/events").get_data(as_text=True))
    through_page = _events(app, headers)
    made = app.test_client().post("/api/v1/events", json=api_body(), headers=headers)
    assert made.status_code == 201, made.json
    both = _events(app, headers)
    assert len(both) == 2
    assert both[0] == both[1] == through_page[0]


def test_a_deadline_after_the_start_is_refused_in_the_error_summary_and_stores_nothing(
    client: FlaskClient, db: Database
) -> None:
    sign_in(client, token(db, "supervisor"))
    day = london_today() + timedelta(days=10)
    late = {"deadline-day": str(day.day), "deadline-month": str(day.month)}
    late |= {"deadline-year": str(day.year), "deadline_time": "20:00"}
    before = digest(db)
    answer = post(client, "/app/events/new", event_form(**late), from_page="/app/events/new")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = text_of(html.split('class="govuk-error-summary"')[1].split("<h1")[0])
    assert "There is a problem" in summary
    assert "The sign-up deadline must be before the event starts" in summary
    assert 'href="#f-deadline-day"' in html
    assert digest(db) == before


def test_impossible_dates_and_a_missing_title_are_said_beside_their_fields(
    client: FlaskClient, db: Database
) -> None:
    sign_in(client, token(db, "authoriser"))
    wrong = event_form(title="", capacity="none", **{"ends-day": "31", "ends-month": "2"})
    before = digest(db)
    html = post(client, "/app/events/new", wrong, from_page="/app/events/new").get_data(
        as_text=True
    )
    said = text_of(html)
    assert "Enter a real date: that day does not exist" in said
    assert 'href="#f-ends-day"' in html
    assert digest(db) == before
    wrong = event_form(title="", capacity="none")
    said = text_of(
        post(client, "/app/events/new", wrong, from_page="/app/events/new").get_data(as_text=True)
    )
    assert "Enter the title" in said, said[:1500]
    assert "Enter the number of places, a whole number from 1 to 10000" in said
    assert "capacity" not in said.split("There is a problem")[1].split("Set up an event")[0]
    assert digest(db) == before


def test_the_host_force_is_the_supervisors_own_whatever_the_form_says(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    sign_in(client, token(db, "supervisor"))
    post(client, "/app/events/new", event_form(force="norfolk"), from_page="/app/events/new")
    listed = _events(app, build.headers("admin"))
    assert [e["force"] for e in listed] == ["cambridgeshire"]


def test_an_admin_chooses_the_host_force_by_name(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    sign_in(client, token(db, "admin"))
    form = client.get("/app/events/new").get_data(as_text=True)
    assert "Norfolk Constabulary" in form
    assert "Choose a force" in form
    missing = post(client, "/app/events/new", event_form(), from_page="/app/events/new")
    assert missing.status_code == 422
    assert "Enter the host force" in text_of(missing.get_data(as_text=True))
    post(client, "/app/events/new", event_form(force="norfolk"), from_page="/app/events/new")
    assert [e["force"] for e in _events(app, build.headers("admin"))] == ["norfolk"]


def test_planners_and_specials_may_not_set_up_events(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    for role in ("planner", "special"):
        sign_in(client, token(db, role, officer=officer))
        assert client.get("/app/events/new").status_code == 403
        before = digest(db)
        page = "/app/events"
        assert post(client, "/app/events/new", event_form(), from_page=page).status_code == 403
        assert digest(db) == before


def test_a_call_out_form_opens_with_the_window_and_force_it_was_given(
    client: FlaskClient, db: Database
) -> None:
    sign_in(client, token(db, "admin"))
    html = client.get(
        "/app/events/new?from=2027-03-04T19:30&to=2027-03-05T01:00&force=norfolk"
    ).get_data(as_text=True)
    assert 'name="starts-day" type="text" value="4"' in html or 'value="4"' in html
    assert 'name="starts_time" type="text" value="19:30"' in html
    assert 'name="ends_time" type="text" value="01:00"' in html
    assert '<option value="norfolk" selected>' in html
