"""`dutyservice retention apply` and `dutyservice officer erase` as an operator runs them."""

from __future__ import annotations

from datetime import date

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import serving
from tests.support.builders import ADMIN, Builder
from tests.support.commands import run_in_process


def surname_of(db: Database, officer_id: int) -> str:
    with db.reading() as session:
        officer = session.get(Officer, officer_id)
        assert officer is not None
        return officer.surname


def test_a_dry_run_prints_each_leaver_it_would_anonymise_then_the_run_does_it(
    db: Database, build: Builder
) -> None:
    gone = build.officer(joined_on=date(2012, 4, 2), surname="Okafor")
    serving.officer_leaves(db, ADMIN, gone.id, date(2015, 3, 31))
    staying = build.officer(surname="Brown")
    dry = run_in_process(db.url, "retention", "apply", "--dry-run", DUTYSERVICE_RETENTION_YEARS="6")
    assert dry.returncode == 0, dry.stderr
    assert f"officer {gone.id} " in dry.stdout
    assert "would anonymise" in dry.stdout
    assert dry.stdout.strip().splitlines()[-1].startswith("1 officer(s) would be anonymised")
    assert surname_of(db, gone.id) == "Okafor"
    done = run_in_process(db.url, "retention", "apply")
    assert done.returncode == 0, done.stderr
    assert "1 officer(s) anonymised: left more than 6 full years ago" in done.stdout
    assert surname_of(db, gone.id) == "anonymised"
    assert surname_of(db, staying.id) == "Brown"


def test_erasing_a_serving_officer_who_has_served_is_refused_in_one_line(
    db: Database, build: Builder
) -> None:
    from datetime import UTC, datetime

    officer = build.ips_officer()
    build.duty(officer, datetime(2025, 6, 1, 9, tzinfo=UTC), complete=True)
    refused = run_in_process(db.url, "officer", "erase", str(officer.id), "--reason", "asked")
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("Error: ")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert surname_of(db, officer.id) == "Smith"


def test_erasing_needs_a_reason(db: Database, build: Builder) -> None:
    officer = build.officer()
    refused = run_in_process(db.url, "officer", "erase", str(officer.id), "--reason", "  ")
    assert refused.returncode == 2
    assert "reason" in refused.stderr
    erased = run_in_process(
        db.url, "officer", "erase", str(officer.id), "--reason", "never attested"
    )
    assert erased.returncode == 0, erased.stderr
    assert "anonymised" in erased.stdout
    assert surname_of(db, officer.id) == "anonymised"
