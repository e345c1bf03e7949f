from datetime import date
from typing import Any

from dutyservice.ips.rules import (
    OfficerEvidence,
    ProfileRequirements,
    Span,
    covers,
    default_ost_expiry,
    meets_profile,
    missing_requirements,
    training_span,
)

PROFILE = ProfileRequirements(135, 1, ("BE2", "CD5"), requires_current_ost=True)
D = date


def evidence(**overrides: Any) -> OfficerEvidence:
    values: dict[str, Any] = {
        "joined_on": D(2020, 1, 1),
        "units": {"BE2": [Span(D(2024, 1, 1))], "CD5": [Span(D(2024, 1, 1))]},
        "ost": [training_span(D(2025, 1, 1), D(2025, 12, 31))],
        "grants": [Span(D(2025, 2, 1))],
    }
    values.update(overrides)
    return OfficerEvidence(**values)


def test_ost_expires_twelve_months_after_completion_less_a_day() -> None:
    assert default_ost_expiry(D(2025, 10, 1), 12) == D(2026, 9, 30)
    assert default_ost_expiry(D(2024, 2, 29), 12) == D(2025, 2, 27)
    assert default_ost_expiry(D(2025, 1, 31), 1) == D(2025, 2, 27)


def test_covers_joins_adjacent_spans_and_sees_gaps() -> None:
    spans = [(1, 5), (5, 9)]
    assert covers(spans, 1, 9)
    assert not covers([(1, 5), (6, 9)], 1, 9)
    assert covers([(0, None)], 3, 100)
    assert not covers([], 1, 2)
    assert not covers([(2, 9)], 1, 3)


def test_officer_meeting_everything_is_eligible_and_misses_nothing() -> None:
    assert meets_profile(evidence(), PROFILE, D(2025, 6, 1))
    assert missing_requirements(evidence(), PROFILE, D(2025, 6, 1)) == []


def test_ost_counts_on_its_expiry_day_but_not_the_day_after() -> None:
    assert missing_requirements(evidence(), PROFILE, D(2025, 12, 31)) == []
    assert missing_requirements(evidence(), PROFILE, D(2026, 1, 1)) == ["ost"]


def test_unit_is_held_from_attainment_and_lost_on_revocation_day() -> None:
    units = {"BE2": [Span(D(2024, 1, 1))], "CD5": [Span(D(2025, 3, 1), D(2025, 7, 1))]}
    e = evidence(units=units)
    assert missing_requirements(e, PROFILE, D(2025, 2, 28)) == ["CD5"]
    assert missing_requirements(e, PROFILE, D(2025, 3, 1)) == []
    assert missing_requirements(e, PROFILE, D(2025, 6, 30)) == []
    assert missing_requirements(e, PROFILE, D(2025, 7, 1)) == ["CD5"]


def test_renewed_ost_without_a_gap_covers_a_window_across_the_renewal() -> None:
    ost = [
        training_span(D(2025, 1, 1), D(2025, 12, 31)),
        training_span(D(2026, 1, 1), D(2026, 12, 31)),
    ]
    assert meets_profile(evidence(ost=ost), PROFILE, D(2025, 12, 20), D(2026, 1, 10))
    lapsed = [ost[0], training_span(D(2026, 1, 2), D(2026, 12, 31))]
    assert not meets_profile(evidence(ost=lapsed), PROFILE, D(2025, 12, 20), D(2026, 1, 10))


def test_grant_counts_from_its_day_and_not_on_the_withdrawal_day() -> None:
    e = evidence(grants=[Span(D(2025, 2, 1), D(2025, 8, 1))])
    assert not meets_profile(e, PROFILE, D(2025, 1, 31))
    assert meets_profile(e, PROFILE, D(2025, 2, 1))
    assert meets_profile(e, PROFILE, D(2025, 7, 31))
    assert not meets_profile(e, PROFILE, D(2025, 8, 1))


def test_officer_serves_from_joining_day_until_the_day_before_leaving() -> None:
    e = evidence(joined_on=D(2025, 3, 1), left_on=D(2025, 9, 1))
    assert not meets_profile(e, PROFILE, D(2025, 2, 28))
    assert meets_profile(e, PROFILE, D(2025, 3, 1))
    assert meets_profile(e, PROFILE, D(2025, 8, 31))
    assert not meets_profile(e, PROFILE, D(2025, 9, 1))


def test_profile_without_ost_requirement_ignores_training() -> None:
    no_ost = ProfileRequirements(999, 1, ("BE2",), requires_current_ost=False)
    assert missing_requirements(evidence(ost=[]), no_ost, D(2025, 6, 1)) == []
