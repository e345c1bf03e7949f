"""Retention and erasure (API.md "Data protection"): leavers past the line anonymised, their
years' reports unchanged, returns still valid, each officer anonymised once."""

from __future__ import annotations

import csv
import hashlib
import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dutyservice.audit import AuditEntry, ServiceActor
from dutyservice.clock import Month, Quarter
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import AvailabilityWindow, Officer
from dutyservice.errors import Conflict
from dutyservice.ips import serving
from dutyservice.npocc.generation import generate_return
from dutyservice.privacy.retention import apply_retention, erase_officer
from dutyservice.reports.queries import team_hours
from tests.support.builders import ADMIN, Builder

TODAY = date(2026, 12, 6)
OLD_QUARTER = Quarter(2017, 2)


def leaver(build: Builder, db: Database, left_on: date, surname: str = "Okafor") -> Officer:
    """An IPS holder from 2017 with a completed duty in May 2017 and availability, who left."""
    officer = build.ips_officer(since=date(2017, 1, 2), surname=surname)
    serving.update_officer(
        db, ADMIN, officer.id, duties.Edit({"email": f"{surname.lower()}@example.uk"})
    )
    build.duty(officer, datetime(2017, 5, 6, 9, 0, tzinfo=UTC), complete=True)
    start = datetime(2017, 6, 1, tzinfo=UTC)
    duties.replace_availability(
        db,
        ADMIN,
        officer.id,
        start,
        datetime(2017, 6, 8, tzinfo=UTC),
        [(start, datetime(2017, 6, 1, 8, tzinfo=UTC))],
    )
    return serving.officer_leaves(db, ADMIN, officer.id, left_on)


def stored(db: Database, officer_id: int) -> Officer:
    with db.reading() as session:
        officer = session.get(Officer, officer_id)
        assert officer is not None
        return officer


def hours_of(db: Database, month: Month) -> dict[int, tuple[Decimal, Decimal, str | None]]:
    with db.reading() as session:
        rows = team_hours(session, ADMIN, "cambridgeshire", month)
    return {r.officer_id: (r.hours, r.minimum, r.status.value if r.status else None) for r in rows}


def test_a_leaver_past_the_line_is_anonymised_and_one_inside_it_untouched(
    db: Database, build: Builder
) -> None:
    gone = leaver(build, db, date(2018, 3, 31), "Okafor")
    recent = leaver(build, db, date(2022, 1, 31), "Brown")
    done = apply_retention(db, TODAY, 6)
    assert [o.officer_id for o in done] == [gone.id]
    record = stored(db, gone.id)
    assert (record.surname, record.forenames, record.email) == ("anonymised", "anonymised", None)
    assert record.warrant_number == f"anon-{gone.id}"
    assert record.base_location == ""
    assert record.anonymised_at is not None
    assert (record.rank, record.joined_on, record.left_on) == ("SC", gone.joined_on, gone.left_on)
    untouched = stored(db, recent.id)
    assert (untouched.surname, untouched.email) == ("Brown", "brown@example.uk")
    with db.reading() as session:
        windows = session.scalar(
            select(func.count()).where(AvailabilityWindow.officer_id == gone.id)
        )
        assert windows == 0
        trail = session.scalars(select(AuditEntry).where(AuditEntry.officer_id == gone.id)).all()
    assert "Okafor" not in json.dumps([entry.changes for entry in trail])
    assert [e.action for e in trail].count("officer.anonymise") == 1


def test_the_reports_of_an_anonymised_officer_s_years_add_up_as_before(
    db: Database, build: Builder
) -> None:
    gone = leaver(build, db, date(2018, 3, 31))
    before = hours_of(db, Month(2017, 5))
    apply_retention(db, TODAY, 6)
    assert hours_of(db, Month(2017, 5)) == before
    assert before[gone.id][0] == 6.0


def test_a_return_made_again_for_an_old_quarter_is_still_a_valid_return(
    db: Database, build: Builder, tmp_path: Path
) -> None:
    gone = leaver(build, db, date(2018, 3, 31))
    first = generate_return(db, tmp_path, "cambridgeshire", OLD_QUARTER, 135, 1)
    first_bytes = (tmp_path / f"{first.record.return_id}.csv").read_bytes()
    apply_retention(db, TODAY, 6)
    again = generate_return(db, tmp_path, "cambridgeshire", OLD_QUARTER, 135, 1)
    assert again.created
    assert again.record.revision == first.record.revision + 1
    assert (tmp_path / f"{first.record.return_id}.csv").read_bytes() == first_bytes
    path = tmp_path / f"{again.record.return_id}.csv"
    content = path.read_bytes()
    rows = list(csv.DictReader(content.decode("utf-8").splitlines()))
    assert [row["officer_ref"] for row in rows] == [f"cambridgeshire-anon-{gone.id}"]
    assert rows[0]["duty_hours_in_period"] == "6.00"
    manifest = json.loads((tmp_path / f"{again.record.return_id}.manifest.json").read_text())
    assert manifest["csv"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest["supersedes"] == first.record.return_id
    assert manifest["record_count"] == 1
    assert "Okafor" not in content.decode("utf-8")


def test_a_dry_run_lists_what_it_would_change_and_changes_nothing(
    db: Database, build: Builder
) -> None:
    gone = leaver(build, db, date(2018, 3, 31))
    planned = apply_retention(db, TODAY, 6, dry_run=True)
    assert [(o.officer_id, o.done, o.availability_windows) for o in planned] == [
        (gone.id, False, 1)
    ]
    assert "would anonymise" in planned[0].describe()
    assert stored(db, gone.id).surname == "Okafor"
    assert apply_retention(db, TODAY, 6, dry_run=True)[0].officer_id == gone.id


def test_retention_applied_again_changes_nothing_more(db: Database, build: Builder) -> None:
    leaver(build, db, date(2018, 3, 31))
    assert len(apply_retention(db, TODAY, 6)) == 1
    assert apply_retention(db, TODAY, 6) == []


def test_two_retention_runs_at_once_anonymise_each_officer_once(
    db: Database, build: Builder
) -> None:
    gone = [leaver(build, db, date(2018, 3, 31), f"Leaver{n}") for n in range(4)]
    barrier = threading.Barrier(2)
    results: list[list[int]] = []

    def run() -> None:
        barrier.wait()
        results.append([o.officer_id for o in apply_retention(db, TODAY, 6)])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results[0] + results[1]) == sorted(o.id for o in gone)
    with db.reading() as session:
        entries = session.scalar(
            select(func.count()).where(AuditEntry.action == "officer.anonymise")
        )
    assert entries == len(gone)


def test_an_officer_who_never_served_may_be_erased_with_a_reason_in_the_trail(
    db: Database, build: Builder
) -> None:
    officer = build.officer(surname="Mistake")
    actor = ServiceActor(role="admin", name="dutyservice officer erase")
    erase_officer(db, officer.id, "application withdrawn before attestation", actor)
    assert stored(db, officer.id).surname == "anonymised"
    with db.reading() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "officer.anonymise")
        ).one()
    assert entry.changes == {"why": "erasure: application withdrawn before attestation"}
    with pytest.raises(Conflict, match="already anonymised"):
        erase_officer(db, officer.id, "again", actor)


def test_a_serving_officer_with_completed_duties_is_not_erased(
    db: Database, build: Builder
) -> None:
    officer = build.ips_officer()
    build.duty(officer, datetime(2025, 6, 1, 9, tzinfo=UTC), complete=True)
    with pytest.raises(Conflict, match="record their leaving first"):
        erase_officer(db, officer.id, "asked", ServiceActor(role="admin"))
    assert stored(db, officer.id).surname == "Smith"


def race_two_anonymisations(db: Database, officer_id: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Two runs that have both read the officer as not yet anonymised, then both write."""
    from dutyservice.privacy import retention

    barrier = threading.Barrier(2, timeout=10)
    claim = retention._claim

    def claim_together(session: Session, officer: Officer, now: datetime) -> bool:
        barrier.wait()
        return claim(session, officer, now)

    monkeypatch.setattr(retention, "_claim", claim_together)
    threads = [
        threading.Thread(
            target=retention._anonymise,
            args=(db, officer_id, retention.RETENTION, "retention"),
            kwargs={"dry_run": False},
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.reading() as session:
        return (
            session.scalar(
                select(func.count()).where(
                    AuditEntry.action == "officer.anonymise", AuditEntry.officer_id == officer_id
                )
            )
            or 0
        )


def test_two_anonymisations_that_read_together_write_once(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = leaver(build, db, date(2018, 3, 31))
    assert race_two_anonymisations(db, gone.id, monkeypatch) == 1


def test_without_the_conditional_write_both_anonymisations_write(
    db: Database, build: Builder, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the harness sees the race when the claim's condition is gone."""
    from sqlalchemy import true

    from dutyservice.privacy import retention

    monkeypatch.setattr(retention, "NOT_YET_ANONYMISED", true())
    gone = leaver(build, db, date(2018, 3, 31))
    assert race_two_anonymisations(db, gone.id, monkeypatch) == 2
