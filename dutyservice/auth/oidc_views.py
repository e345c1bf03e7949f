"""The web pages' sign-in through the force's identity provider: off to the provider, and back.

Registered by the factory only when DUTYSERVICE_OIDC_ISSUER and DUTYSERVICE_OIDC_CLIENT_ID are
set. The signed-in person is kept in the session cookie as `session["principal"]`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from ..api.problems import problem
from .oidc import InvalidToken
from .oidc_flow import SignInRefused, begin_sign_in, finish_sign_in
from .scope import Principal, Role

blp = Blueprint("oidc_sign_in", __name__, url_prefix="/app/sign-in")


@blp.route("/oidc", methods=["GET"])
def sign_in() -> Response:
    """Sends the browser to the force's identity provider."""
    target = begin_sign_in(session, url_for("oidc_sign_in.callback", _external=True))
    return redirect(target, code=302)


@blp.route("/callback", methods=["GET"])
def callback() -> Response:
    """Where the provider sends the browser back: signs the person in, then on to /app/."""
    try:
        principal = finish_sign_in(session, request.args)
    except SignInRefused as refusal:
        return problem(400, "Sign-in failed", str(refusal))
    except InvalidToken as refusal:
        return problem(401, "Sign-in failed", str(refusal))
    # A new session for the person signed in: nothing from before sign-in is carried over.
    session.clear()
    session["principal"] = principal_as_session(principal)
    return redirect("/app/", code=303)


def principal_as_session(principal: Principal) -> dict[str, Any]:
    """The principal as JSON-able values, as the web pages read it back from the session."""
    return {
        "token_id": principal.token_id,
        "role": principal.role.value,
        "force_id": principal.force_id,
        "officer_id": principal.officer_id,
        "subject": principal.subject,
        "name": principal.name,
    }


def principal_from_session(stored: dict[str, Any]) -> Principal:
    """The Principal `principal_as_session` stored."""
    return Principal(
        token_id=stored.get("token_id"),
        role=Role(stored["role"]),
        force_id=stored.get("force_id"),
        officer_id=stored.get("officer_id"),
        subject=stored.get("subject"),
        name=stored.get("name"),
    )
