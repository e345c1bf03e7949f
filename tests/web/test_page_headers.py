"""Every answer under /app/ carries the hardening headers; no page can be framed, and a
sign-in's `next` never reaches the `Location` header unless it is a page of ours."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dutyservice.db import Database

from ..support.builders import Builder
from .pages import csrf_of, post, sign_in, token

POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "manifest-src 'self'",
    "worker-src 'self'",
)
# Every page a browser reads, by its endpoint (a page added without a line here fails).
PAGES = {
    "web.home": "/app/",
    "web.deployable": "/app/deployable?force=cambridgeshire",
    "web.deployable_csv": "/app/deployable.csv?force=cambridgeshire"
    "&from=2026-01-10T18:00&to=2026-01-11T02:00",
    "web.readiness": "/app/readiness?force=cambridgeshire",
    "web.events": "/app/events",
    "web.returns": "/app/returns?quarter=2025-Q3",
    "web.sign_in": "/app/sign-in",
    "web.privacy": "/app/privacy",
    "web.accessibility": "/app/accessibility",
    "web.my_data": "/app/my-data.json",
    "web.book_form": "/app/duties/new",
    "web.cancel_confirm": "/app/duties/1/cancel",
    "web.complete_form": "/app/duties/1/complete",
    "web.withdraw_confirm": "/app/events/1/withdraw",
    "web.manifest": "/app/manifest.webmanifest",
    "web.service_worker": "/app/sw.js",
    "web.unknown": "/app/no-such-page",
    "web.aid": "/app/aid",
    "web.decline_form": "/app/aid/1/1/decline",
    "web.event": "/app/events/1",
    "web.audit_trail": "/app/audit",
    "web.new_event": "/app/events/new",
    "web.officers": "/app/officers",
    "web.officer": "/app/officers/1",
    "web.grant_form": "/app/officers/1/ips/grant",
    "web.withdraw_form": "/app/officers/1/ips/withdraw",
    "web.edit_officer_form": "/app/officers/1/edit",
    "web.readiness_csv": "/app/readiness.csv?force=cambridgeshire",
    "web.return_csv": "/app/returns/1/feed.csv",
    "web.return_manifest": "/app/returns/1/manifest.json",
}


def assert_hardened(answer: TestResponse, where: str) -> None:
    policy = [part.strip() for part in answer.headers.get("Content-Security-Policy", "").split(";")]
    assert set(POLICY) <= set(policy), f"{where}: {policy}"
    assert not any("unsafe-inline" in part for part in policy), where
    assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
    assert answer.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert answer.headers.get("Cache-Control") == "no-store", where


def test_every_page_is_listed_here(app: Flask) -> None:
    readable = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.") and "GET" in (rule.methods or ())
    }
    assert readable - {"web.static"} == set(PAGES)


@pytest.mark.parametrize("role", ["admin", "planner", "special"])
def test_every_page_of_every_role_carries_the_hardening_headers(
    role: str, client: FlaskClient, build: Builder, db: Database
) -> None:
    sign_in(client, token(db, role, officer=build.officer()))
    for endpoint, path in PAGES.items():
        assert_hardened(client.get(path), f"{role} {endpoint}")


def test_answers_to_forms_errors_and_redirects_carry_them_too(
    client: FlaskClient, db: Database
) -> None:
    assert_hardened(client.get("/app/deployable"), "redirect to sign-in")
    assert_hardened(client.post("/app/sign-out"), "a form without its token")
    sign_in(client, token(db, "admin"))
    assert_hardened(client.get("/app/no-such-page"), "404")
    assert_hardened(post(client, "/app/duties", {"officer_id": "x"}), "a refused booking")
    signed_out = post(client, "/app/sign-out", {})
    assert signed_out.status_code == 303
    assert_hardened(signed_out, "sign-out")


def test_the_pages_with_one_click_buttons_cannot_be_framed(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    sign_in(client, token(db, "admin"))
    for path in ("/app/", "/app/events", "/app/returns?quarter=2025-Q3"):
        answer = client.get(path)
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_the_stylesheet_may_be_cached_and_is_not_sniffed(client: FlaskClient) -> None:
    with client.get("/app/static/style.css") as answer:
        assert answer.status_code == 200
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" not in answer.headers.get("Cache-Control", "")


def test_over_https_pages_tell_the_browser_to_keep_to_https(client: FlaskClient) -> None:
    over_https = client.get("/app/sign-in", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/app/sign-in").headers


def test_the_api_keeps_its_own_headers(client: FlaskClient) -> None:
    assert "Content-Security-Policy" not in client.get("/api/v1/openapi.json").headers


HOSTILE_TARGETS = [
    "/app/\r\nSet-Cookie: stolen=1",
    "/app/\nLocation: https://evil.test/",
    "/app/\r",
    "/app/\x00",
    "/app/\\\\evil.test/",
    "//evil.test/app/",
    "https://evil.test/app/",
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_sign_in_whose_next_is_not_a_page_of_ours_goes_home_and_injects_nothing(
    target: str, client: FlaskClient, db: Database
) -> None:
    form = client.get("/app/sign-in")
    answer = client.post(
        "/app/sign-in",
        data={
            "token": token(db, "admin"),
            "csrf_token": csrf_of(form.get_data(as_text=True)),
            "next": target,
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/app/"
    assert answer.headers.getlist("Location") == ["/app/"]
    assert "stolen" not in str(answer.headers)


def test_a_sign_in_keeps_a_next_that_is_a_page_of_ours(client: FlaskClient, db: Database) -> None:
    form = client.get("/app/sign-in").get_data(as_text=True)
    answer = client.post(
        "/app/sign-in",
        data={"token": token(db, "admin"), "csrf_token": csrf_of(form), "next": "/app/events?x=1"},
    )
    assert answer.headers["Location"] == "/app/events?x=1"
