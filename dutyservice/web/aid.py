"""`/app/aid`: the requests of the force's officers to join other forces' events, each with
*Release* and *Decline* (with a reason) and the officer's other duties that week; and
`/app/events/{id}`: one event, its sign-ups and their states."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..api.aid import DeclineSchema
from ..api.common import database
from ..auth.scope import Permission
from ..clock import utc_now
from ..duties.queries import load_officer
from ..errors import DomainError
from ..events import aid as aid_service
from ..events import queries as event_queries
from ..events.models import EventSignup
from ..events.rules import SignupStatus
from . import current_principal, error_page, run
from .blueprint import bp
from .forms import FormResult, load, submitted
from .queries import aid_requests, forces, visible_names

_SIGNUP = "<int(max=2147483647):event_id>/<int(max=2147483647):officer_id>"


@bp.get("/aid")
def aid() -> str | tuple[str, int]:
    """The requests awaiting the caller's force (all forces' for an admin)."""
    return _render_aid()


def _render_aid() -> str | tuple[str, int]:
    principal = current_principal()
    if not principal.may(Permission.RELEASE_AID):
        return error_page(403, "Not allowed", "This page is for supervisors and authorisers.")
    with database().reading() as session:
        requests = aid_requests(session, principal)
        names = visible_names(session, principal, (r.signup.officer_id for r in requests))
    return render_template("web/aid.html", requests=requests, names=names)


@bp.get(f"/aid/{_SIGNUP}/decline")
def decline_form(event_id: int, officer_id: int) -> str | tuple[str, int]:
    """Declining is a page of its own: the reason the officer is told."""
    return _decline_page(event_id, officer_id, FormResult(), {})


def _decline_page(
    event_id: int, officer_id: int, result: FormResult, form: dict[str, str]
) -> str | tuple[str, int]:
    principal = current_principal()
    with database().reading() as session:
        load_officer(session, principal, officer_id, Permission.RELEASE_AID)
        view = event_queries.get_event(session, principal, event_id)
        names = visible_names(session, principal, [officer_id])
    page = render_template(
        "web/aid_decline.html",
        event=view.event,
        officer_id=officer_id,
        who=names.get(officer_id, "the officer"),
        result=result,
        form=form,
    )
    return (page, result.status) if result.errors or result.refusal else page


@bp.post(f"/aid/{_SIGNUP}/release")
def release(event_id: int, officer_id: int) -> Response:
    """Release the officer: their duty on the event is booked."""
    try:
        run(aid_service.release, event_id, officer_id)
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
        result.errors = {"reason": ["Say why your force cannot release them"]}
        return _decline_page(event_id, officer_id, result, request.form.to_dict())
    try:
        run(aid_service.decline, event_id, officer_id, result.data["reason"])
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
        force_names = {f.code: f.name for f in forces(session)}
        officer_id = principal.officer_id
        mine = _own_signup(session, event_id, officer_id)
    return render_template(
        "web/event.html",
        view=view,
        signups=signups,
        names=names,
        force_names=force_names,
        officer_id=officer_id,
        own_status=mine.status if mine is not None else None,
        now=utc_now(),
    )


def _own_signup(session: Session, event_id: int, officer_id: int | None) -> EventSignup | None:
    """The signed-in Special's latest sign-up to the event, if any: what they are told of it."""
    if officer_id is None:
        return None
    return session.scalars(
        select(EventSignup)
        .where(EventSignup.event_id == event_id, EventSignup.officer_id == officer_id)
        .order_by(EventSignup.id.desc())
        .limit(1)
    ).first()
