"""Pagination written once: `?page=&per_page=` (max 500) → items, page, per_page, total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 500
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """The page of a listing a client asked for (`?page=&per_page=`), counted from 1."""

    page: int
    per_page: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


def paginate(
    session: Session,
    query: Select[*tuple[Any, ...]],
    requested: PageRequest,
    *,
    scalars: bool = True,
) -> Page[Any]:
    """One page of an ordered query, and the count of all its rows."""
    page, per_page = requested.page, requested.per_page
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    paged = query.limit(per_page).offset((page - 1) * per_page)
    rows = list(session.scalars(paged)) if scalars else list(session.execute(paged))
    return Page(items=rows, page=page, per_page=per_page, total=total)
