"""One definition of deployable by stage: the SQL set query, the stored stage spans the
question reads and the Python rule agree on any history of stage records, safety training and
service."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import eligibility, stage_spans
from dutyservice.ips.learning_models import LearningRecord, StageSpan
from dutyservice.ips.learning_queries import standings
from dutyservice.ips.learning_rules import StageRecord, StageRequirement, meets_stage, standing
from dutyservice.ips.queries import evidence_for
from dutyservice.ips.rules import Span

from .test_eligibility_agrees import NOW, History, Period, at_most_one_live, day, span, store

KINDS = [("APS", ""), ("DPS", ""), ("QSC", "roads"), ("QSC", "response")]
REQUIREMENTS = st.sampled_from(
    [
        StageRequirement("APS"),
        StageRequirement("DPS"),
        StageRequirement("QSC"),
        StageRequirement("QSC", "roads"),
        StageRequirement("QSC", "response"),
    ]
)


class StageHistory(History):
    stages: dict[tuple[str, str], list[Period]]  # (stage, area) -> its records


@st.composite
def stage_history(draw: st.DrawFn) -> StageHistory:
    joined = draw(day)
    left = draw(st.one_of(st.none(), st.integers(0, 40).map(lambda n: joined + timedelta(days=n))))
    return {
        "joined_on": joined,
        "left_on": left,
        "units": {},
        "ost": [
            (s, s + timedelta(days=draw(st.integers(0, 20))))
            for s, _ in draw(st.lists(span(), max_size=3))
        ],
        "grants": [],
        "stages": {kind: at_most_one_live(draw(st.lists(span(), max_size=2))) for kind in KINDS},
    }


def store_stages(db: Database, histories: list[StageHistory]) -> list[int]:
    with db.transaction() as session:
        session.execute(delete(StageSpan))
        session.execute(delete(LearningRecord))
    ids = store(db, histories)
    with db.transaction() as session:
        for officer_id, h in zip(ids, histories, strict=True):
            session.add_all(
                LearningRecord(
                    officer_id=officer_id,
                    stage=stage,
                    area=area,
                    attained_on=s,
                    revoked_on=e,
                    assessed_by="x",
                    evidence_ref="",
                    recorded_at=NOW,
                )
                for (stage, area), spans in h["stages"].items()
                for s, e in spans
            )
        stage_spans.refresh_officers(session, ids)
    return ids


def stage_records(h: StageHistory) -> list[StageRecord]:
    return [
        StageRecord(stage, area, Span(s, e))
        for (stage, area), spans in h["stages"].items()
        for s, e in spans
    ]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories=st.lists(stage_history(), min_size=1, max_size=4),
    requirement=REQUIREMENTS,
    first=day,
    length=st.integers(0, 12),
)
def test_sql_stored_spans_and_python_agree_on_who_is_deployable_by_stage(
    db: Database,
    histories: list[StageHistory],
    requirement: StageRequirement,
    first: date,
    length: int,
) -> None:
    last = first + timedelta(days=length)
    ids = store_stages(db, histories)
    with db.reading() as session:
        by_sql = set(
            session.scalars(
                select(Officer.id).where(eligibility.meets_stage(requirement, first, last))
            )
        )
        by_spans = set(
            session.scalars(
                select(Officer.id).where(eligibility.stage_met_throughout(requirement, first, last))
            )
        )
        officers = {o.id: o for o in session.scalars(select(Officer))}
        by_python = {
            officer_id
            for officer_id, h in zip(ids, histories, strict=True)
            if meets_stage(
                evidence_for(session, officers[officer_id]),
                stage_records(h),
                requirement.stage,
                requirement.area,
                first,
                last,
            )
        }
    assert by_sql == by_python
    assert by_spans == by_python


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=st.lists(stage_history(), min_size=1, max_size=3), on=day)
def test_the_stage_an_officer_stands_at_is_read_back_from_what_was_stored(
    db: Database, histories: list[StageHistory], on: date
) -> None:
    """What the service reads from the database is where the rule says each officer stands."""
    ids = store_stages(db, histories)
    with db.reading() as session:
        officers = list(session.scalars(select(Officer).where(Officer.id.in_(ids))))
        stored = standings(session, officers, on)
    for officer_id, h in zip(ids, histories, strict=True):
        assert stored[officer_id] == standing(stage_records(h), on)
