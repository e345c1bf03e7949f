"""Hostile and out-of-range input: each case answers a problem (400 or 422), never a 5xx, and
changes nothing stored (issue: bad input is refused before any work)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.snapshot import digest

PROBLEM = "application/problem+json"
OFFICER = {
    "force": "cambridgeshire",
    "warrant_number": "W1",
    "surname": "Able",
    "forenames": "Sam",
    "rank": "SC",
    "base_location": "Ely",
    "joined_on": "2024-01-01",
}
GRANT = {"granted_on": "2025-03-01", "authorised_by": {"name": "A", "rank": "SCO", "position": "H"}}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {officer} stands for an IPS-ready officer's id
    body: Any  # a dict sent as JSON, or raw text
    status: int
    field: str | None = None  # the member the problem names, when it names one


def deep(levels: int) -> str:
    return '{"force": "cambridgeshire", "x": ' + "[" * levels + "]" * levels + "}"


CASES = {
    "a month in the year 9999": Case(
        "GET", "/api/v1/reports/hours?force=cambridgeshire&month=9999-12", None, 400, "month"
    ),
    "a month in the year 1899": Case(
        "GET", "/api/v1/reports/hours?force=cambridgeshire&month=1899-12", None, 400, "month"
    ),
    "a return for 9999-Q4": Case(
        "POST", "/api/v1/npocc/returns", {"quarter": "9999-Q4"}, 422, "quarter"
    ),
    "a return for 0000-Q1": Case(
        "POST", "/api/v1/npocc/returns", {"quarter": "0000-Q1"}, 422, "quarter"
    ),
    "a return for 0001-Q1": Case(
        "POST", "/api/v1/npocc/returns", {"quarter": "0001-Q1"}, 422, "quarter"
    ),
    "returns listed for 9999-Q4": Case(
        "GET", "/api/v1/npocc/returns?quarter=9999-Q4", None, 400, "quarter"
    ),
    "a day in the year 2201": Case(
        "POST", "/api/v1/officers", {**OFFICER, "joined_on": "2201-01-01"}, 422, "joined_on"
    ),
    "an instant in the year 9999": Case(
        "GET",
        "/api/v1/deployable?from=9999-12-31T18:00:00Z&to=9999-12-31T20:00:00Z",
        None,
        400,
        "from",
    ),
    "JSON nested 30,000 deep": Case("POST", "/api/v1/officers", deep(30_000), 400),  # within 64 kB
    "JSON nested 33 deep": Case("POST", "/api/v1/officers", deep(33), 400),
    "an integer of 5,000 digits": Case(
        "POST", "/api/v1/duties", '{"officer_id": ' + "9" * 5000 + "}", 400
    ),
    "a float of 5,000 digits": Case(
        "PATCH",
        "/api/v1/forces/cambridgeshire",
        '{"monthly_minimum_hours": 1.' + "5" * 5000 + "}",
        400,
    ),
    "NaN": Case("PATCH", "/api/v1/forces/cambridgeshire", '{"monthly_minimum_hours": NaN}', 400),
    "a lone surrogate in a name": Case(
        "POST", "/api/v1/officers", '{"surname": "\\ud800", "force": "x"}', 422, "surname"
    ),
    "a lone surrogate in a nested member": Case(
        "POST",
        "/api/v1/officers/{officer}/ips",
        '{"granted_on": "2025-03-01", '
        '"authorised_by": {"name": "A\\udfff", "rank": "SCO", "position": "H"}}',
        422,
        "authorised_by.name",
    ),
    "a lone surrogate in a member name": Case("POST", "/api/v1/officers", '{"\\ud800": 1}', 422),
    "NUL in a string": Case(
        "POST", "/api/v1/officers", {**OFFICER, "surname": "A\x00B"}, 422, "surname"
    ),
    "NUL in a query": Case("GET", "/api/v1/officers?q=a%00b", None, 400),
    "NUL in a repeated query parameter": Case("GET", "/api/v1/officers?q=a&q=a%00b", None, 400),
    "a body that is not UTF-8": Case("POST", "/api/v1/officers", b'{"surname": "\xff"}', 400),
    "a base location that is a formula": Case(
        "POST",
        "/api/v1/officers",
        {**OFFICER, "base_location": "+cmd|' /C calc'!A0"},
        422,
        "base_location",
    ),
    "a base location that sums": Case(
        "POST", "/api/v1/officers", {**OFFICER, "base_location": "@SUM(1,1)"}, 422, "base_location"
    ),
    "a warrant number with a tab": Case(
        "POST", "/api/v1/officers", {**OFFICER, "warrant_number": "W\t1"}, 422, "warrant_number"
    ),
    "a base location with CR LF": Case(
        "POST",
        "/api/v1/officers",
        {**OFFICER, "base_location": "Ely\r\nMarch"},
        422,
        "base_location",
    ),
    "a warrant number beginning with -": Case(
        "PATCH", "/api/v1/officers/{officer}", {"warrant_number": "-1"}, 422, "warrant_number"
    ),
    "an authoriser named =EVIL()": Case(
        "POST",
        "/api/v1/officers/{officer}/ips",
        {**GRANT, "authorised_by": {"name": "=EVIL()", "rank": "SCO", "position": "H"}},
        422,
        "authorised_by.name",
    ),
    "an authoriser's rank with a control character": Case(
        "POST",
        "/api/v1/officers/{officer}/ips",
        {**GRANT, "authorised_by": {"name": "A", "rank": "SCO\x1b", "position": "H"}},
        422,
        "authorised_by.rank",
    ),
    "an authoriser's position beginning with @": Case(
        "POST",
        "/api/v1/officers/{officer}/ips",
        {**GRANT, "authorised_by": {"name": "A", "rank": "SCO", "position": "@H"}},
        422,
        "authorised_by.position",
    ),
    "a manifest signatory named +1": Case(
        "PUT",
        "/api/v1/forces/cambridgeshire/role-profiles/135/1/authorisation",
        {
            "host_force_authorisation": {
                "name": "+1",
                "rank": "SCO",
                "position": "H",
                "date_authorised": "2025-01-01",
            }
        },
        422,
        "host_force_authorisation.name",
    ),
    "a specialism beginning with =": Case(
        "POST",
        "/api/v1/role-profiles",
        {
            "mercury_ref": 901,
            "version": 1,
            "specialism": "=1+1",
            "required_units": ["CD1"],
            "requires_current_ost": False,
        },
        422,
        "specialism",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_input_is_refused_with_a_problem_and_changes_nothing(
    app: Flask, client: FlaskClient, build: Builder, db: Database, case: Case
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.units(officer, date(2025, 1, 1))
    build.ost(officer, date(2025, 1, 1))
    admin = build.headers("admin")
    before = digest(db)
    path = case.path.format(officer=officer.id)
    data = case.body if isinstance(case.body, str | bytes) else None
    response = client.open(
        path,
        method=case.method,
        json=None if data is not None or case.body is None else case.body,
        data=data,
        content_type="application/json" if case.body is not None else None,
        headers=admin,
    )
    assert response.status_code == case.status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    problem = response.get_json()
    assert problem["status"] == case.status
    assert problem["detail"]
    if case.field:
        assert case.field in problem["errors"], problem
    assert digest(db) == before


def test_a_month_far_off_but_within_the_years_answers_as_usual(
    client: FlaskClient, build: Builder
) -> None:
    response = client.get(
        "/api/v1/reports/hours?force=cambridgeshire&month=2200-12", headers=build.headers("admin")
    )
    assert response.status_code == 200
    assert response.get_json() == {"items": []}


def test_text_with_formula_characters_inside_it_is_accepted(
    client: FlaskClient, build: Builder
) -> None:
    body = {**OFFICER, "base_location": "Ely = March + 2 @ HQ", "warrant_number": "W-1"}
    response = client.post("/api/v1/officers", json=body, headers=build.headers("admin"))
    assert response.status_code == 201
    assert response.get_json()["base_location"] == "Ely = March + 2 @ HQ"


def test_percent_and_underscore_in_a_search_match_themselves(
    client: FlaskClient, build: Builder
) -> None:
    build.officer(surname="Smith")
    build.officer(surname="Per_cent 100%")
    admin = build.headers("admin")

    def found(q: str) -> list[str]:
        response = client.get("/api/v1/officers", query_string={"q": q}, headers=admin)
        assert response.status_code == 200
        return [o["surname"] for o in response.get_json()["items"]]

    assert found("%") == ["Per_cent 100%"]
    assert found("_") == ["Per_cent 100%"]
    assert found("S_ith") == []
    assert found("\\") == []
    assert found("smi") == ["Smith"]


def test_a_day_for_a_date_time_is_read_as_that_london_day_and_documented_so(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 6))
    late = build.duty(officer, datetime(2026, 7, 3, 16, tzinfo=UTC))  # to 23:00 London, 3 July
    build.duty(officer, datetime(2026, 7, 3, 23, 30, tzinfo=UTC))  # 00:30 London, 4 July
    admin = build.headers("admin")
    whole_day = client.get("/api/v1/duties?from=2026-07-03&to=2026-07-03", headers=admin)
    assert [d["id"] for d in whole_day.get_json()["items"]] == [late.id]
    spec = client.get("/api/v1/openapi.json").get_json()
    [parameter] = [
        p for p in spec["paths"]["/api/v1/deployable"]["get"]["parameters"] if p["name"] == "from"
    ]
    assert "format" not in parameter["schema"]  # not claimed to be a date-time only
    assert "YYYY-MM-DD" in parameter["description"]
    assert "%2B" in parameter["description"]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("2026-12-03T18:00:00 00:00", "%2B"),  # +00:00 sent unencoded: the + became a space
        ("2026-12-03T18:00:00", "offset"),
        ("03/12/2026", "2026-12-03T18:00:00Z"),
        ("2026-02-30", "YYYY-MM-DD"),
    ],
)
def test_a_malformed_instant_in_a_query_says_the_form_expected(
    client: FlaskClient, build: Builder, value: str, hint: str
) -> None:
    response = client.get(
        "/api/v1/deployable",
        query_string={"from": value, "to": "2026-12-04T02:00:00Z"},
        headers=build.headers("npocc"),
    )
    assert response.status_code == 400
    assert response.content_type == PROBLEM
    [message] = response.get_json()["errors"]["from"]
    assert hint in message, message


def test_a_url_too_long_is_a_414_problem(client: FlaskClient, build: Builder) -> None:
    response = client.get(
        "/api/v1/officers", query_string={"q": "x" * 9000}, headers=build.headers("admin")
    )
    assert response.status_code == 414
    assert response.content_type == PROBLEM
