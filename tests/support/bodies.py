"""Request bodies the tests send again and again."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def duty_body(
    officer_id: int, starts: str | datetime, ends: str | datetime, **extra: Any
) -> dict[str, Any]:
    """`POST /api/v1/duties`: a patrol for the officer, unless `extra` says otherwise."""

    def instant(value: str | datetime) -> str:
        return value.isoformat() if isinstance(value, datetime) else value

    return {
        "officer_id": officer_id,
        "starts_at": instant(starts),
        "ends_at": instant(ends),
        "duty_type": "patrol",
        **extra,
    }
