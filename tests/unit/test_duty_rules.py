from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dutyservice.clock import LONDON, Month
from dutyservice.duties.rules import (
    MonthStatus,
    audited,
    contact_columns,
    duty_time_errors,
    elapsed_hours,
    hours_by_month,
    month_status,
    month_status_by,
    overlaps,
)


def london(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


def test_duty_across_october_clock_change_counts_nine_hours() -> None:
    # 22:00 BST on 24 October 2026 to 06:00 GMT on 25 October: the clocks go back at 02:00.
    assert elapsed_hours(london(2026, 10, 24, 22), london(2026, 10, 25, 6)) == Decimal("9.00")


def test_duty_across_march_clock_change_counts_seven_hours() -> None:
    assert elapsed_hours(london(2026, 3, 28, 22), london(2026, 3, 29, 6)) == Decimal("7.00")


def test_hours_are_rounded_to_two_places() -> None:
    start = datetime(2026, 5, 1, 18, tzinfo=UTC)
    assert elapsed_hours(start, start + timedelta(minutes=20)) == Decimal("0.33")
    assert elapsed_hours(start, start + timedelta(minutes=45)) == Decimal("0.75")


def test_a_duty_of_exactly_24_hours_is_allowed_and_one_minute_more_is_not() -> None:
    start = datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert duty_time_errors(start, start + timedelta(hours=24)) == {}
    assert "ends_at" in duty_time_errors(start, start + timedelta(hours=24, minutes=1))


def test_a_duty_must_end_after_it_starts() -> None:
    start = datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert "ends_at" in duty_time_errors(start, start)
    assert "actual_ends_at" in duty_time_errors(start, start - timedelta(hours=1), "actual_")


def test_touching_duties_do_not_overlap_but_sharing_a_minute_does() -> None:
    a, b, c = (datetime(2026, 5, 1, h, tzinfo=UTC) for h in (8, 12, 16))
    assert not overlaps(a, b, b, c)
    assert overlaps(a, b + timedelta(minutes=1), b, c)
    assert overlaps(a, c, b, b + timedelta(hours=1))  # one inside the other


def test_month_status_is_red_without_hours_amber_below_minimum_green_at_it() -> None:
    minimum = Decimal(16)
    assert month_status(Decimal(0), minimum) is MonthStatus.RED
    assert month_status(Decimal("15.99"), minimum) is MonthStatus.AMBER
    assert month_status(Decimal(16), minimum) is MonthStatus.GREEN


def test_hours_count_in_the_london_month_of_the_start() -> None:
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: a July duty.
    start = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    totals = hours_by_month([(start, start + timedelta(hours=4))])
    assert totals == {Month(2026, 7): Decimal("4.00")}


def test_a_month_not_yet_begun_has_no_status_while_the_current_one_has() -> None:
    minimum = Decimal(16)
    today = date(2026, 12, 2)
    assert month_status_by(Month(2027, 1), today, Decimal(0), minimum) is None
    assert month_status_by(Month(2026, 12), today, Decimal(0), minimum) is MonthStatus.RED
    assert month_status_by(Month(2026, 11), today, Decimal(16), minimum) is MonthStatus.GREEN


def test_the_audit_trail_records_that_an_address_changed_never_the_address() -> None:
    columns = contact_columns({"email": "a@b.example", "notify": {"reminders": False}})
    assert columns == {"email": "a@b.example", "notify_reminders": False}
    assert audited(columns) == {"email": "set", "notify_reminders": False}
    assert audited({"email": None}) == {"email": "removed"}
