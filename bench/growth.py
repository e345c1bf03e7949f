#!/usr/bin/env python3
"""The deployable question under 10 times the history, beside the base, alone.

    python bench/growth.py [--officers 2000] [--years 3] [--runs 100]
                           [--base URL --history URL] [--keep]

Loads the base (`--officers` held through `--years`) and the same headcount through ten times
the years, or reuses two databases already loaded; then serves both and asks each, in turn,
the deployable question nationally and for one force (`bench_history_growth`). Nothing else is
measured, so a busy machine has less time to lose a server or a connection. The databases it
loaded are dropped unless `--keep` (their URLs are printed, for `--base` and `--history`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the service and this package from the tree

from sqlalchemy import text  # noqa: E402

from bench.figures import bench_history_growth  # noqa: E402
from bench.harness import checkpoint, drop_database, new_database  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from dutyservice.national import load_national  # noqa: E402


def loaded(officers: int, years: int, workdir: Path) -> str:
    url = new_database("postgresql", workdir)
    db = Database(url)
    try:
        upgrade(db)
        seed_reference_data(db)
        load_national(db, officers=officers, years=years, seed=1)
        checkpoint(db)
    finally:
        db.dispose()
    return url


def sizes(url: str) -> str:
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            counts: list[int] = [
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("officers", "duties", "eligibility_spans", "training_records")
            ]
    finally:
        db.dispose()
    return "{} officers, {} duties, {} eligibility spans, {} training records".format(*counts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--base", help="a base database already loaded")
    parser.add_argument("--history", help="the same with 10 times the history, loaded")
    parser.add_argument("--keep", action="store_true", help="keep the databases it loads")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dutyservice-growth-"))
    made: list[str] = []
    try:
        urls = []
        for given, years in ((args.base, args.years), (args.history, args.years * 10)):
            if given is None:
                given = loaded(args.officers, years, workdir)
                made.append(given)
            print(f"{given}: {sizes(given)}", flush=True)
            urls.append(given)
        before = os.getloadavg()[0]
        figures = bench_history_growth(urls[0], urls[1], workdir)
        after = os.getloadavg()[0]
        for name, value in figures.items():
            print(f"{name}: {value:.2f}")
        print(f"load average {before:.1f} before, {after:.1f} after")
    finally:
        if not args.keep:
            for url in made:
                drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
