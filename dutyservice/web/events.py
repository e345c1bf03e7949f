"""`/app/events`: events with places left; sign up or withdraw; the host sees who signed up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from ..api.common import database
from ..api.events import SignupCreateSchema
from ..auth.scope import Principal
from ..clock import utc_now
from ..db import Database
from ..errors import DomainError
from ..events import queries as event_queries
from ..events import service as event_service
from ..events.models import EventSignup
from ..events.rules import SignupStatus
from ..pagination import PageRequest
from . import current_principal, error_page, run
from .blueprint import bp
from .duty_pages import officer_to_book
from .forms import load, submitted
from .queries import forces, signed_up_event_ids, visible_names

PER_PAGE = 100


@bp.get("/events")
def events() -> str | tuple[str, int]:
    """Coming events the caller may see. With an officer (a Special's own, or ?officer_id= for
    a supervisor), sign up or withdraw; the host force sees who signed up."""
    principal = current_principal()
    chosen = submitted(request.args, ("officer_id",), ids=("officer_id",)).get("officer_id")
    if chosen is not None and not isinstance(chosen, int):
        return error_page(404, "Page not found", "That officer is not one of this service's.")
    officer_id = chosen or principal.officer_id
    with database().reading() as session:
        listed = event_queries.list_events(
            session,
            principal,
            force=None,
            starts_from=utc_now(),
            starts_before=None,
            open_for_officer=None,
            requested=PageRequest(1, PER_PAGE),
        )
        joined = signed_up_event_ids(session, principal, officer_id) if officer_id else set()
        signups: dict[int, list[Any]] = {}
        for view in listed.items:
            try:
                signups[view.event.id] = event_queries.signups(session, principal, view.event.id)
            except DomainError:
                continue  # not the host force: who signed up is not this caller's to see
        names = visible_names(
            session, principal, (s.officer_id for rows in signups.values() for s in rows)
        )
        force_names = {f.code: f.name for f in forces(session)}
    return render_template(
        "web/events.html",
        events=listed.items,
        officer_id=officer_id,
        joined=joined,
        signups=signups,
        names=names,
        force_names=force_names,
        now=utc_now(),
    )


def _back(officer_id: int | None) -> Response:
    if officer_id is None or officer_id == current_principal().officer_id:
        target = url_for("web.events")
    else:
        target = url_for("web.events", officer_id=officer_id)
    return redirect(target, code=303)  # type: ignore[return-value]


def _change_signup(
    event_id: int,
    change: Callable[[Database, Principal, int, int], object],
    refused: str,
    done: Callable[[Any], str],
) -> Response:
    """`change(db, principal, event_id, officer_id)` for the officer the form names; flashed
    `done(what it returned)`, or `refused` with why."""
    result = load(
        SignupCreateSchema(), submitted(request.form, ("officer_id",), ids=("officer_id",))
    )
    officer_id: int = result.data.get("officer_id", 0)
    if not result.ok:
        flash(f"{refused}: " + "; ".join(" ".join(m) for m in result.errors.values()), "error")
        return _back(None)
    try:
        made = run(change, event_id, officer_id)
    except DomainError as error:
        flash(f"{refused}: {error.detail}", "error")
    else:
        flash(done(made), "info")
    return _back(officer_id)


@bp.post("/events/<int(max=2147483647):event_id>/sign-up")
def sign_up(event_id: int) -> Response:
    """Sign the officer up: books a duty over the event (full, closed, overlap: refused)."""
    return _change_signup(event_id, event_service.sign_up, "Not signed up", _signed_up)


def _signed_up(signup: EventSignup) -> str:
    if signup.status is SignupStatus.REQUESTED:
        return "Signed up: your place is held until your force releases you."
    return "Signed up: the duty is booked."


@bp.get("/events/<int(max=2147483647):event_id>/withdraw")
def withdraw_confirm(event_id: int) -> str | tuple[str, int]:
    """Are you sure? Withdrawing is one button on a page of its own."""
    principal = current_principal()
    chosen = submitted(request.args, ("officer_id",), ids=("officer_id",)).get("officer_id")
    officer_id = chosen if isinstance(chosen, int) else principal.officer_id
    if officer_id is None:
        return error_page(404, "Page not found", "Choose the officer from the events page.")
    with database().reading() as session:
        officer_to_book(session, officer_id)
        event = event_queries.get_event(session, principal, event_id).event
        return render_template("web/withdraw.html", event=event, officer_id=officer_id)


@bp.post("/events/<int(max=2147483647):event_id>/withdraw")
def withdraw(event_id: int) -> Response:
    """Withdraw before the deadline: the linked duty is cancelled."""
    return _change_signup(
        event_id,
        event_service.withdraw,
        "Not withdrawn",
        lambda _: "Withdrawn: the duty is cancelled.",
    )
