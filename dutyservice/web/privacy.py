"""Data protection on the pages: the privacy notice and the accessibility statement, readable
without signing in; a Special's copy of everything held about them (API.md "Data protection")."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import Response, current_app, render_template, request

from ..api.common import database
from ..api.formats import Id
from ..privacy.rules import DEFAULT_RETENTION_YEARS
from ..privacy.subject_access import export_officer_data
from . import current_principal, error_page
from .blueprint import bp
from .forms import load


@bp.get("/privacy")
def privacy() -> str:
    """What is held about an officer, why, for how long, and how to ask for a copy."""
    settings = current_app.extensions["dutyservice"].settings
    return render_template(
        "web/privacy.html",
        retention_years=settings.retention_years or DEFAULT_RETENTION_YEARS,
        contact=settings.privacy_contact,
    )


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement: the target, how the pages are tested, the known gaps."""
    return render_template("web/accessibility.html")


class ExportQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    officer_id = Id(strict=False)


@bp.get("/my-data.json")
def my_data() -> Response | tuple[str, int]:
    """A download of everything held about the officer: their own, or (admins) any officer's."""
    query = load(ExportQuery(), request.args.to_dict(), status=400)
    if not query.ok:
        return error_page(400, "Page not found", "That address names no officer.")
    principal = current_principal()
    officer_id = query.data.get("officer_id") or principal.officer_id
    if officer_id is None:
        return error_page(404, "Page not found", "Your sign-in is not an officer's.")
    document = export_officer_data(database(), principal, officer_id)
    body = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)
    filename = f"dutyservice-officer-{officer_id}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
