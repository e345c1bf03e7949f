"""What every view uses: the database, the caller, pagination, ETags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import current_app, g, request
from marshmallow import fields, validate

from .. import AppState
from ..auth.scope import Principal
from ..config import Settings
from ..db import Database
from ..pagination import MAX_PER_PAGE, Page, PageRequest
from ..privacy.reads import account_for_read

T = TypeVar("T")


class Unauthenticated(Exception):
    """No token, or one that is unknown, revoked or expired: all look the same to the caller."""


def database() -> Database:
    state: AppState = current_app.extensions["dutyservice"]
    return state.db


def settings() -> Settings:
    state: AppState = current_app.extensions["dutyservice"]
    return state.settings


def principal() -> Principal:
    caller: Principal | None = g.get("principal")
    if caller is None:  # every /api/v1 view is behind authentication; this is a safety net
        raise Unauthenticated()
    return caller


def read(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`query(session, caller, *args, **kwargs)` in one read-only transaction: what a view
    that only reads answers."""
    with database().reading() as session:
        return query(session, principal(), *args, **kwargs)


def read_about(what: str, query: Callable[..., T], officer_id: int, *args: Any) -> T:
    """`read` of one officer's records, with the entry that accounts for it in the trail
    (API.md "Data protection"), written in the same transaction as the read."""
    with database().transaction() as session:
        caller = principal()
        answer = query(session, caller, officer_id, *args)
        account_for_read(session, caller, officer_id, what)
        return answer


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True


class PageQuery(StrictSchema):
    class Meta:
        unknown = ma.EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PER_PAGE))


_body_schemas: dict[str, type[ma.Schema]] = {}


def _body_schema(name: str, members: dict[str, fields.Field[Any]]) -> type[ma.Schema]:
    """One schema class a name, however many views answer with it."""
    if name not in _body_schemas:
        _body_schemas[name] = type(name, (ma.Schema,), members)
    return _body_schemas[name]


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The list body of API.md: items, page, per_page, total."""
    return _body_schema(
        item_schema.__name__.removesuffix("Schema") + "PageSchema",
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def list_of(item_schema: type[ma.Schema], name: str = "") -> type[ma.Schema]:
    """The body of a whole list, not paged: items only. Named `<Item>ListSchema` unless `name`
    says otherwise."""
    name = name or item_schema.__name__.removesuffix("Schema") + "ListSchema"
    return _body_schema(name, {"items": fields.List(fields.Nested(item_schema))})


def page_requested(args: dict[str, Any]) -> PageRequest:
    """The page a list view's arguments (read through PageQuery) ask for."""
    return PageRequest(args["page"], args["per_page"])


def page_body(page: Page[Any], items: list[Any] | None = None) -> dict[str, Any]:
    return {
        "items": page.items if items is None else items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def listed(query: Callable[..., Page[Any]], args: dict[str, Any], **filters: str) -> dict[str, Any]:
    """A list view's answer: `query(session, principal, <filter>=args[<key>]…, page, per_page)`
    read in one transaction, each filter named by the query's keyword and the argument's key."""
    chosen = {keyword: args.get(key) for keyword, key in filters.items()}
    return page_body(read(query, **chosen, requested=page_requested(args)))


def if_match() -> int | None:
    """The version a client last read (`If-Match: "3"`), when it sent one.

    `If-Match: *` matches any current version (RFC 9110, 13.1.1), as if none were sent.
    """
    header = request.headers.get("If-Match")
    if not header:
        return None
    if header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        return -1  # never matches: answered as a stale version
    return int(tag)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
