"""The web pages' sign-in through the force's identity provider: off to the provider, and back.

Registered with the pages only when DUTYSERVICE_OIDC_ISSUER and DUTYSERVICE_OIDC_CLIENT_ID are
set. The session keeps the provider's claims and maps them again on every request (session.py).
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from ..api.common import database
from ..api.problems import problem
from ..signin.oidc import InvalidToken
from ..signin.oidc_flow import SignInRefused, begin_sign_in, finish_sign_in
from . import error_page, public_url
from . import session as page_session

blp = Blueprint("oidc_sign_in", __name__, url_prefix="/app/sign-in")


@blp.route("/oidc", methods=["GET"])
def sign_in() -> Response | tuple[str, int]:
    """Sends the browser to the force's identity provider, to come back to the callback at
    DUTYSERVICE_BASE_URL; without one it does not start (the request's Host is the client's)."""
    callback_url = public_url("oidc_sign_in.callback")
    if callback_url is None:
        return error_page(
            503,
            "Sign-in unavailable",
            "The service has no DUTYSERVICE_BASE_URL to bring you back to after signing in.",
        )
    return redirect(begin_sign_in(session, callback_url), code=302)


@blp.route("/callback", methods=["GET"])
def callback() -> Response:
    """Where the provider sends the browser back: signs the person in, then on to /app/."""
    try:
        principal, claims = finish_sign_in(session, request.args)
    except SignInRefused as refusal:
        return problem(400, "Sign-in failed", str(refusal))
    except InvalidToken as refusal:
        return problem(401, "Sign-in failed", str(refusal))
    page_session.start(database(), principal, claims=claims)
    return redirect(url_for("web.home"), code=303)
