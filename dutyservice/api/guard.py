"""Hostile JSON refused before any work: too deep, numbers too long, strings that cannot be
stored (API.md: bad input gets a problem and changes nothing).

The body is read once here, with bounded number parsing, before the schemas read it, so that
no arbitrary-precision arithmetic, unbounded recursion or database encoding error is reached.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32  # the deepest body of the API is three levels
MAX_NUMBER_CHARACTERS = 40  # an id has 10 digits; hours and minimums a few more
UNSTORABLE = "must not contain NUL or unpaired surrogate characters"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Refusal:
    status: int
    title: str
    detail: str
    errors: dict[str, list[str]] | None = None


class _NumberTooLong(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise _NumberTooLong(text[:10])
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise _NumberTooLong(text[:10])
    return float(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python reads NaN and Infinity; JSON has neither


def refusal(raw: str) -> Refusal | None:
    """Why this JSON text is refused before it is read, or None when it may be read."""
    try:
        document = json.loads(
            raw, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant
        )
    except RecursionError:  # nested deeper than the interpreter's recursion limit
        return _too_deep()
    except _NumberTooLong:
        return Refusal(
            400,
            "Malformed JSON",
            f"a number in the body is longer than {MAX_NUMBER_CHARACTERS} characters",
        )
    except ValueError:
        return Refusal(400, "Malformed JSON", "the request body is not valid JSON")
    deepest, bad = _inspect(document)
    if deepest > MAX_DEPTH:
        return _too_deep()
    if bad:
        return Refusal(422, "Unprocessable request", "the request body is not valid", errors=bad)
    return None


def _too_deep() -> Refusal:
    return Refusal(400, "Malformed JSON", f"the body nests deeper than {MAX_DEPTH} levels")


def _inspect(document: Any) -> tuple[int, dict[str, list[str]]]:
    """How deep the document nests, and each string (by its dotted name) that cannot be stored.

    Walked with a stack, not recursion: the document may be as deep as the parser allowed.
    """
    deepest = 0
    bad: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(document, "body", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                bad[where] = [UNSTORABLE]
            continue
        if not isinstance(value, dict | list):
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            return deepest, bad
        if isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    bad[where] = [f"a member name {UNSTORABLE}"]
                    continue
                stack.append((item, key if where == "body" else f"{where}.{key}", depth + 1))
        else:
            for index, item in enumerate(value):
                stack.append((item, f"{where}.{index}", depth + 1))
    return deepest, bad
