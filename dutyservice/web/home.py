"""`/app/`: a Special's own page. Coming duties (book, cancel, complete), hours by month against
the force minimum, IPS status with what is missing, and a calendar link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import marshmallow as ma
from flask import Response, flash, redirect, render_template, request, url_for
from marshmallow import fields, validate

from ..api.common import database
from ..api.duties import CompleteSchema, DutyCreateSchema, duty_hours
from ..api.formats import Id, Text
from ..clock import london_today, utc_now
from ..duties import queries as duty_queries
from ..duties import service as duty_service
from ..duties.calendar import make_calendar_key
from ..errors import DomainError, Forbidden
from ..ips import queries as ips_queries
from ..ips.rules import IPS_PROFILE
from . import current_principal, error_page, public_url, status_of
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .queries import duty_type_codes

RECENT = timedelta(days=14)  # booked duties this far back are still shown, to be completed
BOOKING_FIELDS = ("officer_id", "starts_at", "ends_at", "duty_type", "location", "notes")


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
        return error_page(400, "Malformed query", _messages(query))
    officer_id = query.data.get("officer_id") or current_principal().officer_id
    if officer_id is None:
        return _choose_officer(query.data.get("q"))
    return _render(officer_id, query.data.get("year"))


def _render(
    officer_id: int,
    year: int | None = None,
    *,
    booking: FormResult | None = None,
    form: dict[str, str] | None = None,
    calendar_url: str = "",
) -> str:
    principal = current_principal()
    year = year or london_today().year
    with database().reading() as session:
        officer = duty_queries.load_officer(session, principal, officer_id)
        duties = duty_queries.list_duties(
            session,
            principal,
            officer_id=officer.id,
            force=None,
            starts_from=utc_now() - RECENT,
            starts_before=None,
            status="booked",
            page=1,
            per_page=100,
        )
        months = duty_queries.officer_hours(session, principal, officer.id, year)
        ips = ips_queries.ips_status(session, principal, officer.id, london_today(), *IPS_PROFILE)
        duty_types = duty_type_codes(session, officer.force_id)
    return render_template(
        "web/home.html",
        officer=officer,
        duties=duties.items,
        duty_hours=duty_hours,
        months=months,
        year=year,
        ips=ips,
        duty_type_options=[(code, code.capitalize()) for code in duty_types],
        booking=booking or FormResult(),
        form=form or {},
        calendar_url=calendar_url,
        now=utc_now(),
        is_own=officer.id == principal.officer_id,
    )


def _choose_officer(q: str | None) -> str | tuple[str, int]:
    principal = current_principal()
    try:
        with database().reading() as session:
            officers = duty_queries.list_officers(
                session, principal, force=None, q=q, page=1, per_page=100
            )
    except Forbidden:
        return render_template("web/choose_officer.html", officers=None, q=q or "")
    return render_template("web/choose_officer.html", officers=officers, q=q or "")


def _home_of(officer_id: int | None) -> str:
    if officer_id is None or officer_id == current_principal().officer_id:
        return url_for("web.home")
    return url_for("web.home", officer_id=officer_id)


def _messages(result: FormResult) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in result.errors.items())


@bp.post("/duties")
def book() -> Response | tuple[str, int]:
    """Book a duty (the API's rules and messages: overlap, 24 hours, duty type)."""
    values = submitted(
        request.form, BOOKING_FIELDS, instants=("starts_at", "ends_at"), ids=("officer_id",)
    )
    officer_id = values.get("officer_id")
    if not isinstance(officer_id, int):
        return error_page(422, "Unprocessable request", "the form names no officer")
    result = load(DutyCreateSchema(), values)
    if result.ok:
        try:
            duty = duty_service.book_duty(
                database(), current_principal(), duty_service.DutyBooking(**result.data)
            )
        except DomainError as error:
            result = refused(error, status_of(error))
        else:
            flash(f"Booked: {duty.duty_type.code}, {duty_hours(duty):.2f} hours.", "info")
            return redirect(_home_of(officer_id), code=303)  # type: ignore[return-value]
    page = _render(officer_id, booking=result, form=request.form.to_dict())
    return page, result.status


@bp.post("/duties/<int(max=2147483647):duty_id>/cancel")
def cancel(duty_id: int) -> Response:
    """Cancel a booked duty."""
    try:
        duty = duty_service.cancel_duty(database(), current_principal(), duty_id)
    except DomainError as error:
        flash(f"Not cancelled: {error.detail}", "error")
    else:
        flash(f"Cancelled the {duty.duty_type.code} duty.", "info")
    return redirect(_home_of(_form_officer()), code=303)  # type: ignore[return-value]


@bp.post("/duties/<int(max=2147483647):duty_id>/complete")
def complete(duty_id: int) -> Response:
    """Record a duty as done, with its actual times (blank: the booked times)."""
    values = submitted(
        request.form,
        ("actual_starts_at", "actual_ends_at"),
        instants=("actual_starts_at", "actual_ends_at"),
    )
    result = load(CompleteSchema(), values)
    if result.ok:
        try:
            duty = duty_service.complete_duty(
                database(),
                current_principal(),
                duty_id,
                result.data.get("actual_starts_at"),
                result.data.get("actual_ends_at"),
            )
        except DomainError as error:
            result = refused(error, status_of(error))
        else:
            flash(f"Completed: {duty_hours(duty):.2f} hours.", "info")
    if not result.ok:
        flash(f"Not completed: {_reason(result)}", "error")
    return redirect(_home_of(_form_officer()), code=303)  # type: ignore[return-value]


@bp.post("/calendar-key")
def calendar_key() -> str | tuple[str, int]:
    """A new calendar address for the officer's phone (the previous one stops working)."""
    officer_id = _form_officer()
    if officer_id is None:
        return error_page(422, "Unprocessable request", "the form names no officer")
    key = make_calendar_key(database(), current_principal(), officer_id)
    path = url_for("calendar.feed", officer_id=officer_id, key=key)
    url = public_url("calendar.feed", officer_id=officer_id, key=key) or path
    return _render(officer_id, calendar_url=url)


def _form_officer() -> int | None:
    value = submitted(request.form, ("officer_id",), ids=("officer_id",)).get("officer_id")
    return value if isinstance(value, int) else None


def _reason(result: FormResult) -> str:
    parts: list[Any] = [result.refusal] if result.refusal else []
    parts += [f"{name.replace('_', ' ')} {' '.join(m)}" for name, m in result.errors.items()]
    return "; ".join(parts)
