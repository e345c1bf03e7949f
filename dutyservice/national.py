"""`dutyservice fixtures load national`: a deterministic, realistic national data set, in bulk.

Forces are sized by approximate Special Constabulary headcounts (order of magnitude of the
Home Office workforce figures of the early 2020s, the Metropolitan Police the largest), scaled
to the headcount asked for. The headcount is held through the years of history: about 9% of
officers leave each year and a joiner takes each leaver's place a few weeks later, so the
records hold more officers than the headcount. About 40% of serving officers hold IPS; officer
safety training is renewed yearly, with some lapsed; some have units revoked or IPS withdrawn;
active officers do about four duties a month, with a month booked ahead.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text

from .clock import LONDON, utc_now
from .db import Database
from .ips import spans, stage_spans
from .models import (
    AvailabilityWindow,
    CompetencyRecord,
    Duty,
    DutyType,
    Force,
    IpsGrant,
    Officer,
    TrainingRecord,
)

LEAVERS_A_YEAR = 0.09
UNITS = ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10")
RANKS = ("SC",) * 40 + ("SSGT",) * 6 + ("SINSP",) * 2 + ("SCINSP", "SSUPT")
AUTHORISERS = (
    ("Chris Morgan", "SCO", "Head of the Special Constabulary"),
    ("Sam Reid", "SDCO", "Deputy Chief Officer"),
)
# Approximate relative sizes of the forces' Special Constabularies.
HEADCOUNT = {
    "metropolitan": 1500,
    "greater-manchester": 400,
    "west-yorkshire": 350,
    "west-midlands": 300,
    "thames-valley": 300,
    "essex": 300,
    "devon-and-cornwall": 300,
    "kent": 250,
    "hampshire": 250,
    "lancashire": 250,
    "avon-and-somerset": 220,
    "sussex": 200,
    "merseyside": 200,
    "south-yorkshire": 180,
    "northumbria": 180,
    "surrey": 150,
    "hertfordshire": 150,
    "west-mercia": 180,
    "norfolk": 180,
    "cambridgeshire": 170,
    "leicestershire": 150,
    "nottinghamshire": 150,
    "south-wales": 150,
    "staffordshire": 170,
    "lincolnshire": 130,
    "derbyshire": 140,
    "northamptonshire": 130,
    "cheshire": 150,
    "humberside": 130,
    "north-yorkshire": 130,
    "suffolk": 130,
    "bedfordshire": 110,
    "wiltshire": 110,
    "dorset": 120,
    "gloucestershire": 100,
    "warwickshire": 90,
    "durham": 90,
    "cleveland": 90,
    "cumbria": 90,
    "north-wales": 100,
    "dyfed-powys": 90,
    "gwent": 80,
    "city-of-london": 70,
}


@dataclass
class Counts:
    officers: int = 0
    duties: int = 0
    records: int = 0


def force_sizes(total: int, codes: Sequence[str]) -> dict[str, int]:
    """`total` officers shared among the forces in proportion to their headcounts."""
    weights = {code: HEADCOUNT.get(code, 100) for code in codes}
    scale = total / sum(weights.values())
    sizes = {code: max(1, round(w * scale)) for code, w in weights.items()}
    largest = max(sizes, key=lambda c: sizes[c])
    sizes[largest] += total - sum(sizes.values())
    return sizes


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _months(start: date, end: date) -> Iterator[date]:
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


class Generator:
    def __init__(self, seed: int, years: int, now: datetime) -> None:
        self.random = random.Random(seed)
        self.years = years
        self.now = now
        self.today = now.astimezone(LONDON).date()
        self.history_start = self.today - timedelta(days=365 * years)

    def post(self, force_id: int, first_id: int, first_number: int) -> list[dict[str, Any]]:
        """The officers who held one place in the headcount over the years of history: the
        first joined before them; each who leaves is followed by a joiner."""
        r = self.random
        officers: list[dict[str, Any]] = []
        joined = self.history_start - timedelta(days=r.randint(0, 365 * 8))
        while joined < self.today:
            serving_from = max(joined + timedelta(days=120), self.history_start)
            years_serving = (self.today - serving_from).days / 365
            left = None
            if years_serving > 0 and r.random() < LEAVERS_A_YEAR * years_serving:
                left = serving_from + timedelta(days=r.randrange((self.today - serving_from).days))
            n = len(officers)
            officers.append(self.officer(first_id + n, force_id, first_number + n, joined, left))
            if left is None:
                break
            joined = left + timedelta(days=r.randint(14, 90))
        return officers

    def officer(
        self, officer_id: int, force_id: int, n: int, joined: date, left: date | None
    ) -> dict[str, Any]:
        r = self.random
        return {
            "id": officer_id,
            "force_id": force_id,
            "warrant_number": f"SC{n:05d}",
            "surname": f"Surname{officer_id}",
            "forenames": f"Forename{officer_id % 997}",
            "rank": r.choice(RANKS),
            "base_location": f"Station {r.randint(1, 12)}",
            "joined_on": joined,
            "left_on": left,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def evidence(
        self, officer: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """Competency, training and grant rows for one officer."""
        r = self.random
        end = officer["left_on"] or self.today
        training = self._training(officer, end)
        units: list[dict[str, Any]] = []
        grants: list[dict[str, Any]] = []
        if r.random() < 0.55:  # on the way to, or holding, IPS
            attained = officer["joined_on"] + timedelta(days=r.randint(150, 500))
            if attained <= end:
                units = self._units(officer, attained)
                grants = self._grant(officer, attained, end)
        return units, training, grants

    def _training(self, officer: dict[str, Any], end: date) -> list[dict[str, Any]]:
        """Officer safety training about once a year, sometimes late, from soon after joining."""
        r = self.random
        training: list[dict[str, Any]] = []
        completed = officer["joined_on"] + timedelta(days=r.randint(20, 60))
        while completed <= end:
            training.append(
                {
                    "officer_id": officer["id"],
                    "kind": "ost",
                    "completed_on": completed,
                    "expires_on": completed + timedelta(days=364),
                    "recorded_at": self.now,
                }
            )
            gap = 365 + (r.randint(20, 120) if r.random() < 0.12 else -r.randint(0, 30))
            completed += timedelta(days=gap)
        return training

    def _units(self, officer: dict[str, Any], attained: date) -> list[dict[str, Any]]:
        """Every unit attained on one day; a few revoked since."""
        r = self.random
        units: list[dict[str, Any]] = []
        for unit in UNITS:
            revoked = None
            if r.random() < 0.02:
                revoked = attained + timedelta(days=r.randint(30, 400))
                revoked = None if revoked > self.today else revoked
            units.append(
                {
                    "officer_id": officer["id"],
                    "unit_code": unit,
                    "attained_on": attained,
                    "assessed_by": "PS Assessor",
                    "evidence_ref": "",
                    "revoked_on": revoked,
                    "revoke_reason": "reassessment" if revoked else None,
                    "recorded_at": self.now,
                }
            )
        return units

    def _grant(self, officer: dict[str, Any], attained: date, end: date) -> list[dict[str, Any]]:
        """Most of those with the units are granted IPS soon after; a few withdrawn since."""
        r = self.random
        granted = attained + timedelta(days=r.randint(1, 60))
        if granted > end or r.random() >= 0.8:
            return []
        withdrawn = None
        if r.random() < 0.03:
            withdrawn = granted + timedelta(days=r.randint(30, 300))
            withdrawn = None if withdrawn > self.today else withdrawn
        name, rank, position = r.choice(AUTHORISERS)
        return [
            {
                "officer_id": officer["id"],
                "granted_on": granted,
                "authorised_by_name": name,
                "authorised_by_rank": rank,
                "authorised_by_position": position,
                "withdrawn_on": withdrawn,
                "recorded_at": self.now,
            }
        ]

    def duties(
        self, officer: dict[str, Any], first_id: int, duty_types: Sequence[int]
    ) -> list[dict[str, Any]]:
        """About four duties a month while serving, on distinct days; a month booked ahead."""
        r = self.random
        start = max(officer["joined_on"], self.history_start)
        end = min(
            officer["left_on"] or self.today + timedelta(days=30), self.today + timedelta(days=30)
        )
        rows: list[dict[str, Any]] = []
        inactive = r.random() < 0.07
        for month in _months(start, end):
            if inactive and r.random() < 0.8:
                continue
            days = sorted(r.sample(range(1, 29), r.choice((2, 3, 4, 4, 4, 5, 6))))
            for d in days:
                day = month.replace(day=d)
                if not start <= day < end:
                    continue
                starts = _at(day, r.choice((8, 10, 14, 18, 19, 20)), r.choice((0, 30)))
                ends = starts + timedelta(minutes=r.randint(8, 20) * 30)
                done = ends < self.now
                # Drawn for every duty, done or not: the draws must not depend on the hour.
                cancelled = r.random() < 0.03
                rows.append(
                    {
                        "id": first_id + len(rows),
                        "officer_id": officer["id"],
                        "duty_type_id": r.choice(duty_types),
                        "starts_at": starts,
                        "ends_at": ends,
                        "status": "completed" if done else ("cancelled" if cancelled else "booked"),
                        "location": officer["base_location"],
                        "notes": "",
                        "actual_starts_at": starts if done else None,
                        "actual_ends_at": ends if done else None,
                        "version": 1,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
        return rows

    def availability(self, officer: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.random
        if officer["left_on"] is not None or r.random() > 0.3:
            return []
        return [
            {
                "officer_id": officer["id"],
                "starts_at": _at(self.today + timedelta(days=d), 17),
                "ends_at": _at(self.today + timedelta(days=d), 17) + timedelta(hours=9),
            }
            for d in sorted(r.sample(range(1, 28), 6))
        ]


def _copy_rows(db: Database, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            raw = connection.connection.dbapi_connection
            assert raw is not None  # a connection in use has its driver's connection
            cursor = raw.cursor()
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        else:
            connection.execute(insert(table), rows)


#: The tables the national data set fills, in the order they are copied.
_LOADED = (Officer, CompetencyRecord, TrainingRecord, IpsGrant, Duty, AvailabilityWindow)


@dataclass
class _NextIds:
    """The next free ids, and each force's next warrant number, as the load goes on."""

    officer: int
    duty: int
    number: dict[int, int]


def load_national(
    db: Database,
    *,
    officers: int = 20_000,
    years: int = 3,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
) -> Counts:
    """Load the national data set: `officers` is the national headcount, held through the
    `years` of history. Officers of each force are numbered from SC00001."""
    generator = Generator(seed, years, utc_now())
    with db.reading() as session:
        # The territorial forces that make returns: the data set the benchmarks are sized on.
        territorial = select(Force).where(Force.makes_returns).order_by(Force.code)
        forces = [(f.id, f.code) for f in session.scalars(territorial)]
        duty_types: dict[int, list[int]] = {}
        for type_id, force_id in session.execute(select(DutyType.id, DutyType.force_id)):
            duty_types.setdefault(force_id, []).append(type_id)
        ids = _NextIds(
            officer=(session.scalar(select(func.max(Officer.id))) or 0) + 1,
            duty=(session.scalar(select(func.max(Duty.id))) or 0) + 1,
            number={force_id: 1 for force_id, _ in forces},
        )
    sizes = force_sizes(officers, [code for _, code in forces])
    posts = [force_id for force_id, code in forces for _ in range(sizes[code])]
    counts = Counts()
    for chunk_start in range(0, len(posts), batch):
        chunk = posts[chunk_start : chunk_start + batch]
        rows = _rows_of(generator, chunk, ids, duty_types)
        for model in _LOADED:
            _copy_rows(db, cast(Table, model.__table__), rows[model.__tablename__])
        counts.officers += len(rows["officers"])
        counts.duties += len(rows["duties"])
        counts.records += sum(len(v) for v in rows.values())
        if progress:
            progress(len(chunk))
    with db.transaction() as session:
        spans.rebuild(session)
        stage_spans.rebuild(session)
    _after_bulk_load(db)
    return counts


def _rows_of(
    generator: Generator, posts: list[int], ids: _NextIds, duty_types: dict[int, list[int]]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table for the officers who hold these posts (one force id each)."""
    rows: dict[str, list[dict[str, Any]]] = {model.__tablename__: [] for model in _LOADED}
    for force_id in posts:
        held_by = generator.post(force_id, ids.officer, ids.number[force_id])
        ids.officer += len(held_by)
        ids.number[force_id] += len(held_by)
        for officer in held_by:
            units, training, grants = generator.evidence(officer)
            duties = generator.duties(officer, ids.duty, sorted(duty_types[force_id]))
            ids.duty += len(duties)
            rows["officers"].append(officer)
            rows["competency_records"] += units
            rows["training_records"] += training
            rows["ips_grants"] += grants
            rows["duties"] += duties
            rows["availability_windows"] += generator.availability(officer)
    return rows


def _after_bulk_load(db: Database) -> None:
    """Explicit ids were written: move PostgreSQL's sequences past them. Then statistics for
    the planner and, on PostgreSQL, a VACUUM: it sets the visibility map and hint bits once,
    rather than leaving the first readers of each page to write it back."""
    if db.dialect != "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        return
    with db.engine.begin() as connection:
        for table in ("officers", "duties"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
