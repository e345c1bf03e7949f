"""Booking, cancelling and completing a duty from the pages: a short form of its own for each,
with a GOV.UK error summary in plain words when the service refuses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from ..api.common import database
from ..api.duties import CompleteSchema, DutyCreateSchema, duty_hours
from ..api.problems import status_of
from ..auth.scope import Permission, authorise_officer
from ..clock import LONDON, london_today
from ..duties import queries as duty_queries
from ..duties import service as duty_service
from ..duties.models import Duty, Officer
from ..errors import Conflict, DomainError, Forbidden, NotFound
from . import current_principal, error_page, run
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .queries import duty_type_codes
from .wall_clock import NotAWallClock, parse_day, parse_time, span, span_words

LABELS = {
    "date": "the date of the duty",
    "start_time": "the start time",
    "end_time": "the end time",
    "duty_type": "the duty type",
    "location": "the location",
    "notes": "the notes",
    "officer_id": "the officer",
}
# Where the service's own field names are shown on the form.
FIELD_OF = {"starts_at": "date", "ends_at": "end_time", "actual_starts_at": "date"}
FIELD_OF |= {"actual_ends_at": "end_time"}


def officer_of_form() -> int | None:
    value = submitted(request.values, ("officer_id",), ids=("officer_id",)).get("officer_id")
    return value if isinstance(value, int) else None


def home_of(officer_id: int | None) -> str:
    if officer_id is None or officer_id == current_principal().officer_id:
        return url_for("web.home")
    return url_for("web.home", officer_id=officer_id)


def read_span(form: Mapping[str, str]) -> tuple[tuple[datetime, datetime] | None, dict[str, Any]]:
    """The London date, start and end time a form gives, or plain messages by field."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    readers: dict[str, Callable[[], date | time]] = {
        "date": lambda: parse_day(*(form.get(f"date-{p}", "") for p in ("day", "month", "year"))),
        "start_time": lambda: parse_time(form.get("start_time", "")),
        "end_time": lambda: parse_time(form.get("end_time", "")),
    }
    for name, read in readers.items():
        try:
            parsed[name] = read()
        except NotAWallClock as error:
            errors[name] = [str(error)]
    if errors:
        return None, errors
    return span(parsed["date"], parsed["start_time"], parsed["end_time"]), {}


def in_words(result: FormResult, conflict_duty: Duty | None = None) -> FormResult:
    """A refusal said on the form: the service's fields mapped to the form's, the clash named."""
    errors: dict[str, list[str]] = {}
    for name, messages in result.errors.items():
        errors.setdefault(FIELD_OF.get(name, name), []).extend(messages)
    refusal = result.refusal
    if conflict_duty is not None:
        errors = {"date": [f"You already have a duty then: {describe(conflict_duty)}"]}
        refusal = ""
    elif errors:
        refusal = ""
    return FormResult(result.data, errors, refusal, result.status).in_words(LABELS)


def describe(duty: Duty) -> str:
    return f"{duty.duty_type.code}, {span_words(duty.starts_at, duty.ends_at)}"


def officer_to_book(session: Session, officer_id: int) -> Officer:
    """The officer, if the caller may book their duties (else 404 or 403, as the API says)."""
    principal = current_principal()
    officer = duty_queries.load_officer(session, principal, officer_id)
    authorise_officer(
        principal, Permission.BOOK_DUTIES, force_id=officer.force_id, officer_id=officer.id
    )
    return officer


def _clash(error: DomainError) -> Duty | None:
    duty_id = error.extra.get("conflicting_duty_id")
    if not isinstance(error, Conflict) or not isinstance(duty_id, int):
        return None
    with database().reading() as session:
        duty = session.get(Duty, duty_id)
        if duty is not None:
            session.expunge(duty)  # keeps its loaded duty type for the message
        return duty


@bp.get("/duties/new")
def book_form() -> str:
    """The booking form (for a Special, their own; for a supervisor, ?officer_id=)."""
    return _booking_page(officer_of_form() or current_principal().officer_id, FormResult(), {})


def _booking_page(officer_id: int | None, result: FormResult, form: Mapping[str, str]) -> str:
    if officer_id is None:
        raise NotFound("no officer with that id")
    with database().reading() as session:
        officer = officer_to_book(session, officer_id)
        types = duty_type_codes(session, officer.force_id)
        name = f"{officer.forenames} {officer.surname}"
    day = london_today() + timedelta(days=1)  # the date a booking most often wants
    defaults = {"date-day": str(day.day), "date-month": str(day.month), "date-year": str(day.year)}
    return render_template(
        "web/book.html",
        officer_id=officer_id,
        officer_name=name,
        is_own=officer_id == current_principal().officer_id,
        duty_type_options=[(code, code.capitalize()) for code in types],
        result=result,
        form={**defaults, "duty_type": "patrol", **form},
        labels=LABELS,
    )


@bp.post("/duties")
def book() -> Response | tuple[str, int]:
    """Book a duty (the service's rules: overlap, 24 hours, duty type, serving)."""
    officer_id = officer_of_form()
    if officer_id is None:
        return error_page(422, "Form not understood", "Go back to the page and try again.")
    times, errors = read_span(request.form)
    values = submitted(request.form, ("officer_id", "duty_type", "location", "notes"))
    result = FormResult(errors=errors, status=422)
    if times is not None:
        values |= {"officer_id": officer_id, "starts_at": times[0], "ends_at": times[1]}
        result = load(DutyCreateSchema(), {k: _text(v) for k, v in values.items()})
    if result.ok:
        try:
            duty = run(duty_service.book_duty, duty_service.DutyBooking(**result.data))
        except (Forbidden, NotFound) as error:
            return error_page(status_of(error), error.title, error.detail)
        except DomainError as error:
            result = in_words(refused(error, status_of(error)), _clash(error))
        else:
            flash(f"Booked: {describe(duty)} ({duty_hours(duty):g} hours).", "info")
            return redirect(home_of(officer_id), code=303)  # type: ignore[return-value]
    page = _booking_page(officer_id, in_words(result), request.form.to_dict())
    return page, result.status


def _text(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


@bp.get("/duties/<int(max=2147483647):duty_id>/cancel")
def cancel_confirm(duty_id: int) -> str:
    """Are you sure? Cancelling is one button on a page of its own."""
    return _duty_page("web/cancel.html", duty_id, Permission.BOOK_DUTIES)


def _duty_page(template: str, duty_id: int, permission: Permission, **shown: Any) -> str:
    with database().reading() as session:
        duty = duty_service.load_duty(session, current_principal(), duty_id, permission)
        return render_template(
            template,
            duty=duty,
            when=span_words(duty.starts_at, duty.ends_at),
            back=home_of(duty.officer_id),
            labels=LABELS,
            **{**shown, "form": shown.get("form") or booked_form(duty)},
        )


@bp.post("/duties/<int(max=2147483647):duty_id>/cancel")
def cancel(duty_id: int) -> Response:
    """Cancel a booked duty."""
    try:
        duty = run(duty_service.cancel_duty, duty_id)
    except DomainError as error:
        flash(f"Not cancelled: {error.detail}", "error")
    else:
        flash(f"Cancelled the {duty.duty_type.code} duty.", "info")
    return redirect(home_of(officer_of_form()), code=303)  # type: ignore[return-value]


@bp.get("/duties/<int(max=2147483647):duty_id>/complete")
def complete_form(duty_id: int) -> str:
    """The duty's actual times, filled in with the booked ones, to record it as done."""
    return _complete_page(duty_id, FormResult(), None)


def _complete_page(duty_id: int, result: FormResult, form: Mapping[str, str] | None) -> str:
    return _duty_page(
        "web/complete.html", duty_id, Permission.BOOK_DUTIES, result=result, form=form
    )


def booked_form(duty: Duty) -> dict[str, str]:
    """The completion form filled in with the duty's booked times."""
    starts, ends = (t.astimezone(LONDON) for t in (duty.starts_at, duty.ends_at))
    return {
        "date-day": str(starts.day),
        "date-month": str(starts.month),
        "date-year": str(starts.year),
        "start_time": starts.strftime("%H:%M"),
        "end_time": ends.strftime("%H:%M"),
    }


@bp.post("/duties/<int(max=2147483647):duty_id>/complete")
def complete(duty_id: int) -> Response | tuple[str, int]:
    """Record a duty as done, with its actual times (none given: the booked times)."""
    given = any(request.form.get(n) for n in ("date-day", "start_time", "end_time"))
    times, errors = read_span(request.form) if given else (None, {})
    result = FormResult(errors=errors, status=422)
    if not errors:
        values = {"actual_starts_at": times[0], "actual_ends_at": times[1]} if times else {}
        result = load(CompleteSchema(), {k: _text(v) for k, v in values.items()})
    if result.ok:
        try:
            duty = run(
                duty_service.complete_duty,
                duty_id,
                result.data.get("actual_starts_at"),
                result.data.get("actual_ends_at"),
            )
        except (Forbidden, NotFound) as error:
            return error_page(status_of(error), error.title, error.detail)
        except DomainError as error:
            result = in_words(refused(error, status_of(error)))
        else:
            flash(f"Completed: {duty_hours(duty):g} hours.", "info")
            return redirect(home_of(duty.officer_id), code=303)  # type: ignore[return-value]
    return _complete_page(duty_id, in_words(result), request.form.to_dict()), result.status
