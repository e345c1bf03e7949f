"""Completion rules (API.md "Duties"): actual times inside the officer's service, at most
24 hours, not in the future, and never overlapping another completed duty's actual times."""

from datetime import UTC, date, datetime, timedelta

from dutyservice.clock import LONDON
from dutyservice.duties.rules import Service, completion_errors, first_overlapping

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SERVING = Service(joined_on=date(2026, 3, 1), left_on=date(2026, 11, 1))


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def test_actual_times_inside_the_service_are_accepted() -> None:
    assert completion_errors(london(2026, 6, 1, 18), london(2026, 6, 2, 2), SERVING, NOW) == {}


def test_actual_times_starting_before_the_london_day_the_officer_joined_are_refused() -> None:
    # 23:30 GMT on 28 February is still 28 February in London: the day before joining.
    errors = completion_errors(london(2026, 2, 28, 23, 30), london(2026, 3, 1, 4), SERVING, NOW)
    assert errors == {"actual_starts_at": ["outside the officer's service"]}


def test_a_duty_starting_at_london_midnight_of_the_joining_day_is_inside() -> None:
    assert completion_errors(london(2026, 3, 1, 0), london(2026, 3, 1, 6), SERVING, NOW) == {}


def test_actual_times_running_into_the_day_the_officer_left_are_refused() -> None:
    # left_on 1 November: serving until the end of 31 October (London time, GMT by then).
    late = completion_errors(london(2026, 10, 31, 20), london(2026, 11, 1, 0, 30), SERVING, NOW)
    assert late == {"actual_starts_at": ["outside the officer's service"]}
    assert completion_errors(london(2026, 10, 31, 20), london(2026, 11, 1, 0), SERVING, NOW) == {}


def test_an_officer_still_serving_has_no_end_to_their_service() -> None:
    serving = Service(joined_on=date(2026, 3, 1))
    assert completion_errors(london(2026, 11, 20, 8), london(2026, 11, 20, 16), serving, NOW) == {}


def test_actual_times_longer_than_24_hours_or_in_the_future_are_refused() -> None:
    start = london(2026, 6, 1, 8)
    too_long = completion_errors(start, start + timedelta(hours=24, minutes=1), SERVING, NOW)
    assert too_long == {"actual_ends_at": ["a duty lasts at most 24 hours"]}
    assert completion_errors(start, start, SERVING, NOW) == {
        "actual_ends_at": ["must be after starts_at"]
    }
    serving = Service(joined_on=date(2026, 3, 1))
    future = completion_errors(NOW - timedelta(hours=1), NOW + timedelta(minutes=1), serving, NOW)
    assert future == {"actual_ends_at": ["is in the future"]}


def test_a_completion_overlapping_another_completed_duty_names_it() -> None:
    completed = [
        (7, london(2026, 6, 1, 8), london(2026, 6, 1, 16)),
        (9, london(2026, 6, 2, 8), london(2026, 6, 2, 16)),
    ]
    assert first_overlapping(completed, london(2026, 6, 2, 15), london(2026, 6, 2, 20)) == 9
    assert first_overlapping(completed, london(2026, 6, 1, 8), london(2026, 6, 1, 16)) == 7


def test_completions_that_touch_do_not_overlap() -> None:
    completed = [(7, london(2026, 6, 1, 8), london(2026, 6, 1, 16))]
    assert first_overlapping(completed, london(2026, 6, 1, 16), london(2026, 6, 1, 20)) is None
    assert first_overlapping(completed, london(2026, 6, 1, 4), london(2026, 6, 1, 8)) is None
