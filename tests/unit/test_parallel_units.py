"""A parallel run keeps a served module's tests on one database together, and hands out every
other test on its own (tests/support/parallel.py)."""

from __future__ import annotations

from ..support.parallel import work_unit


def test_a_served_modules_tests_on_one_database_are_one_unit() -> None:
    first = work_unit("tests/e2e/test_races.py::test_grants[postgresql]")
    second = work_unit("tests/e2e/test_races.py::test_leavings[postgresql-None]")
    on_sqlite = work_unit("tests/e2e/test_races.py::test_grants[sqlite]")
    assert first == second
    assert on_sqlite != first
    assert work_unit("tests/e2e/test_cli_output.py::test_help[sqlite]") != on_sqlite


def test_any_other_test_is_a_unit_of_its_own() -> None:
    nodeid = "tests/api/test_duties_api.py::test_booking[postgresql]"
    assert work_unit(nodeid) == nodeid
