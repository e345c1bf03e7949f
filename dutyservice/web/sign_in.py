"""Signing in to the pages with an API token, and signing out."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from ..api.common import database
from ..auth.service import authenticate
from . import safe_next
from . import session as page_session
from .blueprint import bp

NOT_ACCEPTED = "That token is not valid: it may be mistyped, revoked or expired"


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | tuple[str, int] | str:
    """A form that takes an API token; the session keeps who it names, never the token."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("web/sign_in.html", next=target, errors={})
    secret = request.form.get("token", "").strip()
    principal = authenticate(database(), secret) if secret else None
    if principal is None:
        message = NOT_ACCEPTED if secret else "Enter your access token"
        return render_template("web/sign_in.html", next=target, errors={"token": [message]}), 400
    page_session.start(database(), principal)
    return redirect(target, code=303)  # type: ignore[return-value]


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    """Ends the session, on the service too (the form carries the CSRF token, like every
    change)."""
    page_session.end(database())
    flash("You are signed out.", "info")
    return redirect(url_for("web.sign_in"), code=303)  # type: ignore[return-value]
