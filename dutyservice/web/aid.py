"""`/app/aid`: the requests of the force's officers to join other forces' events, each with
*Release* and *Decline* (with a reason) and the officer's other duties that week; and
`/app/events/{id}`: one event, its sign-ups and their states."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from ..api.aid import DeclineSchema
from ..api.common import database
from ..auth.scope import Permission
from ..clock import utc_now
from ..errors import DomainError
from ..events import aid as aid_service
from ..events import queries as event_queries
from ..events.rules import SignupStatus
from . import current_principal, error_page
from .blueprint import bp
from .forms import FormResult, load, submitted
from .queries import aid_requests, visible_names

_SIGNUP = "<int(max=2147483647):event_id>/<int(max=2147483647):officer_id>"


@bp.get("/aid")
def aid() -> str | tuple[str, int]:
    """The requests awaiting the caller's force (all forces' for an admin)."""
    return _render_aid()


def _render_aid(
    declining: tuple[int, int] | None = None, result: FormResult | None = None
) -> str | tuple[str, int]:
    principal = current_principal()
    if not principal.may(Permission.RELEASE_AID):
        return error_page(403, "Not allowed", "this page is for supervisors and authorisers")
    with database().reading() as session:
        requests = aid_requests(session, principal)
        names = visible_names(session, principal, (r.signup.officer_id for r in requests))
    page = render_template(
        "web/aid.html",
        requests=requests,
        names=names,
        declining=declining,
        result=result or FormResult(),
    )
    return (page, result.status) if result is not None else page


@bp.post(f"/aid/{_SIGNUP}/release")
def release(event_id: int, officer_id: int) -> Response:
    """Release the officer: their duty on the event is booked."""
    try:
        aid_service.release(database(), current_principal(), event_id, officer_id)
    except DomainError as error:
        flash(f"Not released: {error.detail}", "error")
    else:
        flash("Released: the duty is booked and the officer told.", "info")
    return redirect(url_for("web.aid"), code=303)  # type: ignore[return-value]


@bp.post(f"/aid/{_SIGNUP}/decline")
def decline(event_id: int, officer_id: int) -> Response | str | tuple[str, int]:
    """Decline with a reason: the place and the officer's time are freed. A missing reason is
    shown beside its field; a refusal (not this caller's to answer, answered meanwhile) is
    flashed, as a release's is."""
    result = load(DeclineSchema(), submitted(request.form, ("reason",)))
    if not result.ok:
        return _render_aid((event_id, officer_id), result)
    try:
        aid_service.decline(
            database(), current_principal(), event_id, officer_id, result.data["reason"]
        )
    except DomainError as error:
        flash(f"Not declined: {error.detail}", "error")
    else:
        flash("Declined: the place is freed and the officer told.", "info")
    return redirect(url_for("web.aid"), code=303)  # type: ignore[return-value]


@bp.get("/events/<int(max=2147483647):event_id>")
def event(event_id: int) -> str | tuple[str, int]:
    """One event; for its host force (and admins), every sign-up with its state."""
    principal = current_principal()
    signups: list[Any] | None
    with database().reading() as session:
        view = event_queries.get_event(session, principal, event_id)
        try:
            signups = event_queries.signups(session, principal, event_id, list(SignupStatus))
        except DomainError:
            signups = None  # not the host force: who signed up is not this caller's to see
        names = visible_names(session, principal, (s.officer_id for s in signups or []))
    return render_template("web/event.html", view=view, signups=signups, names=names, now=utc_now())
