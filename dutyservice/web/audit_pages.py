"""`/app/audit`: admins search the audit trail by officer, resource, person and dates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template, request

from ..api.audit import AuditQuery, trail_asked
from ..api.common import database
from ..audit import AuditEntry
from ..auth.scope import Permission, require
from ..duties.queries import any_contains
from ..errors import DomainError
from ..pagination import PageRequest, paginate
from . import current_principal
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .queries import forces
from .wall_clock import NotAWallClock, parse_day

PER_PAGE = 50
FILTERS = ("officer_id", "force", "resource_type", "resource_id", "page")
LABELS = {
    "officer_id": "the officer's id",
    "resource_id": "the resource's id",
    "resource_type": "the kind of record",
    "from": "the first day",
    "to": "the last day",
    "force": "the force",
}


@bp.get("/audit")
def audit_trail() -> str | tuple[str, int]:
    """Every write the service has taken, newest last, filtered as asked, 50 a page."""
    require(current_principal(), Permission.READ_AUDIT)
    form = request.args.to_dict()
    query = _query(form)
    entries = None
    if query.ok:
        try:
            entries = _entries(query.data, form.get("person", "").strip()[:200])
        except DomainError as error:
            query = refused(error, 404)
    with database().reading() as session:
        choices = [(f.code, f.name) for f in forces(session)]
    page = render_template(
        "web/audit.html",
        query=query.in_words(LABELS),
        form=form,
        entries=entries,
        force_options=choices,
        force_names=dict(choices),
    )
    return (page, query.status) if not query.ok else page


def _query(form: Mapping[str, str]) -> FormResult:
    values: dict[str, Any] = submitted(form, FILTERS)
    errors: dict[str, list[str]] = {}
    for name in ("from", "to"):
        parts = [form.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")]
        if not any(parts):
            continue
        try:
            values[name] = parse_day(*parts).isoformat()
        except NotAWallClock as error:
            errors[name] = [str(error)]
    if errors:
        return FormResult(errors=errors, status=400)
    return load(AuditQuery(), values | {"per_page": PER_PAGE}, status=400)


def _entries(args: dict[str, Any], person: str) -> Any:
    with database().reading() as session:
        query = trail_asked(session, args)
        if person:
            query = query.where(
                any_contains(person, AuditEntry.subject_name, AuditEntry.subject, AuditEntry.role)
            )
        found = paginate(session, query, PageRequest(args["page"], PER_PAGE))
        session.expunge_all()
        return found
