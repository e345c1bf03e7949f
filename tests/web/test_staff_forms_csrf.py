"""Every form of the staff pages carries a CSRF token, and a post without it changes nothing."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from dutyservice.db import Database

from ..support.builders import Builder
from ..support.snapshot import digest
from .pages import sign_in, token

# Each page with a form, and where its form posts ({id}: an officer of the force).
FORMS = {
    "/app/events/new": "/app/events/new",
    "/app/officers/{id}": "/app/officers/{id}/competencies",
    "/app/officers/{id}/edit": "/app/officers/{id}/edit",
    "/app/officers/{id}/ips/grant": "/app/officers/{id}/ips",
    "/app/officers/{id}/ips/withdraw": "/app/officers/{id}/ips/withdraw",
    "/app/returns": "/app/returns",
}


@pytest.mark.parametrize("page", list(FORMS))
def test_a_staff_form_carries_its_token_and_is_refused_without_it(
    page: str, client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.ips_officer()
    sign_in(client, token(db, "admin"))
    html = client.get(page.format(id=officer.id)).get_data(as_text=True)
    action = FORMS[page].format(id=officer.id)
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form is not None, f"{page} has no form posting to {action}"
    assert 'name="csrf_token"' in form.group(0)
    before = digest(db)
    answer = client.post(action, data={"quarter": "2025-Q3", "title": "Op", "reason": "r"})
    assert answer.status_code == 400
    assert "Form refused" in answer.get_data(as_text=True)
    assert digest(db) == before
