"""Planners' pages: who is deployable in a window (table, chart, CSV), and a force's readiness."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import marshmallow as ma
from flask import Response, render_template, request
from sqlalchemy.orm import Session

from ..api.common import database
from ..api.deployable import DeployableQuery, deployable_question
from ..api.formats import Text
from ..api.problems import status_of
from ..clock import LONDON, london_today
from ..duties import queries as duty_queries
from ..duties.models import Officer
from ..errors import Invalid, NotFound
from ..forces.queries import force_by_code
from ..ips import learning_queries
from ..ips import queries as ips_queries
from ..ips.learning_rules import AREAS, STAGES, days_in
from ..ips.rules import IPS_PROFILE
from ..pagination import Page, PageRequest
from ..reports import queries as report_queries
from . import current_principal, error_page
from .blueprint import bp
from .charts import bar_chart
from .forms import FormResult, load, refused, submitted
from .national_picture import national_picture
from .queries import force_code, forces, visible_names
from .table_view import FAR_FUTURE, SORTS, TableView, applied, bases, table_view

PER_PAGE = 100
LAPSING_WITHIN_DAYS = 60  # API.md: officer safety training lapsing in the next 60 days
CSV_COLUMNS = ("officer_ref", "name", "force", "rank", "base_location", "ost_expires_on")


# What planners may ask officers to hold instead of IPS: a stage of the learning programme.
STAGE_OPTIONS = [(code, f"{title} ({code}) or above") for code, title in STAGES.items()]
AREA_OPTIONS = list(AREAS.items())


def _default_window() -> dict[str, str]:
    """Tomorrow night, 18:00 to 02:00 London time, as the form's starting values."""
    tomorrow = london_today() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(18), tzinfo=LONDON)
    ends = starts + timedelta(hours=8)
    return {"from": starts.strftime("%Y-%m-%dT%H:%M"), "to": ends.strftime("%Y-%m-%dT%H:%M")}


def _window_query() -> FormResult:
    values = submitted(
        request.args, ("from", "to", "force", "stage", "area", "page"), instants=("from", "to")
    )
    return load(DeployableQuery(), values, status=400)


@bp.get("/deployable")
def deployable() -> str | tuple[str, int]:
    """Who is deployable in the window: names for the caller's own force, references only
    across forces; counts by force as a chart; a CSV of the same rows."""
    principal = current_principal()
    asked = "from" in request.args or "to" in request.args
    form = request.args.to_dict() if asked else {**_default_window(), **request.args.to_dict()}
    with database().reading() as session:
        every_force = forces(session)
    force_names = {f.code: f.name for f in every_force}
    choices = [(f.code, f.name) for f in every_force] if principal.is_national else []
    if not asked:
        return _deployable_page(form, choices, FormResult())
    query = _window_query()
    if not query.ok:
        return _deployable_page(form, choices, query), query.status
    view = table_view(request.args)
    try:
        result, names, base_choices = _deployable(
            query.data, page=query.data["page"], per_page=PER_PAGE, view=view
        )
    except (Invalid, NotFound) as error:  # an empty or over-long window; an unknown force
        refusal = refused(error, status_of(error))
        return _deployable_page(form, choices, refusal), refusal.status
    national = None
    if principal.is_national and "force" not in query.data:
        with database().reading() as session:
            national = national_picture(session, result.by_force)
    return _deployable_page(
        form,
        choices,
        query,
        national=national,
        result=result,
        names=names,
        chart=bar_chart({force_names.get(k, k): v for k, v in result.by_force.items()}),
        force_names=force_names,
        csv_query=request.query_string.decode(),
        view=view,
        sorts=list(SORTS.items()),
        base_choices=base_choices,
    )


WINDOW_LABELS = {"from": "the start of the window", "to": "the end of the window"}


def _in_words(query: FormResult) -> str:
    said = query.in_words(WINDOW_LABELS).errors
    return " ".join(f"{WINDOW_LABELS.get(k, k).capitalize()}: {m[0]}." for k, m in said.items())


def _deployable_page(
    form: dict[str, str], choices: list[tuple[str, str]], query: FormResult, **shown: Any
) -> str:
    """The deployable page: the form as sent, the forces to choose from, and the query's
    refusal or, in `shown`, its result (none by default)."""
    return render_template(
        "web/deployable.html",
        form=form,
        query=query.in_words(WINDOW_LABELS),
        forces=choices,
        force_options=choices,
        stage_options=STAGE_OPTIONS,
        area_options=AREA_OPTIONS,
        **{"result": None, **shown},
    )


@bp.get("/deployable.csv")
def deployable_csv() -> Response | tuple[str, int]:
    """Every deployable officer of the window, as the page shows them, in CSV."""
    query = _window_query()
    if not query.ok:
        return error_page(400, "Window not understood", _in_words(query))
    view = table_view(request.args)
    result, names, _ = _deployable(query.data, page=1, per_page=None, view=view)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in result.page.items:
        writer.writerow(
            [
                item.officer_ref,
                spreadsheet_cell(names.get(item.officer_id, "")),
                item.force,
                item.rank,
                spreadsheet_cell(item.base_location),
                item.ost_expires_on.isoformat() if item.ost_expires_on else "",
            ]
        )
    day = query.data["from_"].astimezone(LONDON).date().isoformat()
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="deployable-{day}.csv"'},
    )


def _deployable(
    args: dict[str, Any], *, page: int, per_page: int | None, view: TableView
) -> tuple[ips_queries.Deployable, dict[int, str], list[tuple[str, str]]]:
    """The page of deployable officers, their names, and the bases to filter by; filtered
    or sorted, every row is read to choose the page from."""
    principal = current_principal()
    every_row = per_page is None or view.chosen
    with database().reading() as session:
        result = ips_queries.deployable(
            session,
            principal,
            **deployable_question(args),
            page=1 if every_row else page,
            per_page=2**31 if every_row else per_page or 2**31,
        )
        names = visible_names(session, principal, (i.officer_id for i in result.page.items))
    base_choices = bases(result.page.items, lambda i: i.base_location)
    if view.chosen:
        result = _viewed(result, names, view, page, per_page)
    return result, names, base_choices


def _viewed(
    result: ips_queries.Deployable,
    names: dict[int, str],
    view: TableView,
    page: int,
    per_page: int | None,
) -> ips_queries.Deployable:
    rows = applied(
        result.page.items,
        view,
        base_of=lambda i: i.base_location,
        ost_of=lambda i: i.ost_expires_on,
        keys={
            "officer": lambda i: (names.get(i.officer_id, "~"), i.officer_ref),
            "base": lambda i: (i.base_location, i.officer_ref),
            "ost": lambda i: (i.ost_expires_on or FAR_FUTURE, i.officer_ref),
            "force": lambda i: (i.force, i.officer_ref),
        },
    )
    size = per_page or len(rows) or 1
    shown = rows[(page - 1) * size : page * size]
    return replace(result, page=Page(shown, page, size, len(rows)))


def spreadsheet_cell(text: str) -> str:
    # A spreadsheet would run a cell that starts like a formula: show it as text instead.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ReadinessQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    force = Text(40)
    stage = ma.fields.String(validate=ma.validate.OneOf(list(STAGES)))
    area = ma.fields.String(validate=ma.validate.OneOf(list(AREAS)))


@bp.get("/readiness")
def readiness() -> str | tuple[str, int]:
    """A force's IPS holders, safety training lapsing within 60 days, what each serving officer
    still lacks for IPS, and where each stands in the learning programme (with ?stage=, who
    meets that stage today)."""
    principal = current_principal()
    query = load(ReadinessQuery(), submitted(request.args, ("force", "stage", "area")), status=400)
    if not query.ok:
        return error_page(400, "Force not understood", "Choose a force from the list.")
    force = query.data.get("force")
    with database().reading() as session:
        choices = [(f.code, f.name) for f in forces(session)] if principal.is_national else []
        if force is None and principal.force_id is not None:
            force = force_code(session, principal.force_id)
        if force is None:
            return render_template("web/readiness.html", force=None, forces=choices)
        lapsing = report_queries.expiring_training(session, principal, force, LAPSING_WITHIN_DAYS)
        today = london_today()
        officers, statuses = officer_statuses(session, force, today)
        view = table_view(request.args)
        serving = viewed_statuses(statuses, view)
        force_row = force_by_code(session, force)
        learning = _learning_view(
            session, [o for o, _ in serving], today, query.data, force_row.months_in_stage
        )
    return render_template(
        "web/readiness.html",
        force=force,
        force_row=force_row,
        forces=choices,
        today=today,
        holders=[(o, s) for o, s in serving if s.granted],
        lacking=[(o, s) for o, s in serving if not s.deployable],
        lapsing=lapsing,
        names={o.id: f"{o.forenames} {o.surname}" for o, _ in statuses},
        officers_total=officers.total,
        shown=len(officers.items),
        within_days=LAPSING_WITHIN_DAYS,
        stage_options=STAGE_OPTIONS,
        area_options=AREA_OPTIONS,
        asked=query.data,
        **learning,
        view=view,
        sorts=[(k, v) for k, v in SORTS.items() if k != "force"],
        base_choices=bases([o for o, _ in statuses], lambda o: o.base_location),
    )


def officer_statuses(
    session: Session, force: str, today: date
) -> tuple[Page[Officer], list[tuple[Officer, ips_queries.IpsStatus]]]:
    """The force's officers (the first 500) with their IPS status today."""
    principal = current_principal()
    officers = duty_queries.list_officers(
        session, principal, force=force, q=None, requested=PageRequest(1, 500)
    )
    statuses = ips_queries.ips_statuses(session, principal, officers.items, today, *IPS_PROFILE)
    return officers, list(zip(officers.items, statuses, strict=True))


def viewed_statuses(
    statuses: list[tuple[Officer, ips_queries.IpsStatus]], view: TableView
) -> list[tuple[Officer, ips_queries.IpsStatus]]:
    """The serving officers, filtered and sorted as the person chose."""
    return applied(
        [(o, s) for o, s in statuses if s.serving],
        view,
        base_of=lambda row: row[0].base_location,
        ost_of=lambda row: row[1].ost_expires_on,
        keys={
            "officer": lambda row: (row[0].surname, row[0].forenames, row[0].id),
            "base": lambda row: (row[0].base_location, row[0].surname, row[0].id),
            "ost": lambda row: (row[1].ost_expires_on or FAR_FUTURE, row[0].id),
        },
    )


def _learning_view(
    session: Session, officers: list[Officer], today: date, asked: dict[str, Any], months: int
) -> dict[str, Any]:
    """Readiness's part of the learning programme: each serving officer's stage, time in it and
    what the next needs; counts by stage; those at APS or DPS longer than the force sets; and,
    if a stage is asked for, who meets it today."""
    held = learning_queries.standings(session, officers, today)
    progress = learning_queries.progress(held, today, months)
    by_id = {officer.id: officer for officer in officers}
    meeting = None
    if "stage" in asked:
        requirement = ips_queries.stage_requirement(asked["stage"], asked.get("area"))
        meeting = learning_queries.meeting_stage(session, officers, requirement, today)
    return {
        "standings": [(o, held[o.id], days_in(held[o.id].since, today)) for o in officers],
        "by_stage": progress.by_stage,
        "too_long": [(by_id[i], held[i], days_in(held[i].since, today)) for i in progress.too_long],
        "months_in_stage": months,
        "meeting": meeting,
    }
