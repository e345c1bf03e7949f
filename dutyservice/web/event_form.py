"""`/app/events/new`: supervisors, authorisers and admins of the host force set up an event or
a call-out, with every field of `POST /api/v1/events`, its times as London dates and times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from ..api.common import database
from ..api.events import EventCreateSchema
from ..api.problems import status_of
from ..auth.scope import Permission
from ..clock import LONDON, london_today
from ..errors import DomainError, Forbidden, NotFound
from ..events import service as event_service
from ..forces.queries import force_id_by_code
from ..ips.queries import list_role_profiles
from . import current_principal, error_page, run
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .queries import duty_type_codes, force_code, forces
from .wall_clock import NotAWallClock, london, parse_day, parse_time

OPEN_TO = (
    ("force", "Specials of my force"),
    ("region", "Specials of my region (mutual aid)"),
    ("national", "Specials nationally (mutual aid)"),
)
LABELS = {
    "force": "the host force",
    "title": "the title",
    "description": "the description",
    "location": "the location",
    "starts": "the start",
    "ends": "the end",
    "duty_type": "the duty type",
    "capacity": "the number of places",
    "deadline": "the sign-up deadline",
    "open_to": "who may sign up",
    "profile": "the role profile",
}
# The API's field names, as this form names them.
FIELD_OF = {
    "starts_at": "starts",
    "ends_at": "ends",
    "signup_deadline": "deadline",
    "mercury_ref": "profile",
    "version": "profile",
}
TEXTS = ("force", "title", "description", "location", "duty_type", "open_to")


def _may_create() -> None:
    if not current_principal().may(Permission.MANAGE_OFFICERS):
        raise Forbidden("this role may not set up events")


@bp.get("/events/new")
def new_event() -> str:
    """The form, filled in from `?from=&to=&force=` when a question about who is deployable
    leads to a call-out."""
    _may_create()
    return _event_page(FormResult(), _prefilled(request.args))


def _prefilled(args: Mapping[str, str]) -> dict[str, str]:
    """Tomorrow 18:00 to 23:00 by default, or the window of `?from=&to=` (London time)."""
    values: dict[str, str] = {"capacity": "10", "open_to": "force", "duty_type": "event"}
    starts = london(london_today() + timedelta(days=1), parse_time("18:00"))
    ends = starts + timedelta(hours=5)
    try:
        starts = _wall_clock(args.get("from", "")) or starts
        ends = _wall_clock(args.get("to", "")) or ends
    except NotAWallClock:
        pass  # a window the form cannot read is simply not filled in
    deadline = starts - timedelta(days=1)
    for name, at in (("starts", starts), ("ends", ends), ("deadline", deadline)):
        values |= _date_and_time(name, at)
    if args.get("force"):
        values["force"] = args["force"]
    return values


def _wall_clock(value: str) -> datetime | None:
    if not value:
        return None
    day, _, at = value.partition("T")
    year, month, date_of_month = ([*day.split("-"), "", "", ""])[:3]
    return london(parse_day(date_of_month, month, year), parse_time(at))


def _date_and_time(name: str, at: datetime) -> dict[str, str]:
    local = at.astimezone(LONDON)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}_time": local.strftime("%H:%M"),
    }


def _event_page(result: FormResult, form: Mapping[str, str]) -> str:
    principal = current_principal()
    with database().reading() as session:
        own = force_code(session, principal.force_id) if principal.force_id else None
        choices = [(f.code, f.name) for f in forces(session)]
        host = own or form.get("force") or ""
        type_force = next((f for f in choices if f[0] == host), None)
        profiles = [
            (f"{p.mercury_ref}:{p.version}", f"{p.mercury_ref} version {p.version}: {p.specialism}")
            for p in list_role_profiles(session)
        ]
        types = _duty_types(session, host) if type_force else ["admin", "event", "patrol"]
    return render_template(
        "web/event_new.html",
        result=result,
        form=form,
        own_force=own,
        own_force_name=dict(choices).get(own or "", ""),
        force_options=choices,
        duty_type_options=[(code, code.capitalize()) for code in types],
        profile_options=profiles,
        open_to=OPEN_TO,
        labels=LABELS,
    )


def _duty_types(session: Any, code: str) -> list[str]:
    return duty_type_codes(session, force_id_by_code(session, code))


@bp.post("/events/new")
def create_event() -> Response | tuple[str, int]:
    """Set the event up through the same service as `POST /api/v1/events`."""
    _may_create()
    values, errors = _read(request.form)
    result = FormResult(errors=errors, status=422)
    if not errors:
        result = load(EventCreateSchema(), values)
    if result.ok:
        try:
            event = run(event_service.create_event, result.data)
        except (Forbidden, NotFound) as error:
            return error_page(status_of(error), error.title, error.detail)
        except DomainError as error:
            result = refused(error, status_of(error))
        else:
            flash(f"Set up: {event.title}, {event.capacity} places.", "info")
            return redirect(url_for("web.events"), code=303)  # type: ignore[return-value]
    return _event_page(_in_words(result), request.form.to_dict()), result.status


def _read(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The API's body from the form, or plain messages by the form's fields."""
    values: dict[str, Any] = submitted(form, TEXTS)
    errors: dict[str, list[str]] = {}
    principal = current_principal()
    if not principal.is_national:
        values.pop("force", None)
        with database().reading() as session:
            values["force"] = force_code(session, principal.force_id or 0) or ""
    for name, key in (
        ("starts", "starts_at"),
        ("ends", "ends_at"),
        ("deadline", "signup_deadline"),
    ):
        try:
            values[key] = _instant(form, name).isoformat()
        except NotAWallClock as error:
            errors[name] = [str(error)]
    capacity = form.get("capacity", "").strip()
    values["capacity"] = int(capacity) if capacity.isdigit() and len(capacity) < 7 else capacity
    profile = form.get("profile", "")
    if profile:
        ref, _, version = profile.partition(":")
        if not (ref.isdigit() and version.isdigit()):
            errors["profile"] = ["Choose a role profile from the list"]
        else:
            values |= {"mercury_ref": int(ref), "version": int(version)}
    return values, errors


def _instant(form: Mapping[str, str], name: str) -> datetime:
    day = parse_day(*(form.get(f"{name}-{part}", "") for part in ("day", "month", "year")))
    return london(day, parse_time(form.get(f"{name}_time", "")))


def _in_words(result: FormResult) -> FormResult:
    errors: dict[str, list[str]] = {}
    for name, messages in result.errors.items():
        errors.setdefault(FIELD_OF.get(name, name), []).extend(messages)
    if "capacity" in errors:
        errors["capacity"] = ["Enter the number of places, a whole number from 1 to 10000"]
    if "deadline" in errors and any("after the event" in m for m in errors["deadline"]):
        errors["deadline"] = ["The sign-up deadline must be before the event starts"]
    refusal = "" if errors else result.refusal
    return FormResult(result.data, errors, refusal, result.status).in_words(LABELS)
