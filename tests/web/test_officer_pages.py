"""An officer's record on the pages: found by name, warrant number or base; the record, IPS
with its evidence and the audit trail; units, training and IPS grants recorded there change
exactly what the same API calls change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.duties.models import Officer

from ..support.builders import Builder
from ..support.snapshot import digest
from .pages import post, sign_in, text_of, token

VOLATILE = {
    "id",
    "officer_id",
    "resource_id",
    "recorded_at",
    "recorded_by_token_id",
    "at",
    "token_id",
}


def boxes(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def through_api(app: Flask, headers: dict[str, str], path: str) -> list[dict[str, Any]]:
    body = app.test_client().get(path, headers=headers).get_json()
    return [{k: v for k, v in item.items() if k not in VOLATILE} for item in body["items"]]


def summary_of(html: str) -> str:
    return text_of(html.split('class="govuk-error-summary"')[1].split("<h1")[0])


def twins(build: Builder) -> tuple[Officer, Officer]:
    """Two officers alike: one changed through the page, one through the API."""
    return build.officer(surname="Page"), build.officer(surname="Api")


def test_officers_are_found_by_name_warrant_number_or_base_within_the_callers_force(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    build.officer(surname="Okafor", forenames="Jade", warrant_number="CB7781", base_location="Ely")
    build.officer("norfolk", surname="Okafor", forenames="Sam", base_location="Ely")
    sign_in(client, token(db, "planner"))
    for q in ("okaf", "CB778", "ely"):
        found = text_of(client.get(f"/app/officers?q={q}").get_data(as_text=True))
        assert "Jade Okafor" in found
        assert "Cambridgeshire Constabulary" in found
        assert "Sam Okafor" not in found
    sign_in(client, token(db, "admin"))
    every = text_of(client.get("/app/officers?q=okafor&force=norfolk").get_data(as_text=True))
    assert "Sam Okafor" in every
    assert "Norfolk Constabulary" in every
    assert "Jade" not in every


def test_the_record_shows_ips_with_its_evidence_what_is_missing_and_who_did_what(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    holder = build.ips_officer(since=london_today() - timedelta(days=30), surname="Held")
    lacking = build.officer(surname="Lacking")
    build.units(lacking, london_today() - timedelta(days=5), ("CD1",))
    sign_in(client, token(db, "supervisor"))
    record = text_of(client.get(f"/app/officers/{holder.id}").get_data(as_text=True))
    assert "Warrant number" in record
    assert holder.warrant_number in record
    assert "by Chris Morgan" in record
    assert "Still missing Nothing" in record
    assert "assessed by PS Harper (evidence PDP-CD5)" in record
    assert "ips.grant" in record or "grant" in record.split("Who did what")[1]
    other = text_of(client.get(f"/app/officers/{lacking.id}").get_data(as_text=True))
    missing = other.split("Still missing")[1].split("Safety training")[0]
    assert "CD5" in missing
    assert "ost" in missing
    assert "CD1" not in missing


def test_a_unit_recorded_on_the_page_is_the_unit_the_api_records(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    by_page, by_api = twins(build)
    headers = build.headers("supervisor")
    sign_in(client, token(db, "supervisor"))
    day = london_today() - timedelta(days=3)
    form = {
        "unit": "CD5",
        "assessed_by": "PS Harper",
        "evidence_ref": "PDP-9",
        **boxes("attained_on", day),
    }
    answer = post(
        client,
        f"/app/officers/{by_page.id}/competencies",
        form,
        from_page=f"/app/officers/{by_page.id}",
    )
    assert answer.status_code == 303
    made = app.test_client().post(
        f"/api/v1/officers/{by_api.id}/competencies",
        json={
            "unit": "CD5",
            "attained_on": day.isoformat(),
            "assessed_by": "PS Harper",
            "evidence_ref": "PDP-9",
        },
        headers=headers,
    )
    assert made.status_code == 201
    path = "/api/v1/officers/{}/competencies"
    assert through_api(app, headers, path.format(by_page.id)) == through_api(
        app, headers, path.format(by_api.id)
    )
    history = "/api/v1/officers/{}/history"
    page_history = through_api(app, headers, history.format(by_page.id))[1:]  # after creation
    assert page_history == through_api(app, headers, history.format(by_api.id))[1:]
    assert [entry["action"] for entry in page_history] == ["competency.record"]


def test_training_recorded_on_the_page_expires_as_the_api_would_make_it(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    by_page, by_api = twins(build)
    headers = build.headers("authoriser")
    sign_in(client, token(db, "authoriser"))
    day = date(2025, 10, 1)
    post(
        client,
        f"/app/officers/{by_page.id}/training",
        boxes("completed_on", day),
        from_page=f"/app/officers/{by_page.id}",
    )
    app.test_client().post(
        f"/api/v1/officers/{by_api.id}/training",
        json={"kind": "ost", "completed_on": "2025-10-01"},
        headers=headers,
    )
    path = "/api/v1/officers/{}/training"
    from_page = through_api(app, headers, path.format(by_page.id))
    assert from_page == through_api(app, headers, path.format(by_api.id))
    assert from_page[0]["expires_on"] == "2026-09-30"


def test_an_impossible_date_is_said_in_the_error_summary_and_records_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "supervisor"))
    before = digest(db)
    form = {
        "unit": "CD5",
        "assessed_by": "PS",
        "attained_on-day": "31",
        "attained_on-month": "2",
        "attained_on-year": "2026",
    }
    answer = post(
        client,
        f"/app/officers/{officer.id}/competencies",
        form,
        from_page=f"/app/officers/{officer.id}",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Enter a real date: that day does not exist" in summary_of(html)
    assert 'href="#f-attained_on-day"' in html
    assert digest(db) == before


def test_an_authoriser_grants_ips_on_a_page_that_names_the_officer_as_the_api_would(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    since = london_today() - timedelta(days=20)
    by_page, by_api = twins(build)
    for officer in (by_page, by_api):
        build.units(officer, since)
        build.ost(officer, since)
    headers = build.headers("authoriser")
    sign_in(client, token(db, "authoriser"))
    record = client.get(f"/app/officers/{by_page.id}").get_data(as_text=True)
    assert f'href="/app/officers/{by_page.id}/ips/grant"' in record
    confirm = text_of(client.get(f"/app/officers/{by_page.id}/ips/grant").get_data(as_text=True))
    assert f"Grant Independent Patrol Status to {by_page.forenames} Page" in confirm
    assert "Still missing Nothing" in confirm
    who = {"name": "Chris Morgan", "rank": "SCO", "position": "Head of Specials"}
    answer = post(
        client,
        f"/app/officers/{by_page.id}/ips",
        {**who, **boxes("granted_on", since)},
        from_page=f"/app/officers/{by_page.id}/ips/grant",
    )
    assert answer.status_code == 303
    made = app.test_client().post(
        f"/api/v1/officers/{by_api.id}/ips",
        json={"granted_on": since.isoformat(), "authorised_by": who},
        headers=headers,
    )
    assert made.status_code == 201
    grants = "/api/v1/officers/{}/ips/grants"
    assert through_api(app, headers, grants.format(by_page.id)) == through_api(
        app, headers, grants.format(by_api.id)
    )
    reason = {"reason": "Left the area", **boxes("withdrawn_on", london_today())}
    post(
        client,
        f"/app/officers/{by_page.id}/ips/withdraw",
        reason,
        from_page=f"/app/officers/{by_page.id}/ips/withdraw",
    )
    app.test_client().post(
        f"/api/v1/officers/{by_api.id}/ips/withdraw",
        json={"withdrawn_on": london_today().isoformat(), "reason": "Left the area"},
        headers=headers,
    )
    assert through_api(app, headers, grants.format(by_page.id)) == through_api(
        app, headers, grants.format(by_api.id)
    )


def test_a_grant_refused_for_what_is_missing_says_so_and_grants_nothing(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "authoriser"))
    before = digest(db)
    who = {"name": "Chris Morgan", "rank": "SCO", "position": "Head"}
    answer = post(
        client,
        f"/app/officers/{officer.id}/ips",
        {**who, **boxes("granted_on", london_today())},
        from_page=f"/app/officers/{officer.id}/ips/grant",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = summary_of(html)
    assert "The role profile is not met on that day: still missing" in summary
    assert "CD5" in summary
    assert digest(db) == before


def test_a_supervisor_is_not_offered_ips_and_may_not_open_the_grant_page(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "supervisor"))
    record = client.get(f"/app/officers/{officer.id}").get_data(as_text=True)
    assert "/ips/grant" not in record
    assert "Record the unit" in record
    assert client.get(f"/app/officers/{officer.id}/ips/grant").status_code == 403
    sign_in(client, token(db, "planner"))
    record = client.get(f"/app/officers/{officer.id}").get_data(as_text=True)
    assert "Record the unit" not in record
    assert "/ips/grant" not in record


def edit_form(client: FlaskClient, officer_id: int) -> dict[str, str]:
    """The edit form's fields as the page fills them in."""
    import re

    html = client.get(f"/app/officers/{officer_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    rank = re.search(r'<option value="([^"]+)" selected', html)
    assert rank is not None, "the form shows the officer's rank"
    fields["rank"] = rank.group(1)
    fields.pop("csrf_token", None)
    return fields


def test_a_record_edited_on_the_page_is_the_record_the_api_would_have(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    by_page, by_api = twins(build)
    headers = build.headers("supervisor")
    sign_in(client, token(db, "supervisor"))
    form = edit_form(client, by_page.id) | {"base_location": "Ely", "rank": "SSGT"}
    answer = post(
        client,
        f"/app/officers/{by_page.id}/edit",
        form,
        from_page=f"/app/officers/{by_page.id}/edit",
    )
    assert answer.status_code == 303
    app.test_client().patch(
        f"/api/v1/officers/{by_api.id}",
        json={"base_location": "Ely", "rank": "SSGT"},
        headers=headers,
    )

    def record(officer: Officer) -> dict[str, Any]:
        body = app.test_client().get(f"/api/v1/officers/{officer.id}", headers=headers).get_json()
        return {
            k: v
            for k, v in body.items()
            if k not in ("id", "surname", "warrant_number", "officer_ref")
        }

    assert record(by_page) == record(by_api)
    assert record(by_page)["base_location"] == "Ely"
    history = "/api/v1/officers/{}/history"
    edits = [through_api(app, headers, history.format(o.id))[1:] for o in (by_page, by_api)]
    assert edits[0] == edits[1]
    assert [e["action"] for e in edits[0]] == ["officer.update"]


def test_a_record_changed_since_the_form_was_opened_is_refused_and_kept(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "supervisor"))
    form = edit_form(client, officer.id) | {"base_location": "Ely"}
    app.test_client().patch(
        f"/api/v1/officers/{officer.id}", json={"rank": "SSGT"}, headers=build.headers("admin")
    )
    before = digest(db)
    answer = post(
        client,
        f"/app/officers/{officer.id}/edit",
        form,
        from_page=f"/app/officers/{officer.id}/edit",
    )
    assert answer.status_code == 409
    assert "Someone changed this record after you opened it" in summary_of(
        answer.get_data(as_text=True)
    )
    assert digest(db) == before
    emptied = edit_form(client, officer.id) | {"surname": ""}
    answer = post(
        client,
        f"/app/officers/{officer.id}/edit",
        emptied,
        from_page=f"/app/officers/{officer.id}/edit",
    )
    assert answer.status_code == 422
    assert "Enter the surname" in summary_of(answer.get_data(as_text=True))
    assert digest(db) == before


def test_the_record_shows_the_availability_declared_for_the_coming_weeks(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    day = london_today() + timedelta(days=5)
    later = london_today() + timedelta(days=40)  # beyond the four weeks shown
    windows = [
        {"starts_at": f"{d.isoformat()}T18:00:00Z", "ends_at": f"{d.isoformat()}T22:00:00Z"}
        for d in (day, later)
    ]
    body = {"from": london_today().isoformat(), "to": (later + timedelta(days=1)).isoformat()}
    answer = app.test_client().put(
        f"/api/v1/officers/{officer.id}/availability",
        json={**body, "windows": windows},
        headers=build.headers("supervisor"),
    )
    assert answer.status_code == 200, answer.json
    sign_in(client, token(db, "planner"))
    html = client.get(f"/app/officers/{officer.id}").get_data(as_text=True)
    shown = text_of(html.split('id="availability-heading"')[1].split("</section>")[0])
    assert f"{day:%A} {day.day} {day:%B}" in shown
    assert f"{later:%A} {later.day} {later:%B}" not in shown
