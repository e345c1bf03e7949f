"""Bearer JWTs from the force's identity provider, beside API tokens (API.md, OIDC).

The provider is real (tests/support/oidc_provider.py, on 127.0.0.1); each test starts with its
first keys published and a service that has not read them yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.logs import JsonFormatter
from dutyservice.signin.oidc import IdentityProvider

from ..support.builders import Builder
from ..support.oidc_provider import OidcProvider
from ..support.oidc_provider import person_claims as person

INVALID_TOKEN = 'Bearer realm="dutyservice", error="invalid_token"'


@pytest.fixture
def idp(
    app: Flask, identity_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> OidcProvider:
    identity_provider.reset()
    state = app.extensions["dutyservice"]
    monkeypatch.setattr(state, "identity", IdentityProvider(state.settings))
    return identity_provider


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dutyservice")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _signature = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
    )


def hand_made(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64(signature)}"


def assert_refused(response: Any, token: str, status: int = 401) -> None:
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    if status == 401:
        assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    assert token not in response.get_data(as_text=True)


ROLE_CHECKS = {
    # role -> a read only that role (among others) may make, and what it answers
    "special": "/api/v1/officers/{own}",
    "supervisor": "/api/v1/reports/hours?force=cambridgeshire&month=2026-01",
    "authoriser": "/api/v1/reports/expiring?force=cambridgeshire",
    "planner": "/api/v1/deployable?from=2026-12-24T18:00:00Z&to=2026-12-25T02:00:00Z"
    "&force=cambridgeshire",
    "npocc": "/api/v1/npocc/returns",
    "admin": "/api/v1/audit",
}


@pytest.mark.parametrize("role", list(ROLE_CHECKS))
def test_a_signed_in_person_of_each_role_reads_what_their_role_may(
    role: str, client: FlaskClient, build: Builder, idp: OidcProvider
) -> None:
    own = build.officer("cambridgeshire", warrant_number="SC100")
    force = None if role in ("npocc", "admin") else "cambridgeshire"
    warrant = "SC100" if role == "special" else None
    token = idp.issue(person(role, force=force, warrant_number=warrant))
    answered = client.get(ROLE_CHECKS[role].format(own=own.id), headers=bearer(token))
    assert answered.status_code == 200, answered.get_json()
    # ... and nothing an admin alone may read.
    if role != "admin":
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 403


def test_a_special_reads_only_their_own_record(
    client: FlaskClient, build: Builder, idp: OidcProvider
) -> None:
    own = build.officer("cambridgeshire", warrant_number="SC100")
    colleague = build.officer("cambridgeshire", warrant_number="SC101")
    token = idp.issue(person("special", force="cambridgeshire", warrant_number="SC100"))
    assert client.get(f"/api/v1/officers/{own.id}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/officers/{colleague.id}", headers=bearer(token)).status_code == 404


def test_a_token_signed_with_an_es256_key_of_the_set_is_accepted(
    client: FlaskClient, idp: OidcProvider
) -> None:
    ec = next(key for key in idp.keys if key.alg == "ES256")
    token = idp.issue(person("admin"), key=ec)
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200


# Claims changed or removed (None), relative to the moment the token is made.
CLAIM_FAILURES: list[tuple[str, Callable[[int], dict[str, Any]]]] = [
    ("another issuer", lambda now: {"iss": "https://login.example.net/other/v2.0"}),
    ("another audience", lambda now: {"aud": "some-other-api"}),
    ("expired beyond the leeway", lambda now: {"exp": now - 90}),
    ("not valid for two minutes yet", lambda now: {"nbf": now + 120}),
    ("no expiry", lambda now: {"exp": None}),
    ("no subject", lambda now: {"sub": None}),
    ("no issuer", lambda now: {"iss": None}),
    ("no audience", lambda now: {"aud": None}),
]


@pytest.mark.parametrize(("case", "changes"), CLAIM_FAILURES, ids=[c[0] for c in CLAIM_FAILURES])
def test_tokens_failing_a_claim_check_are_refused_as_invalid(
    case: str,
    changes: Callable[[int], dict[str, Any]],
    client: FlaskClient,
    idp: OidcProvider,
) -> None:
    token = idp.issue(person("admin"), **changes(int(time.time())))
    assert_refused(client.get("/api/v1/audit", headers=bearer(token)), token)


NEW_OFFICER = {
    "force": "cambridgeshire",
    "warrant_number": "SC310",
    "surname": "Reed",
    "forenames": "Sam",
    "rank": "SC",
    "base_location": "Ely",
    "joined_on": "2024-01-01",
}
UNSTORABLE_IDENTITIES: dict[str, dict[str, Any]] = {
    "sub over 255 characters": {"sub": "s" * 256},
    "NUL in sub": {"sub": "sub\x00ject"},
    "LF in sub": {"sub": "sub\nject"},
    "NUL in name": {"name": "Alex\x00Smith"},
    "ESC in name": {"name": "Alex \x1b[2J"},
    "NUL in preferred_username": {"name": None, "preferred_username": "asmith\x00"},
    "a lone surrogate in name": {"name": "Alex \ud800"},
}


@pytest.mark.parametrize("case", list(UNSTORABLE_IDENTITIES))
def test_a_token_whose_identity_the_audit_trail_cannot_hold_is_refused_as_invalid(
    case: str, client: FlaskClient, idp: OidcProvider
) -> None:
    token = idp.issue(person("admin"), **UNSTORABLE_IDENTITIES[case])
    assert_refused(client.get("/api/v1/audit", headers=bearer(token)), token)


def test_a_subject_of_255_characters_signs_in_and_is_audited_whole(
    client: FlaskClient, idp: OidcProvider
) -> None:
    token = idp.issue(person("admin"), sub="s" * 255)
    made = client.post("/api/v1/officers", headers=bearer(token), json=NEW_OFFICER)
    assert made.status_code == 201, made.get_json()
    trail = client.get("/api/v1/audit", headers=bearer(token)).get_json()["items"]
    assert [entry["subject"] for entry in trail] == ["s" * 255]


def test_clocks_may_differ_by_up_to_a_minute(client: FlaskClient, idp: OidcProvider) -> None:
    now = int(time.time())
    skews: list[dict[str, Any]] = [{"exp": now - 30}, {"nbf": now + 30, "iat": now + 30}]
    for changes in skews:
        token = idp.issue(person("admin"), **changes)
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200, changes


def test_an_unsigned_token_is_refused(client: FlaskClient, idp: OidcProvider) -> None:
    header, payload = segments(idp.issue(person("admin")))
    token = hand_made({**header, "alg": "none"}, payload)
    assert_refused(client.get("/api/v1/audit", headers=bearer(token)), token)


def test_a_token_signed_with_hmac_over_the_public_key_is_refused(
    client: FlaskClient, idp: OidcProvider
) -> None:
    header, payload = segments(idp.issue(person("admin")))
    public = idp.signing.public_pem()
    token = hand_made(
        {**header, "alg": "HS256"},
        payload,
        lambda data: hmac.new(public, data, hashlib.sha256).digest(),
    )
    assert_refused(client.get("/api/v1/audit", headers=bearer(token)), token)


def test_a_tampered_payload_is_refused(
    client: FlaskClient, build: Builder, idp: OidcProvider
) -> None:
    token = idp.issue(person("planner", force="cambridgeshire"))
    assert client.get("/api/v1/npocc/returns", headers=bearer(token)).status_code == 403
    header_part, _payload, signature = token.split(".")
    _header, claims = segments(token)
    raised = b64(json.dumps({**claims, "roles": ["admin"]}).encode())
    tampered = f"{header_part}.{raised}.{signature}"
    assert_refused(client.get("/api/v1/npocc/returns", headers=bearer(tampered)), tampered)


def test_a_key_rotated_in_is_fetched_once_and_accepted(
    client: FlaskClient, idp: OidcProvider
) -> None:
    before = idp.issue(person("admin"))
    assert client.get("/api/v1/audit", headers=bearer(before)).status_code == 200
    assert idp.jwks_reads == 1
    idp.rotate()
    after = idp.issue(person("admin"))
    assert client.get("/api/v1/audit", headers=bearer(after)).status_code == 200
    assert idp.jwks_reads == 2
    # Known keys are not fetched again.
    assert client.get("/api/v1/audit", headers=bearer(after)).status_code == 200
    assert client.get("/api/v1/audit", headers=bearer(before)).status_code == 200
    assert idp.jwks_reads == 2


def test_unknown_keys_fetch_the_key_set_at_most_once_a_minute(
    client: FlaskClient, idp: OidcProvider
) -> None:
    assert (
        client.get("/api/v1/audit", headers=bearer(idp.issue(person("admin")))).status_code == 200
    )
    unpublished = idp.rotate()
    idp.keys.remove(unpublished)  # signs, but the provider does not publish it
    forged = idp.issue(person("admin"), key=unpublished)
    for _ in range(5):
        assert_refused(client.get("/api/v1/audit", headers=bearer(forged)), forged)
    assert idp.jwks_reads == 2  # the first read, and one refetch for the unknown kid
    # Within the minute, a key rotated in for real waits for the next refetch.
    idp.keys.append(unpublished)
    assert_refused(client.get("/api/v1/audit", headers=bearer(forged)), forged)
    assert idp.jwks_reads == 2


def test_a_leaver_signed_in_is_forbidden(
    client: FlaskClient, build: Builder, idp: OidcProvider
) -> None:
    officer = build.officer("cambridgeshire", warrant_number="SC200")
    token = idp.issue(person("special", force="cambridgeshire", warrant_number="SC200"))
    assert client.get(f"/api/v1/officers/{officer.id}", headers=bearer(token)).status_code == 200
    admin = bearer(idp.issue(person("admin")))
    left = client.post(
        f"/api/v1/officers/{officer.id}/leave",
        headers=admin,
        json={"left_on": london_today().isoformat()},
    )
    assert left.status_code == 200, left.get_json()
    assert_refused(
        client.get(f"/api/v1/officers/{officer.id}", headers=bearer(token)), token, status=403
    )


def test_a_person_without_any_of_the_roles_is_forbidden(
    client: FlaskClient, idp: OidcProvider
) -> None:
    token = idp.issue(person(None, force="cambridgeshire"))
    assert_refused(client.get("/api/v1/forces", headers=bearer(token)), token, status=403)


def test_while_the_key_set_cannot_be_read_jwt_callers_get_503_and_api_tokens_still_work(
    app: Flask,
    client: FlaskClient,
    build: Builder,
    idp: OidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = app.extensions["dutyservice"]
    monkeypatch.setattr(state, "identity", IdentityProvider(state.settings, failure_memory=1.0))
    idp.jwks_down = True
    token = idp.issue(person("admin"))
    answered = client.get("/api/v1/audit", headers=bearer(token))
    assert answered.status_code == 503
    assert answered.content_type == "application/problem+json"
    assert answered.headers["Retry-After"] == "1"
    assert token not in answered.get_data(as_text=True)
    assert client.get("/api/v1/audit", headers=build.headers("admin")).status_code == 200
    idp.jwks_down = False
    # The failure is remembered: the provider is not asked again until it has passed.
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 503
    assert idp.jwks_reads == 1
    time.sleep(1.1)
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    assert idp.jwks_reads == 2


def test_a_failure_to_read_the_key_set_is_remembered_for_thirty_seconds(
    client: FlaskClient, idp: OidcProvider
) -> None:
    idp.jwks_down = True
    for _ in range(5):
        answered = client.get("/api/v1/audit", headers=bearer(idp.issue(person("admin"))))
        assert answered.status_code == 503
        assert 28 <= int(answered.headers["Retry-After"]) <= 30
    assert idp.jwks_reads == 1


def test_the_key_set_read_is_kept_while_the_provider_is_down(
    client: FlaskClient, idp: OidcProvider
) -> None:
    token = idp.issue(person("admin"))
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    idp.jwks_down = True
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    assert idp.jwks_reads == 1


def test_the_audit_trail_names_the_person_signed_in(
    client: FlaskClient, build: Builder, idp: OidcProvider
) -> None:
    supervisor = person("supervisor", force="cambridgeshire", name="Sgt Robin Hale")
    made = client.post(
        "/api/v1/officers",
        headers=bearer(idp.issue(supervisor)),
        json={
            "force": "cambridgeshire",
            "warrant_number": "SC300",
            "surname": "Reed",
            "forenames": "Sam",
            "rank": "SC",
            "base_location": "Ely",
            "joined_on": "2024-01-01",
        },
    )
    assert made.status_code == 201, made.get_json()
    special = person("special", force="cambridgeshire", warrant_number="SC300", name=None)
    special["preferred_username"] = "sreed@cambs.police.example"
    booked = client.post(
        "/api/v1/duties",
        headers=bearer(idp.issue(special)),
        json={
            "officer_id": made.get_json()["id"],
            "starts_at": "2026-02-01T18:00:00Z",
            "ends_at": "2026-02-01T22:00:00Z",
            "duty_type": "patrol",
        },
    )
    assert booked.status_code == 201, booked.get_json()
    by_token = client.post(
        f"/api/v1/duties/{booked.get_json()['id']}/cancel", headers=build.headers("admin")
    )
    assert by_token.status_code == 200
    trail = client.get(
        "/api/v1/audit?per_page=500", headers=bearer(idp.issue(person("admin")))
    ).get_json()["items"]
    who = {e["action"]: (e["role"], e["subject"], e["subject_name"], e["token_id"]) for e in trail}
    assert who["officer.create"] == ("supervisor", supervisor["sub"], "Sgt Robin Hale", None)
    assert who["duty.book"] == ("special", special["sub"], "sreed@cambs.police.example", None)
    role, subject, name, token_id = who["duty.cancel"]
    assert (role, subject, name) == ("admin", None, None)
    assert token_id is not None


def test_no_jwt_is_ever_logged(
    client: FlaskClient, build: Builder, idp: OidcProvider, logged: io.StringIO
) -> None:
    good = idp.issue(person("admin"))
    expired = idp.issue(person("admin"), exp=int(time.time()) - 3600)
    nobody = idp.issue(person(None))
    for token in (good, expired, nobody):
        client.get("/api/v1/audit", headers=bearer(token))
    idp.jwks_down = True
    idp.rotate()
    unknown = idp.issue(person("admin"))
    client.get("/api/v1/audit", headers=bearer(unknown))
    output = logged.getvalue()
    assert len(output.splitlines()) == 4
    for token in (good, expired, nobody, unknown):
        for part in token.split("."):
            assert part not in output


def test_a_configured_key_set_is_used_without_reading_the_discovery_document(
    app: Flask, client: FlaskClient, idp: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = app.extensions["dutyservice"]
    issuer = f"{idp.issuer}/no-discovery-here"  # answers 404 to /.well-known/...
    settings = state.settings.replace(oidc_issuer=issuer, oidc_jwks_url=f"{idp.issuer}/jwks")
    monkeypatch.setattr(state, "identity", IdentityProvider(settings))
    token = idp.issue(person("admin"), iss=issuer)
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
    assert idp.jwks_reads == 1
    # Without the configured URL, the same issuer's missing discovery document is a 503.
    monkeypatch.setattr(state, "identity", IdentityProvider(settings.replace(oidc_jwks_url="")))
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 503
