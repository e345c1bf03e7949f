"""Secrets never stored or logged; officers' names never logged; tokens expire and are revoked."""

import io
import json
import logging
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from dutyservice.auth.service import create_token
from dutyservice.db import Database
from dutyservice.logs import JsonFormatter

from ..support.builders import Builder


def test_logs_are_json_with_a_request_id_and_carry_no_secrets_or_names(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dutyservice")
    logger.addHandler(handler)
    try:
        token = create_token(db, role="supervisor", force_code="cambridgeshire")
        headers = {"Authorization": f"Bearer {token.secret}", "X-Request-Id": "req-42"}
        made = client.post(
            "/api/v1/officers",
            headers=headers,
            json={
                "force": "cambridgeshire",
                "warrant_number": "SC77",
                "surname": "Featherstonehaugh",
                "forenames": "Hermione",
                "rank": "SC",
                "base_location": "Ely",
                "joined_on": "2024-01-01",
            },
        )
        officer_id = made.get_json()["id"]
        key = client.post(
            f"/api/v1/officers/{officer_id}/calendar-key", headers=headers
        ).get_json()["key"]
        client.get(f"/api/v1/officers/{officer_id}/calendar.ics?key={key}")
        client.get("/api/v1/officers?q=Featherstonehaugh", headers=headers)
        client.get("/api/v1/forces", headers={"Authorization": "Bearer dsk_wrongwrongwrong12"})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 5
    assert lines[0]["request_id"] == "req-42"
    assert all(line["request_id"] for line in lines)
    for secret in (token.secret, key, "Featherstonehaugh", "Hermione", "wrongwrong"):
        assert secret not in output


def test_expired_tokens_are_refused_like_unknown_ones(client: FlaskClient, db: Database) -> None:
    past = create_token(db, role="admin", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    future = create_token(db, role="admin", expires_at=datetime.now(UTC) + timedelta(hours=1))
    expired = client.get("/api/v1/forces", headers={"Authorization": f"Bearer {past.secret}"})
    unknown = client.get("/api/v1/forces", headers={"Authorization": "Bearer dsk_" + "z" * 43})
    assert expired.status_code == unknown.status_code == 401
    assert expired.get_json() == unknown.get_json()
    assert (
        client.get(
            "/api/v1/forces", headers={"Authorization": f"Bearer {future.secret}"}
        ).status_code
        == 200
    )


def test_the_audit_trail_is_read_only_and_for_admins(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    admin = build.headers("admin")
    trail = client.get(f"/api/v1/audit?officer_id={officer.id}", headers=admin)
    assert trail.status_code == 200
    assert [e["action"] for e in trail.get_json()["items"]] == ["officer.create"]
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/v1/audit", headers=admin).status_code == 405
    assert client.get("/api/v1/audit", headers=build.headers("supervisor")).status_code == 403
