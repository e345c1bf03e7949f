"""`/app/`: a Special's own page, phone first: the next duty, this month's hours against the
minimum and *Book a duty*; duties to complete, coming duties, the months in words, IPS status
with what is missing, and a calendar link."""

from __future__ import annotations

import marshmallow as ma
from flask import render_template, request, url_for
from marshmallow import fields, validate
from sqlalchemy.orm import Session

from ..api.common import database
from ..api.duties import duty_hours
from ..api.formats import Id, Text
from ..auth.scope import Principal
from ..clock import london_today, utc_now
from ..duties import queries as duty_queries
from ..duties.models import Duty
from ..errors import Forbidden
from ..events.calendar import make_calendar_key
from ..ips import learning_queries
from ..ips import queries as ips_queries
from ..ips.rules import IPS_PROFILE
from ..pagination import Page, PageRequest
from ..privacy.reads import reads_shown_to, record_read
from . import current_principal, error_page, public_url, run
from .blueprint import bp
from .duty_pages import describe, officer_of_form
from .forms import load
from .hours import hours_text, month_line, still_needed

BOOKED_SHOWN = 200  # booked duties listed, oldest first; more are counted, not lost


class HomeQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    officer_id = Id(strict=False)
    year = fields.Integer(validate=validate.Range(1900, 2200))
    q = Text(100)


@bp.get("/")
def home() -> str | tuple[str, int]:
    """The signed-in Special's page; supervisors and admins choose an officer (?officer_id=)."""
    query = load(HomeQuery(), request.args.to_dict(), status=400)
    if not query.ok:
        return error_page(
            400, "That address is not right", "Go to your page from the menu and try again."
        )
    officer_id = query.data.get("officer_id") or current_principal().officer_id
    if officer_id is None:
        return _choose_officer(query.data.get("q"))
    return _render(officer_id, query.data.get("year"))


def _render(officer_id: int, year: int | None = None, *, calendar_url: str = "") -> str:
    """First the next duty, this month's hours and *Book a duty*; then the duties to complete
    (every booked duty that has ended, however old), the coming ones, and the months."""
    principal = current_principal()
    today = london_today()
    year = year or today.year
    with database().reading() as session:
        officer = duty_queries.load_officer(session, principal, officer_id)
        booked = _booked(session, principal, officer.id)
        months = learning_queries.officer_hours(session, principal, officer.id, year)
        this_month = learning_queries.officer_hours(session, principal, officer.id, today.year)
        ips = ips_queries.ips_status(session, principal, officer.id, today, *IPS_PROFILE)
        record_reads = reads_shown_to(session, principal, officer.id)
    record_read(database(), principal, officer.id, "officer")  # not the Special's own
    now = utc_now()
    coming = [d for d in booked.items if d.ends_at > now]
    current = this_month[today.month - 1]
    return render_template(
        "web/home.html",
        officer=officer,
        to_complete=[d for d in booked.items if d.ends_at <= now],
        coming=coming,
        next_duty=coming[0] if coming else None,
        more_booked=booked.total - len(booked.items),
        describe=describe,
        duty_hours=duty_hours,
        current=current,
        still_needed=hours_text(still_needed(current)),
        hours_text=hours_text,
        months=[
            month_line(m, officer.joined_on, today)
            for m in reversed(months)
            if m.month.first_day <= today
        ],
        year=year,
        ips=ips,
        calendar_url=calendar_url,
        is_own=officer.id == principal.officer_id,
        record_reads=record_reads,
        fetched_at=now,
    )


def _booked(session: Session, principal: Principal, officer_id: int) -> Page[Duty]:
    """The officer's booked duties, oldest first: those to complete, then those to come."""
    return duty_queries.list_duties(
        session,
        principal,
        officer_id=officer_id,
        force=None,
        starts_from=None,
        starts_before=None,
        status="booked",
        requested=PageRequest(1, BOOKED_SHOWN),
    )


def _choose_officer(q: str | None) -> str | tuple[str, int]:
    principal = current_principal()
    try:
        with database().reading() as session:
            officers = duty_queries.list_officers(
                session, principal, force=None, q=q, requested=PageRequest(1, 100)
            )
    except Forbidden:
        return render_template("web/choose_officer.html", officers=None, q=q or "")
    return render_template("web/choose_officer.html", officers=officers, q=q or "")


@bp.post("/calendar-key")
def calendar_key() -> str | tuple[str, int]:
    """A new calendar address for the officer's phone (the previous one stops working)."""
    officer_id = officer_of_form()
    if officer_id is None:
        return error_page(422, "Form not understood", "Go back to the page and try again.")
    key = run(make_calendar_key, officer_id)
    path = url_for("calendar.feed", officer_id=officer_id, key=key)
    url = public_url("calendar.feed", officer_id=officer_id, key=key) or path
    return _render(officer_id, calendar_url=url)
