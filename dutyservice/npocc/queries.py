"""Reads of the NPoCC returns made, for those who may read them (API.md "NPoCC returns")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal, require
from ..errors import NotFound
from ..forces.models import Force
from ..pagination import Page, PageRequest, paginate
from .models import NpoccReturn


def list_returns(
    session: Session,
    principal: Principal,
    *,
    quarter: str | None,
    force: str | None,
    requested: PageRequest,
) -> Page[NpoccReturn]:
    """Returns made, newest quarter first, then by force, each revision listed."""
    require(principal, Permission.READ_RETURNS)
    query = select(NpoccReturn).join(NpoccReturn.force)
    if quarter:
        query = query.where(NpoccReturn.quarter == quarter)
    if force:
        query = query.where(Force.code == force)
    query = query.order_by(NpoccReturn.quarter.desc(), Force.code, NpoccReturn.revision)
    return paginate(session, query, requested)


def load_return(session: Session, principal: Principal, return_pk: int) -> NpoccReturn:
    require(principal, Permission.READ_RETURNS)
    record = session.get(NpoccReturn, return_pk)
    if record is None:
        raise NotFound("no return with that id")
    return record
