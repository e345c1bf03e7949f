"""FEED.md's text rule, as one pure function: plain text, nothing a spreadsheet would run."""

import pytest

from dutyservice.npocc.rules import feed_text_problem


@pytest.mark.parametrize(
    "text",
    [
        "=EVIL()",
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(1,1)",
        "W\t1",
        "Ely\r\nMarch",
        "A\x1bB",
        "A\x85",
    ],
)
def test_text_a_spreadsheet_could_run_or_that_breaks_a_row_is_refused(text: str) -> None:
    assert feed_text_problem(text) is not None


@pytest.mark.parametrize("text", ["Ely", "W-1", "Ely = March + 2 @ HQ", "Sgt O'Neill", "Zoë", ""])
def test_plain_text_with_formula_characters_after_the_start_is_accepted(text: str) -> None:
    assert feed_text_problem(text) is None
