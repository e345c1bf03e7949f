"""The web pages under /app/ (API.md "Web pages"): server-rendered, over the same services."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, render_template, request, url_for
from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException

from ..api.common import database
from ..api.problems import status_of
from ..auth.scope import Permission, Principal
from ..clock import LONDON
from ..db import Database, retry_lost_races
from ..errors import DomainError
from . import session as page_session
from .blueprint import bp
from .headers import init_headers
from .push import serve_worker_unless_served
from .secret import session_key
from .wall_clock import span_words

# What answers without a session key: nothing of a person's, and no form.
KEYLESS_ENDPOINTS = {
    "web.static",
    "web.manifest",
    "web.service_worker",
    "web.unknown",
    "web.privacy",
    "web.accessibility",
}
# Pages that answer without a session: those, and signing in (a form, so it needs the key).
OPEN_ENDPOINTS = KEYLESS_ENDPOINTS | {"web.sign_in"}
_UNSAFE_IN_TARGET = re.compile(r"[\x00-\x1f\x7f\\]")

P = ParamSpec("P")
R = TypeVar("R")


def init_web(app: Flask) -> None:
    # Each adds its routes to the blueprint.
    from . import (  # noqa: F401
        aid,
        duty_pages,
        events,
        home,
        installable,
        planning,
        privacy,
        returns,
        sign_in,
    )

    settings = app.extensions["dutyservice"].settings
    from . import staff_pages  # noqa: F401  (the staff's pages, on the same blueprint)

    app.secret_key = session_key(settings)
    app.session_interface = page_session.PageSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="dutyservice_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.register_blueprint(bp)
    init_headers(app)
    app.add_url_rule("/", "to_pages", lambda: redirect(url_for("web.home"), code=302))
    _with_govuk_macros(app)
    serve_worker_unless_served(app)
    if settings.oidc_sign_in_enabled:
        from .oidc import blp as oidc_sign_in

        app.register_blueprint(oidc_sign_in)


def _with_govuk_macros(app: Flask) -> None:
    """GOV.UK Frontend's components as Jinja macros, under `govuk_frontend_jinja/`."""
    loaders: list[BaseLoader] = [
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    ]
    if app.jinja_env.loader is not None:
        loaders.insert(0, app.jinja_env.loader)
    app.jinja_env.loader = ChoiceLoader(loaders)


def run(
    use_case: Callable[Concatenate[Database, Principal, P], R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """A page's write: `use_case(db, principal, *args)`, run again when its transaction lost a
    race to another at the same moment (db.retry_lost_races, as every API view is). A page
    catches refusals to show them, so the retry wraps the use case rather than the view."""
    return retry_lost_races(use_case)(database(), current_principal(), *args, **kwargs)


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of ours, never another host; a target holding a
    control character (CR or LF would end the `Location` header) or a backslash goes home."""
    if (
        target
        and target.startswith("/app/")
        and not _UNSAFE_IN_TARGET.search(target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("web.home")


def public_url(endpoint: str, **values: Any) -> str | None:
    """The page's address under DUTYSERVICE_BASE_URL, never built from the request's `Host`
    (a client chooses that); None without a base URL."""
    base = current_app.extensions["dutyservice"].settings.base_url
    return f"{base}{url_for(endpoint, **values)}" if base else None


def error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("web/error.html", title=title, detail=detail), status


@bp.before_request
def _guard() -> Response | tuple[str, int] | None:
    if request.endpoint in KEYLESS_ENDPOINTS and request.method == "GET":
        return None
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
    if status == 404:
        return not_found()
    return error_page(status, error.name, error.description or "")


def not_found() -> tuple[str, int]:
    return error_page(404, "Page not found", "If you typed the web address, check it is correct.")


@bp.route("/<path:unknown>")
def unknown(unknown: str) -> tuple[str, int]:
    """Any other address under /app/: a page that says so, not the API's JSON."""
    g.principal = page_session.signed_in(database())
    return not_found()


@bp.app_template_filter("london")
def _london(value: datetime | None, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    return value.astimezone(LONDON).strftime(pattern) if value else ""


@bp.app_template_filter("sentence")
def _sentence(text: str) -> str:
    """The first letter in capitals, the rest as written (unlike Jinja's `capitalize`)."""
    return text[:1].upper() + text[1:]


@bp.app_template_filter("day")
def _day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


@bp.app_template_filter("choices")
def _choices(options: Iterable[tuple[Any, str]], value: Any, marked: str) -> list[dict[str, Any]]:
    """GOV.UK Frontend's items for `(value, label)` options, the one that is `value` marked
    (`selected` in a select, `checked` among radios)."""
    return [{"value": v, "text": label, marked: v == value} for v, label in options]


@bp.context_processor
def _layout() -> dict[str, object]:
    principal: Principal | None = g.get("principal")
    return {
        "csrf_token": page_session.csrf_token,
        "csrf_field": page_session.CSRF_FIELD,
        "principal": principal,
        "display_name": page_session.display_name(principal),
        "Permission": Permission,
        "oidc_sign_in": current_app.extensions["dutyservice"].settings.oidc_sign_in_enabled,
        "span_words": span_words,
    }
