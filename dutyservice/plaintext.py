"""FEED.md's text rule: a text that can reach a return is plain. Pure: no Flask, no SQLAlchemy.

Every text that can reach a return (warrant numbers, base locations, an authoriser's name, rank
and position, a role profile's specialism) has no control characters (tab, CR, LF and the rest),
and it does not begin with `=`, `+`, `-` or `@`, so that no spreadsheet opening a return runs it
as a formula. The API's schemas, the import and the migration that reported older rows all ask
this one function.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@")
# Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def plain_text_problem(value: str) -> str | None:
    """Why the text may not reach a return, or None when it may."""
    if _CONTROL.search(value):
        return "must not contain control characters (tab, CR, LF and the rest)"
    if value.startswith(FORMULA_STARTS):
        return "must not begin with =, +, - or @ (a spreadsheet would run it as a formula)"
    return None


# Not control characters, yet mail headers, iCalendar lines and `str.splitlines` break at them.
_SEPARATORS = ("\u2028", "\u2029")


def header_text_problem(value: str) -> str | None:
    """Why a text that can reach a mail header (a Subject, an iCalendar SUMMARY or LOCATION)
    breaks the rule, or None: FEED.md's rule, and no line or paragraph separator either."""
    if any(separator in value for separator in _SEPARATORS):
        return "must not contain line breaks (U+2028, U+2029)"
    return plain_text_problem(value)
