"""Declaring availability: which windows may be declared, and what a replacement keeps."""

from datetime import UTC, datetime

from dutyservice.duties.rules import availability_errors, outside_range


def at(hour: int, day: int = 20) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def test_ordered_windows_inside_the_range_are_valid_and_may_touch() -> None:
    assert availability_errors(at(0), at(0, 21), [(at(8), at(12)), (at(12), at(18))]) == {}


def test_each_fault_is_named_once_for_each_window_it_is_found_in() -> None:
    assert availability_errors(at(12), at(8), []) == {"to": ["must be after from"]}
    errors = availability_errors(
        at(0),
        at(0, 21),
        [(at(9), at(9)), (at(10), at(14)), (at(13), at(15)), (at(23), at(1, 21) + (at(1) - at(0)))],
    )
    assert errors == {
        "windows": [
            "each window must end after it starts",
            "windows must not overlap each other",
            "each window must lie within from and to",
        ]
    }


def test_a_replacement_keeps_the_parts_of_straddling_windows_outside_its_range() -> None:
    straddling = [(at(6), at(10)), (at(20), at(4, 21)), (at(12), at(14))]
    assert outside_range(straddling, at(8), at(0, 21)) == [(at(6), at(8)), (at(0, 21), at(4, 21))]


def test_a_window_covering_the_whole_range_keeps_both_ends() -> None:
    assert outside_range([(at(0), at(23))], at(8), at(12)) == [(at(0), at(8)), (at(12), at(23))]
