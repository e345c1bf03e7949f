"""The HTTP layer: parse, authorise, call a use case, shape the answer (API.md)."""

from __future__ import annotations

import http
import logging
import re
import time
import uuid
from typing import Any, cast

import flask.typing as ft
from flask import Flask, Response, current_app, g, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import RAISE, Schema, fields

from ..auth.scope import Principal
from ..auth.service import authenticate
from ..db import retry_lost_races
from ..errors import DomainError, Forbidden
from ..signin.oidc import InvalidToken, looks_like_jwt, signed_in_principal
from . import (
    aid,
    audit,
    calendar,
    deployable,
    docs,
    duties,
    events,
    guard,
    health,
    ips,
    learning,
    metrics,
    notifications,
    officers,
    openapi,
    problems,
    push,
    reference,
    reports,
    returns,
)
from .common import Unauthenticated, database
from .formats import InstantOrDay
from .problems import PROBLEM_JSON, handle_domain_error, problem

log = logging.getLogger("dutyservice.requests")
PUBLIC_PATHS = {"/api/v1/openapi.json", "/api/v1/docs"}
PUBLIC_PREFIXES = (docs.ASSETS_URL,)
# Outside the API's base path, but behind the same bearer tokens.
AUTHENTICATED_PATHS = {"/metrics"}
# The calendar feed is read by a phone with its own key (API.md), not a bearer token.
KEYED_PATH = re.compile(r"/api/v1/officers/\d+/calendar\.ics")
# The pages' own script turns notifications on with the page's session (API.md "Push to
# phones"): these paths take a session cookie where no bearer token is sent.
SESSION_PATH = re.compile(r"/api/v1/(push/key|officers/\d+/push-subscriptions(/\d+)?)")
BODY_METHODS = {"POST", "PUT", "PATCH"}
PAGES_PREFIX = "/app/"
MAX_URL_LENGTH = 8192  # characters of path and query string; longer answers 414


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error of the API has this shape and no other member."""

    class Meta:
        unknown = RAISE  # documented as closed: a member not listed here is a bug

    # Described here, not by the glossary: flask-smorest documents this schema before the
    # glossary is attached.
    type = fields.String(
        required=True,
        metadata={
            "description": "A URI for the kind of problem; `about:blank` when the status "
            "says it all."
        },
    )
    title = fields.String(
        required=True, metadata={"description": "A short summary of the kind of problem."}
    )
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(
        required=True,
        metadata={"description": "What went wrong with this request, in words for a person."},
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "Field errors: each field's name (dotted for nested members, e.g. "
            "`authorised_by.name`) and its messages."
        },
    )
    missing = fields.List(
        fields.String(),
        metadata={
            "description": "Only on the 422 of granting IPS: each requirement of the role "
            "profile not met on `granted_on`, e.g. `CD5`, `ost`."
        },
    )
    conflicting_duty_id = fields.Integer(
        metadata={
            "description": "Only on a 409 about another duty (an overlapping booking, actual "
            "times counted twice, a change of service that would leave a completed duty "
            "outside it): that duty's id."
        },
    )


class ProblemApi(Api):  # type: ignore[misc]  # flask-smorest ships no types
    """flask-smorest, with every error documented and served as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        problems.register(self._app)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def _spec_options(base_url: str) -> dict[str, Any]:
    """What the OpenAPI document says of the service as a whole."""
    return {
        "info": {
            "description": "Records of Special Constables' duties and Independent "
            "Patrol Status, and the quarterly NPoCC return."
        },
        # The service's public address: the paths begin with /api/v1 beneath it, so a
        # generated client is pointed at the base URL itself.
        "servers": [
            {
                "url": f"{base_url}/",
                "description": "this service (DUTYSERVICE_BASE_URL); paths begin /api/v1",
            }
        ],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


#: The resources of the OpenAPI document, in the order it lists them.
_DOCUMENTED = (
    reference,
    officers,
    duties,
    ips,
    learning,
    deployable,
    events,
    aid,
    reports,
    calendar,
    returns,
    audit,
    notifications,
    push,
)


def init_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="dutyservice",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=docs.ASSETS_URL,
        OPENAPI_SWAGGER_UI_CONFIG=docs.SWAGGER_UI_CONFIG,
        API_SPEC_OPTIONS=_spec_options(app.extensions["dutyservice"].settings.base_url),
    )
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [openapi.OperationsPlugin()]})
    api.ma_plugin.converter.add_attribute_function(openapi.describe_field)
    # `from`/`to` take an instant or a day: a string of either form, not format date-time.
    api.register_field(InstantOrDay, "string", None)
    for module in _DOCUMENTED:
        api.register_blueprint(module.blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(metrics.blp)
    # Every write request is one use case in one transaction; one that lost a race to another
    # at the same moment changed nothing, and is answered by running it again.
    for endpoint, view in app.view_functions.items():
        app.view_functions[endpoint] = cast("ft.RouteCallable", retry_lost_races(view))
    app.register_error_handler(Unauthenticated, _unauthenticated)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _unauthenticated(_error: Exception) -> Response:
    return problem(
        401,
        "Unauthorized",
        "a valid bearer token is needed",
        headers={"WWW-Authenticate": 'Bearer realm="dutyservice"'},
    )


def _start_request() -> Response | None:
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
    g.started = time.perf_counter()
    if len(request.full_path) > MAX_URL_LENGTH:
        return problem(414, "URI Too Long", f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any("\x00" in key + value for key, value in request.args.items(multi=True)):
        return problem(
            400,
            "Malformed query",
            "the query parameters are not valid",
            errors={"query": ["must not contain NUL characters"]},
        )
    if (
        request.method in BODY_METHODS
        and not request.path.startswith(PAGES_PREFIX)  # the pages post HTML forms
        and _has_body()
        and not request.is_json
    ):
        return problem(415, "Unsupported Media Type", "send the body as application/json")
    if request.method in BODY_METHODS and request.is_json and _has_body():
        refused = _hostile_body()
        if refused is not None:
            return refused
    if request.path in AUTHENTICATED_PATHS or (
        request.path.startswith("/api/v1/")
        and request.path not in PUBLIC_PATHS
        and not request.path.startswith(PUBLIC_PREFIXES)
        and not KEYED_PATH.fullmatch(request.path)
    ):
        try:
            g.principal = _caller()
        except InvalidToken as refusal:
            return _invalid_token(refusal)
        except DomainError as error:  # a JWT without a role or scope (403), no provider (503)
            return handle_domain_error(error)
        if g.principal is None:
            return _unauthenticated(Unauthenticated())
    return None


def _invalid_token(refusal: InvalidToken) -> Response:
    return problem(
        401,
        "Unauthorized",
        str(refusal),
        headers={"WWW-Authenticate": 'Bearer realm="dutyservice", error="invalid_token"'},
    )


def _hostile_body() -> Response | None:
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Malformed JSON", "the request body is not UTF-8")
    refused = guard.refusal(text)
    if refused is None:
        return None
    return problem(refused.status, refused.title, refused.detail, errors=refused.errors)


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def _caller() -> Principal | None:
    """The caller of an API token, or of a JWT from the force's identity provider."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if not scheme and SESSION_PATH.fullmatch(request.path):
        return _session_caller()
    if scheme.lower() != "bearer" or not secret:
        return None
    identity = current_app.extensions["dutyservice"].identity
    if identity is not None and looks_like_jwt(secret):
        return signed_in_principal(database(), identity, secret)
    return authenticate(database(), secret)


def _session_caller() -> Principal | None:
    """The person signed in to the pages; a change needs the page's form token in the
    `X-CSRF-Token` header, so that no other site can make it with their cookie."""
    from ..web import session as page_session

    caller = page_session.signed_in(database())
    if (
        caller is not None
        and request.method not in ("GET", "HEAD")
        and not page_session.csrf_accepted(request.headers.get("X-CSRF-Token", ""))
    ):
        raise Forbidden("the page's form token (X-CSRF-Token) is missing or has expired")
    return caller


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    caller = g.get("principal")
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    metrics.observe(request.method, response.status_code, seconds)
    rule = request.url_rule
    log.info(
        "request",
        extra={
            "request_id": g.get("request_id"),
            "client_ip": request.remote_addr,
            "who": who(caller),
            "role": caller.role.value if caller else None,
            "method": metrics.method_label(request.method),
            "route": metrics.route_template(rule.rule) if rule is not None else None,
            "status": response.status_code,
            "ms": round(seconds * 1000, 1),
        },
    )
    return response


def who(caller: Principal | None) -> dict[str, object] | None:
    """The caller as the logs name it: the token's id and label, or the identity provider's
    subject and name (API.md "Running it for a force")."""
    if caller is None:
        return None
    if caller.token_id is not None:
        return {"token_id": caller.token_id, "label": caller.label}
    return {"subject": caller.subject, "name": caller.name}
