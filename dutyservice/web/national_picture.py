"""The national picture for NPoCC and admins: who is deployable in a window, as counts by
force and by region, forces by name (a table first; the bar chart beside it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..forces.models import Force


@dataclass(frozen=True)
class Count:
    name: str
    deployable: int


@dataclass(frozen=True)
class NationalPicture:
    by_force: list[Count]
    by_region: list[Count]
    total: int


def national_picture(session: Session, by_force: dict[str, int]) -> NationalPicture:
    """Every force and region, those with none deployable included (a gap is worth seeing),
    largest first, then by name."""
    rows = session.execute(select(Force.code, Force.name, Force.region)).all()
    regions: Counter[str] = Counter({region: 0 for _, _, region in rows})
    forces = []
    for code, name, region in rows:
        count = by_force.get(code, 0)
        regions[region] += count
        forces.append(Count(name, count))
    return NationalPicture(
        by_force=_ordered(forces),
        by_region=_ordered([Count(region, count) for region, count in regions.items()]),
        total=sum(by_force.values()),
    )


def _ordered(counts: list[Count]) -> list[Count]:
    return sorted(counts, key=lambda c: (-c.deployable, c.name))
