"""`/app/officers`: find an officer by name, warrant number or base, and their record: duties,
hours, IPS with the evidence behind it, training, grants and the audit trail about them.
Supervisors record units and training there; authorisers grant and withdraw IPS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

import marshmallow as ma
from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..api.common import database
from ..api.ips import (
    CompetencyCreateSchema,
    GrantCreateSchema,
    TrainingCreateSchema,
    WithdrawSchema,
)
from ..api.problems import status_of
from ..auth.scope import Permission, authorise_officer
from ..clock import london_today, utc_now
from ..duties import queries as duty_queries
from ..errors import DomainError, Forbidden, NotFound
from ..forces.models import Force
from ..ips import queries as ips_queries
from ..ips import service as ips_service
from ..ips.rules import IPS_PROFILE
from ..pagination import PageRequest
from ..privacy.reads import record_read
from . import current_principal, error_page, run
from .blueprint import bp
from .forms import FormResult, load, refused, submitted
from .hours import month_line
from .queries import forces
from .wall_clock import NotAWallClock, parse_day

PER_PAGE = 50
TRAIL_SHOWN = 50
AVAILABILITY_DAYS = 28
OFFICER = "<int(max=2147483647):officer_id>"
LABELS = {
    "unit": "the unit",
    "attained_on": "the date attained",
    "assessed_by": "who assessed it",
    "evidence_ref": "the evidence reference",
    "completed_on": "the date completed",
    "granted_on": "the date granted",
    "name": "the authoriser's name",
    "rank": "the authoriser's rank",
    "position": "the authoriser's position",
    "withdrawn_on": "the date withdrawn",
    "reason": "the reason",
}


@bp.get("/officers")
def officers() -> str:
    """Officers the caller may read, found by name, warrant number or base; forces by name."""
    principal = current_principal()
    q = request.args.get("q", "").strip()[:100]
    force = request.args.get("force", "").strip()[:40] or None
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < len(page) < 6 and int(page) > 0 else 1
    with database().reading() as session:
        choices = [(f.code, f.name) for f in forces(session)]
        found = duty_queries.list_officers(
            session, principal, force=force, q=q or None, requested=PageRequest(number, PER_PAGE)
        )
        names = {row.id: row.name for row in session.execute(select(Force.id, Force.name))}
        rows = [(o, names[o.force_id]) for o in found.items]
    return render_template(
        "web/officers.html",
        q=q,
        force=force or "",
        force_options=choices if principal.is_national else [],
        found=found,
        rows=rows,
    )


@bp.get(f"/officers/{OFFICER}")
def officer(officer_id: int) -> str:
    """The officer's record; the look is accounted for in the trail (API.md "Data
    protection"), after the page was allowed and made."""
    page = _record_page(officer_id, FormResult(), {})
    record_read(database(), current_principal(), officer_id, "officer")
    return page


def _record_page(officer_id: int, result: FormResult, form: Mapping[str, str]) -> str:
    principal = current_principal()
    with database().reading() as session:
        return render_template(
            "web/officer.html",
            result=result,
            form=form,
            labels=LABELS,
            may_manage=principal.may(Permission.MANAGE_OFFICERS),
            may_grant=principal.may(Permission.GRANT_IPS),
            **_record(session, officer_id),
        )


def _record(session: Session, officer_id: int) -> dict[str, Any]:
    """What the record shows, each read through the service the API's call uses."""
    principal = current_principal()
    today, now = london_today(), utc_now()
    person = duty_queries.load_officer(session, principal, officer_id)
    duties = duty_queries.list_duties(
        session,
        principal,
        officer_id=officer_id,
        force=None,
        starts_from=now - timedelta(days=92),
        starts_before=None,
        status=None,
        requested=PageRequest(1, 200),
    ).items
    months = duty_queries.officer_hours(session, principal, officer_id, today.year)
    trail = ips_queries.history(session, principal, officer_id, PageRequest(1, 10_000)).items
    return {
        "officer": person,
        "force_name": person.force.name,
        "status": ips_queries.ips_status(session, principal, officer_id, today, *IPS_PROFILE),
        "units": ips_queries.competencies(session, principal, officer_id),
        "training": ips_queries.training(session, principal, officer_id),
        "grants": ips_queries.ips_grants(session, principal, officer_id),
        "coming": [d for d in duties if d.ends_at > now],
        "past": [d for d in duties if d.ends_at <= now][::-1],
        "months": [month_line(m, person.joined_on, today) for m in months],
        "availability": duty_queries.availability(
            session, principal, officer_id, now, now + timedelta(days=AVAILABILITY_DAYS)
        ),
        "trail": trail[::-1][:TRAIL_SHOWN],
        "unit_options": [(u.code, f"{u.code}: {u.title}") for u in ips_queries.list_units(session)],
    }


def _day(form: Mapping[str, str], name: str) -> str:
    """A date typed in three boxes, as the API's YYYY-MM-DD (or what was typed, to refuse)."""
    parts = [form.get(f"{name}-{p}", "") for p in ("day", "month", "year")]
    try:
        return parse_day(*parts).isoformat()
    except NotAWallClock as error:
        raise _Unreadable(name, str(error)) from None


class _Unreadable(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _act(
    officer_id: int,
    schema: ma.Schema,
    read: Callable[[Mapping[str, str]], dict[str, Any]],
    change: Callable[[dict[str, Any]], object],
    done: str,
    page: Callable[[int, FormResult, Mapping[str, str]], str],
) -> Response | tuple[str, int]:
    """Load the form through the API's schema, make the change through the API's service; on a
    refusal, the same page again with the error summary."""
    try:
        result = load(schema, read(request.form))
    except _Unreadable as error:
        result = FormResult(errors={error.name: [error.message]}, status=422)
    if result.ok:
        try:
            change(result.data)
        except (Forbidden, NotFound) as error:
            return error_page(status_of(error), error.title, error.detail)
        except DomainError as error:
            result = refused(error, status_of(error))
        else:
            flash(done, "info")
            target = url_for("web.officer", officer_id=officer_id)
            return redirect(target, code=303)  # type: ignore[return-value]
    shown = _in_words(result)
    return page(officer_id, shown, request.form.to_dict()), result.status


def _in_words(result: FormResult) -> FormResult:
    errors = {
        name.removeprefix("authorised_by."): [
            f"The role profile is not met on that day: still {m}" if m.startswith("missing") else m
            for m in messages
        ]
        for name, messages in result.errors.items()
    }
    refusal = "" if errors else result.refusal
    return FormResult(result.data, errors, refusal, result.status).in_words(LABELS)


@bp.post(f"/officers/{OFFICER}/competencies")
def record_unit(officer_id: int) -> Response | tuple[str, int]:
    """Record a National Occupational Standard unit attained (supervisors)."""

    def read(form: Mapping[str, str]) -> dict[str, Any]:
        values = submitted(form, ("unit", "assessed_by", "evidence_ref"))
        return values | {"attained_on": _day(form, "attained_on")}

    def change(data: dict[str, Any]) -> object:
        return run(ips_service.record_competency, officer_id, **data)

    return _act(officer_id, CompetencyCreateSchema(), read, change, "Unit recorded.", _record_page)


@bp.post(f"/officers/{OFFICER}/training")
def record_training(officer_id: int) -> Response | tuple[str, int]:
    """Record officer safety training; it expires by the force's policy (supervisors)."""

    def read(form: Mapping[str, str]) -> dict[str, Any]:
        return {"kind": "ost", "completed_on": _day(form, "completed_on")}

    def change(data: dict[str, Any]) -> object:
        return run(ips_service.record_training, officer_id, expires_on=None, **data)

    return _act(
        officer_id, TrainingCreateSchema(), read, change, "Training recorded.", _record_page
    )


@bp.get(f"/officers/{OFFICER}/ips/grant")
def grant_form(officer_id: int) -> str:
    """Grant IPS: the officer named, the evidence and what is missing, then the form."""
    return _ips_page("web/ips_grant.html", officer_id, FormResult(), {})


@bp.get(f"/officers/{OFFICER}/ips/withdraw")
def withdraw_form(officer_id: int) -> str:
    """Withdraw IPS: the officer named, the grant in force, then the form."""
    return _ips_page("web/ips_withdraw.html", officer_id, FormResult(), {})


def _ips_page(template: str, officer_id: int, result: FormResult, form: Mapping[str, str]) -> str:
    principal = current_principal()
    today = london_today()
    with database().reading() as session:
        person = duty_queries.load_officer(session, principal, officer_id)
        authorise_officer(
            principal, Permission.GRANT_IPS, force_id=person.force_id, officer_id=person.id
        )
        return render_template(
            template,
            officer=person,
            status=ips_queries.ips_status(session, principal, officer_id, today, *IPS_PROFILE),
            units=list(ips_queries.competencies(session, principal, officer_id)),
            training=ips_queries.training(session, principal, officer_id),
            result=result,
            form={**_today_boxes(today), **form},
            labels=LABELS,
        )


def _today_boxes(today: date) -> dict[str, str]:
    return {
        f"{name}-{part}": str(getattr(today, attr))
        for name in ("granted_on", "withdrawn_on")
        for part, attr in (("day", "day"), ("month", "month"), ("year", "year"))
    }


@bp.post(f"/officers/{OFFICER}/ips")
def grant_ips(officer_id: int) -> Response | tuple[str, int]:
    """Grant IPS (authorisers); refused with what is missing on the day."""

    def read(form: Mapping[str, str]) -> dict[str, Any]:
        who = submitted(form, ("name", "rank", "position"))
        return {"granted_on": _day(form, "granted_on"), "authorised_by": who}

    def change(data: dict[str, Any]) -> object:
        return run(
            ips_service.grant_ips,
            officer_id,
            granted_on=data["granted_on"],
            authorised_by=ips_service.Authorisation(**data["authorised_by"]),
        )

    def page(officer_id: int, result: FormResult, form: Mapping[str, str]) -> str:
        return _ips_page("web/ips_grant.html", officer_id, result, form)

    return _act(officer_id, GrantCreateSchema(), read, change, "IPS granted.", page)


@bp.post(f"/officers/{OFFICER}/ips/withdraw")
def withdraw_ips(officer_id: int) -> Response | tuple[str, int]:
    """Withdraw the IPS grant in force (authorisers)."""

    def read(form: Mapping[str, str]) -> dict[str, Any]:
        return submitted(form, ("reason",)) | {"withdrawn_on": _day(form, "withdrawn_on")}

    def change(data: dict[str, Any]) -> object:
        return run(ips_service.withdraw_ips, officer_id, **data)

    def page(officer_id: int, result: FormResult, form: Mapping[str, str]) -> str:
        return _ips_page("web/ips_withdraw.html", officer_id, result, form)

    return _act(officer_id, WithdrawSchema(), read, change, "IPS withdrawn.", page)
