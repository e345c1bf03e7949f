"""Bad input answers a clear problem+json and changes nothing; no client input gives a 500."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dutyservice.db import Database
from dutyservice.duties.models import Officer

from ..support.bodies import duty_body
from ..support.builders import Builder

PROBLEM = "application/problem+json"


def officers_stored(db: Database) -> int:
    with db.reading() as session:
        return session.query(Officer).count()


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    text = response.get_data(as_text=True)
    for internal in ("Traceback", "sqlalchemy", "SELECT", "psycopg", "sqlite3"):
        assert internal not in text
    return body


def test_malformed_json_is_400(client: FlaskClient, build: Builder, db: Database) -> None:
    response = client.post(
        "/api/v1/officers",
        data="{not json",
        content_type="application/json",
        headers=build.headers("admin"),
    )
    assert_problem(response, 400)
    assert officers_stored(db) == 0


def test_a_body_that_is_not_json_is_415(client: FlaskClient, build: Builder) -> None:
    response = client.post(
        "/api/v1/officers",
        data="force=x",
        headers=build.headers("admin"),
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)


def test_a_json_array_instead_of_an_object_is_422(client: FlaskClient, build: Builder) -> None:
    response = client.post("/api/v1/officers", json=[1, 2], headers=build.headers("admin"))
    assert_problem(response, 422)


def test_unknown_path_is_404_and_wrong_method_is_405_with_allow(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("admin")
    assert_problem(client.get("/api/v1/nowhere", headers=headers), 404)
    response = client.delete("/api/v1/duties", headers=headers)
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_too_large_a_body_is_413(client: FlaskClient, build: Builder, db: Database) -> None:
    big = {"force": "cambridgeshire", "notes": "x" * 70_000}
    assert_problem(client.post("/api/v1/officers", json=big, headers=build.headers("admin")), 413)
    assert officers_stored(db) == 0


def test_missing_bad_and_revoked_tokens_all_answer_401_alike(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    from dutyservice.auth.service import create_token, revoke_token

    token = create_token(db, role="admin")
    revoke_token(db, token.id)
    answers = [
        client.get("/api/v1/forces"),
        client.get("/api/v1/forces", headers={"Authorization": "Bearer nonsense"}),
        client.get("/api/v1/forces", headers={"Authorization": "Bearer dsk_" + "A" * 43}),
        client.get("/api/v1/forces", headers={"Authorization": f"Bearer {token.secret}"}),
        client.get("/api/v1/forces", headers={"Authorization": f"Basic {token.secret}"}),
    ]
    bodies = {assert_problem(a, 401)["detail"] for a in answers}
    assert len(bodies) == 1
    assert all(a.headers["WWW-Authenticate"].startswith("Bearer") for a in answers)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("surname", "Nul\x00byte"),
        ("surname", "x" * 101),
        ("joined_on", "0001-01-01"),
        ("joined_on", "2026-02-30"),
        ("warrant_number", 12345),
        ("joined_on", None),
    ],
)
def test_values_the_database_would_choke_on_are_refused_as_422(
    client: FlaskClient, build: Builder, db: Database, field: str, value: object
) -> None:
    body = {
        "force": "cambridgeshire",
        "warrant_number": "W1",
        "surname": "A",
        "forenames": "B",
        "rank": "SC",
        "base_location": "C",
        "joined_on": "2024-01-01",
        field: value,
    }
    problem = assert_problem(
        client.post("/api/v1/officers", json=body, headers=build.headers("admin")), 422
    )
    assert field in problem["errors"]
    assert officers_stored(db) == 0


def test_out_of_range_ids_and_instants_do_not_reach_the_database(
    client: FlaskClient, build: Builder
) -> None:
    headers = build.headers("admin")
    assert_problem(client.get("/api/v1/officers/99999999999999999999", headers=headers), 404)
    assert_problem(client.get("/api/v1/duties/2147483647", headers=headers), 404)
    officer = build.officer()
    response = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(officer.id, "0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),
    )
    assert_problem(response, 422)
    response = client.post(
        "/api/v1/duties",
        headers=headers,
        json=duty_body(2**40, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"),
    )
    assert_problem(response, 422)


def test_malformed_query_is_400(client: FlaskClient, build: Builder) -> None:
    headers = build.headers("admin")
    body = assert_problem(client.get("/api/v1/officers?page=zero", headers=headers), 400)
    assert "page" in body["errors"]
    assert_problem(client.get("/api/v1/officers/1/hours?year=twenty", headers=headers), 400)


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_openapi_document_describes_the_contract_and_errors_as_problems(
    client: FlaskClient,
) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/duties",
        "/api/v1/officers/{officer_id}/ips",
        "/api/v1/deployable",
        "/api/v1/officers/{officer_id}/competencies/{unit}/revoke",
    ):
        assert path in spec["paths"], path
    responses = spec["paths"]["/api/v1/duties"]["post"]["responses"]
    for status in ("422", "default"):
        name = responses[status]["$ref"].rsplit("/", 1)[-1]
        assert list(spec["components"]["responses"][name]["content"]) == [PROBLEM]
