"""FEED.md's text rule, as one pure function: plain text, nothing a spreadsheet would run."""

import pytest

from dutyservice.plaintext import plain_text_problem


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
        "=SUM(A1)",
        "+44 1223",
        "Ely\r\n",
    ],
)
def test_text_a_spreadsheet_could_run_or_that_breaks_a_row_is_refused(text: str) -> None:
    assert plain_text_problem(text) is not None


def test_the_refusal_says_why_in_feed_md_s_words() -> None:
    assert plain_text_problem("W\t1") == (
        "must not contain control characters (tab, CR, LF and the rest)"
    )
    assert plain_text_problem("=1") == (
        "must not begin with =, +, - or @ (a spreadsheet would run it as a formula)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ely",
        "W-1",
        "Ely = March + 2 @ HQ",
        "Sgt O'Neill",
        "Zoë",
        "St. Neots",
        "Chris Morgan, SCO",
        "",
    ],
)
def test_plain_text_with_formula_characters_after_the_start_is_accepted(text: str) -> None:
    assert plain_text_problem(text) is None
