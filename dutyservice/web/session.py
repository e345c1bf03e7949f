"""Who is signed in to the pages, and the CSRF token of their forms.

The session cookie holds `principal`, a JSON-able dict (token_id, role, force_id, officer_id,
subject, name), never a token's secret. A token-backed session is checked against its token on
every request, so revoking the token ends the session.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface

from ..auth.scope import Principal, Role
from ..auth.service import principal_of_token
from ..db import Database

PRINCIPAL = "principal"
CSRF = "csrf"
CSRF_FIELD = "csrf_token"


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def start(principal: Principal, *, subject: str | None = None, name: str | None = None) -> None:
    """A new session for a signed-in principal: nothing of a previous one is kept."""
    session.clear()
    session[PRINCIPAL] = {
        "token_id": principal.token_id,
        "role": principal.role.value,
        "force_id": principal.force_id,
        "officer_id": principal.officer_id,
        "subject": subject,
        "name": name,
    }
    session[CSRF] = secrets.token_urlsafe(32)


def end() -> None:
    session.clear()


def signed_in(db: Database) -> Principal | None:
    """The principal of this session, or None (not signed in, or its token no longer works)."""
    principal = principal_from(session.get(PRINCIPAL))
    if principal is None:
        return None
    if principal.token_id is not None:
        principal = principal_of_token(db, principal.token_id)
        if principal is None:
            session.clear()
    return principal


def principal_from(stored: Any) -> Principal | None:
    """The dict a sign-in put in the session (a token's, or the force's identity provider's)."""
    if not isinstance(stored, dict):
        return None
    try:
        role = Role(str(stored.get("role")))
    except ValueError:
        return None
    ids = [stored.get(key) for key in ("token_id", "force_id", "officer_id")]
    if not all(value is None or (type(value) is int and value > 0) for value in ids):
        return None
    token_id, force_id, officer_id = ids
    subject, name = (stored.get(key) for key in ("subject", "name"))
    return Principal(
        token_id=token_id,
        role=role,
        force_id=force_id,
        officer_id=officer_id,
        subject=subject if isinstance(subject, str) else None,
        name=name if isinstance(name, str) else None,
    )


def display_name() -> str:
    stored = session.get(PRINCIPAL) or {}
    return str(stored.get("name") or stored.get("subject") or "")


def csrf_token() -> str:
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(32)
    return str(session[CSRF])


def csrf_accepted(presented: str | None = None) -> bool:
    """The form's token (or `presented`, from a page's script) is this session's."""
    expected = session.get(CSRF)
    if presented is None:
        presented = request.form.get(CSRF_FIELD, "")
    return bool(expected) and hmac.compare_digest(str(expected), presented)
