"""`/app/aid` and `/app/events/{id}` through Flask's test client: the home force answers its
officers' requests from the page (forms with CSRF), and the host sees each sign-up's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import text

from dutyservice.clock import LONDON, london_today
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.events import aid
from dutyservice.events import service as events
from dutyservice.events.models import Event

from ..support.builders import ADMIN, Builder
from .pages import post, sign_in, token


def _in_a_fortnight(hour: int) -> datetime:
    day = london_today() + timedelta(days=14)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def call_out(db: Database, title: str = "Operation Harvest") -> Event:
    starts = _in_a_fortnight(10)
    return events.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": title,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "capacity": 4,
            "signup_deadline": starts - timedelta(days=1),
            "open_to": "national",
            "duty_type": "event",
            "description": "",
            "location": "Ely",
            "version": 1,
        },
    )


def status_of(db: Database, event: Event, officer_id: int) -> str:
    with db.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM duties WHERE event_id = :e AND officer_id = :o"),
                {"e": event.id, "o": officer_id},
            ).scalar_one()
        )


def test_the_home_force_releases_a_request_from_its_page_beside_the_weeks_other_duties(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    officer = build.officer("norfolk", surname="Visitor", forenames="Vera")
    build.duty(officer, _in_a_fortnight(10) - timedelta(days=1), duty_type="patrol")
    events.sign_up(db, ADMIN, event.id, officer.id)
    sign_in(client, token(db, "supervisor", "norfolk"))
    page = client.get("/app/aid")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vera Visitor" in html
    assert "Operation Harvest" in html
    assert "Cambridgeshire" in html  # the host force by name
    assert "Their other duties that week" in html
    assert "(booked)" in html
    answer = post(client, f"/app/aid/{event.id}/{officer.id}/release", {}, from_page="/app/aid")
    assert answer.status_code == 303
    after = client.get("/app/aid").get_data(as_text=True)
    assert "Released: the duty is booked" in after
    assert "No requests are awaiting your force." in after
    assert status_of(db, event, officer.id) == "booked"


def test_declining_needs_a_reason_and_a_missing_one_changes_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    officer = build.officer("norfolk")
    events.sign_up(db, ADMIN, event.id, officer.id)
    sign_in(client, token(db, "authoriser", "norfolk"))
    url = f"/app/aid/{event.id}/{officer.id}/decline"
    blank = post(client, url, {"reason": "  "}, from_page="/app/aid")
    assert blank.status_code == 422
    html = blank.get_data(as_text=True)
    assert "govuk-input--error" in html
    assert "Say why your force cannot release them" in html
    assert "There is a problem" in html
    assert status_of(db, event, officer.id) == "requested"
    declined = post(client, url, {"reason": "Needed at home"}, from_page="/app/aid")
    assert declined.status_code == 303
    assert status_of(db, event, officer.id) == "cancelled"


def test_an_answer_without_its_csrf_token_is_refused(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    officer = build.officer("norfolk")
    events.sign_up(db, ADMIN, event.id, officer.id)
    sign_in(client, token(db, "supervisor", "norfolk"))
    answer = client.post(f"/app/aid/{event.id}/{officer.id}/release", data={})
    assert answer.status_code in (400, 403)
    assert status_of(db, event, officer.id) == "requested"


def test_the_host_sees_each_sign_ups_state_on_the_events_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    own = build.officer(surname="Local", forenames="Lee")
    waiting, declined = build.officer("norfolk"), build.officer("suffolk")
    for officer in (own, waiting, declined):
        events.sign_up(db, ADMIN, event.id, officer.id)
    aid.decline(db, ADMIN, event.id, declined.id, "Short of officers")
    sign_in(client, token(db, "supervisor"))
    html = client.get(f"/app/events/{event.id}").get_data(as_text=True)
    assert "Operation Harvest" in html
    assert "<strong>2</strong> places left of 4" in html
    assert f'id="signup-{own.id}"' in html
    assert "Lee Local" in html
    row = html.split(f'id="signup-{waiting.id}"')[1].split("</tr>")[0]
    assert "Requested" in row
    assert waiting.officer_ref in row
    row = html.split(f'id="signup-{declined.id}"')[1].split("</tr>")[0]
    assert "Declined: Short of officers" in row
    # Another force sees the event, not who signed up to it.
    visitor = client.application.test_client()
    sign_in(visitor, token(db, "supervisor", "norfolk"))
    theirs = visitor.get(f"/app/events/{event.id}").get_data(as_text=True)
    assert "Operation Harvest" in theirs
    assert "Sign-ups" not in theirs


def test_an_officer_of_another_force_is_told_their_place_waits_for_their_forces_release(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    officer = build.officer("norfolk")
    sign_in(client, token(db, "special", officer=officer))
    post(client, f"/app/events/{event.id}/sign-up", {"officer_id": str(officer.id)})
    listing = client.get("/app/events").get_data(as_text=True)
    assert "your place is held until your force releases you" in listing
    assert status_of(db, event, officer.id) == "requested"


def test_an_officer_reads_on_the_event_s_page_whether_their_place_is_held_or_booked(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    event = call_out(db)
    asking, local, free = build.officer("norfolk"), build.officer(), build.officer()
    events.sign_up(db, ADMIN, event.id, asking.id)
    events.sign_up(db, ADMIN, event.id, local.id)

    def page_of(officer: Officer) -> str:
        reader = client.application.test_client()
        sign_in(reader, token(db, "special", officer=officer))
        return reader.get(f"/app/events/{event.id}").get_data(as_text=True)

    held = page_of(asking)
    assert "Your place is held until your force releases you" in held
    assert ">Sign up<" not in held
    booked = page_of(local)
    assert "You are signed up" in booked
    assert "is held" not in booked
    open_to_them = page_of(free)
    assert "Sign up" in open_to_them
    assert "You are signed up" not in open_to_them
