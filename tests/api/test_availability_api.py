"""Declared availability through the API: a replacement keeps what lies outside its range, and
an invalid one is refused whole, on both databases."""

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ..support.builders import Builder


def windows(client: FlaskClient, headers: dict[str, str], officer_id: int) -> list[tuple[str, str]]:
    got = client.get(
        f"/api/v1/officers/{officer_id}/availability?from=2026-12-19&to=2026-12-22",
        headers=headers,
    )
    assert got.status_code == 200, got.get_json()
    return [(w["starts_at"], w["ends_at"]) for w in got.get_json()["windows"]]


def put(
    client: FlaskClient, headers: dict[str, str], officer_id: int, body: dict[str, Any]
) -> TestResponse:
    return client.put(f"/api/v1/officers/{officer_id}/availability", headers=headers, json=body)


def declaring(start: str, end: str, *spans: tuple[str, str]) -> dict[str, Any]:
    """A PUT body: the range replaced and the windows declared in it."""
    return {"from": start, "to": end, "windows": [{"starts_at": s, "ends_at": e} for s, e in spans]}


def test_replacing_a_day_keeps_the_parts_of_a_window_outside_it(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    first = put(
        client,
        headers,
        officer.id,
        declaring("2026-12-19", "2026-12-21", ("2026-12-19T18:00:00Z", "2026-12-21T06:00:00Z")),
    )
    assert first.status_code == 200, first.get_json()
    second = put(
        client,
        headers,
        officer.id,
        declaring(
            "2026-12-20T00:00:00Z",
            "2026-12-21T00:00:00Z",
            ("2026-12-20T09:00:00Z", "2026-12-20T17:00:00Z"),
        ),
    )
    assert second.status_code == 200, second.get_json()
    assert windows(client, headers, officer.id) == [
        ("2026-12-19T18:00:00Z", "2026-12-20T00:00:00Z"),
        ("2026-12-20T09:00:00Z", "2026-12-20T17:00:00Z"),
        ("2026-12-21T00:00:00Z", "2026-12-21T06:00:00Z"),
    ]


def test_overlapping_windows_are_refused_with_a_problem_and_nothing_changes(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    kept = {"starts_at": "2026-12-20T09:00:00Z", "ends_at": "2026-12-20T17:00:00Z"}
    assert (
        put(
            client,
            headers,
            officer.id,
            {"from": "2026-12-20", "to": "2026-12-20", "windows": [kept]},
        ).status_code
        == 200
    )
    refused = put(
        client,
        headers,
        officer.id,
        declaring(
            "2026-12-20",
            "2026-12-20",
            ("2026-12-20T08:00:00Z", "2026-12-20T12:00:00Z"),
            ("2026-12-20T11:00:00Z", "2026-12-20T15:00:00Z"),
        ),
    )
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["errors"] == {"windows": ["windows must not overlap each other"]}
    assert windows(client, headers, officer.id) == [(kept["starts_at"], kept["ends_at"])]
