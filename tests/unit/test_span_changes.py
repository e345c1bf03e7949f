"""How the stored spans of an officer become the rule's: only what differs is written."""

from __future__ import annotations

from datetime import date

from dutyservice.ips.spans import Changes, changes

MARCH, JUNE, SEPTEMBER = date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1)


def test_spans_as_stored_change_nothing() -> None:
    held = [((7, 1, MARCH, JUNE), 10), ((7, 2, MARCH, None), 11)]
    assert not changes({key for key, _ in held}, held)


def test_a_span_that_ends_later_moves_its_end_and_keeps_its_row() -> None:
    found = changes({(7, 1, MARCH, SEPTEMBER)}, [((7, 1, MARCH, JUNE), 10)])
    assert found == Changes(went=[], moved=[(10, SEPTEMBER)], came=set())


def test_a_span_no_longer_ended_moves_its_end_to_none() -> None:
    found = changes({(7, 1, MARCH, None)}, [((7, 1, MARCH, JUNE), 10)])
    assert found == Changes(moved=[(10, None)])


def test_a_span_gone_is_deleted_and_one_new_is_inserted() -> None:
    found = changes({(7, 1, SEPTEMBER, None)}, [((7, 1, MARCH, JUNE), 10)])
    assert found == Changes(went=[10], came={(7, 1, SEPTEMBER, None)})


def test_a_span_stored_twice_keeps_one_row() -> None:
    held = [((7, 1, MARCH, JUNE), 10), ((7, 1, MARCH, JUNE), 12)]
    assert changes({(7, 1, MARCH, JUNE)}, held) == Changes(went=[12])


def test_the_same_start_in_another_requirement_is_not_moved_into() -> None:
    """A profile's span never takes the row of another profile's span that starts that day."""
    found = changes({(7, 2, MARCH, SEPTEMBER)}, [((7, 1, MARCH, JUNE), 10)])
    assert found == Changes(went=[10], came={(7, 2, MARCH, SEPTEMBER)})
