"""What a text must be to travel in a return (FEED.md "CSV"). Pure: no Flask, no SQLAlchemy.

Every text that can reach a return (warrant numbers, base locations, an authoriser's name, rank
and position, a role profile's specialism) is plain: no control characters, and it does not
begin with a character that makes a spreadsheet read the cell as a formula.
"""

from __future__ import annotations

import unicodedata

FORMULA_LEADS = ("=", "+", "-", "@")


def feed_text_problem(text: str) -> str | None:
    """Why `text` may not reach a return, or None when it may."""
    if any(unicodedata.category(character) == "Cc" for character in text):
        return "must not contain control characters (tab, CR, LF and the like)"
    if text.startswith(FORMULA_LEADS):
        return "must not begin with =, +, - or @ (a spreadsheet would run it as a formula)"
    return None
