"""Signing a Flask test client in to the pages, and reading their forms."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dutyservice.auth.service import authenticate, create_token
from dutyservice.db import Database
from dutyservice.duties.models import Officer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(
    db: Database, role: str, force: str | None = "cambridgeshire", officer: Officer | None = None
) -> str:
    if role in ("special", "npocc", "admin"):
        force = None
    officer_id = officer.id if officer is not None and role == "special" else None
    return create_token(db, role=role, force_code=force, officer_id=officer_id).secret


def token_id_of(db: Database, secret: str) -> int:
    """The id of the token with this secret (a session keeps the id, never the secret)."""
    principal = authenticate(db, secret)
    assert principal is not None
    assert principal.token_id is not None
    return principal.token_id


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, secret: str) -> None:
    page = client.get("/app/sign-in")
    answer = client.post(
        "/app/sign-in", data={"token": secret, "csrf_token": csrf_of(page.get_data(as_text=True))}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)


def post(
    client: FlaskClient, path: str, data: dict[str, str], *, from_page: str = "/app/"
) -> TestResponse:
    """A form posted as a browser would: with the CSRF token of a page it was on."""
    page = client.get(from_page)
    return client.post(path, data={**data, "csrf_token": csrf_of(page.get_data(as_text=True))})


def booking(officer_id: int, day: str, starts: str, ends: str, **more: str) -> dict[str, str]:
    """The booking form as a person fills it in: a date (day, month, year) and two times."""
    year, month, date_of_month = day.split("-")
    return {
        "officer_id": str(officer_id),
        "date-day": date_of_month,
        "date-month": month,
        "date-year": year,
        "start_time": starts,
        "end_time": ends,
        "duty_type": "patrol",
        **more,
    }


def text_of(html: str) -> str:
    """What a person reads: the page's text without its tags, spaces collapsed."""
    without_tags = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    return " ".join(unescape(without_tags).split())
