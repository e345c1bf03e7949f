"""The stored stage spans are never wrong: after any sequence of writes through the use cases
(stage records and their revocation, safety training, joining and leaving; back-dated, refused,
at once), they equal the spans the learning programme's rule gives when recomputed from the
records; an import of learning.csv and `dutyservice db check` keep them the same way."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.errors import DomainError
from dutyservice.ips import learning_service, service, serving, spans, stage_spans
from dutyservice.ips.learning_models import LearningRecord, StageSpan
from tests.support.builders import ADMIN, Builder

from .test_spans_kept import BASE, WRITE_SEQUENCES, at_once, day, run_db_check

KINDS = (("APS", None), ("DPS", None), ("QSC", "roads"), ("QSC", "response"))
kind = st.sampled_from(KINDS)

write = st.one_of(
    st.tuples(st.just("stage"), kind, day),
    st.tuples(st.just("revoke"), kind, day),
    st.tuples(st.just("ost"), st.just(("", None)), day),
    st.tuples(st.just("join"), st.just(("", None)), day),
    st.tuples(st.just("leave"), st.just(("", None)), day),
)


def _revoke(db: Database, officer_id: int, stage: str, area: str | None, on: date) -> None:
    with db.reading() as session:
        record_id = session.scalar(
            select(LearningRecord.id).where(
                LearningRecord.officer_id == officer_id,
                LearningRecord.stage == stage,
                LearningRecord.area == (area or ""),
                LearningRecord.revoked_on.is_(None),
            )
        )
    if record_id is not None:
        learning_service.revoke_stage(
            db, ADMIN, officer_id, record_id, revoked_on=on, reason="re-assessed"
        )


def apply(db: Database, officer_id: int, step: tuple[str, tuple[str, str | None], date]) -> None:
    what, (stage, area), on = step
    calls: dict[str, Any] = {
        "stage": lambda: learning_service.record_stage(
            db,
            ADMIN,
            officer_id,
            stage=stage,
            area=area,
            attained_on=on,
            assessed_by="PS Harper",
            evidence_ref="",
        ),
        "revoke": lambda: _revoke(db, officer_id, stage, area, on),
        "ost": lambda: service.record_training(
            db, ADMIN, officer_id, kind="ost", completed_on=on, expires_on=None
        ),
        "join": lambda: serving.update_officer(
            db, ADMIN, officer_id, duties.Edit({"joined_on": on})
        ),
        "leave": lambda: serving.officer_leaves(db, ADMIN, officer_id, on),
    }
    with contextlib.suppress(DomainError):  # refused, as the API would: nothing changed
        calls[what]()


def agree(db: Database) -> spans.Differences:
    with db.reading() as session:
        return spans.differences(session, stage_spans.STAGES)


def stored(db: Database, officer_id: int) -> set[tuple[str, str, date, date | None]]:
    with db.reading() as session:
        kept = spans.stored(session, [officer_id], stage_spans.STAGES)
    return {(stage, area, s, e) for _, stage, area, s, e in kept}


@WRITE_SEQUENCES
@given(steps=st.lists(write, min_size=1, max_size=14))
def test_after_any_writes_the_stored_stage_spans_are_the_rule_s(
    db: Database, build: Builder, steps: list[tuple[str, tuple[str, str | None], date]]
) -> None:
    officer = build.officer(joined_on=BASE - timedelta(days=30))
    for step in steps:
        apply(db, officer.id, step)
    assert not agree(db)


def test_a_stage_s_span_follows_its_record_its_revocation_and_safety_training(
    db: Database, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.ost(officer, date(2024, 2, 1))
    aps = build.stage(officer, "APS", date(2024, 3, 1))
    ost_ends = date(2025, 2, 1)  # twelve months of validity
    assert stored(db, officer.id) == {("APS", "", date(2024, 3, 1), ost_ends)}
    build.ost(officer, date(2025, 1, 15))
    assert stored(db, officer.id) == {("APS", "", date(2024, 3, 1), date(2026, 1, 15))}
    learning_service.revoke_stage(
        db, ADMIN, officer.id, aps.id, revoked_on=date(2024, 9, 1), reason="re-assessed"
    )
    assert stored(db, officer.id) == {("APS", "", date(2024, 3, 1), date(2024, 9, 1))}
    assert not agree(db)


def test_db_check_finds_a_tampered_stage_span_and_repairs_it(db: Database, build: Builder) -> None:
    officer = build.ips_officer(since=date(2025, 3, 1))
    build.stage(officer, "APS", date(2025, 3, 1))
    with db.transaction() as session:
        session.execute(
            update(StageSpan).where(StageSpan.officer_id == officer.id).values(ends_on=None)
        )
    assert agree(db).officers == [officer.id]
    with db.transaction() as session:
        spans.repair(session, stage_spans.STAGES)
    assert not agree(db)


def concurrent_stages(
    db: Database, officer_id: int, monkeypatch: pytest.MonkeyPatch, *, locked: bool
) -> spans.Differences:
    """Two writers of one officer's stage records at once."""
    writes = [
        partial(apply, db, officer_id, ("stage", ("QSC", area), on))
        for area, on in (("roads", date(2024, 9, 1)), ("response", date(2024, 10, 1)))
    ]
    at_once(writes, monkeypatch, locked)
    return agree(db)


def at_dps(build: Builder) -> int:
    """An officer at DPS with safety training in force, about to gain a QSC in two areas from
    two supervisors at once: alone, each record would start the officer's QSC span on its own
    day; together the span starts on the earlier."""
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.ost(officer, date(2024, 2, 1))
    build.stage(officer, "APS", date(2024, 2, 1))
    build.stage(officer, "DPS", date(2024, 6, 1))
    return officer.id


def test_two_writers_of_one_officer_s_stages_leave_the_spans_of_both_records(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer_id = at_dps(build)
    assert not concurrent_stages(db, officer_id, monkeypatch, locked=True)
    assert ("QSC", "", date(2024, 9, 1), date(2025, 2, 1)) in stored(db, officer_id)


def test_without_the_officer_s_lock_two_stage_writers_leave_wrong_spans(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the harness sees the race when the lock is not taken."""
    officer_id = at_dps(build)
    assert concurrent_stages(db, officer_id, monkeypatch, locked=False)


def test_db_check_on_the_command_line_reports_and_repairs_stage_spans(
    db: Database, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2025, 3, 1))
    build.stage(officer, "APS", date(2025, 3, 1))
    assert run_db_check(db).returncode == 0
    with db.transaction() as session:
        session.execute(delete(StageSpan).where(StageSpan.officer_id == officer.id))
    found = run_db_check(db)
    assert found.returncode == 1
    assert "eligibility spans: every officer's agree with their records" in found.stdout
    assert (
        f"stage spans: 1 officer(s) differ from their records (1 missing, 0 not the rule's): "
        f"{officer.id}" in found.stdout
    )
    repaired = run_db_check(db, "--repair")
    assert repaired.returncode == 0
    assert "repaired" in repaired.stdout
    assert run_db_check(db).returncode == 0


def test_an_imported_learning_file_has_the_stage_spans_its_records_give(
    db: Database, tmp_path: Path
) -> None:
    import shutil

    from dutyservice.imports.service import import_records
    from tests.imports.test_import_learning import GOOD, HEADER

    sample = Path(__file__).parents[2] / "fixtures" / "import" / "cambridgeshire-2025"
    files = Path(shutil.copytree(sample, tmp_path / "set"))
    (files / "learning.csv").write_text("\n".join((HEADER, *GOOD)) + "\n", encoding="utf-8")
    report = import_records(db, files, "cambridgeshire")
    assert report.errors == []
    with db.reading() as session:
        assert spans.stored(session, kept=stage_spans.STAGES), "the import stored no stage spans"
    assert not agree(db)
    (files / "learning.csv").write_text(
        "\n".join((HEADER, *GOOD, "C1002,QSC,intelligence,2024-01-10,Insp Rowe,OCP-6,")) + "\n",
        encoding="utf-8",
    )
    again = import_records(db, files, "cambridgeshire", update=True)
    assert again.errors == []
    assert not agree(db)


def span_rows(db: Database, officer_id: int) -> dict[tuple[str, int], tuple[Any, ...]]:
    """The officer's stored spans of both kinds, by table and row id."""
    rows: dict[tuple[str, int], tuple[Any, ...]] = {}
    with db.reading() as session:
        for kept in stage_spans.BOTH:
            columns = (getattr(kept.model, name) for name in kept.columns[1:])
            query = select(kept.model.id, *columns).where(kept.model.officer_id == officer_id)
            for row in session.execute(query):
                rows[kept.name, int(row[0])] = tuple(row[1:])
    return rows


def test_training_rewrites_only_the_spans_it_changes(db: Database, build: Builder) -> None:
    """Training within the training in force changes no span, and no row is written; renewed
    training ends the spans it carries later, and only those rows change."""
    officer = build.ips_officer(since=date(2025, 3, 1))
    first = build.stage(officer, "APS", date(2025, 3, 1))
    learning_service.revoke_stage(
        db, ADMIN, officer.id, first.id, revoked_on=date(2025, 4, 1), reason="re-assessed"
    )
    build.stage(officer, "APS", date(2025, 5, 1))
    held = span_rows(db, officer.id)
    build.ost(officer, date(2025, 3, 2), expires_on=date(2025, 6, 1))
    assert span_rows(db, officer.id) == held
    build.ost(officer, date(2026, 2, 1))
    renewed = span_rows(db, officer.id)
    unchanged = {row for row, key in held.items() if renewed.get(row) == key}
    assert {(name, *held[name, row][-2:]) for name, row in unchanged} == {
        ("stage spans", date(2025, 3, 1), date(2025, 4, 1))
    }
    assert {
        (name, *key[-2:]) for (name, _), key in renewed.items() if key not in held.values()
    } == {
        ("eligibility spans", date(2025, 3, 1), date(2027, 2, 1)),
        ("stage spans", date(2025, 5, 1), date(2027, 2, 1)),
    }
    assert not agree(db)
