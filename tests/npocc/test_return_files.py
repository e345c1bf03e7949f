"""The return's bytes (FEED.md "Files"), revisions, and who is in it at the boundaries."""

import csv
import hashlib
import io
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from dutyservice.clock import Quarter
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.ips import service as ips
from dutyservice.ips.profiles import create_role_profile
from dutyservice.ips.serving import officer_leaves
from dutyservice.npocc.feed import ReturnKey
from dutyservice.npocc.generation import Generated, _lock, generate_quarter, generate_return
from dutyservice.npocc.models import NpoccReturn

from ..support.builders import ADMIN, Builder

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
Q3 = Quarter(2025, 3)
GENERATED_AT = datetime(2025, 10, 1, 1, 0, 4, tzinfo=UTC)


def make(
    db: Database, settings: Settings, force: str = "cambridgeshire", quarter: Quarter = Q3
) -> Generated:
    return generate_return(db, settings.export_dir, force, quarter, 135, 1, now=GENERATED_AT)


def rows(settings: Settings, record: NpoccReturn) -> list[dict[str, str]]:
    text = (settings.export_dir / record.csv_filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def small_force(build: Builder) -> None:
    a = build.ips_officer(
        since=date(2025, 1, 6), warrant_number="SC0042", base_location='Parkside "North", Cambridge'
    )
    # 00:30 BST on 1 July is 23:30 UTC on 30 June: in the quarter by the London calendar.
    build.duty(a, datetime(2025, 6, 30, 23, 30, tzinfo=UTC), hours=4.5, complete=True)
    build.duty(a, datetime(2025, 9, 30, 12, tzinfo=UTC), hours=6, complete=True)
    build.duty(a, datetime(2025, 9, 30, 23, 30, tzinfo=UTC), hours=2, complete=True)  # Q4
    build.duty(a, datetime(2025, 8, 2, 18, tzinfo=UTC), hours=3)  # booked only: not counted
    b = build.ips_officer(
        since=date(2025, 3, 1), warrant_number="SC0007", rank="SSGT", base_location="Ely"
    )
    build.duty(b, datetime(2025, 7, 14, 9, 10, tzinfo=UTC), hours=7 + 1 / 3, complete=True)
    lapsed = build.ips_officer(since=date(2024, 9, 1), warrant_number="SC0100")
    assert lapsed  # OST expired 2025-08-31: not in the Q3 return


def test_csv_and_manifest_bytes_match_the_golden_files(
    db: Database, build: Builder, settings: Settings
) -> None:
    small_force(build)
    made = make(db, settings)
    assert made.created
    assert made.record.return_id == "cambridgeshire-135v1-2025Q3-r1"
    csv_bytes = (settings.export_dir / made.record.csv_filename).read_bytes()
    manifest_bytes = (settings.export_dir / made.record.manifest_filename).read_bytes()
    assert csv_bytes == (GOLDEN / "cambridgeshire-135v1-2025Q3-r1.csv").read_bytes()
    assert manifest_bytes == (GOLDEN / "cambridgeshire-135v1-2025Q3-r1.manifest.json").read_bytes()
    assert not csv_bytes.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in csv_bytes
    manifest = json.loads(manifest_bytes)
    assert manifest["csv"]["sha256"] == hashlib.sha256(csv_bytes).hexdigest()
    assert manifest["csv"]["bytes"] == len(csv_bytes) == made.record.csv_bytes


def test_no_names_of_officers_leave_in_the_return(
    db: Database, build: Builder, settings: Settings
) -> None:
    build.ips_officer(since=date(2025, 1, 6), surname="Zanzibar", forenames="Quentin")
    made = make(db, settings)
    for name in (made.record.csv_filename, made.record.manifest_filename):
        data = (settings.export_dir / name).read_text()
        assert "Zanzibar" not in data
        assert "Quentin" not in data
    assert made.record.record_count == 1


def test_an_unchanged_rerun_makes_nothing_and_a_change_makes_revision_two(
    db: Database, build: Builder, settings: Settings
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 6), warrant_number="R1")
    first = make(db, settings)
    again = make(db, settings)
    assert not again.created
    assert again.record.id == first.record.id
    r1_bytes = (settings.export_dir / first.record.csv_filename).read_bytes()
    build.duty(officer, datetime(2025, 8, 1, 18, tzinfo=UTC), complete=True)
    second = make(db, settings)
    assert second.created
    assert second.record.revision == 2
    assert second.record.return_id == "cambridgeshire-135v1-2025Q3-r2"
    assert second.record.supersedes_id == first.record.id
    manifest = json.loads((settings.export_dir / second.record.manifest_filename).read_text())
    assert manifest["supersedes"] == "cambridgeshire-135v1-2025Q3-r1"
    assert rows(settings, second.record)[0]["return_id"] == "cambridgeshire-135v1-2025Q3-r2"
    assert (settings.export_dir / first.record.csv_filename).read_bytes() == r1_bytes
    assert sorted(p.name for p in settings.export_dir.iterdir()) == [
        "cambridgeshire-135v1-2025Q3-r1.csv",
        "cambridgeshire-135v1-2025Q3-r1.manifest.json",
        "cambridgeshire-135v1-2025Q3-r2.csv",
        "cambridgeshire-135v1-2025Q3-r2.manifest.json",
    ]


def test_ost_expiring_on_the_as_at_day_counts_and_the_day_before_does_not(
    db: Database, build: Builder, settings: Settings
) -> None:
    on_the_day = build.ips_officer(since=date(2025, 1, 6), warrant_number="T1")
    build.ost(on_the_day, date(2025, 6, 1), date(2025, 9, 30))
    day_before = build.ips_officer(since=date(2024, 9, 30), warrant_number="T2")
    assert day_before  # its OST: 2024-09-30 to 2025-09-29
    got = rows(settings, make(db, settings).record)
    assert [(r["officer_ref"], r["ost_expires_on"]) for r in got] == [
        ("cambridgeshire-T1", "2026-01-05")
    ]


def test_back_dated_records_keyed_late_count_by_their_own_dates(
    db: Database, build: Builder, settings: Settings
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1), warrant_number="L1")
    build.units(officer, date(2025, 9, 30))  # keyed now, attained on the as-at day
    build.ost(officer, date(2025, 9, 1))
    build.grant(officer, date(2025, 9, 30))
    assert [r["officer_ref"] for r in rows(settings, make(db, settings).record)] == [
        "cambridgeshire-L1"
    ]
    late = build.officer(joined_on=date(2024, 1, 1), warrant_number="L2")
    build.units(late, date(2025, 10, 1))  # attained the day after: not in Q3
    build.ost(late, date(2025, 10, 1))
    build.grant(late, date(2025, 10, 1))
    assert make(db, settings).created is False


def test_leavers_withdrawn_and_regranted_officers_at_the_boundaries(
    db: Database, build: Builder, settings: Settings
) -> None:
    left_on_as_at = build.ips_officer(since=date(2025, 1, 6), warrant_number="V1")
    officer_leaves(db, ADMIN, left_on_as_at.id, date(2025, 9, 30))
    left_after = build.ips_officer(since=date(2025, 1, 6), warrant_number="V2")
    officer_leaves(db, ADMIN, left_after.id, date(2025, 10, 1))
    withdrawn = build.ips_officer(since=date(2025, 1, 6), warrant_number="V3")
    ips.withdraw_ips(db, ADMIN, withdrawn.id, withdrawn_on=date(2025, 9, 30), reason="x")
    regranted = build.ips_officer(since=date(2025, 1, 6), warrant_number="V4")
    ips.withdraw_ips(db, ADMIN, regranted.id, withdrawn_on=date(2025, 5, 1), reason="x")
    ips.grant_ips(
        db,
        ADMIN,
        regranted.id,
        granted_on=date(2025, 8, 1),
        authorised_by=ips.Authorisation("Sam Reid", "SINSP", "Deputy Head"),
    )
    got = {r["officer_ref"]: r for r in rows(settings, make(db, settings).record)}
    assert sorted(got) == ["cambridgeshire-V2", "cambridgeshire-V4"]
    assert got["cambridgeshire-V4"]["ips_granted_on"] == "2025-08-01"
    assert got["cambridgeshire-V4"]["ips_authorised_by"] == "Sam Reid, SINSP, Deputy Head"


def test_hours_in_the_period_are_real_elapsed_time_across_a_clock_change(
    db: Database, build: Builder, settings: Settings
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 6), warrant_number="H1")
    # 22:00 BST 25 October to 06:00 GMT 26 October 2025: nine hours, in Q4.
    build.duty(officer, datetime(2025, 10, 25, 21, tzinfo=UTC), hours=9, complete=True)
    made = generate_return(db, settings.export_dir, "cambridgeshire", Quarter(2025, 4), 135, 1)
    got = rows(settings, made.record)
    assert (got[0]["duties_in_period"], got[0]["duty_hours_in_period"]) == ("1", "9.00")


def test_a_version_made_after_the_records_returns_those_meeting_it(
    db: Database, build: Builder, settings: Settings
) -> None:
    """A return's officers are those meeting its own version on the quarter's last day, also
    for a version made after their records (its spans are made with it)."""
    small_force(build)
    create_role_profile(
        db,
        ADMIN,
        mercury_ref=135,
        version=2,
        specialism="Special Constabulary Independent Patrol Status",
        required_units=["BE2"],
        requires_current_ost=False,
        equipment=[],
    )
    first = generate_return(db, settings.export_dir, "cambridgeshire", Q3, 135, 1, now=GENERATED_AT)
    second = generate_return(
        db, settings.export_dir, "cambridgeshire", Q3, 135, 2, now=GENERATED_AT
    )
    refs = [[row["officer_ref"] for row in rows(settings, made.record)] for made in (first, second)]
    assert refs[0] == ["cambridgeshire-SC0007", "cambridgeshire-SC0042"]
    # Version 2 asks for no safety training in force: the officer whose lapsed is in it.
    assert refs[1] == ["cambridgeshire-SC0007", "cambridgeshire-SC0042", "cambridgeshire-SC0100"]
    assert {row["profile_version"] for row in rows(settings, second.record)} == {"2"}


def test_a_force_with_nobody_eligible_still_makes_a_return(
    db: Database, settings: Settings
) -> None:
    made = make(db, settings, force="dyfed-powys")
    assert made.record.record_count == 0
    data = (settings.export_dir / made.record.csv_filename).read_bytes()
    assert data.count(b"\r\n") == 1  # the header alone


def test_the_current_quarter_cannot_be_returned_before_it_ends(
    db: Database, settings: Settings
) -> None:
    import pytest

    from dutyservice.clock import london_today
    from dutyservice.errors import Invalid

    with pytest.raises(Invalid):
        make(db, settings, quarter=Quarter.of(london_today()))
    with pytest.raises(Invalid):
        make(db, settings, quarter=Quarter.of(london_today() + timedelta(days=400)))


def test_a_second_maker_waits_until_the_first_has_finished(
    db: Database, build: Builder, settings: Settings
) -> None:
    """While one maker holds a return, another for the same return neither makes nor tidies
    anything; it goes on once the first has committed, and finds the revision already made."""
    small_force(build)
    settings.export_dir.mkdir(parents=True)
    key = ReturnKey("cambridgeshire", 135, 1, Q3)
    first_holds = threading.Event()
    seen: dict[str, float | bool] = {}

    def first_maker() -> None:
        with db.transaction() as session:
            _lock(session, key)
            # What a maker leaves before publishing: the second must not remove it meanwhile.
            partial = settings.export_dir / f".{key.return_id(1)}.csv.1.partial"
            partial.write_bytes(b"x")
            first_holds.set()
            time.sleep(0.5)
            seen["partial kept"] = partial.exists()
            seen["first finished"] = time.monotonic()

    holder = threading.Thread(target=first_maker)
    holder.start()
    assert first_holds.wait(10)
    second = make(db, settings)
    seen["second finished"] = time.monotonic()
    holder.join()
    assert seen["partial kept"] is True
    assert seen["second finished"] > seen["first finished"]
    assert second.created
    assert second.record.revision == 1
    assert not list(settings.export_dir.glob("*.partial"))  # tidied once it was its turn


def test_the_quarters_returns_are_the_same_bytes_whatever_the_forces_made_at_once(
    db: Database, build: Builder, settings: Settings
) -> None:
    small_force(build)
    build.ips_officer(force="norfolk", since=date(2025, 2, 3), warrant_number="SC0900")
    made: dict[int, dict[str, bytes]] = {}
    for workers in (1, 3):
        with db.transaction() as session:  # forgotten, so that the second run makes them anew
            session.execute(delete(NpoccReturn))
        export_dir = settings.export_dir / str(workers)
        generated = generate_quarter(db, export_dir, Q3, workers=workers)
        assert generated
        assert all(item.created for item in generated)
        made[workers] = {
            item.record.csv_filename: (export_dir / item.record.csv_filename).read_bytes()
            for item in generated
        }
    assert made[1] == made[3]
    assert any(b"SC0900" in data for data in made[1].values())
