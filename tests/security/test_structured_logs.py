"""API.md "Running it for a force", Logs: one JSON object a line, `ts` in UTC with `Z`, and for
requests who asked (token id and label, or the identity provider's subject and name), from
which address (through DUTYSERVICE_TRUSTED_PROXIES only), by which route template."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from dutyservice.auth.service import create_token
from dutyservice.db import Database
from dutyservice.logs import JsonFormatter, timestamp

from ..support.builders import Builder
from ..support.oidc_provider import OidcProvider, person_claims


@contextmanager
def logged() -> Iterator[list[dict[str, Any]]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dutyservice")
    logger.addHandler(handler)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        lines += [json.loads(line) for line in stream.getvalue().splitlines()]


def test_two_events_an_hour_apart_on_the_night_the_clocks_go_back_log_an_hour_apart() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    assert timestamp(first.timestamp()) == "2026-10-25T00:30:00.000Z"
    assert timestamp(second.timestamp()) == "2026-10-25T01:30:00.000Z"


def test_a_request_line_names_the_token_its_address_and_the_route_template(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    token = create_token(db, role="supervisor", force_code="cambridgeshire", label="rota app")
    with logged() as lines:
        client.get(
            f"/api/v1/officers/{officer.id}",
            headers={"Authorization": f"Bearer {token.secret}", "X-Forwarded-For": "203.0.113.9"},
        )
    [line] = lines
    assert line["ts"].endswith("Z")
    assert datetime.fromisoformat(line["ts"]).tzinfo is not None
    assert (line["level"], line["event"]) == ("info", "request")
    assert line["who"] == {"token_id": token.id, "label": "rota app"}
    assert line["client_ip"] == "127.0.0.1"  # no proxy is trusted by default
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["route"] == "/api/v1/officers/{officer_id}"
    assert isinstance(line["ms"], float)
    assert line["request_id"]


def test_a_person_signed_in_through_the_provider_is_named_by_subject_and_name(
    client: FlaskClient, build: Builder, identity_provider: OidcProvider
) -> None:
    claims = person_claims("planner", force="cambridgeshire", name="Insp Kim Ode")
    jwt = identity_provider.issue(claims)
    with logged() as lines:
        answer = client.get("/api/v1/forces", headers={"Authorization": f"Bearer {jwt}"})
    assert answer.status_code == 200
    [line] = lines
    assert line["who"] == {"subject": claims["sub"], "name": "Insp Kim Ode"}
    assert jwt not in json.dumps(lines)


def test_the_client_address_comes_from_x_forwarded_for_only_through_a_trusted_proxy(
    app: Flask, build: Builder
) -> None:
    from dutyservice import create_app

    settings = app.extensions["dutyservice"].settings.replace(trusted_proxies=1)
    behind_nginx = create_app(settings)
    try:
        admin = build.headers("admin")
        forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"}
        with logged() as lines:
            behind_nginx.test_client().get("/api/v1/forces", headers=admin | forwarded)
    finally:
        behind_nginx.extensions["dutyservice"].db.dispose()
    [line] = lines
    assert line["client_ip"] == "203.0.113.9"  # the nearest proxy's word, not the client's own
