"""`/app/returns`: every force's NPoCC return for a quarter; admins send one again."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for

from ..api.common import database
from ..api.returns import ReturnQuery
from ..auth.scope import Permission, Principal
from ..clock import Quarter, london_today
from ..db import retry_lost_races
from ..errors import DomainError
from ..npocc import delivery
from ..npocc import queries as return_queries
from ..pagination import PageRequest
from . import current_principal
from .blueprint import bp
from .forms import load, submitted
from .queries import ForceChoice, forces

PER_PAGE = 100


@bp.get("/returns")
def returns() -> str | tuple[str, int]:
    """The quarter's returns (default: the last full quarter): revision, rows, status,
    delivery attempts and the last error."""
    principal = current_principal()
    last_quarter = str(Quarter.of(london_today()).previous())
    values = {"quarter": last_quarter, **submitted(request.args, ("quarter", "page"))}
    query = load(ReturnQuery(), values, status=400)
    if not query.ok:
        page = render_template(
            "web/returns.html",
            quarter=values["quarter"],
            query=query.in_words({"quarter": "the quarter"}),
            records=None,
        )
        return page, query.status
    with database().reading() as session:
        records = return_queries.list_returns(
            session,
            principal,
            quarter=query.data["quarter"],
            force=None,
            requested=PageRequest(query.data["page"], PER_PAGE),
        )
    return render_template(
        "web/returns.html",
        quarter=query.data["quarter"],
        query=query,
        records=records,
        may_make=principal.may(Permission.MAKE_RETURNS),
        may_send=principal.may(Permission.SEND_RETURNS),
        force_options=[(f.code, f.name) for f in forces_of(principal)],
    )


def forces_of(principal: Principal) -> list[ForceChoice]:
    """The forces NPoCC or an admin may make a return for, by name (none for others)."""
    if not principal.may(Permission.MAKE_RETURNS):
        return []
    with database().reading() as session:
        return forces(session)


@bp.post("/returns/<int(max=2147483647):return_pk>/send")
def send_again(return_pk: int) -> Response:
    """Send one return again now (admins)."""
    settings = current_app.extensions["dutyservice"].settings
    quarter = request.form.get("quarter", "")
    try:
        record = retry_lost_races(delivery.send_again)(
            database(), settings, current_principal(), return_pk
        )
    except DomainError as error:
        flash(f"Not sent: {error.detail}", "error")
    else:
        quarter = record.quarter
        flash(f"{record.return_id}: {record.status}.", "info")
    target = url_for("web.returns", quarter=quarter) if quarter else url_for("web.returns")
    return redirect(target, code=303)  # type: ignore[return-value]
