"""Hostile JSON refused before any work: too deep, numbers too long, strings that cannot be
stored (API.md: bad input gets a problem and changes nothing).

Checked on the raw body before the schemas read it, so that no parser recursion, no
arbitrary-precision arithmetic and no database encoding error is ever reached.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # the deepest body of the API is three levels
MAX_NUMBER_CHARACTERS = 40  # an id has 10 digits; hours and minimums a few more
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_NUMBER = re.compile(r"-?[0-9][0-9.eE+-]*")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Refusal:
    status: int
    title: str
    detail: str
    errors: dict[str, list[str]] | None = None


def refusal(raw: str) -> Refusal | None:
    """Why this JSON text is refused before it is read, or None when it may be read."""
    skeleton = _STRING.sub('""', raw)
    depth = deepest = 0
    for bracket in _BRACKET.findall(skeleton):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return Refusal(400, "Malformed JSON", f"the body nests deeper than {MAX_DEPTH} levels")
    if any(len(number) > MAX_NUMBER_CHARACTERS for number in _NUMBER.findall(skeleton)):
        return Refusal(
            400,
            "Malformed JSON",
            f"a number in the body is longer than {MAX_NUMBER_CHARACTERS} characters",
        )
    try:
        document = json.loads(raw, parse_constant=_no_constant)
    except ValueError:  # also NaN and Infinity, which Python reads but JSON does not have
        return Refusal(400, "Malformed JSON", "the request body is not valid JSON")
    bad = dict(_unstorable_strings(document, "body"))
    if bad:
        return Refusal(422, "Unprocessable request", "the request body is not valid", errors=bad)
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


UNSTORABLE = "must not contain NUL or unpaired surrogate characters"


def _unstorable_strings(value: Any, where: str) -> list[tuple[str, list[str]]]:
    if isinstance(value, str):
        return [(where, [UNSTORABLE])] if _UNSTORABLE.search(value) else []
    found: list[tuple[str, list[str]]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key) if where == "body" else f"{where}.{key}"
            if _UNSTORABLE.search(key):
                found.append((where, [f"a member name {UNSTORABLE}"]))
                continue
            found.extend(_unstorable_strings(item, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_unstorable_strings(item, f"{where}.{index}"))
    return found
