"""Who is signed in to the pages, and the CSRF token of their forms.

The signed session cookie holds the session's random id (`auth.sessions`: the service keeps
its hash), the CSRF token and flashed messages; never a token's secret nor who is signed in.
On every request the session's principal is made again from what it stands on: its API token
(revoked or expired ends the session) or the identity provider's claims, mapped as a bearer
JWT's are (a leaver, or claims that no longer match an officer, end it).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSessionInterface

from ..auth import sessions
from ..auth.scope import Principal
from ..auth.service import principal_of_token
from ..db import Database
from ..errors import Forbidden
from ..signin.oidc import principal_for_claims

SESSION_ID = "session_id"
CSRF = "csrf"
CSRF_FIELD = "csrf_token"


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def start(db: Database, principal: Principal, *, claims: dict[str, Any] | None = None) -> None:
    """A new session for a signed-in principal: nothing of a previous one is kept."""
    end(db)
    token_id = principal.token_id if claims is None else None
    session[SESSION_ID] = sessions.open_session(db, token_id=token_id, claims=claims)
    session[CSRF] = secrets.token_urlsafe(32)


def end(db: Database) -> None:
    """Ends the session on the service too: a copy of the cookie no longer signs anyone in."""
    session_id = session.get(SESSION_ID)
    if isinstance(session_id, str):
        sessions.end_session(db, session_id)
    session.clear()


def signed_in(db: Database) -> Principal | None:
    """The principal of this session, or None (not signed in, ended, or what it stands on no
    longer signs that person in: the session is then ended)."""
    session_id = session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    kept = sessions.find_session(db, session_id)
    principal = None if kept is None else _principal_of(db, kept)
    if principal is None:
        end(db)
    return principal


def _principal_of(db: Database, kept: sessions.OpenSession) -> Principal | None:
    if kept.token_id is not None:
        return principal_of_token(db, kept.token_id)
    provider = current_app.extensions["dutyservice"].identity
    if provider is None or kept.claims is None:
        return None  # sign-in through the provider is no longer configured
    try:
        return principal_for_claims(db, kept.claims, provider.claim_names)
    except Forbidden:
        return None


def display_name(principal: Principal | None) -> str:
    if principal is None:
        return ""
    return principal.name or principal.subject or ""


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
