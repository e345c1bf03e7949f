"""Browser sign-in through the force's identity provider: the authorization-code flow with PKCE,
`state` and `nonce`, followed over real HTTP by a client that keeps cookies (API.md, OIDC).

The service and the provider both answer on 127.0.0.1; the provider signs in its configured user
at once and gives an ID token only for the code, the redirect URI and the PKCE verifier it saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.serving import make_server

from dutyservice import create_app
from dutyservice.auth.sessions import find_session
from dutyservice.clock import london_today
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties.models import Officer

from ..support.builders import Builder
from ..support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, person_claims
from ..support.serving import on_a_thread


@dataclass
class Served:
    app: Flask
    url: str

    def session_of(self, browser: requests.Session) -> dict[str, Any]:
        """What the service keeps in this browser's session cookie."""
        cookie = browser.cookies.get(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return {}
        sessions = self.app.session_interface
        assert isinstance(sessions, SecureCookieSessionInterface)
        serializer = sessions.get_signing_serializer(self.app)
        assert serializer is not None
        stored: dict[str, Any] = serializer.loads(cookie)
        return stored


@pytest.fixture
def service(
    app: Flask, identity_provider: OidcProvider, database_url: str, tmp_path: Path
) -> Iterator[Served]:
    """The service with browser sign-in configured, on the test database, served over HTTP."""
    identity_provider.reset()
    settings = Settings(
        database_url=database_url,
        export_dir=tmp_path / "exports",
        oidc_issuer=identity_provider.issuer,
        oidc_audience="dutyservice-api",
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        secret_key="a key only these tests use",
    )
    web = create_app(settings)
    server = make_server("127.0.0.1", 0, web, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    web.extensions["dutyservice"].settings = settings.replace(base_url=url)
    try:
        with on_a_thread(server):
            yield Served(web, url)
    finally:
        web.extensions["dutyservice"].db.dispose()


def callback_url(service: Served, browser: requests.Session) -> str:
    """Begins a sign-in and follows it to the provider, stopping before the way back."""
    to_provider = browser.get(f"{service.url}/app/sign-in/oidc", allow_redirects=False)
    assert to_provider.status_code == 302
    back = browser.get(to_provider.headers["Location"], allow_redirects=False)
    assert back.status_code == 302
    location: str = back.headers["Location"]
    assert location.startswith(f"{service.url}/app/sign-in/callback?")
    return location


def test_a_special_signs_in_through_the_provider_and_is_kept_in_the_session(
    service: Served, build: Builder, identity_provider: OidcProvider, db: Database
) -> None:
    officer = build.officer("cambridgeshire", warrant_number="SC500")
    identity_provider.user = person_claims(
        "special", force="cambridgeshire", warrant_number="SC500", name="SC Jo Blake"
    )
    with requests.Session() as browser:
        landed = browser.get(f"{service.url}/app/sign-in/oidc", timeout=10)
        assert landed.url == f"{service.url}/app/"
        assert [step.status_code for step in landed.history] == [302, 302, 303]
        kept = find_session(db, service.session_of(browser)["session_id"])
        assert kept is not None
        assert kept.token_id is None
        assert kept.claims == identity_provider.user
        assert "SC Jo Blake" in landed.text
        assert officer.surname in landed.text


def test_the_redirect_uri_comes_from_the_base_url_whatever_host_the_request_names(
    service: Served,
) -> None:
    with requests.Session() as browser:
        answer = browser.get(
            f"{service.url}/app/sign-in/oidc",
            headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
            allow_redirects=False,
        )
    assert answer.status_code == 302
    [redirect_uri] = parse_qs(urlparse(answer.headers["Location"]).query)["redirect_uri"]
    assert redirect_uri == f"{service.url}/app/sign-in/callback"


def test_without_a_base_url_the_browser_sign_in_does_not_start(service: Served) -> None:
    state = service.app.extensions["dutyservice"]
    state.settings = state.settings.replace(base_url="")
    with requests.Session() as browser:
        answer = browser.get(
            f"{service.url}/app/sign-in/oidc",
            headers={"Host": "evil.example"},
            allow_redirects=False,
        )
        assert answer.status_code == 503
        assert "Location" not in answer.headers
        assert "DUTYSERVICE_BASE_URL" in answer.text
        assert "oidc_sign_in" not in service.session_of(browser)


def test_the_authorize_request_carries_state_nonce_and_an_s256_challenge(
    service: Served, identity_provider: OidcProvider
) -> None:
    with requests.Session() as browser:
        first = browser.get(f"{service.url}/app/sign-in/oidc", allow_redirects=False)
        second = browser.get(f"{service.url}/app/sign-in/oidc", allow_redirects=False)
    queries = [
        {k: v[0] for k, v in parse_qs(urlparse(answer.headers["Location"]).query).items()}
        for answer in (first, second)
    ]
    for query in queries:
        assert query["code_challenge_method"] == "S256"
        assert query["client_id"] == CLIENT_ID
        assert len(query["state"]) >= 32
        assert len(query["nonce"]) >= 32
    assert queries[0]["state"] != queries[1]["state"]
    assert queries[0]["nonce"] != queries[1]["nonce"]
    assert queries[0]["code_challenge"] != queries[1]["code_challenge"]


def test_a_replayed_state_is_refused(
    service: Served, build: Builder, identity_provider: OidcProvider
) -> None:
    build.officer("cambridgeshire", warrant_number="SC501")
    identity_provider.user = person_claims("supervisor", force="cambridgeshire")
    with requests.Session() as browser:
        back = callback_url(service, browser)
        signed_in = browser.get(back, allow_redirects=False)
        assert signed_in.status_code == 303
        principal = service.session_of(browser)["session_id"]
        replayed = browser.get(back, allow_redirects=False)
        assert replayed.status_code == 400
        assert replayed.headers["Content-Type"] == "application/problem+json"
        assert service.session_of(browser)["session_id"] == principal
    # Another browser, with a sign-in of its own under way, cannot finish with this answer.
    with requests.Session() as other:
        callback_url(service, other)
        stolen = other.get(back, allow_redirects=False)
        assert stolen.status_code == 400
        assert "session_id" not in service.session_of(other)


def test_an_id_token_for_another_nonce_is_refused(
    service: Served, identity_provider: OidcProvider
) -> None:
    identity_provider.user = person_claims("admin")
    identity_provider.nonce_override = "a nonce of some other sign-in"
    with requests.Session() as browser:
        refused = browser.get(callback_url(service, browser), allow_redirects=False)
        assert refused.status_code == 401
        assert "session_id" not in service.session_of(browser)


def test_a_person_with_none_of_the_roles_is_not_signed_in(
    service: Served, identity_provider: OidcProvider
) -> None:
    identity_provider.user = person_claims(None, force="cambridgeshire")
    with requests.Session() as browser:
        refused = browser.get(callback_url(service, browser), allow_redirects=False)
        assert refused.status_code == 403
        assert "session_id" not in service.session_of(browser)


def test_the_provider_refusing_the_sign_in_signs_nobody_in(
    service: Served, identity_provider: OidcProvider
) -> None:
    identity_provider.user = person_claims("admin")
    with requests.Session() as browser:
        back = callback_url(service, browser)
        state = back.split("state=", 1)[1]
        refused = browser.get(
            f"{service.url}/app/sign-in/callback?error=access_denied&state={state}",
            allow_redirects=False,
        )
        assert refused.status_code == 400
        assert "session_id" not in service.session_of(browser)


def test_without_a_client_id_there_is_no_provider_sign_in(client: FlaskClient) -> None:
    assert client.get("/app/sign-in/oidc").status_code == 404


def test_a_leaver_signed_in_through_the_provider_is_signed_out_on_the_next_page(
    service: Served, build: Builder, identity_provider: OidcProvider, db: Database
) -> None:
    officer = build.officer("cambridgeshire", warrant_number="SC502")
    identity_provider.user = person_claims(
        "special", force="cambridgeshire", warrant_number="SC502"
    )
    with requests.Session() as browser:
        assert browser.get(f"{service.url}/app/sign-in/oidc", timeout=10).status_code == 200
        assert browser.get(f"{service.url}/app/", timeout=10).status_code == 200
        session_id = service.session_of(browser)["session_id"]
        with db.transaction() as session:
            session.execute(
                update(Officer).where(Officer.id == officer.id).values(left_on=london_today())
            )
        refused = browser.get(f"{service.url}/app/", allow_redirects=False, timeout=10)
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/app/sign-in")
    assert find_session(db, session_id) is None


def test_an_officer_no_longer_matching_the_claims_is_signed_out(
    service: Served, build: Builder, identity_provider: OidcProvider, db: Database
) -> None:
    officer = build.officer("cambridgeshire", warrant_number="SC503")
    identity_provider.user = person_claims(
        "special", force="cambridgeshire", warrant_number="SC503"
    )
    with requests.Session() as browser:
        assert browser.get(f"{service.url}/app/sign-in/oidc", timeout=10).status_code == 200
        with db.transaction() as session:  # the force renumbers the officer
            session.execute(
                update(Officer).where(Officer.id == officer.id).values(warrant_number="SC603")
            )
        refused = browser.get(f"{service.url}/app/", allow_redirects=False, timeout=10)
        assert refused.status_code == 302


@pytest.mark.parametrize(
    "identity",
    [
        pytest.param({"sub": "s" * 256}, id="sub over 255 characters"),
        pytest.param({"sub": "a\x00b"}, id="NUL in sub"),
        pytest.param({"name": "Jo\x00 Blake"}, id="NUL in name"),
        pytest.param({"preferred_username": "jo\nblake"}, id="LF in preferred_username"),
    ],
)
def test_an_id_token_whose_identity_cannot_be_stored_signs_nobody_in(
    service: Served, identity_provider: OidcProvider, identity: dict[str, str]
) -> None:
    identity_provider.user = {**person_claims("admin"), **identity}
    with requests.Session() as browser:
        refused = browser.get(callback_url(service, browser), allow_redirects=False)
        assert refused.status_code == 401
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert "session_id" not in service.session_of(browser)
