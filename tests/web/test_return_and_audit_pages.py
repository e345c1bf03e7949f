"""Returns made and downloaded from the pages, the same as through the API; the audit trail
searched by officer, record, person and days, a page at a time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database

from ..support.builders import Builder
from ..support.snapshot import digest
from .pages import post, sign_in, text_of, token

QUARTER = "2025-Q3"


@pytest.mark.parametrize("role", ["admin", "npocc"])
def test_npocc_or_an_admin_makes_a_forces_return_on_the_page_as_the_api_would(
    app: Flask, client: FlaskClient, build: Builder, db: Database, role: str
) -> None:
    build.ips_officer(since=date(2025, 1, 1))
    headers = build.headers(role)
    sign_in(client, token(db, role))
    assert "Make the returns" in client.get("/app/returns").get_data(as_text=True)
    form = {"quarter": QUARTER, "force": "cambridgeshire"}
    answer = post(client, "/app/returns", form, from_page="/app/returns")
    assert answer.status_code == 303
    shown = text_of(client.get(answer.headers["Location"]).get_data(as_text=True))
    assert f"{QUARTER}: 1 new return, 0 unchanged" in shown
    listed = app.test_client().get(f"/api/v1/npocc/returns?quarter={QUARTER}", headers=headers)
    [made] = listed.get_json()["items"]
    assert (made["force"], made["revision"], made["record_count"]) == ("cambridgeshire", 1, 1)
    again = app.test_client().post("/api/v1/npocc/returns", json=form, headers=headers)
    assert again.status_code == 200  # the page made what the API would have made
    assert [r["id"] for r in again.get_json()["items"]] == [made["id"]]


def test_a_returns_files_download_as_the_same_bytes_the_api_serves(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    build.ips_officer(since=date(2025, 1, 1))
    headers = build.headers("npocc")
    admin = build.headers("admin")
    app.test_client().post("/api/v1/npocc/returns", json={"quarter": QUARTER}, headers=admin)
    sign_in(client, token(db, "npocc"))
    page = client.get(f"/app/returns?quarter={QUARTER}").get_data(as_text=True)
    [record] = (
        app.test_client()
        .get(f"/api/v1/npocc/returns?quarter={QUARTER}&force=cambridgeshire", headers=headers)
        .get_json()["items"]
    )
    for name in ("feed.csv", "manifest.json"):
        link = f"/app/returns/{record['id']}/{name}"
        assert f'href="{link}"' in page
        from_page = client.get(link)
        from_api = app.test_client().get(
            f"/api/v1/npocc/returns/{record['id']}/{name}", headers=headers
        )
        assert from_page.status_code == 200
        assert from_page.data == from_api.data
        assert from_page.headers["Content-Disposition"].startswith("attachment")


def test_a_quarter_that_is_not_one_is_refused_and_makes_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    build.ips_officer(since=date(2025, 1, 1))
    sign_in(client, token(db, "admin"))
    before = digest(db)
    answer = post(client, "/app/returns", {"quarter": "2025-Q5"}, from_page="/app/returns")
    shown = text_of(client.get(answer.headers["Location"]).get_data(as_text=True))
    assert "Not made: enter a quarter such as 2026-Q3." in shown
    assert digest(db) == before


def test_the_audit_trail_is_searched_by_officer_record_and_days_a_page_at_a_time(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officers = [build.ips_officer(since=date(2025, 1, 1)) for _ in range(6)]  # 9 entries each
    sign_in(client, token(db, "admin"))
    first = text_of(client.get("/app/audit").get_data(as_text=True))
    assert "54 entries, page 1" in first
    assert "Next page" in first
    second = text_of(client.get("/app/audit?page=2").get_data(as_text=True))
    assert "54 entries, page 2" in second
    assert "Previous page" in second
    about = text_of(client.get(f"/app/audit?officer_id={officers[2].id}").get_data(as_text=True))
    assert "9 entries" in about
    grants = text_of(client.get("/app/audit?resource_type=ips_grant").get_data(as_text=True))
    assert "6 entries" in grants
    assert "ips.grant" in grants
    today, tomorrow = london_today(), london_today() + timedelta(days=1)
    days = f"from-day={today.day}&from-month={today.month}&from-year={today.year}"
    days += f"&to-day={tomorrow.day}&to-month={tomorrow.month}&to-year={tomorrow.year}"
    assert "54 entries" in text_of(client.get(f"/app/audit?{days}").get_data(as_text=True))
    later = days.replace(
        f"from-day={today.day}&from-month={today.month}",
        f"from-day={tomorrow.day}&from-month={tomorrow.month}",
    ).replace(f"from-year={today.year}", f"from-year={tomorrow.year}")
    assert "Nothing matches" in text_of(client.get(f"/app/audit?{later}").get_data(as_text=True))
    by_person = text_of(client.get("/app/audit?person=admin").get_data(as_text=True))
    assert "54 entries" in by_person
    nobody = text_of(client.get("/app/audit?person=someone-else").get_data(as_text=True))
    assert "Nothing matches" in nobody


def test_an_impossible_day_in_the_audit_search_is_said_in_the_error_summary(
    client: FlaskClient, db: Database
) -> None:
    sign_in(client, token(db, "admin"))
    answer = client.get("/app/audit?from-day=30&from-month=2&from-year=2026&officer_id=x")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    summary = text_of(html.split('class="govuk-error-summary"')[1].split("<h1")[0])
    assert "Enter a real date: that day does not exist" in summary
    assert 'href="#f-from-day"' in html


def test_the_navigation_offers_records_to_staff_and_the_audit_trail_to_admins_only(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    navigation = {}
    for role in ("special", "supervisor", "planner", "npocc", "admin"):
        sign_in(client, token(db, role, officer=officer))
        html = client.get("/app/events").get_data(as_text=True)
        navigation[role] = (
            'href="/app/officers"' in html,
            'href="/app/audit"' in html,
        )
    assert navigation == {
        "special": (False, False),
        "supervisor": (True, False),
        "planner": (True, False),
        "npocc": (False, False),
        "admin": (True, True),
    }
