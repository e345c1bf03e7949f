"""Reads of the returns made."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..forces.models import Force
from ..pagination import Page, paginate
from .models import NpoccReturn


def list_returns(
    session: Session, *, quarter: str | None, force: str | None, page: int, per_page: int
) -> Page[NpoccReturn]:
    """Newest quarter first, then by force, each revision listed."""
    query = select(NpoccReturn).join(NpoccReturn.force)
    if quarter:
        query = query.where(NpoccReturn.quarter == quarter)
    if force:
        query = query.where(Force.code == force)
    query = query.order_by(NpoccReturn.quarter.desc(), Force.code, NpoccReturn.revision)
    return paginate(session, query, page, per_page)
