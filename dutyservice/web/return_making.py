"""`/app/returns`: NPoCC and admins make the quarter's returns and download each return's CSV
and manifest, the same bytes as the API serves."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, request, url_for

from ..api.common import database
from ..api.returns import MakeReturnSchema, return_file
from ..auth.scope import Permission, require
from ..clock import Quarter
from ..errors import DomainError
from ..npocc import queries as return_queries
from ..npocc import service as return_service
from ..npocc.models import NpoccReturn
from . import current_principal
from .blueprint import bp
from .forms import load, submitted


@bp.post("/returns")
def make_returns() -> Response:
    """Make the quarter's return for every force, or for the one chosen (NPoCC and admins)."""
    require(current_principal(), Permission.MAKE_RETURNS)
    asked = submitted(request.form, ("quarter", "force"))
    result = load(MakeReturnSchema(), asked)
    quarter = str(asked.get("quarter", ""))
    if not result.ok:
        flash("Not made: enter a quarter such as 2026-Q3.", "error")
        return _back(quarter)
    settings = current_app.extensions["dutyservice"].settings
    try:
        made = return_service.make_quarter_returns(
            database(), settings, Quarter.parse(result.data["quarter"]), result.data.get("force")
        )
    except DomainError as error:
        flash(f"Not made: {error.detail}", "error")
        return _back(quarter)
    new = sum(1 for g in made if g.created)
    unchanged = len(made) - new
    flash(f"{quarter}: {new} new return{'' if new == 1 else 's'}, {unchanged} unchanged.", "info")
    return _back(quarter)


def _back(quarter: str) -> Response:
    target = url_for("web.returns", quarter=quarter) if quarter else url_for("web.returns")
    return redirect(target, code=303)  # type: ignore[return-value]


def _record(return_pk: int) -> NpoccReturn:
    with database().reading() as session:
        record = return_queries.load_return(session, current_principal(), return_pk)
        session.expunge(record)
        return record


@bp.get("/returns/<int(max=2147483647):return_pk>/feed.csv")
def return_csv(return_pk: int) -> Response:
    """The return's CSV, exactly as written and delivered."""
    return _download(return_file(_record(return_pk).csv_filename, "text/csv"))


@bp.get("/returns/<int(max=2147483647):return_pk>/manifest.json")
def return_manifest(return_pk: int) -> Response:
    """The return's manifest, exactly as written and delivered."""
    return _download(return_file(_record(return_pk).manifest_filename, "application/json"))


def _download(answer: Response) -> Response:
    disposition = answer.headers["Content-Disposition"].replace("inline", "attachment", 1)
    answer.headers["Content-Disposition"] = disposition
    return answer
