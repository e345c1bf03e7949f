"""Sign-out, a revoked token and a leaver end a page session on the service: a copy of the
cookie taken before signs nobody in and changes nothing (both databases)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dutyservice.auth.models import PageSession
from dutyservice.auth.service import revoke_token
from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.duties.models import Duty

from ..support.builders import Builder
from .pages import booking, csrf_of, sign_in, token, token_id_of

COOKIE = "dutyservice_session"


def _cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _browser_with(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of a session cookie."""
    browser = app.test_client()
    browser.set_cookie(COOKIE, cookie)
    return browser


def _booking(officer_id: int, csrf: str) -> dict[str, str]:
    day = (london_today() + timedelta(days=9)).isoformat()
    return {**booking(officer_id, day, "18:00", "21:00"), "csrf_token": csrf}


def _count(db: Database, model: type[Duty] | type[PageSession]) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _sent_to_sign_in(answer: object) -> bool:
    status = getattr(answer, "status_code", None)
    location = getattr(answer, "headers", {}).get("Location", "")
    return status == 302 and location.startswith("/app/sign-in")


def test_a_cookie_copied_before_sign_out_is_refused_after_it_and_cannot_book(
    app: Flask, client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "supervisor"))
    csrf = csrf_of(client.get("/app/").get_data(as_text=True))
    copied = _cookie_of(client)
    assert _browser_with(app, copied).get("/app/").status_code == 200  # works until sign-out
    assert client.post("/app/sign-out", data={"csrf_token": csrf}).status_code == 303
    assert _count(db, PageSession) == 0

    assert _sent_to_sign_in(_browser_with(app, copied).get("/app/"))
    booked = _browser_with(app, copied).post("/app/duties", data=_booking(officer.id, csrf))
    assert _sent_to_sign_in(booked)
    assert _count(db, Duty) == 0


def test_the_same_booking_from_a_live_session_is_made(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    """The control of the test above: its booking is one the supervisor may make."""
    officer = build.officer()
    sign_in(client, token(db, "supervisor"))
    csrf = csrf_of(client.get("/app/").get_data(as_text=True))
    assert client.post("/app/duties", data=_booking(officer.id, csrf)).status_code == 303
    assert _count(db, Duty) == 1


def test_revoking_a_token_ends_every_session_signed_in_with_it(
    app: Flask, build: Builder, db: Database
) -> None:
    secret = token(db, "special", officer=build.officer())
    browsers = [app.test_client() for _ in range(2)]
    for browser in browsers:
        sign_in(browser, secret)
        assert browser.get("/app/").status_code == 200
    copied = _cookie_of(browsers[0])
    revoke_token(db, token_id_of(db, secret))
    assert _count(db, PageSession) == 0
    for browser in [*browsers, _browser_with(app, copied)]:
        assert _sent_to_sign_in(browser.get("/app/"))


def test_the_cookie_holds_only_a_random_id_and_the_service_only_its_hash(
    client: FlaskClient, db: Database
) -> None:
    sign_in(client, token(db, "admin"))
    with client.session_transaction() as session:
        session_id = session["session_id"]
    assert len(session_id) >= 40
    with db.reading() as session:
        stored = session.scalars(select(PageSession.id_hash)).all()
    assert len(stored) == 1
    assert session_id not in stored[0]
