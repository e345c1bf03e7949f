"""The web pages under /app/ (API.md "Web pages"): server-rendered, over the same services."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..api.common import database
from ..auth.scope import Permission, Principal
from ..clock import LONDON
from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable
from . import session as page_session
from .blueprint import bp
from .secret import session_key

# Pages that answer without a session.
OPEN_ENDPOINTS = {"web.sign_in", "web.static"}
STATUS_OF = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422, Unavailable: 503}


def init_web(app: Flask) -> None:
    from . import aid, events, home, planning, returns, sign_in  # noqa: F401  (they add routes)

    settings = app.extensions["dutyservice"].settings
    app.secret_key = session_key(settings)
    app.session_interface = page_session.PageSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="dutyservice_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.register_blueprint(bp)
    if settings.oidc_sign_in_enabled:
        from .oidc import blp as oidc_sign_in

        app.register_blueprint(oidc_sign_in)


def status_of(error: DomainError) -> int:
    return next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of ours, never another host."""
    if target and target.startswith("/app/") and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


def error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("web/error.html", title=title, detail=detail), status


@bp.before_request
def _guard() -> Response | tuple[str, int] | None:
    if not current_app.secret_key:
        return error_page(
            503, "Pages unavailable", "The service has no DUTYSERVICE_SECRET_KEY for sessions."
        )
    if request.method == "POST" and not page_session.csrf_accepted():
        return error_page(
            400,
            "Form refused",
            "This form had expired or did not come from this site; nothing was changed. "
            "Go back, reload the page and try again.",
        )
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    principal = page_session.signed_in(database())
    if principal is None:
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("web.sign_in", next=target))  # type: ignore[return-value]
    g.principal = principal
    return None


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> tuple[str, int]:
    return error_page(status_of(error), error.title, error.detail)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return error_page(status, error.name, error.description or "")


@bp.app_template_filter("london")
def _london(value: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    return value.astimezone(LONDON).strftime(pattern) if value else ""


@bp.app_template_filter("wall_clock")
def _wall_clock(value: datetime | None) -> str:
    """The value of a `datetime-local` input: London time to the minute."""
    return value.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M") if value else ""


@bp.app_template_filter("day")
def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


@bp.context_processor
def _layout() -> dict[str, object]:
    principal: Principal | None = g.get("principal")
    return {
        "csrf_token": page_session.csrf_token,
        "csrf_field": page_session.CSRF_FIELD,
        "principal": principal,
        "display_name": page_session.display_name(),
        "Permission": Permission,
        "oidc_sign_in": current_app.extensions["dutyservice"].settings.oidc_sign_in_enabled,
    }
