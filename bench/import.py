#!/usr/bin/env python3
"""`dutyservice import` at national scale on PostgreSQL, against COPY of the same rows.

    python bench/import.py [--officers 20000] [--years 3] [--small 2000] [--seed 1]

1. Writes every force's history as the five CSV files of API.md (the `fixtures load national`
   generator's data: the same officers, records and duties, times as London wall-clock with
   their offset), one directory per force. Grants the API would refuse (the role profile not
   met on the day, which the generator does not check) are left out, so the set imports whole.
2. Imports every force into a new database, in a new process, timed; that process's peak
   memory is its own high-water mark (ru_maxrss).
3. Copies the rows the import stored (officers, competency records, training, IPS grants,
   duties) out to files, then times COPY of those files into the same tables of another new
   database: the floor for writing those rows.
4. Does 1 and 2 again with `--small` officers, for peak memory at two sizes.

Figures are printed as ratios: import / COPY (target ≤ 3) and peak memory large / small.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dutyservice.clock import LONDON, utc_now  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.forces.models import DutyType, Force  # noqa: E402
from dutyservice.imports.rules import COLUMNS  # noqa: E402
from dutyservice.ips.rules import (  # noqa: E402
    OfficerEvidence,
    ProfileRequirements,
    Span,
    missing_requirements,
    serving_throughout,
    training_span,
)
from dutyservice.national import Generator, force_sizes  # noqa: E402
from tests.support.databases import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
    migrate_and_seed,
)

POSTGRES = os.environ.get(
    "DUTYSERVICE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = ("officers", "competency_records", "training_records", "ips_grants", "duties")
IPS = ProfileRequirements(135, 1, ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10"), True)


class LoadDuring:
    """The machine's one-minute load average, sampled every two seconds while a phase runs: a
    ratio of two phases is fair only when both ran under the same load."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    @contextmanager
    def sampling(self) -> Iterator[None]:
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(2):
                self.samples.append(os.getloadavg()[0])

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else os.getloadavg()[0]


def new_database() -> str:
    url = create_postgres_database(POSTGRES, "dutyservice_bench_import")
    migrate_and_seed(url)
    return url


def drop_database(url: str) -> None:
    drop_postgres_database(url, POSTGRES)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _time(value: datetime | None) -> str:
    return value.astimezone(LONDON).isoformat(timespec="minutes") if value else ""


def _grant_earned(
    officer: dict[str, Any],
    units: list[dict[str, Any]],
    training: list[dict[str, Any]],
    grant: dict[str, Any],
) -> bool:
    spans: dict[str, list[Span]] = {}
    for unit in units:
        spans.setdefault(unit["unit_code"], []).append(
            Span(unit["attained_on"], unit["revoked_on"])
        )
    evidence = OfficerEvidence(
        officer["joined_on"],
        officer["left_on"],
        spans,
        [training_span(t["completed_on"], t["expires_on"]) for t in training],
    )
    day = grant["granted_on"]
    return serving_throughout(evidence, day, day) and not missing_requirements(evidence, IPS, day)


def write_sets(url: str, directory: Path, officers: int, years: int, seed: int) -> dict[str, int]:
    """Every force's files, written as the generator makes each officer (memory stays flat)."""
    db = Database(url)
    with db.reading() as session:
        forces = [(f.id, f.code) for f in session.scalars(select(Force).order_by(Force.code))]
        types = {t.id: (t.force_id, t.code) for t in session.scalars(select(DutyType))}
    db.dispose()
    generator = Generator(seed, years, utc_now())
    sizes = force_sizes(officers, [code for _, code in forces])
    counts = dict.fromkeys(COLUMNS, 0)
    next_id = next_duty = 1
    for force_id, code in forces:
        force_dir = directory / code
        force_dir.mkdir(parents=True)
        streams = {
            name: (force_dir / name).open("w", newline="", encoding="utf-8") for name in COLUMNS
        }
        writers = {name: csv.writer(stream) for name, stream in streams.items()}
        for name, writer in writers.items():
            writer.writerow(COLUMNS[name])
        type_ids = sorted(i for i, (f, _) in types.items() if f == force_id)
        number = 1
        for _ in range(sizes[code]):
            held_by = generator.post(force_id, next_id, number)
            next_id += len(held_by)
            number += len(held_by)
            for o in held_by:
                units, training, grants = generator.evidence(o)
                duties = generator.duties(o, next_duty, type_ids)
                next_duty += len(duties)
                w = o["warrant_number"]
                rows = {
                    "officers.csv": [
                        [
                            w,
                            o["surname"],
                            o["forenames"],
                            o["rank"],
                            o["base_location"],
                            _day(o["joined_on"]),
                            _day(o["left_on"]),
                            "",
                        ]
                    ],
                    "competencies.csv": [
                        [
                            w,
                            u["unit_code"],
                            _day(u["attained_on"]),
                            u["assessed_by"],
                            u["evidence_ref"],
                            _day(u["revoked_on"]),
                        ]
                        for u in units
                    ],
                    "training.csv": [
                        [w, t["kind"], _day(t["completed_on"]), _day(t["expires_on"])]
                        for t in training
                    ],
                    "ips_grants.csv": [
                        [
                            w,
                            _day(g["granted_on"]),
                            g["authorised_by_name"],
                            g["authorised_by_rank"],
                            g["authorised_by_position"],
                            _day(g["withdrawn_on"]),
                            "reassessment" if g["withdrawn_on"] else "",
                        ]
                        for g in grants
                        if _grant_earned(o, units, training, g)
                    ],
                    "duties.csv": [
                        [
                            w,
                            _time(d["starts_at"]),
                            _time(d["ends_at"]),
                            types[d["duty_type_id"]][1],
                            d["location"],
                            d["status"],
                            _time(d["actual_starts_at"]),
                            _time(d["actual_ends_at"]),
                        ]
                        for d in duties
                    ],
                }
                for name, file_rows in rows.items():
                    writers[name].writerows(file_rows)
                    counts[name] += len(file_rows)
        for stream in streams.values():
            stream.close()
    return counts


def import_all(url: str, directory: Path) -> dict[str, Any]:
    """In a new process: every force's set imported; elapsed seconds and peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from dutyservice.db import Database\n"
        "from dutyservice.imports.service import import_records\n"
        "db = Database(sys.argv[1])\n"
        "errors, started = 0, time.perf_counter()\n"
        "for force in sorted(Path(sys.argv[2]).iterdir()):\n"
        "    report = import_records(db, force, force.name)\n"
        "    errors += len(report.errors)\n"
        "    for error in report.errors[:3]: print(force.name, error, file=sys.stderr)\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': elapsed, 'peak_mb': peak, 'errors': errors}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, url, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DUTYSERVICE_LOG_LEVEL": "WARNING"},
    )
    if result.returncode != 0:
        raise SystemExit(f"the import failed:\n{result.stderr}")
    if result.stderr:
        print(result.stderr, file=sys.stderr)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _raw(url: str) -> Any:
    import psycopg

    return psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def copy_floor(source_url: str, directory: Path) -> tuple[float, int]:
    """The rows the import stored, written out, then COPY of them into a new database, timed."""
    rows = 0
    with _raw(source_url) as source:
        for table in TABLES:
            with (
                (directory / f"{table}.copy").open("wb") as out,
                source.cursor() as cursor,
                cursor.copy(f"COPY (SELECT * FROM {table} ORDER BY id) TO STDOUT") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            with source.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table}")
                rows += cursor.fetchone()[0]
    target_url = new_database()
    try:
        with _raw(target_url) as target:
            target.execute("CHECKPOINT")
            started = time.perf_counter()
            with target.cursor() as cursor:
                for table in TABLES:
                    with (
                        (directory / f"{table}.copy").open("rb") as data,
                        cursor.copy(f"COPY {table} FROM STDIN") as copy,
                    ):
                        while chunk := data.read(1 << 20):
                            copy.write(chunk)
            target.commit()
            return time.perf_counter() - started, rows
    finally:
        drop_database(target_url)


def measure(officers: int, years: int, seed: int, workdir: Path, with_copy: bool) -> dict[str, Any]:
    sets = workdir / f"sets-{officers}"
    started = time.perf_counter()
    url = new_database()
    try:
        counts = write_sets(url, sets, officers, years, seed)
        print(
            f"  {officers} officers: files written in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{n} {c:,}" for n, c in counts.items()),
            flush=True,
        )
        with _raw(url) as connection:
            connection.execute("CHECKPOINT")
        import_load, copy_load = LoadDuring(), LoadDuring()
        with import_load.sampling():
            figures = import_all(url, sets) | {"rows_in_files": sum(counts.values())}
        figures["duties"] = counts["duties.csv"]
        figures["import_load"] = import_load.mean
        if with_copy:
            with copy_load.sampling():
                figures["copy_seconds"], figures["copied_rows"] = copy_floor(url, workdir)
            figures["copy_load"] = copy_load.mean
        return figures
    finally:
        drop_database(url)
        shutil.rmtree(sets, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dutyservice-bench-import-"))
    try:
        print(f"import of {args.officers} officers, {args.years} years, on PostgreSQL", flush=True)
        large = measure(args.officers, args.years, args.seed, workdir, with_copy=True)
        small = measure(args.small, args.years, args.seed, workdir, with_copy=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"rows in the files: {large['rows_in_files']:,} ({large['duties']:,} duties); "
        f"rows stored: {large['copied_rows']:,}; rows refused: {large['errors']}"
    )
    print(
        f"dutyservice import, s:  {large['seconds']:.1f}  "
        f"(load average {large['import_load']:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"COPY of the same rows, s:  {large['copy_seconds']:.1f}  "
        f"(load average {large['copy_load']:.1f})"
    )
    print(f"import / COPY:  {large['seconds'] / large['copy_seconds']:.2f}  (target <= 3)")
    print(f"import rows/s:  {large['rows_in_files'] / large['seconds']:,.0f}")
    print(
        f"peak memory, MB: {large['peak_mb']:.0f} with {args.officers} officers "
        f"({large['duties']:,} duties), {small['peak_mb']:.0f} with {args.small} "
        f"({small['duties']:,} duties)"
    )
    print(f"peak memory {args.officers} / {args.small}:  {large['peak_mb'] / small['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
