"""`/app/readiness.csv?force=`: every serving officer's IPS today, as the readiness page shows
them (filtered and sorted the same way), for a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask import Response, request

from ..api.common import database
from ..auth.scope import Permission, require
from ..clock import london_today
from ..errors import Invalid
from . import current_principal
from .blueprint import bp
from .forms import load, submitted
from .planning import ReadinessQuery, officer_statuses, spreadsheet_cell, viewed_statuses
from .queries import force_code
from .table_view import table_view

COLUMNS = (
    "warrant_number",
    "name",
    "base_location",
    "ips_granted_on",
    "deployable_today",
    "missing",
    "ost_expires_on",
)


@bp.get("/readiness.csv")
def readiness_csv() -> Response:
    """Every serving officer of the force with their IPS today and what they still lack."""
    principal = current_principal()
    require(principal, Permission.READ_REPORTS)
    query = load(ReadinessQuery(), submitted(request.args, ("force",)), status=400)
    force = query.data.get("force") if query.ok else None
    today = london_today()
    with database().reading() as session:
        if force is None and principal.force_id is not None:
            force = force_code(session, principal.force_id)
        if force is None:
            raise Invalid("choose a force", errors={"force": ["Choose a force from the list"]})
        _, statuses = officer_statuses(session, force, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for officer, status in viewed_statuses(statuses, table_view(request.args)):
        writer.writerow(
            [
                spreadsheet_cell(officer.warrant_number),
                spreadsheet_cell(f"{officer.forenames} {officer.surname}"),
                spreadsheet_cell(officer.base_location),
                status.granted_on.isoformat() if status.granted_on else "",
                "yes" if status.deployable else "no",
                " ".join(status.missing),
                status.ost_expires_on.isoformat() if status.ost_expires_on else "",
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="readiness-{force}-{today}.csv"'},
    )
