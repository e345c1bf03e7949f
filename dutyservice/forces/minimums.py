"""A force's minimum hours by period and stage: set by admins, read by the monthly status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..auth.scope import Permission, Principal, require
from ..db import Database
from ..errors import NotFound
from .models import Force, MinimumHours
from .queries import find_force
from .rules import MinimumRow


def set_minimum(
    db: Database,
    principal: Principal,
    code: str,
    *,
    from_month: date,
    stage: str | None,
    hours: Decimal,
) -> MinimumHours:
    """From `from_month` on, `hours` a month for officers at `stage` (None: every officer).
    Setting the same month and stage again replaces the hours."""
    require(principal, Permission.MANAGE_REFERENCE)
    with db.transaction() as session:
        force = find_force(session, code)
        if force is None:
            raise NotFound("no force with that code")
        key = (force.id, from_month, stage or "")
        row = session.scalar(
            select(MinimumHours).where(
                MinimumHours.force_id == key[0],
                MinimumHours.from_month == key[1],
                MinimumHours.stage == key[2],
            )
        )
        if row is None:
            row = MinimumHours(force_id=force.id, from_month=from_month, stage=stage or "")
            session.add(row)
        row.hours = hours.quantize(Decimal("0.01"))
        session.flush()
        audit.record(
            session,
            principal,
            "force.minimum_hours",
            "force",
            force.id,
            force_id=force.id,
            changes={"from_month": from_month, "stage": stage, "hours": hours},
        )
        return row


def minimum_rows(session: Session, force: Force) -> list[MinimumRow]:
    return [
        MinimumRow(row.from_month, row.stage, row.hours)
        for row in session.scalars(
            select(MinimumHours)
            .where(MinimumHours.force_id == force.id)
            .order_by(MinimumHours.from_month, MinimumHours.stage)
        )
    ]
