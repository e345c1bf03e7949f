"""The pages as a Special meets them on a phone: what the first screen says, duties to
complete however old, months in words, confirmation before cancelling, plain words for
impossible dates, and addresses that are not pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from dutyservice.clock import LONDON, london_today, utc_now
from dutyservice.db import Database
from dutyservice.duties.models import Duty

from ..support.builders import Builder
from .pages import booking, post, sign_in, text_of, token

API_WORDS = ("starts_at", "ends_at", "RFC 3339", "Malformed", "Missing data", "Not a valid")


def _statuses(db: Database) -> dict[int, str]:
    with db.reading() as session:
        return {d.id: d.status for d in session.scalars(select(Duty))}


def test_a_duty_that_ended_months_ago_is_still_there_to_complete(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    old = build.duty(officer, utc_now().replace(microsecond=0) - timedelta(days=90), hours=5)
    coming = build.duty(officer, utc_now().replace(microsecond=0) + timedelta(days=3))
    sign_in(client, token(db, "special", officer=officer))
    html = client.get("/app/").get_data(as_text=True)
    to_complete = html.split('id="to-complete"')[1].split("</ul>")[0]
    assert f"/app/duties/{old.id}/complete" in to_complete
    assert f"duty-{coming.id}" not in to_complete
    assert f"duty-{coming.id}" in html.split('id="coming"')[1].split("</ul>")[0]
    form = client.get(f"/app/duties/{old.id}/complete").get_data(as_text=True)
    assert "Record a duty as done" in form
    post(client, f"/app/duties/{old.id}/complete", {"officer_id": str(officer.id)})
    assert _statuses(db)[old.id] == "completed"


def test_the_first_screen_says_the_next_duty_and_the_hours_still_needed(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    day = london_today() + timedelta(days=2)
    starts = datetime(day.year, day.month, day.day, 18, tzinfo=LONDON).astimezone(UTC)
    build.duty(officer, starts, hours=6)
    sign_in(client, token(db, "special", officer=officer))
    html = client.get("/app/").get_data(as_text=True)
    first = text_of(html.split("app-first-screen")[1].split("</div>")[0])
    assert f"{day:%A} {day.day} {day:%B} 18:00 to midnight" in first
    assert "of 16 hours" in first
    assert "hours still needed" in first
    assert 'href="/app/duties/new"' in html


def test_months_before_joining_and_the_running_month_are_never_red(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    today = london_today()
    joined = date(today.year, 2, 1) if today.month > 2 else date(today.year, 1, 1)
    officer = build.officer(joined_on=joined)
    sign_in(client, token(db, "special", officer=officer))
    html = client.get("/app/").get_data(as_text=True)
    this_month = today.strftime("%B %Y")
    running = re.search(rf'app-month--(\w+)">{this_month}: 0 of 16 hours so far', html)
    assert running
    assert running.group(1) == "grey"
    if joined.month == 2:
        assert f"January {today.year}: before you joined" in html
        assert f'app-month--red">January {today.year}' not in html


def test_cancelling_asks_first_and_keeping_changes_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    duty = build.duty(officer, utc_now().replace(microsecond=0) + timedelta(days=4))
    sign_in(client, token(db, "special", officer=officer))
    confirm = client.get(f"/app/duties/{duty.id}/cancel")
    page = text_of(confirm.get_data(as_text=True))
    assert confirm.status_code == 200
    assert "Cancel this duty?" in page
    assert "Yes, cancel this duty" in page
    assert "No, keep it" in page
    assert _statuses(db)[duty.id] == "booked"
    post(client, f"/app/duties/{duty.id}/cancel", {"officer_id": str(officer.id)})
    assert _statuses(db)[duty.id] == "cancelled"


@pytest.mark.parametrize(
    ("day", "starts", "ends", "field", "words"),
    [
        ("2026-02-30", "10:00", "12:00", "date", "Enter a real date"),
        ("2026-13-01", "10:00", "12:00", "date", "Enter a real date"),
        ("2026-03-01", "25:00", "12:00", "start_time", "Enter a real time"),
        ("2026-03-01", "10:00", "10:61", "end_time", "Enter a real time"),
    ],
)
def test_an_impossible_date_or_time_in_a_booking_is_refused_beside_its_field(
    client: FlaskClient,
    build: Builder,
    db: Database,
    day: str,
    starts: str,
    ends: str,
    field: str,
    words: str,
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    answer = post(client, "/app/duties", booking(officer.id, day, starts, ends))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    target = "f-date-day" if field == "date" else f"f-{field}"
    assert re.search(rf'<a href="#{target}">{words}', html)
    assert f'id="f-{"date" if field == "date" else field}-error"' in html
    assert not any(w in text_of(html) for w in API_WORDS)
    assert _statuses(db) == {}


def test_an_impossible_completion_time_is_refused_beside_its_field(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    duty = build.duty(officer, utc_now().replace(microsecond=0) - timedelta(days=2))
    sign_in(client, token(db, "special", officer=officer))
    form = booking(officer.id, "2026-02-30", "18:00", "23:00")
    answer = post(client, f"/app/duties/{duty.id}/complete", form)
    assert answer.status_code == 422
    assert '<a href="#f-date-day">Enter a real date' in answer.get_data(as_text=True)
    late = {**form, "date-day": "1", "date-month": "3", "start_time": "25:00"}
    refused = post(client, f"/app/duties/{duty.id}/complete", late)
    assert refused.status_code == 422
    assert '<a href="#f-start_time">Enter a real time' in refused.get_data(as_text=True)
    assert _statuses(db)[duty.id] == "booked"


@pytest.mark.parametrize(
    "window",
    [
        "from=2026-02-30T10:00&to=2026-03-01T10:00",
        "from=2026-13-01T10:00&to=2027-01-02T10:00",
        "from=2026-03-01T25:00&to=2026-03-02T10:00",
        "from=2026-03-01T10:00&to=2026-03-01T10:99",
    ],
)
def test_an_impossible_window_is_a_refusal_beside_its_field_never_a_failure(
    client: FlaskClient, db: Database, window: str
) -> None:
    sign_in(client, token(db, "planner"))
    page = client.get(f"/app/deployable?{window}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Enter a real date and time" in html
    assert 'class="govuk-error-summary"' in html
    assert not any(w in text_of(html) for w in API_WORDS)
    csv = client.get(f"/app/deployable.csv?{window}")
    assert csv.status_code == 400
    assert "Enter a real date and time" in csv.get_data(as_text=True)


def test_the_root_sends_browsers_to_the_pages_and_unknown_pages_are_html(
    client: FlaskClient, db: Database
) -> None:
    root = client.get("/")
    assert root.status_code == 302
    assert root.headers["Location"].endswith("/app/")
    for signed_in in (False, True):
        if signed_in:
            sign_in(client, token(db, "admin"))
        missing = client.get("/app/no-such-page")
        assert missing.status_code == 404
        assert missing.mimetype == "text/html"
        assert "Page not found" in missing.get_data(as_text=True)


def test_the_token_field_says_autocomplete_off_unescaped(client: FlaskClient) -> None:
    html = client.get("/app/sign-in").get_data(as_text=True)
    assert 'autocomplete="off"' in html
    assert "&#34;" not in html
    assert "Access token" in html


def test_the_manifest_names_the_app_its_icons_and_its_start(client: FlaskClient) -> None:
    answer = client.get("/app/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.mimetype == "application/manifest+json"
    manifest = json.loads(answer.get_data(as_text=True))
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/app/"
    assert manifest["name"]
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = set()
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200
            assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
            width, height = int.from_bytes(image.data[16:20]), int.from_bytes(image.data[20:24])
        assert icon["sizes"] == f"{width}x{height}"
        assert icon["type"] == "image/png"
        sizes.add(width)
    assert {192, 512} <= sizes
    worker = client.get("/app/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/app/"
    # The push handlers are installed (static/push-sw.js): the worker imports them.
    assert 'importScripts("/app/static/push-sw.js")' in worker.get_data(as_text=True)


def test_no_page_has_inline_script_style_or_event_handlers(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    """The pages run under `script-src 'self'; style-src 'self'`: anything inline would be
    blocked, so there is none."""
    officer = build.officer()
    duty = build.duty(officer, utc_now().replace(microsecond=0) - timedelta(days=2))
    pages = ["/app/sign-in"]
    sign_in(client, token(db, "special", officer=officer))
    pages += [
        "/app/",
        "/app/duties/new",
        f"/app/duties/{duty.id}/cancel",
        f"/app/duties/{duty.id}/complete",
        "/app/events",
        "/app/nowhere",
    ]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=|<style", html), path
        assert not re.search(r"\son[a-z]+=", html), path
