"""One error shape for every failure: RFC 9457 application/problem+json.

Nothing internal (SQL, class names, stack traces) is ever put in a problem.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unavailable

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

#: The HTTP status of each kind of refusal: the API's problems and the pages' answers alike.
STATUS_OF = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422, Unavailable: 503}
_KEPT_HEADERS = {"allow", "www-authenticate", "retry-after"}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages → {"windows.0.starts_at": ["..."]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = "body" if key == "_schema" and not prefix else str(key)
            flat.update(flatten_messages(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}"))
        return flat
    return {prefix or "body": [str(messages)]}


def status_of(error: DomainError) -> int:
    return next(code for kind, code in STATUS_OF.items() if isinstance(error, kind))


def handle_domain_error(error: DomainError) -> Response:
    status = status_of(error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Unavailable) else None
    return problem(
        status, error.title, error.detail, errors=error.errors, headers=headers, **error.extra
    )


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() in _KEPT_HEADERS}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    if status == 400 and "json" in messages:
        return problem(400, "Malformed JSON", "the request body is not valid JSON", headers=headers)
    if status == 422 and messages:
        errors: dict[str, list[str]] = {}
        for location_messages in messages.values():
            errors.update(flatten_messages(location_messages))
        if set(messages) <= {"query", "view_args"}:
            # API.md: a malformed query is 400; 422 is kept for well-formed but invalid bodies.
            return problem(
                400,
                "Malformed query",
                "the query parameters are not valid",
                errors=errors,
                headers=headers,
            )
        return problem(
            422,
            "Unprocessable request",
            "the request body is not valid",
            errors=errors,
            headers=headers,
        )
    detail = data.get("message") or error.description or error.name
    if status >= 500:
        detail = "the service could not answer this request"
    return problem(status, error.name, str(detail), headers=headers)


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if isinstance(error, IntegrityError):
        return problem(409, "Conflict", "the change conflicts with stored records")
    if isinstance(error, DataError):
        return problem(
            422, "Unprocessable request", "a value is out of the range the service keeps"
        )
    log.exception("unhandled error")
    return problem(500, "Internal Server Error", "the service could not answer this request")


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
