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
from . import current_principal, error_page
from .blueprint import bp
from .forms import load, submitted
from .queries import signed_up_event_ids, visible_names

PER_PAGE = 100


@bp.get("/events")
def events() -> str | tuple[str, int]:
    """Coming events the caller may see. With an officer (a Special's own, or ?officer_id= for
    a supervisor), sign up or withdraw; the host force sees who signed up."""
    principal = current_principal()
    chosen = submitted(request.args, ("officer_id",), ids=("officer_id",)).get("officer_id")
    if chosen is not None and not isinstance(chosen, int):
        return error_page(400, "Malformed query", "officer_id: Not a valid integer.")
    officer_id = chosen or principal.officer_id
    with database().reading() as session:
        listed = event_queries.list_events(
            session,
            principal,
            force=None,
            starts_from=utc_now(),
            starts_before=None,
            open_for_officer=None,
            page=1,
            per_page=PER_PAGE,
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
    return render_template(
        "web/events.html",
        events=listed.items,
        officer_id=officer_id,
        joined=joined,
        signups=signups,
        names=names,
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
        made = change(database(), current_principal(), event_id, officer_id)
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


@bp.post("/events/<int(max=2147483647):event_id>/withdraw")
def withdraw(event_id: int) -> Response:
    """Withdraw before the deadline: the linked duty is cancelled."""
    return _change_signup(
        event_id,
        event_service.withdraw,
        "Not withdrawn",
        lambda _: "Withdrawn: the duty is cancelled.",
    )
