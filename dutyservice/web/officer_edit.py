"""`/app/officers/{id}/edit`: supervisors and authorisers correct an officer's record, as
`PATCH /api/v1/officers/{id}` with `If-Match` would (a record changed meanwhile is refused)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from ..api.common import database
from ..api.officers import OfficerPatchSchema
from ..api.problems import status_of
from ..auth.scope import Permission, authorise_officer
from ..duties import queries as duty_queries
from ..duties import service as duty_service
from ..duties.models import Officer
from ..duties.rules import RANKS
from ..errors import DomainError, Forbidden, NotFound
from ..ips import serving
from . import current_principal, error_page, run
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .officer_pages import OFFICER
from .wall_clock import NotAWallClock, parse_day

FIELDS = ("warrant_number", "surname", "forenames", "rank", "base_location")
LABELS = {
    "warrant_number": "the warrant number",
    "surname": "the surname",
    "forenames": "the forenames",
    "rank": "the rank",
    "base_location": "the base",
    "joined_on": "the date joined",
}


def _officer_to_edit(officer_id: int) -> Officer:
    principal = current_principal()
    with database().reading() as session:
        officer = duty_queries.load_officer(session, principal, officer_id)
        authorise_officer(
            principal, Permission.MANAGE_OFFICERS, force_id=officer.force_id, officer_id=officer.id
        )
        session.expunge(officer)
        return officer


def _as_form(officer: Officer) -> dict[str, str]:
    joined = officer.joined_on
    return {name: str(getattr(officer, name)) for name in FIELDS} | {
        "joined_on-day": str(joined.day),
        "joined_on-month": str(joined.month),
        "joined_on-year": str(joined.year),
        "version": str(officer.version),
    }


@bp.get(f"/officers/{OFFICER}/edit")
def edit_officer_form(officer_id: int) -> str:
    """The record's fields, as they stand, to correct."""
    officer = _officer_to_edit(officer_id)
    return _edit_page(officer, FormResult(), _as_form(officer))


def _edit_page(officer: Officer, result: FormResult, form: Mapping[str, str]) -> str:
    return render_template(
        "web/officer_edit.html",
        officer=officer,
        result=result,
        form=form,
        rank_options=[(rank, rank) for rank in RANKS],
    )


@bp.post(f"/officers/{OFFICER}/edit")
def edit_officer(officer_id: int) -> Response | tuple[str, int]:
    """Only the fields changed are sent, with the version the form was opened at."""
    officer = _officer_to_edit(officer_id)
    result = _changes(officer, request.form)
    if result.ok and result.data:
        version = request.form.get("version", "")
        try:
            opened_at = int(version) if version.isdigit() and len(version) < 10 else None
            run(serving.update_officer, officer_id, duty_service.Edit(result.data, opened_at))
        except (Forbidden, NotFound) as error:
            return error_page(status_of(error), error.title, error.detail)
        except DomainError as error:
            result = refused(error, status_of(error))
            if status_of(error) == 409:
                result.refusal = "Someone changed this record after you opened it: reload it"
    if result.ok:
        flash("Record saved." if result.data else "Nothing was changed.", "info")
        return redirect(url_for("web.officer", officer_id=officer_id), code=303)  # type: ignore[return-value]
    return _edit_page(officer, result.in_words(LABELS), request.form.to_dict()), result.status


def _changes(officer: Officer, form: Mapping[str, str]) -> FormResult:
    values: dict[str, Any] = submitted(form, FIELDS)
    parts = [form.get(f"joined_on-{p}", "") for p in ("day", "month", "year")]
    try:
        values["joined_on"] = parse_day(*parts).isoformat()
    except NotAWallClock as error:
        return FormResult(errors={"joined_on": [str(error)]}, status=422)
    emptied = {name: [f"Enter {LABELS[name]}"] for name in FIELDS if name not in values}
    if emptied:
        return FormResult(errors=emptied, status=422)
    current = _as_form(officer) | {"joined_on": officer.joined_on.isoformat()}
    changed = {k: v for k, v in values.items() if v != current.get(k)}
    return load(OfficerPatchSchema(), changed)
