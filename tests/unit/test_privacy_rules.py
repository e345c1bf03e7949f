"""The data-protection rules alone: when retention ends, and what an audit entry keeps."""

from __future__ import annotations

from datetime import date

from dutyservice.privacy.rules import (
    anonymous_warrant_number,
    past_retention,
    retention_ends,
    without_personal_fields,
)


def test_personal_data_is_kept_for_six_full_years_after_leaving_and_not_a_day_more() -> None:
    left = date(2020, 3, 31)
    assert retention_ends(left, 6) == date(2026, 3, 31)
    assert not past_retention(left, date(2026, 3, 31), 6)
    assert past_retention(left, date(2026, 4, 1), 6)


def test_a_leaver_on_29_february_is_kept_to_28_february_of_a_year_without_one() -> None:
    assert retention_ends(date(2020, 2, 29), 6) == date(2026, 2, 28)
    assert past_retention(date(2020, 2, 29), date(2026, 3, 1), 6)


def test_an_officer_still_serving_is_never_past_retention() -> None:
    assert not past_retention(None, date(2099, 1, 1), 1)


def test_an_audit_entry_keeps_what_happened_without_what_identifies_the_person() -> None:
    changes = {"surname": "Smith", "email": "a@b.example", "rank": "SC", "left_on": "2020-03-31"}
    kept = without_personal_fields(changes)
    assert kept == {
        "surname": "(removed)",
        "email": "(removed)",
        "rank": "SC",
        "left_on": "2020-03-31",
    }


def test_an_anonymised_warrant_number_is_plain_and_names_only_the_record() -> None:
    assert anonymous_warrant_number(42) == "anon-42"
