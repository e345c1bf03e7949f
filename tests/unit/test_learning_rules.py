"""The learning programme's rules in plain Python: stages held, since when, what is next."""

from datetime import date
from decimal import Decimal

from dutyservice.forces.rules import MinimumRow, minimum_in_force
from dutyservice.ips.learning_rules import (
    AREAS,
    StageRecord,
    at_stage_throughout,
    entry_problem,
    in_stage_too_long,
    missing_before,
    standing,
)
from dutyservice.ips.rules import Span


def held(stage: str, start: date, end: date | None = None, area: str = "") -> StageRecord:
    return StageRecord(stage, area, Span(start, end))


APS = held("APS", date(2025, 1, 1))
DPS = held("DPS", date(2025, 6, 1))


def test_a_later_stage_counts_as_being_at_an_earlier_one() -> None:
    roads = held("QSC", date(2025, 9, 1), area="roads")
    revoked_dps = held("DPS", date(2025, 6, 1), date(2025, 10, 1))
    records = [APS, revoked_dps, roads]
    assert at_stage_throughout(records, "DPS", date(2025, 6, 1), date(2026, 1, 1))
    assert not at_stage_throughout(records, "DPS", date(2025, 5, 31), date(2025, 6, 1))
    assert at_stage_throughout(records, "QSC", date(2025, 9, 1), date(2025, 9, 1), "roads")
    assert not at_stage_throughout(records, "QSC", date(2025, 9, 1), date(2025, 9, 1), "response")


def test_each_stage_needs_the_one_before_it_held_that_day() -> None:
    assert missing_before([], "APS", date(2025, 1, 1)) is None
    assert missing_before([], "DPS", date(2025, 1, 1)) == "APS"
    assert missing_before([APS], "DPS", date(2024, 12, 31)) == "APS"
    assert missing_before([APS], "QSC", date(2025, 7, 1)) == "DPS"
    assert missing_before([APS, DPS], "QSC", date(2025, 7, 1)) is None


def test_only_a_qsc_names_an_area_and_qsc_f_is_never_recorded() -> None:
    assert entry_problem("QSC", None) is not None
    assert entry_problem("QSC", "roads") is None
    assert entry_problem("DPS", "roads") is not None
    assert entry_problem("QSC-F", None) is not None


def test_standing_reads_the_highest_stage_since_when_and_what_comes_next() -> None:
    assert standing([], date(2025, 1, 1)).stage is None
    at_aps = standing([APS, DPS], date(2025, 5, 1))
    assert (at_aps.stage, at_aps.since, at_aps.next_needs) == (
        "APS",
        date(2025, 1, 1),
        ["DPS: directed patrol status assessed"],
    )
    areas = [held("QSC", date(2026, 1, n + 1), area=a) for n, a in enumerate(AREAS)]
    full = standing([APS, DPS, *areas], date(2026, 2, 1))
    assert (full.stage, full.qsc_full, full.since, full.next_needs) == (
        "QSC",
        True,
        date(2026, 1, 5),
        [],
    )


def test_an_officer_at_aps_or_dps_too_long_is_listed_but_not_one_qualified() -> None:
    assert in_stage_too_long("APS", date(2025, 1, 1), date(2026, 1, 2), 12)
    assert not in_stage_too_long("APS", date(2025, 1, 1), date(2026, 1, 1), 12)
    assert not in_stage_too_long("QSC", date(2020, 1, 1), date(2026, 1, 1), 12)


def test_the_minimum_for_a_stage_wins_over_the_forces_and_each_begins_on_its_month() -> None:
    rows = [
        MinimumRow(date(2025, 1, 1), "", Decimal(16)),
        MinimumRow(date(2025, 1, 1), "DPS", Decimal(12)),
        MinimumRow(date(2025, 9, 1), "", Decimal(20)),
    ]
    default = Decimal(10)
    assert minimum_in_force(rows, date(2024, 12, 1), "DPS", default) == default
    assert minimum_in_force(rows, date(2025, 3, 1), "DPS", default) == 12
    assert minimum_in_force(rows, date(2025, 10, 1), "DPS", default) == 12
    assert minimum_in_force(rows, date(2025, 10, 1), "APS", default) == 20
    assert minimum_in_force(rows, date(2025, 3, 1), None, default) == 16
