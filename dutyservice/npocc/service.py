"""Making a quarter's returns and delivering those made: the one use case behind the API's
`POST /api/v1/npocc/returns`, `dutyservice export` and the scheduler's quarterly job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..clock import Quarter
from ..config import Settings
from ..db import Database
from .generation import Generated, generate_quarter


def make_quarter_returns(
    db: Database,
    settings: Settings,
    quarter: Quarter,
    force_code: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    when_made: Callable[[list[Generated]], None] | None = None,
) -> list[Generated]:
    """Every force's (or one force's) returns for the quarter; each one made now is then
    delivered, where a feed is configured (without one, returns wait pending for it).

    `when_made` is told what was made before anything is delivered (the scheduler records its
    run as finished there, so that a slow feed does not hold the quarter's claim).
    """
    generated = generate_quarter(db, settings.export_dir, quarter, force_code, progress)
    if when_made is not None:
        when_made(generated)
    if not settings.npocc_feed_url:  # without a feed the HTTP client is never loaded
        return generated
    from .delivery import deliver

    return [
        replace(item, record=deliver(db, settings, item.record.id)) if item.created else item
        for item in generated
    ]
