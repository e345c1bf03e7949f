from datetime import UTC, date, datetime

import pytest

from dutyservice.clock import Month, Quarter, london_days_spanned, start_of_london_day


def test_quarter_of_a_day_and_its_bounds() -> None:
    q = Quarter.of(date(2026, 9, 30))
    assert str(q) == "2026-Q3"
    assert q.compact == "2026Q3"
    assert (q.first_day, q.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Quarter.of(date(2026, 10, 1)) == q.next()
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).last_day == date(2025, 12, 31)


@pytest.mark.parametrize("text", ["2026-Q5", "2026Q1", "26-Q1", "2026-q1", ""])
def test_quarter_parse_refuses_malformed_ids(text: str) -> None:
    with pytest.raises(ValueError, match="a quarter is written YYYY-Qn"):
        Quarter.parse(text)


def test_quarter_starts_at_london_midnight_in_utc() -> None:
    start, end = Quarter(2026, 3).utc_bounds()
    assert start == datetime(2026, 6, 30, 23, tzinfo=UTC)  # BST
    assert end == datetime(2026, 9, 30, 23, tzinfo=UTC)


def test_month_parse_and_next() -> None:
    assert Month.parse("2026-12").next() == Month(2027, 1)
    with pytest.raises(ValueError, match="a month is written YYYY-MM"):
        Month.parse("2026-13")


def test_london_day_starts_at_the_right_utc_instant_in_winter_and_summer() -> None:
    assert start_of_london_day(date(2026, 1, 10)) == datetime(2026, 1, 10, 0, tzinfo=UTC)
    assert start_of_london_day(date(2026, 7, 10)) == datetime(2026, 7, 9, 23, tzinfo=UTC)


def test_window_ending_at_midnight_does_not_touch_the_next_day() -> None:
    first, last = london_days_spanned(
        datetime(2026, 1, 10, 18, tzinfo=UTC), datetime(2026, 1, 11, 0, tzinfo=UTC)
    )
    assert first == last == date(2026, 1, 10)
    first, last = london_days_spanned(
        datetime(2026, 1, 10, 18, tzinfo=UTC), datetime(2026, 1, 11, 2, tzinfo=UTC)
    )
    assert (first, last) == (date(2026, 1, 10), date(2026, 1, 11))
