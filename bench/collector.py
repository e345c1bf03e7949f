#!/usr/bin/env python3
"""Does pausing and freezing the garbage collector at start-up pay? `dutyservice export` and a
short command (`token list`) in new processes, the collector handled three ways in turn
(bench/collector_child.py), each the median of ROUNDS, as a ratio of the shipped way.

    python bench/collector.py [--officers 500] [--years 1] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the service and this package from the tree

from bench.figures import forget_quarter  # noqa: E402
from bench.harness import child, new_database  # noqa: E402
from dutyservice.clock import Quarter, london_today  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from dutyservice.national import load_national  # noqa: E402

VARIANTS = ("shipped", "after-import", "untouched")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dutyservice-collector-"))
    try:
        url = new_database("sqlite", workdir)
        db = Database(url)
        upgrade(db)
        seed_reference_data(db)
        load_national(db, officers=args.officers, years=args.years, seed=1)
        quarter = Quarter.of(london_today()).previous()
        env = {
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": url,
            "DUTYSERVICE_LOG_LEVEL": "WARNING",
            "DUTYSERVICE_NPOCC_FEED_URL": "",
            "DUTYSERVICE_EXPORT_DIR": str(workdir / "exports"),
        }
        commands = {
            "export": ["export", "--quarter", str(quarter)],
            "token list": ["token", "list"],
        }
        walls: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for name, command in commands.items():
                for variant in VARIANTS:
                    forget_quarter(db, quarter)
                    wall, _ = child("bench.collector_child", [variant, *command], env)
                    walls.setdefault((name, variant), []).append(wall)
        db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for name in commands:
        shipped = statistics.median(walls[(name, "shipped")])
        cells = ", ".join(
            f"{variant} {statistics.median(walls[(name, variant)]) / shipped:.2f}"
            for variant in VARIANTS[1:]
        )
        print(f"{name}: shipped {shipped:.2f} s; as a ratio of it: {cells}")


if __name__ == "__main__":
    main()
