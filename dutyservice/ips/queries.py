"""Reads: role profiles, an officer's IPS evidence and status, history, deployable resource."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import (
    CTE,
    BigInteger,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..audit import AuditEntry, is_write
from ..auth.scope import Permission, Principal, authorise_officer, readable_force_id, require
from ..clock import london_days_spanned
from ..db import UTCDateTime, bytewise
from ..duties.models import Officer
from ..duties.queries import load_officer
from ..duties.rules import LONGEST_DUTY
from ..errors import Invalid
from ..forces.models import Force
from ..forces.queries import force_id_by_code
from ..lookups import lookups
from ..pagination import Page, PageRequest, paginate
from . import eligibility
from .learning_rules import StageRequirement, requirement_problem
from .models import CompetencyRecord, IpsGrant, NosUnit, RoleProfile, TrainingRecord
from .rules import (
    OST,
    OfficerEvidence,
    ProfileRequirements,
    Span,
    grant_in_force,
    ips_granted_throughout,
    latest_ost_expiry,
    missing_requirements,
    serving_throughout,
    training_span,
)

LONGEST_DEPLOYABLE_WINDOW = timedelta(days=366)
#: A page as long as any answer (the planning page's CSV reads every row).
EVERY_ROW = 2**31
R = TypeVar("R", CompetencyRecord, TrainingRecord, IpsGrant)
#: The deployable statement's row: an officer of the page (id, reference, force code, rank,
#: base, OST expiry, the row's number in the answer) or a force's count (no id, the force code,
#: the rows before the force's first, the count).
DeployableRows = CompoundSelect[
    int | None, str | None, str, str | None, str | None, date | None, int, int | None
]


def requirements_of(profile: RoleProfile) -> ProfileRequirements:
    return ProfileRequirements(
        profile.mercury_ref,
        profile.version,
        tuple(profile.required_units),
        profile.requires_current_ost,
    )


def role_profile(session: Session, mercury_ref: int, version: int) -> ProfileRequirements:
    """A version of a role profile never changes: a change is a new version."""
    return _role_profile_entry(session, mercury_ref, version)[1]


def role_profile_id(session: Session, mercury_ref: int, version: int) -> int:
    """The id of the role profile a client named (422 when there is none)."""
    return _role_profile_entry(session, mercury_ref, version)[0]


def _role_profile_entry(
    session: Session, mercury_ref: int, version: int
) -> tuple[int, ProfileRequirements]:
    def load() -> tuple[int, ProfileRequirements]:
        row = role_profile_row(session, mercury_ref, version)
        return row.id, requirements_of(row)

    return lookups(session).get(("role_profile", mercury_ref, version), load)


def find_role_profile(session: Session, mercury_ref: int, version: int) -> RoleProfile | None:
    return session.scalar(
        select(RoleProfile).where(
            RoleProfile.mercury_ref == mercury_ref, RoleProfile.version == version
        )
    )


def role_profile_row(session: Session, mercury_ref: int, version: int) -> RoleProfile:
    """The role profile a client named; an unknown one is the client's mistake (422)."""
    profile = find_role_profile(session, mercury_ref, version)
    if profile is None:
        raise Invalid(
            "unknown role profile",
            errors={"mercury_ref": [f"no role profile {mercury_ref} version {version}"]},
        )
    return profile


def list_role_profiles(session: Session) -> list[RoleProfile]:
    return list(
        session.scalars(select(RoleProfile).order_by(RoleProfile.mercury_ref, RoleProfile.version))
    )


def list_units(session: Session) -> list[NosUnit]:
    return list(session.scalars(select(NosUnit).order_by(NosUnit.code)))


@dataclass(frozen=True)
class _Records:
    """What the IPS rules read of one officer, and the grants and training behind it."""

    evidence: OfficerEvidence
    grants: list[IpsGrant]
    ost: list[TrainingRecord]


def _records_of(session: Session, officers: Sequence[Officer]) -> dict[int, _Records]:
    """Three statements, however many officers (a force's readiness is hundreds)."""
    ids = [officer.id for officer in officers]
    units: dict[int, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for record in session.scalars(
        select(CompetencyRecord).where(CompetencyRecord.officer_id.in_(ids))
    ):
        units[record.officer_id][record.unit_code].append(
            Span(record.attained_on, record.revoked_on)
        )
    ost: dict[int, list[TrainingRecord]] = defaultdict(list)
    for training in session.scalars(
        select(TrainingRecord).where(TrainingRecord.officer_id.in_(ids), TrainingRecord.kind == OST)
    ):
        ost[training.officer_id].append(training)
    grants: dict[int, list[IpsGrant]] = defaultdict(list)
    for grant in session.scalars(select(IpsGrant).where(IpsGrant.officer_id.in_(ids))):
        grants[grant.officer_id].append(grant)
    return {
        officer.id: _Records(
            OfficerEvidence(
                officer.joined_on,
                officer.left_on,
                dict(units[officer.id]),
                [training_span(t.completed_on, t.expires_on) for t in ost[officer.id]],
                [Span(g.granted_on, g.withdrawn_on) for g in grants[officer.id]],
            ),
            grants[officer.id],
            ost[officer.id],
        )
        for officer in officers
    }


def evidence_of(session: Session, officers: Sequence[Officer]) -> dict[int, OfficerEvidence]:
    """What the IPS rules read of each officer, by id: one statement for any number."""
    ids = {"ids": [officer.id for officer in officers]}
    return evidence_from(officers, session.connection().execute(_EVIDENCE, ids))


class Serving(Protocol):
    """An officer's row, or the columns of it the IPS rules read."""

    @property
    def id(self) -> int: ...
    @property
    def joined_on(self) -> date: ...
    @property
    def left_on(self) -> date | None: ...


class OfficerRow(Serving, Protocol):
    """An officer's row, or the columns of it a stored span of eligibility is written with."""

    @property
    def force_id(self) -> int: ...


def evidence_from(
    officers: Sequence[Serving], rows: Iterable[Sequence[Any]]
) -> dict[int, OfficerEvidence]:
    """Each officer's evidence, by id, from rows of `evidence_selects` (kind, officer, unit,
    start, end, and any columns after)."""
    units: dict[int, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    ost: dict[int, list[Span]] = defaultdict(list)
    grants: dict[int, list[Span]] = defaultdict(list)
    for kind, officer_id, unit, start, end, *_ in rows:
        if kind == "unit":
            units[officer_id][unit].append(Span(start, end))
        elif kind == OST:
            ost[officer_id].append(training_span(start, end))
        else:
            grants[officer_id].append(Span(start, end))
    return {
        o.id: OfficerEvidence(o.joined_on, o.left_on, dict(units[o.id]), ost[o.id], grants[o.id])
        for o in officers
    }


def evidence_selects(ids: BindParameter[Any]) -> tuple[Select[Any, Any, Any, Any, Any], ...]:
    """Units held, safety training and grants of the officers `ids`, each as (kind, officer,
    unit, start, end): the records every IPS rule reads."""
    unit, training, grant = CompetencyRecord, TrainingRecord, IpsGrant
    return (
        select(
            kind_of("unit"), unit.officer_id, unit.unit_code, unit.attained_on, unit.revoked_on
        ).where(unit.officer_id.in_(ids)),
        select(
            training.kind, training.officer_id, null(), training.completed_on, training.expires_on
        ).where(training.officer_id.in_(ids), training.kind == OST),
        select(
            kind_of("grant"), grant.officer_id, null(), grant.granted_on, grant.withdrawn_on
        ).where(grant.officer_id.in_(ids)),
    )


def kind_of(name: str) -> ColumnElement[str]:
    """A row's kind in a union of several tables' rows."""
    return literal_column(f"'{name}'")


def officer_ids() -> BindParameter[Any]:
    """The officers a statement reads, as one expanding parameter `ids`."""
    return bindparam("ids", type_=Integer(), expanding=True)


_EVIDENCE = union_all(*evidence_selects(officer_ids()))


def evidence_for(session: Session, officer: Officer) -> OfficerEvidence:
    return evidence_of(session, [officer])[officer.id]


@dataclass(frozen=True)
class IpsStatus:
    officer_id: int
    on: date
    mercury_ref: int
    version: int
    serving: bool
    granted: bool
    granted_on: date | None
    authorised_by: str | None
    deployable: bool
    missing: list[str]
    ost_expires_on: date | None


def ips_status(
    session: Session,
    principal: Principal,
    officer_id: int,
    on: date,
    mercury_ref: int,
    version: int,
) -> IpsStatus:
    officer = load_officer(session, principal, officer_id)
    [status] = ips_statuses(session, principal, [officer], on, mercury_ref, version)
    return status


def ips_statuses(
    session: Session,
    principal: Principal,
    officers: Sequence[Officer],
    on: date,
    mercury_ref: int,
    version: int,
) -> list[IpsStatus]:
    """IPS on a day for each officer, in the order given, each within the caller's scope."""
    for officer in officers:
        authorise_officer(
            principal, Permission.READ_OFFICER, force_id=officer.force_id, officer_id=officer.id
        )
    profile = role_profile(session, mercury_ref, version)
    records = _records_of(session, officers)
    return [_status(officer, records[officer.id], profile, on) for officer in officers]


def _status(
    officer: Officer, records: _Records, profile: ProfileRequirements, on: date
) -> IpsStatus:
    evidence = records.evidence
    serving = serving_throughout(evidence, on, on)
    granted = ips_granted_throughout(evidence, on, on)
    grant = grant_in_force(records.grants, on)
    missing = missing_requirements(evidence, profile, on)
    ost_expires_on = latest_ost_expiry(records.ost, on)
    return IpsStatus(
        officer_id=officer.id,
        on=on,
        mercury_ref=profile.mercury_ref,
        version=profile.version,
        serving=serving,
        granted=granted,
        granted_on=grant.granted_on if grant else None,
        authorised_by=grant.authorised_by if grant else None,
        deployable=serving and granted and not missing,
        missing=missing,
        ost_expires_on=ost_expires_on,
    )


def _officer_records(
    session: Session, principal: Principal, officer_id: int, model: type[R], first_by: Any
) -> list[R]:
    """An officer's records of one kind (if the caller may read the officer), oldest first."""
    officer = load_officer(session, principal, officer_id)
    query = select(model).where(model.officer_id == officer.id)
    return list(session.scalars(query.order_by(first_by, model.id)))


def competencies(session: Session, principal: Principal, officer_id: int) -> list[CompetencyRecord]:
    return _officer_records(
        session, principal, officer_id, CompetencyRecord, CompetencyRecord.attained_on
    )


def training(session: Session, principal: Principal, officer_id: int) -> list[TrainingRecord]:
    return _officer_records(
        session, principal, officer_id, TrainingRecord, TrainingRecord.completed_on
    )


def ips_grants(session: Session, principal: Principal, officer_id: int) -> list[IpsGrant]:
    return _officer_records(session, principal, officer_id, IpsGrant, IpsGrant.granted_on)


def history(
    session: Session, principal: Principal, officer_id: int, requested: PageRequest
) -> Page[AuditEntry]:
    officer = load_officer(session, principal, officer_id)
    query = (
        select(AuditEntry)
        .where(AuditEntry.officer_id == officer.id, is_write())
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return paginate(session, query, requested)


# Deployable resource ----------------------------------------------------------------------------


class DeployableOfficer(NamedTuple):
    """A row of the answer: a tuple, built hundreds of times a request."""

    officer_id: int
    officer_ref: str
    force: str
    rank: str
    base_location: str
    ost_expires_on: date | None


@dataclass(frozen=True)
class Deployable:
    page: Page[DeployableOfficer]
    by_force: dict[str, int]


def requirement(
    session: Session, mercury_ref: int, version: int, stage: str | None, area: str | None
) -> eligibility.Requirement:
    """What a planner asks of officers: a stage of the learning programme if one is named,
    else the role profile."""
    if stage is None:
        if area is not None:
            raise Invalid("an area is asked for with a stage", errors={"area": ["needs stage=QSC"]})
        return role_profile(session, mercury_ref, version)
    return stage_requirement(stage, area)


def stage_requirement(stage: str, area: str | None) -> StageRequirement:
    problem = requirement_problem(stage, area)
    if problem is not None:
        field, why = problem
        raise Invalid("not a stage of the learning programme", errors={field: [why]})
    return StageRequirement(stage, area)


@lru_cache(maxsize=64)
def _deployable_statement(
    stage: StageRequirement | None, available_only: bool, one_force: bool
) -> DeployableRows:
    """The deployable query, with the profile (or the stage), the window and the page as bind
    parameters.

    The officers chosen are those with a stored span covering the window, of the role profile
    (`spans.py`) or the stage (`stage_spans.py`), less those booked: a span holds only days of
    service and names the officer's force, so the question reads an index, not the officers.
    """
    first, last = bindparam("first", type_=Date()), bindparam("last", type_=Date())
    starts_at, ends_at = (bindparam(name, type_=UTCDateTime()) for name in ("starts_at", "ends_at"))
    earliest = bindparam("earliest", type_=UTCDateTime())
    # The force's id is written into the statement, not bound: each force's statement is
    # prepared apart, and PostgreSQL plans it knowing how many spans that force has.
    force_id = bindparam("force_id", type_=Integer(), literal_execute=True) if one_force else None
    spans = (
        eligibility.covering_stage_spans(stage, first, last, force_id)
        if stage is not None
        else eligibility.covering_spans(bindparam("role_profile_id"), first, last, force_id)
    ).subquery("covering")
    conditions = [eligibility.free_for(starts_at, ends_at, earliest)]
    if available_only:
        conditions.append(eligibility.available_throughout(starts_at, ends_at))
    officer = spans.c.officer_id
    chosen = select(officer.label("id"), spans.c.force_id).where(
        eligibility.of_officer(officer, and_(*conditions))
    )
    return _the_page(chosen.cte("chosen"), last)


def _the_page(chosen: CTE, last: Any) -> DeployableRows:
    """The officers `chosen` (their ids and forces) counted by force, and the rows
    from_row..to_row of them in the answer's order (force code, then warrant number), each with
    its safety training's expiry: a national answer is thousands of officers, of which only
    the forces that hold the page are read and sorted. A row of a force's count has no id."""
    counted = _counted(chosen)
    from_row, to_row = (bindparam(name, type_=BigInteger()) for name in ("from_row", "to_row"))
    in_force = func.row_number().over(
        partition_by=chosen.c.force_id, order_by=bytewise(Officer.warrant_number)
    )
    numbered = (
        select(
            Officer.id,
            counted.c.code,
            Officer.warrant_number,
            Officer.rank,
            Officer.base_location,
            (counted.c.before + in_force).label("row"),
        )
        .join_from(chosen, counted, counted.c.id == chosen.c.force_id)
        .join(Officer, Officer.id == chosen.c.id)
        .where(counted.c.before < to_row, counted.c.before + counted.c.n >= from_row)
        .subquery("numbered")
    )
    ost_expiry = eligibility.ost_expiry(numbered.c.id, last).scalar_subquery()
    officer_ref = numbered.c.code + "-" + numbered.c.warrant_number
    page = select(
        numbered.c.id,
        officer_ref.label("officer_ref"),
        numbered.c.code,
        numbered.c.rank,
        numbered.c.base_location,
        ost_expiry.label("ost_expires_on"),
        numbered.c.row,
        null().label("in_force"),
    ).where(numbered.c.row.between(from_row, to_row))
    no = null()
    forces = select(no, no, counted.c.code, no, no, no, counted.c.before, counted.c.n)
    return union_all(page, forces).order_by(literal_column("7"))


def _counted(chosen: CTE) -> CTE:
    """Each force with officers `chosen`: its id, code, how many, and how many come before its
    first in the answer's order (the forces by code)."""
    counts = (
        select(chosen.c.force_id, func.count().label("n")).group_by(chosen.c.force_id).subquery()
    )
    earlier = func.sum(counts.c.n).over(order_by=Force.code) - counts.c.n
    return (
        select(Force.id, Force.code, counts.c.n, cast(earlier, BigInteger).label("before"))
        .join_from(counts, Force, Force.id == counts.c.force_id)
        .cte("counted")
    )


def deployable_parameters(
    starts_at: datetime,
    ends_at: datetime,
    force_id: int | None = None,
    page: int = 1,
    per_page: int = EVERY_ROW,
) -> dict[str, Any]:
    """The deployable statement's bind parameters for a window (and a force, and a page): the
    London days it spans, its instants, the earliest start of a duty that could overlap it,
    and the rows whose safety training expiry is read (without a page, all of them)."""
    first, last = london_days_spanned(starts_at, ends_at)
    return {
        "from_row": (page - 1) * per_page + 1,
        "to_row": page * per_page,
        "first": first,
        "last": last,
        "after_last": last + timedelta(days=1),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "earliest": starts_at - LONGEST_DUTY,
        "force_id": force_id,
    }


def deployable(
    session: Session,
    principal: Principal,
    *,
    starts_at: datetime,
    ends_at: datetime,
    force: str | None,
    mercury_ref: int,
    version: int,
    available_only: bool,
    page: int,
    per_page: int,
    stage: str | None = None,
    area: str | None = None,
) -> Deployable:
    """API.md "Deployable resource": officers meeting the profile (or at the `stage`) on every
    day of the window, serving, free (and, if asked, declared available). One statement."""
    require(principal, Permission.READ_DEPLOYABLE)
    if ends_at <= starts_at:
        raise Invalid("empty window", errors={"to": ["must be after from"]})
    if ends_at - starts_at > LONGEST_DEPLOYABLE_WINDOW:
        raise Invalid("window too long", errors={"to": ["a window spans at most 366 days"]})
    force_id = readable_force_id(principal, force_id_by_code(session, force) if force else None)
    wanted = requirement(session, mercury_ref, version, stage, area)
    stage_asked = wanted if isinstance(wanted, StageRequirement) else None
    statement = _deployable_statement(stage_asked, available_only, force_id is not None)
    parameters = deployable_parameters(starts_at, ends_at, force_id, page, per_page)
    if stage_asked is None:
        parameters["role_profile_id"] = role_profile_id(session, mercury_ref, version)
    # Through the connection, not the ORM: the rows are plain tuples.
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The plan a server prepared, whatever the history: PostgreSQL guesses a share of the
        # duties for a window given as parameters, and with 30 years of them judged that plan
        # dearer than one made for the day, so planned the statement afresh on every request.
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    rows = connection.execute(statement, parameters).all()
    return _answer(rows, page, per_page)


def _answer(rows: Sequence[Any], page: int, per_page: int) -> Deployable:
    """The page and the counts by force from the statement's rows (`_the_page`): a row without
    an id is a force's count. Unpacked, not read by name: a Row's attribute lookups cost more
    than building the answer from them."""
    items = [
        DeployableOfficer(officer_id, officer_ref, code, rank, base, ost_expires_on)
        for officer_id, officer_ref, code, rank, base, ost_expires_on, _, _ in rows
        if officer_id is not None
    ]
    by_force = {code: count for officer_id, _, code, *_, count in rows if officer_id is None}
    return Deployable(Page(items, page, per_page, sum(by_force.values())), by_force)
