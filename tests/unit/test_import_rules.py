"""Reading an import row: the API's rules, London wall-clock times, FEED.md's text rule."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from dutyservice.clock import WallClockError, london_wall_clock
from dutyservice.imports.rules import read_duty, read_officer, read_training

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TYPES = ("patrol", "event")


def duty(**values: str) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "warrant_number": "C1",
        "starts_at": "2026-06-01 18:00",
        "ends_at": "2026-06-01 23:00",
        "duty_type": "patrol",
        "location": "Parkside",
        "status": "completed",
        "actual_starts_at": "",
        "actual_ends_at": "",
    }
    return row | values


def test_summer_wall_clock_time_is_an_hour_ahead_of_utc() -> None:
    assert london_wall_clock(datetime(2026, 6, 1, 18, 0)) == datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def test_wall_clock_time_the_clocks_skip_in_march_names_no_instant() -> None:
    with pytest.raises(WallClockError, match="clocks go forward"):
        london_wall_clock(datetime(2026, 3, 29, 1, 30))


def test_wall_clock_time_the_clocks_repeat_in_october_names_two_instants() -> None:
    with pytest.raises(WallClockError, match="happens twice"):
        london_wall_clock(datetime(2026, 10, 25, 1, 30))


def test_times_either_side_of_the_october_change_are_nine_hours_apart_from_22_to_06() -> None:
    parsed, errors = read_duty(
        duty(starts_at="2026-10-24 22:00", ends_at="2026-10-25 06:00"), TYPES, NOW
    )
    assert errors == []
    assert parsed is not None
    assert parsed.ends_at - parsed.starts_at == datetime(1, 1, 1, 9) - datetime(1, 1, 1)


def test_completed_duty_without_actual_times_takes_the_booked_ones() -> None:
    parsed, _ = read_duty(duty(), TYPES, NOW)
    assert parsed is not None
    assert (parsed.actual_starts_at, parsed.actual_ends_at) == (parsed.starts_at, parsed.ends_at)


def test_a_duty_refuses_every_bad_column_at_once() -> None:
    _, errors = read_duty(duty(duty_type="karaoke", status="done", ends_at="soon"), TYPES, NOW)
    assert [column for column, _ in errors] == ["ends_at", "duty_type", "status"]


def test_a_booked_duty_has_no_actual_times() -> None:
    _, errors = read_duty(duty(status="booked", actual_starts_at="2026-06-01 18:00"), TYPES, NOW)
    assert errors == [("status", "only a completed duty has actual times")]


def test_an_officer_who_left_before_joining_is_refused() -> None:
    _, errors = read_officer(
        {
            "warrant_number": "C1",
            "surname": "Smith",
            "forenames": "Alex",
            "rank": "SC",
            "base_location": "Ely",
            "joined_on": "2024-01-10",
            "left_on": "2023-12-31",
            "email": "",
        }
    )
    assert errors == [("left_on", "is before joined_on")]


def test_training_without_expiry_follows_the_force_policy() -> None:
    row = {"warrant_number": "C1", "kind": "ost", "completed_on": "2025-10-01", "expires_on": ""}
    parsed, _ = read_training(row, date(2026, 1, 1), 12)
    assert parsed is not None
    assert parsed.expires_on == date(2026, 9, 30)


@pytest.mark.parametrize("module", ["dutyservice.imports.rules"])
def test_import_rules_import_neither_flask_nor_sqlalchemy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
