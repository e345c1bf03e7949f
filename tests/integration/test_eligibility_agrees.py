"""One definition of eligibility: the SQL set query and the Python rule agree on any history."""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, delete, select

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.forces.models import Force
from dutyservice.ips import eligibility
from dutyservice.ips.models import (
    CompetencyRecord,
    EligibilitySpan,
    IpsGrant,
    RoleProfile,
    RoleProfileUnit,
    TrainingRecord,
)
from dutyservice.ips.queries import _deployable_statement, deployable_parameters, evidence_for
from dutyservice.ips.rules import (
    OfficerEvidence,
    ProfileRequirements,
    held_on_every_day,
    ips_granted_throughout,
    meets_profile,
    serving_throughout,
)
from dutyservice.ips.spans import refresh_officers
from dutyservice.npocc.membership import return_query

BASE = date(2025, 1, 1)
PROFILE = ProfileRequirements(900, 1, ("BE2", "CD5"), requires_current_ost=True)
NOW = datetime(2025, 1, 1, tzinfo=UTC)

day = st.integers(0, 40).map(lambda n: BASE + timedelta(days=n))

Period = tuple[date, date | None]  # from, until (None: still held)


class History(TypedDict):
    joined_on: date
    left_on: date | None
    units: dict[str, list[Period]]
    ost: list[tuple[date, date]]
    grants: list[Period]


@st.composite
def span(draw: st.DrawFn) -> Period:
    start = draw(day)
    length = draw(st.one_of(st.none(), st.integers(0, 25)))
    return start, None if length is None else start + timedelta(days=length)


def at_most_one_live(spans: list[Period]) -> list[Period]:
    """The schema keeps one live (unended) grant, or record of a unit, per officer: any later
    open span is ended on the day it starts."""
    live = [i for i, (_, end) in enumerate(spans) if end is None]
    return [(start, start if i in live[1:] else end) for i, (start, end) in enumerate(spans)]


@st.composite
def history(draw: st.DrawFn) -> History:
    joined = draw(day)
    left = draw(st.one_of(st.none(), st.integers(0, 40).map(lambda n: joined + timedelta(days=n))))
    return {
        "joined_on": joined,
        "left_on": left,
        "units": {
            u: at_most_one_live(draw(st.lists(span(), max_size=3))) for u in PROFILE.required_units
        },
        "ost": [
            (s, s + timedelta(days=draw(st.integers(0, 20))))
            for s, _ in draw(st.lists(span(), max_size=3))
        ],
        "grants": at_most_one_live(draw(st.lists(span(), max_size=2))),
    }


def profile_id(db: Database) -> int:
    """PROFILE as a stored role profile, so that its spans are kept."""
    with db.transaction() as session:
        stored = session.scalar(
            select(RoleProfile.id).where(
                RoleProfile.mercury_ref == PROFILE.mercury_ref,
                RoleProfile.version == PROFILE.version,
            )
        )
        if stored is not None:
            return stored
        profile = RoleProfile(
            mercury_ref=PROFILE.mercury_ref,
            version=PROFILE.version,
            specialism="test",
            requires_current_ost=PROFILE.requires_current_ost,
            equipment=[],
        )
        session.add(profile)
        session.flush()
        session.add_all(
            RoleProfileUnit(role_profile_id=profile.id, unit_code=code, position=n)
            for n, code in enumerate(PROFILE.required_units, start=1)
        )
        return profile.id


def store(db: Database, histories: Sequence[History]) -> list[int]:
    """The histories written as rows (not through the use cases), then their spans computed
    from them as every write does."""
    with db.transaction() as session:
        for model in (EligibilitySpan, CompetencyRecord, TrainingRecord, IpsGrant, Officer):
            session.execute(delete(model))
        force_id = session.scalar(select(Force.id).where(Force.code == "cambridgeshire"))
        ids = []
        for n, h in enumerate(histories):
            officer = Officer(
                force_id=force_id,
                warrant_number=f"P{n}",
                surname="S",
                forenames="F",
                rank="SC",
                base_location="B",
                joined_on=h["joined_on"],
                left_on=h["left_on"],
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(officer)
            session.flush()
            ids.append(officer.id)
            for unit, spans in h["units"].items():
                session.add_all(
                    CompetencyRecord(
                        officer_id=officer.id,
                        unit_code=unit,
                        attained_on=s,
                        revoked_on=e,
                        assessed_by="x",
                        evidence_ref="",
                        recorded_at=NOW,
                    )
                    for s, e in spans
                )
            session.add_all(
                TrainingRecord(
                    officer_id=officer.id, kind="ost", completed_on=s, expires_on=e, recorded_at=NOW
                )
                for s, e in h["ost"]
            )
            session.add_all(
                IpsGrant(
                    officer_id=officer.id,
                    granted_on=s,
                    withdrawn_on=e,
                    authorised_by_name="n",
                    authorised_by_rank="r",
                    authorised_by_position="p",
                    recorded_at=NOW,
                )
                for s, e in h["grants"]
            )
        refresh_officers(session, ids)
    return ids


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=st.lists(history(), min_size=1, max_size=4), first=day, length=st.integers(0, 12))
def test_sql_and_python_agree_on_who_meets_the_profile(
    db: Database, histories: list[History], first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    store(db, histories)
    with db.reading() as session:
        by_sql = set(
            session.scalars(
                select(Officer.id).where(eligibility.meets_profile(PROFILE, first, last))
            )
        )
        by_python = {
            o.id
            for o in session.scalars(select(Officer))
            if meets_profile(evidence_for(session, o), PROFILE, first, last)
        }
    assert by_sql == by_python


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=st.lists(history(), min_size=2, max_size=4), first=day, length=st.integers(0, 12))
def test_sql_and_python_agree_on_each_requirement_alone(
    db: Database, histories: list[History], first: date, length: int
) -> None:
    """Each requirement separately, so that one of them failing cannot hide another's error."""
    last = first + timedelta(days=length)
    after_last = last + timedelta(days=1)
    store(db, histories)
    conditions: dict[str, tuple[ColumnElement[bool], Callable[[OfficerEvidence], bool]]] = {
        "serving": (eligibility.serving(first, last), lambda e: serving_throughout(e, first, last)),
        "ips": (
            eligibility.ips_granted(first, after_last),
            lambda e: ips_granted_throughout(e, first, last),
        ),
        "ost": (
            eligibility.ost_current(first, after_last),
            lambda e: held_on_every_day(e.ost, first, last),
        ),
        "CD5": (
            eligibility.unit_held("CD5", first, after_last),
            lambda e: held_on_every_day(e.units.get("CD5", []), first, last),
        ),
    }
    with db.reading() as session:
        officers = list(session.scalars(select(Officer)))
        evidence = {o.id: evidence_for(session, o) for o in officers}
        for name, (condition, rule) in conditions.items():
            by_sql = set(session.scalars(select(Officer.id).where(condition)))
            by_python = {i for i, e in evidence.items() if rule(e)}
            assert by_sql == by_python, name


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    spans=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=4),
    start=st.integers(0, 30),
    length=st.integers(1, 10),
)
def test_availability_cover_in_sql_matches_the_python_rule(
    db: Database, spans: list[tuple[int, int]], start: int, length: int
) -> None:
    from dutyservice.duties.models import AvailabilityWindow
    from dutyservice.ips.rules import covers

    def at(hours: int) -> datetime:
        return NOW + timedelta(hours=hours)

    ids = store(db, [{"joined_on": BASE, "left_on": None, "units": {}, "ost": [], "grants": []}])
    # An officer's windows never overlap (ex_availability_windows_no_overlap); touching ones
    # must still cover a window together.
    windows: list[tuple[datetime, datetime]] = []
    for s, n in sorted(spans):
        if not windows or windows[-1][1] <= at(s):
            windows.append((at(s), at(s + n)))
    with db.transaction() as session:
        session.add_all(
            AvailabilityWindow(officer_id=ids[0], starts_at=s, ends_at=e) for s, e in windows
        )
    with db.reading() as session:
        by_sql = (
            session.scalar(
                select(Officer.id).where(
                    eligibility.available_throughout(at(start), at(start + length))
                )
            )
            is not None
        )
    assert by_sql == covers(windows, at(start), at(start + length))
    with db.transaction() as session:
        session.execute(delete(AvailabilityWindow))


def grant_in_force_on(h: History, on: date) -> date | None:
    """FEED.md column 11 read off a history: the latest grant on or before `on` still held."""
    held = [s for s, e in h["grants"] if s <= on and (e is None or e > on)]
    return max(held, default=None)


def ost_expiry_on(h: History, on: date) -> date | None:
    """FEED.md column 14: the latest expiry of training current on `on`."""
    return max((e for s, e in h["ost"] if s <= on <= e), default=None)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=st.lists(history(), min_size=1, max_size=4), first=day, length=st.integers(0, 12))
def test_the_deployable_and_return_statements_agree_with_the_python_rule(
    db: Database, histories: list[History], first: date, length: int
) -> None:
    """The statements production runs (built once, run with bind parameters, prepared on
    PostgreSQL after a few runs): whom they choose, and what they say of each."""
    last = first + timedelta(days=length)
    stored_profile = profile_id(db)
    ids = store(db, histories)
    starts_at = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    ends_at = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    with db.reading() as session:
        evidence = {i: evidence_for(session, session.get_one(Officer, i)) for i in ids}
        force_id = session.scalar(select(Force.id).where(Force.code == "cambridgeshire"))
        deployable = session.execute(
            _deployable_statement(None, False, True),  # no stage, available_only, one_force
            {
                **deployable_parameters(starts_at, ends_at, force_id),
                "role_profile_id": stored_profile,
            },
        ).all()
        returned = session.execute(
            return_query(),
            {
                "force_id": force_id,
                "role_profile_id": stored_profile,
                "as_at": last,
                "period_start": starts_at,
                "period_end": ends_at,
            },
        ).all()
    by_id = dict(zip(ids, histories, strict=True))
    chosen = [row for row in deployable if row.id is not None]
    assert sum(row.in_force for row in deployable if row.id is None) == len(chosen)
    assert {row.id: row.ost_expires_on for row in chosen} == {
        i: ost_expiry_on(by_id[i], last)
        for i, e in evidence.items()
        if meets_profile(e, PROFILE, first, last)
    }
    assert {r.warrant_number: (r.ips_granted_on, r.ost_expires_on) for r in returned} == {
        f"P{n}": (grant_in_force_on(h, last), ost_expiry_on(h, last))
        for n, (i, h) in enumerate(by_id.items())
        if meets_profile(evidence[i], PROFILE, last, last)
    }
