"""The stored eligibility spans are never wrong: after any sequence of writes through the use
cases (back-dated, revoked, withdrawn, refused, at once, joining and leaving), they equal the
spans the rule gives when recomputed from the records, each with its officer's force."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import Officer
from dutyservice.errors import DomainError
from dutyservice.ips import profiles, service, serving, spans
from dutyservice.ips.models import EligibilitySpan
from tests.support.builders import ADMIN, Builder
from tests.support.commands import Completed, run_in_process

BASE = date(2024, 1, 1)
UNITS = ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10")
day = st.integers(0, 500).map(lambda n: BASE + timedelta(days=n))

write = st.one_of(
    st.tuples(st.just("unit"), st.sampled_from(UNITS), day),
    st.tuples(st.just("revoke"), st.sampled_from(UNITS), day),
    st.tuples(st.just("ost"), st.just(""), day),
    st.tuples(st.just("grant"), st.just(""), day),
    st.tuples(st.just("withdraw"), st.just(""), day),
    st.tuples(st.just("join"), st.just(""), day),
    st.tuples(st.just("leave"), st.just(""), day),
)


def apply(db: Database, officer_id: int, step: tuple[str, str, date]) -> None:
    kind, unit, on = step
    auth = service.Authorisation("Chris Morgan", "SCO", "Head of Specials")
    calls: dict[str, Any] = {
        "unit": lambda: service.record_competency(
            db, ADMIN, officer_id, unit=unit, attained_on=on, assessed_by="x", evidence_ref=""
        ),
        "revoke": lambda: service.revoke_competency(
            db, ADMIN, officer_id, unit, revoked_on=on, reason="re-assessed"
        ),
        "ost": lambda: service.record_training(
            db, ADMIN, officer_id, kind="ost", completed_on=on, expires_on=None
        ),
        "grant": lambda: service.grant_ips(
            db, ADMIN, officer_id, granted_on=on, authorised_by=auth
        ),
        "withdraw": lambda: service.withdraw_ips(
            db, ADMIN, officer_id, withdrawn_on=on, reason="left the team"
        ),
        "join": lambda: serving.update_officer(
            db, ADMIN, officer_id, duties.Edit({"joined_on": on})
        ),
        "leave": lambda: serving.officer_leaves(db, ADMIN, officer_id, on),
    }
    with contextlib.suppress(DomainError):  # refused, as the API would: nothing changed
        calls[kind]()


def agree(db: Database) -> spans.Differences:
    with db.reading() as session:
        assert not session.scalar(
            select(EligibilitySpan.id)
            .join(Officer)
            .where(EligibilitySpan.force_id != Officer.force_id)
        ), "a span is stored with another force than its officer's"
        return spans.differences(session)


#: Random sequences of writes through the use cases, against a database kept between them.
WRITE_SEQUENCES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@WRITE_SEQUENCES
@given(steps=st.lists(write, min_size=1, max_size=14))
def test_after_any_writes_the_stored_spans_are_the_rule_s(
    db: Database, build: Builder, steps: list[tuple[str, str, date]]
) -> None:
    officer = build.officer(joined_on=BASE - timedelta(days=30))
    for step in steps:
        apply(db, officer.id, step)
    assert not agree(db)


def test_leaving_and_a_later_joining_day_cut_the_spans_to_the_service(
    db: Database, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 1))
    serving.update_officer(db, ADMIN, officer.id, duties.Edit({"joined_on": date(2025, 3, 1)}))
    serving.officer_leaves(db, ADMIN, officer.id, date(2025, 9, 30))
    with db.reading() as session:
        held = spans.stored(session, [officer.id])
    assert {(start, end) for *_, start, end in held} == {(date(2025, 3, 1), date(2025, 9, 30))}
    assert not agree(db)


def test_without_the_spans_brought_along_a_leaver_keeps_days_they_do_not_serve(
    db: Database, build: Builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control of the two above: a leaving that left the spans alone is found."""
    officer = build.ips_officer(since=date(2025, 1, 1))
    monkeypatch.setattr(spans, "refresh_officers", lambda *args, **kwargs: None)
    serving.officer_leaves(db, ADMIN, officer.id, date(2025, 9, 30))
    assert agree(db).officers == [officer.id]


def test_a_full_history_gives_the_span_the_planners_read(db: Database, build: Builder) -> None:
    officer = build.ips_officer(since=date(2025, 3, 1))
    with db.reading() as session:
        stored = spans.stored(session, [officer.id])
    assert [(s, e) for _, _, s, e in stored] == [(date(2025, 3, 1), date(2026, 3, 1))]
    service.withdraw_ips(db, ADMIN, officer.id, withdrawn_on=date(2025, 9, 1), reason="moved")
    with db.reading() as session:
        stored = spans.stored(session, [officer.id])
    assert [(s, e) for _, _, s, e in stored] == [(date(2025, 3, 1), date(2025, 9, 1))]


def test_a_new_role_profile_has_every_officer_s_spans_at_once(db: Database, build: Builder) -> None:
    officer = build.ips_officer(since=date(2025, 3, 1))
    made = profiles.create_role_profile(
        db,
        ADMIN,
        mercury_ref=777,
        version=1,
        specialism="Special Constabulary roads policing",
        required_units=["BE2", "CD5"],
        requires_current_ost=False,
        equipment=[],
    )
    with db.reading() as session:
        stored = {(p, s, e) for _, p, s, e in spans.stored(session, [officer.id])}
    assert (made.id, date(2025, 3, 1), None) in stored
    assert not agree(db)


def test_db_check_finds_a_tampered_span_and_repairs_it(db: Database, build: Builder) -> None:
    from sqlalchemy import update

    from dutyservice.ips.models import EligibilitySpan

    officer = build.ips_officer(since=date(2025, 3, 1))
    with db.transaction() as session:
        session.execute(
            update(EligibilitySpan)
            .where(EligibilitySpan.officer_id == officer.id)
            .values(ends_on=None)
        )
    found = agree(db)
    assert found.officers == [officer.id]
    with db.transaction() as session:
        spans.repair(session)
    assert not agree(db)


#: How long a writer that has read waits for the other to read too: with the officer's lock
#: taken, the other waits on the lock instead, and the first goes on when this has passed.
READ_TOGETHER_SECONDS = 2


def at_once(
    writes: Sequence[Callable[[], object]], monkeypatch: pytest.MonkeyPatch, locked: bool
) -> None:
    """Writers of one officer's records that have each stored their record before any of them
    refreshes the officer's spans (`spans.refresh_officers`, which every write calls for the
    kinds of span its records change), and that each, having read the records, waits for the
    others to read too before writing the spans, unless they are waiting on the lock."""
    stored = threading.Barrier(len(writes), timeout=10)
    read_too = threading.Barrier(len(writes), timeout=READ_TOGETHER_SECONDS)
    refresh, read = spans.refresh_officers, spans.read

    def refresh_together(session: Any, officer_ids: Any, *kinds: Any) -> None:
        session.flush()
        stored.wait()
        refresh(session, officer_ids, *kinds)

    def read_together(*args: Any) -> spans.Read:
        found = read(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            read_too.wait()
        return found

    monkeypatch.setattr(spans, "refresh_officers", refresh_together)
    monkeypatch.setattr(spans, "read", read_together)
    if not locked:
        monkeypatch.setattr(spans, "LOCK_THE_OFFICER", False)
    threads = [threading.Thread(target=write) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def concurrent_writes(
    db: Database, officer_id: int, monkeypatch: pytest.MonkeyPatch, *, locked: bool
) -> spans.Differences:
    """Two writers of one officer's units at once."""
    writes = [partial(apply, db, officer_id, ("unit", unit, REGAINED)) for unit in ("CD5", "GC10")]
    at_once(writes, monkeypatch, locked)
    return agree(db)


REGAINED = date(2025, 6, 1)


def officer_missing(build: Builder, db: Database, *units: str) -> int:
    """An IPS holder from 1 March 2025 whose `units` were revoked on 1 June, to be re-attained
    that day by two writers at once."""
    officer = build.ips_officer(since=date(2025, 3, 1))
    for unit in units:
        service.revoke_competency(db, ADMIN, officer.id, unit, revoked_on=REGAINED, reason="x")
    return officer.id


def test_two_writers_of_one_officer_leave_the_spans_of_both_records(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer_id = officer_missing(build, db, "CD5", "GC10")
    assert not concurrent_writes(db, officer_id, monkeypatch, locked=True)


def test_without_the_officer_s_lock_two_writers_leave_wrong_spans(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the harness sees the race when the lock is not taken."""
    officer_id = officer_missing(build, db, "CD5", "GC10")
    assert concurrent_writes(db, officer_id, monkeypatch, locked=False)


def run_db_check(db: Database, *args: str) -> Completed:
    """`dutyservice db check` run by an operator against the database."""
    return run_in_process(db.url, "db", "check", *args)


def test_db_check_on_the_command_line_reports_and_repairs(db: Database, build: Builder) -> None:
    from sqlalchemy import delete

    from dutyservice.ips.models import EligibilitySpan

    officer = build.ips_officer(since=date(2025, 3, 1))

    def check(*args: str) -> Completed:
        return run_db_check(db, *args)

    assert check().returncode == 0
    with db.transaction() as session:
        session.execute(delete(EligibilitySpan).where(EligibilitySpan.officer_id == officer.id))
    found = check()
    assert found.returncode == 1
    assert (
        f"1 officer(s) differ from their records (1 missing, 0 not the rule's): {officer.id}"
        in found.stdout
    )
    repaired = check("--repair")
    assert repaired.returncode == 0
    assert "repaired" in repaired.stdout
    assert check().returncode == 0


def test_an_imported_history_has_the_spans_its_records_give(db: Database, tmp_path: Any) -> None:
    import shutil
    from pathlib import Path

    from dutyservice.imports.service import import_records

    sample = Path(__file__).parents[2] / "fixtures" / "import" / "cambridgeshire-2025"
    files = Path(shutil.copytree(sample, tmp_path / "set"))
    report = import_records(db, files, "cambridgeshire")
    assert report.errors == []
    assert report.written
    with db.reading() as session:
        assert spans.stored(session), "the import stored no spans"
    assert not agree(db)
    again = import_records(db, files, "cambridgeshire")
    assert again.errors == []
    assert not agree(db)
