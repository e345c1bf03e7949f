"""Making a quarter's returns and delivering those made: the one use case behind the API's
`POST /api/v1/npocc/returns`, `dutyservice export` and the scheduler's quarterly job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..clock import Quarter
from ..config import Settings
from ..db import Database
from ..errors import Invalid
from ..forces.queries import list_forces
from ..served import check_served
from .generation import (
    FILED,
    PENDING,
    Generated,
    check_quarter_ended,
    generate_quarter,
    returning_forces,
)


def check_made_here(settings: Settings, quarter: Quarter, force_code: str | None) -> None:
    """DUTYSERVICE_RETURNS_FROM and DUTYSERVICE_FORCES: what this deployment makes returns for."""
    if settings.returns_from is not None and quarter < settings.returns_from:
        raise Invalid(
            "no return is made for a quarter before this service went live",
            errors={"quarter": [f"returns are made from {settings.returns_from} on"]},
        )
    if force_code is not None:
        check_served(settings.forces, force_code)


def check_can_make(
    db: Database, settings: Settings, quarter: Quarter, force_code: str | None
) -> None:
    """What making the quarter's returns would refuse before it began, refused now: for a
    request that is queued rather than made at once."""
    check_made_here(settings, quarter, force_code)
    check_quarter_ended(quarter)
    with db.reading() as session:
        returning_forces(list_forces(session), force_code)


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
    delivered, where a feed is configured (without one, they are `filed`: the files are the
    return). Only the forces this deployment serves, from its go-live quarter on.

    `when_made` is told what was made before anything is delivered (the scheduler records its
    run as finished there, so that a slow feed does not hold the quarter's claim).
    """
    check_made_here(settings, quarter, force_code)
    generated = generate_quarter(
        db,
        settings.export_dir,
        quarter,
        force_code,
        progress,
        served=settings.forces,
        status=PENDING if settings.npocc_feed_url else FILED,
    )
    if when_made is not None:
        when_made(generated)
    if not settings.npocc_feed_url:  # without a feed the HTTP client is never loaded
        return generated
    from .delivery import deliver

    return [
        replace(item, record=deliver(db, settings, item.record.id)) if item.created else item
        for item in generated
    ]
