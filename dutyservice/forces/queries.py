"""Reads of forces: finding one by its code (the identifier clients use), listing them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..lookups import lookups
from .models import Force


def find_force(session: Session, code: str) -> Force | None:
    return session.scalar(select(Force).where(Force.code == code))


def force_by_code(session: Session, code: str) -> Force:
    """The force a client named; an unknown code is the client's mistake (422)."""
    force = find_force(session, code)
    if force is None:
        raise Invalid("unknown force", errors={"force": [f"no force with code {code!r}"]})
    return force


def force_id_by_code(session: Session, code: str) -> int:
    """A force's id: forces are seeded and their codes never change."""
    return lookups(session).get(("force_id", code), lambda: force_by_code(session, code).id)


def list_forces(session: Session) -> list[Force]:
    return list(session.scalars(select(Force).order_by(Force.code)))
