"""The pages through Flask's test client: sessions, CSRF, scope, and the services' answers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice.auth.service import revoke_token
from dutyservice.auth.sessions import open_session
from dutyservice.clock import LONDON, london_today, utc_now
from dutyservice.db import Database
from dutyservice.duties.models import Duty, Officer

from ..support.builders import Builder
from .pages import booking, csrf_of, post, sign_in, text_of, token, token_id_of


def _next_week(hour: int = 18) -> datetime:
    day = london_today() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def _duties(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Duty)) or 0


def test_signing_in_with_a_token_shows_the_specials_own_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Okafor", forenames="Jade")
    sign_in(client, token(db, "special", officer=officer))
    page = client.get("/app/").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Jade Okafor</h1>", page)
    assert "Hours in" in page
    assert "Independent Patrol Status" in page
    assert "Book a duty" in page
    assert "Next duty" in page
    assert "This month" in page


def test_pages_without_a_session_send_the_browser_to_sign_in(client: FlaskClient) -> None:
    answer = client.get("/app/deployable")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/app/sign-in?next=")


def test_a_wrong_token_is_refused_beside_its_field(client: FlaskClient) -> None:
    page = client.get("/app/sign-in").get_data(as_text=True)
    answer = client.post(
        "/app/sign-in", data={"token": "dsv_not-a-token", "csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 400
    assert "That token is not valid" in answer.get_data(as_text=True)
    assert client.get("/app/").status_code == 302


def test_the_session_cookie_is_httponly_lax_and_never_holds_the_token(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    secret = token(db, "special", officer=officer)
    page = client.get("/app/sign-in").get_data(as_text=True)
    answer = client.post("/app/sign-in", data={"token": secret, "csrf_token": csrf_of(page)})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert secret not in cookie
    with client.session_transaction() as session:
        assert set(session) == {"session_id", "csrf"}
        assert secret not in str(dict(session))


def test_over_https_the_session_cookie_is_secure(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    secret = token(db, "admin")
    page = client.get("/app/sign-in", base_url="https://localhost").get_data(as_text=True)
    answer = client.post(
        "/app/sign-in",
        data={"token": secret, "csrf_token": csrf_of(page)},
        base_url="https://localhost",
    )
    assert "Secure" in answer.headers["Set-Cookie"]


def test_a_revoked_token_ends_the_session(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    secret = token(db, "special", officer=officer)
    sign_in(client, secret)
    assert client.get("/app/").status_code == 200
    revoke_token(db, token_id_of(db, secret))
    assert client.get("/app/").status_code == 302


def test_a_session_from_the_forces_identity_provider_is_accepted(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Nwosu", forenames="Ada")
    claims = {
        "sub": "a1b2c3",
        "name": "Ada Nwosu",
        "roles": ["special"],
        "force": "cambridgeshire",
        "warrant_number": officer.warrant_number,
    }
    client.get("/app/sign-in")
    with client.session_transaction() as session:
        session["session_id"] = open_session(db, claims=claims)
    page = client.get("/app/").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Ada Nwosu</h1>", page)


def test_signing_in_never_sends_the_browser_to_another_host(
    client: FlaskClient, db: Database
) -> None:
    page = client.get("/app/sign-in").get_data(as_text=True)
    answer = client.post(
        "/app/sign-in",
        data={"token": token(db, "admin"), "csrf_token": csrf_of(page), "next": "//evil.test/x"},
    )
    assert answer.headers["Location"] == "/app/"


def test_a_special_cannot_see_another_officers_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    me = build.officer(surname="Own", forenames="Sam")
    other = build.officer(surname="Hidden", forenames="Kit")
    build.duty(other, _next_week(), duty_type="training")
    sign_in(client, token(db, "special", officer=me))
    answer = client.get(f"/app/?officer_id={other.id}")
    assert answer.status_code == 404
    body = answer.get_data(as_text=True)
    assert "Hidden" not in body
    assert "Training" not in body


def test_a_supervisor_chooses_an_officer_of_the_force(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Chosen", forenames="Lee")
    build.officer("norfolk", surname="Elsewhere")
    sign_in(client, token(db, "supervisor"))
    listing = client.get("/app/").get_data(as_text=True)
    assert "Lee Chosen" in listing
    assert "Elsewhere" not in listing
    chosen = client.get(f"/app/?officer_id={officer.id}").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Lee Chosen</h1>", chosen)


def test_a_form_without_its_csrf_token_is_refused_and_books_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    answer = client.post(
        "/app/duties",
        data=booking(officer.id, "2030-01-10", "18:00", "23:00"),
    )
    assert answer.status_code == 400
    assert "nothing was changed" in answer.get_data(as_text=True)
    assert _duties(db) == 0
    signed_out = client.post("/app/sign-out", data={"csrf_token": "forged"})
    assert signed_out.status_code == 400
    assert client.get("/app/").status_code == 200


def test_a_booked_duty_appears_on_the_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    answer = post(
        client,
        "/app/duties",
        booking(officer.id, "2030-01-10", "18:00", "23:30", location="Market Square"),
    )
    assert answer.status_code == 303
    html = client.get("/app/").get_data(as_text=True)
    assert "Booked: patrol, Thursday 10 January 18:00 to 23:30 (5.5 hours)." in text_of(html)
    coming = text_of(html.split('id="coming"')[1].split("</ul>")[0])
    assert "Patrol, Thursday 10 January 18:00 to 23:30" in coming
    assert "Market Square" in coming
    assert _duties(db) == 1


def test_an_overlapping_booking_shows_why_and_stores_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    build.duty(officer, datetime(2030, 1, 10, 18, tzinfo=UTC), hours=6)
    sign_in(client, token(db, "special", officer=officer))
    answer = post(
        client,
        "/app/duties",
        booking(officer.id, "2030-01-10", "20:00", "22:00"),
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    summary = text_of(page.split('class="govuk-error-summary"')[1].split("</ul>")[0])
    assert "You already have a duty then: patrol, Thursday 10 January 18:00 to midnight" in summary
    assert 'href="#f-date-day"' in page
    assert _duties(db) == 1


def test_a_missing_end_is_reported_beside_its_field_in_plain_words(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    answer = post(client, "/app/duties", booking(officer.id, "2030-01-10", "20:00", ""))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="f-end_time-error"' in body
    assert "Enter a time, for example 18:00" in body
    assert '<a href="#f-end_time">Enter a time, for example 18:00</a>' in body
    assert "Missing data" not in body
    assert "ends_at" not in text_of(body)
    assert _duties(db) == 0


def test_a_planner_may_not_book_and_is_told_why(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "planner"))
    answer = post(
        client,
        "/app/duties",
        booking(officer.id, "2030-01-10", "18:00", "20:00"),
        from_page=f"/app/?officer_id={officer.id}",
    )
    assert answer.status_code == 403
    assert "may not book" in answer.get_data(as_text=True)
    assert _duties(db) == 0


def test_cancelling_and_completing_duties_from_the_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    past = build.duty(officer, utc_now().replace(microsecond=0) - timedelta(days=2), hours=4)
    coming = build.duty(officer, _next_week())
    sign_in(client, token(db, "special", officer=officer))
    post(client, f"/app/duties/{coming.id}/cancel", {"officer_id": str(officer.id)})
    post(client, f"/app/duties/{past.id}/complete", {"officer_id": str(officer.id)})
    page = client.get("/app/").get_data(as_text=True)
    assert "Cancelled the patrol duty." in page or "Completed: 4 hours." in page
    with db.reading() as session:
        statuses = {d.id: d.status for d in session.scalars(select(Duty))}
    assert statuses == {past.id: "completed", coming.id: "cancelled"}


def test_hours_by_month_say_their_status_in_words(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    build.duty(officer, datetime(2025, 3, 1, 18, tzinfo=UTC), hours=8, complete=True)
    build.duty(officer, datetime(2025, 4, 1, 8, tzinfo=UTC), hours=10, complete=True)
    build.duty(officer, datetime(2025, 4, 2, 8, tzinfo=UTC), hours=8, complete=True)
    sign_in(client, token(db, "special", officer=officer))
    page = text_of(client.get("/app/?year=2025").get_data(as_text=True))
    assert "March 2025: 8 of 16 hours — below the minimum" in page
    assert "April 2025: 18 of 16 hours — minimum met" in page
    assert "May 2025: 0 of 16 hours — no hours" in page


def _ips_officer(build: Builder, force: str = "cambridgeshire", **officer: str) -> Officer:
    since = london_today() - timedelta(days=30)
    return build.ips_officer(force, since=since, ost_on=None, **officer)


def _window() -> str:
    day = london_today() + timedelta(days=3)
    return f"from={day}T18:00&to={day}T23:00"


def test_a_planner_sees_names_of_own_force_and_is_refused_another(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    _ips_officer(build, surname="Patel", forenames="Ravi", warrant_number="C1")
    _ips_officer(build, "norfolk", surname="Farrow", forenames="Jo", warrant_number="N1")
    sign_in(client, token(db, "planner"))
    page = client.get(f"/app/deployable?{_window()}").get_data(as_text=True)
    assert "Ravi Patel" in page
    assert "cambridgeshire-C1" in page
    assert "Farrow" not in page
    assert "norfolk-N1" not in page
    assert "Cambridgeshire Constabulary: <strong>1</strong>" in page
    elsewhere = client.get(f"/app/deployable?{_window()}&force=norfolk")
    assert elsewhere.status_code == 404  # another force's resource is not visible, as in the API
    assert "Farrow" not in elsewhere.get_data(as_text=True)


def test_national_readers_see_references_only(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    _ips_officer(build, surname="Patel", warrant_number="C1")
    _ips_officer(build, "norfolk", surname="Farrow", warrant_number="N1")
    sign_in(client, token(db, "npocc"))
    page = client.get(f"/app/deployable?{_window()}").get_data(as_text=True)
    assert "cambridgeshire-C1" in page
    assert "norfolk-N1" in page
    assert "Patel" not in page
    assert "Farrow" not in page
    chart = text_of(page.split('id="by-force"')[1].split("</ul>")[0])
    assert "Cambridgeshire Constabulary: 1" in chart
    assert "Norfolk Constabulary: 1" in chart


def test_the_deployable_csv_has_the_pages_rows(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    _ips_officer(build, surname="=Patel", forenames="Ravi", warrant_number="C1")
    sign_in(client, token(db, "planner"))
    answer = client.get(f"/app/deployable.csv?{_window()}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "officer_ref,name,force,rank,base_location,ost_expires_on"
    assert lines[1].startswith("cambridgeshire-C1,Ravi =Patel,cambridgeshire,SC,")


def test_a_bad_window_is_reported_beside_its_field(client: FlaskClient, db: Database) -> None:
    sign_in(client, token(db, "planner"))
    answer = client.get("/app/deployable?from=2030-01-10T18:00&to=2030-01-10T10:00")
    assert answer.status_code == 422
    assert "The end of the window must be after the start" in answer.get_data(as_text=True)
    garbled = client.get("/app/deployable?from=tomorrow&to=2030-01-10T10:00")
    assert garbled.status_code == 400
    said = text_of(garbled.get_data(as_text=True))
    assert "Enter a real date and time, for example 2026-12-13 18:00" in said
    assert "RFC 3339" not in said
    assert "YYYY-MM-DD" not in said


def test_readiness_lists_holders_lapsing_training_and_what_is_lacking(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    holder = _ips_officer(build, surname="Holder", forenames="Pat")
    lapsing = build.ips_officer(
        since=london_today() - timedelta(days=340),
        surname="Lapsing",
        forenames="Max",
    )
    learner = build.officer(surname="Learner", forenames="Ash")
    build.units(learner, date(2025, 2, 1), ("BE2", "CB1"))
    build.officer("norfolk", surname="Norfolk")
    sign_in(client, token(db, "planner"))
    page = client.get("/app/readiness").get_data(as_text=True)
    holders, rest = page.split('id="lapsing-heading"')
    lapsing_part, lacking_part = rest.split('id="lacking-heading"')
    assert "Pat Holder" in holders
    assert "Max Lapsing" in holders
    assert "Max Lapsing" in lapsing_part
    assert "Pat Holder" not in lapsing_part
    assert "Ash Learner" in lacking_part
    assert "CD1, CD5, CI101, GC10, ost" in lacking_part
    assert "Norfolk" not in page
    assert holder.id != lapsing.id
    assert client.get("/app/readiness?force=norfolk").status_code == 404


def test_events_sign_up_and_withdraw_and_the_host_sees_who(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    from dutyservice.events import service as events

    from ..support.builders import ADMIN

    starts = _next_week(10)
    event = events.create_event(
        db,
        ADMIN,
        {
            "force": "cambridgeshire",
            "title": "Carnival",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=6),
            "capacity": 2,
            "signup_deadline": starts - timedelta(days=1),
            "open_to": "force",
            "duty_type": "event",
            "description": "",
            "location": "Parker's Piece",
            "version": 1,
        },
    )
    officer = build.officer(surname="Volunteer", forenames="Robin")
    special = client
    sign_in(special, token(db, "special", officer=officer))
    listing = special.get("/app/events").get_data(as_text=True)
    assert "Carnival" in listing
    assert "<strong>2</strong> places left of 2" in listing
    post(special, f"/app/events/{event.id}/sign-up", {"officer_id": str(officer.id)})
    listing = special.get("/app/events").get_data(as_text=True)
    assert "Signed up: the duty is booked." in listing
    assert "You are signed up" in listing
    assert "<strong>1</strong> place left of 2" in listing
    assert "Who signed up" not in listing  # a Special is not the host's planner

    supervisor = special.application.test_client()
    sign_in(supervisor, token(db, "supervisor"))
    hosted = supervisor.get("/app/events").get_data(as_text=True)
    assert "Who signed up (1)" in hosted
    assert "Robin Volunteer" in hosted

    confirm = special.get(f"/app/events/{event.id}/withdraw").get_data(as_text=True)
    assert "Withdraw from Carnival?" in confirm
    assert "Yes, withdraw" in confirm
    post(special, f"/app/events/{event.id}/withdraw", {"officer_id": str(officer.id)})
    listing = special.get("/app/events").get_data(as_text=True)
    assert "Withdrawn: the duty is cancelled." in listing
    assert "<strong>2</strong> places left of 2" in listing


def test_returns_page_lists_the_quarter_and_refusals_are_explained(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    from dutyservice.clock import Quarter
    from dutyservice.npocc import generation

    _ips_officer(build)
    settings = client.application.extensions["dutyservice"].settings
    generation.generate_quarter(db, settings.export_dir, Quarter.parse("2025-Q3"), "cambridgeshire")
    sign_in(client, token(db, "admin"))
    page = client.get("/app/returns?quarter=2025-Q3").get_data(as_text=True)
    assert "cambridgeshire-135v1-2025Q3-r1" in page
    assert "Pending" in page
    assert "Send cambridgeshire-135v1-2025Q3-r1 again" in page
    import re

    send = re.search(r'action="/app/returns/(\d+)/send"', page)
    assert send is not None, "the page offers to send the return again"
    return_pk = send.group(1)
    answer = post(
        client, f"/app/returns/{return_pk}/send", {"quarter": "2025-Q3"}, from_page="/app/returns"
    )
    assert answer.status_code == 303
    after = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Not sent: no feed endpoint is configured" in after
    assert client.get("/app/returns?quarter=2025-Q9").status_code == 400


def test_only_those_who_read_returns_see_them_and_only_admins_send(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    from dutyservice.clock import Quarter
    from dutyservice.npocc import generation

    _ips_officer(build)
    settings = client.application.extensions["dutyservice"].settings
    generation.generate_quarter(db, settings.export_dir, Quarter.parse("2025-Q3"), "cambridgeshire")
    sign_in(client, token(db, "npocc"))
    page = client.get("/app/returns?quarter=2025-Q3").get_data(as_text=True)
    assert "cambridgeshire-135v1-2025Q3-r1" in page  # pending: an admin is offered to send it
    assert "again" not in page
    planner = client.application.test_client()
    sign_in(planner, token(db, "planner"))
    assert planner.get("/app/returns").status_code == 403


def test_signing_out_ends_the_session(client: FlaskClient, db: Database) -> None:
    sign_in(client, token(db, "admin"))
    answer = post(client, "/app/sign-out", {}, from_page="/app/returns")
    assert answer.status_code == 303
    assert client.get("/app/returns").status_code == 302
