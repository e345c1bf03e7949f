#!/usr/bin/env python3
"""National-scale benchmark: each figure beside a baseline measured in the same run.

    python bench/run.py [--officers 20000] [--years 3] [--database postgresql|sqlite]
                        [--growth] [--reuse URL] [--json bench/results.json]

1. booking throughput, 8 concurrent clients, against an authenticated no-op read (the
   framework's floor) through the same server, in alternating rounds;
2. deployable query latency, national and one force, against one hand-written SQL statement
   run directly (the database's floor), which must give the same answer; each request is
   followed by one run of the statement, after warm-up runs of both (on SQLite, which has
   no multiranges for the hand-written rule, the latency alone);
3. the national quarterly export: wall time and peak memory, against COPY of the same rows,
   both as `dutyservice export` from a new process and as the scheduler's quarterly job in a
   process that has already started;
4. an IPS write (recording safety training, which brings the officer's eligibility and stage
   spans up to date)
   against the same write served without the spans refresh, the two servers in turn;
5. with --growth, the same again with 10 times the officers and 10 times the history; the
   deployable latency under 10 times the history is measured beside the base's, the two
   servers answering in turn.
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

from bench.figures import bench_history_growth, run_dataset  # noqa: E402
from bench.harness import drop_database  # noqa: E402
from bench.report import table, write_json  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--growth",
        action="store_true",
        help="also 1/10 of the officers, and 1/10 of the officers with 10x "
        "the history, to show how each figure grows",
    )
    parser.add_argument(
        "--reuse",
        help="a benchmark database already loaded (skips loading; "
        "its returns for the last quarter are made afresh)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dutyservice-bench-"))
    datasets = [("main", args.officers, args.years)]
    if args.growth:
        datasets = [
            ("base", args.officers // 10, args.years),
            ("officers x10", args.officers, args.years),
            ("history x10", args.officers // 10, args.years * 10),
        ]
    results = []
    kept: list[str] = []  # the base and 10 x history, measured side by side at the end
    try:
        for label, officers, years in datasets:
            reuse = args.reuse if label in ("main", "officers x10") else None
            keep = args.database == "postgresql" and label in ("base", "history x10")
            results.append(
                run_dataset(
                    label,
                    args.database,
                    officers,
                    years,
                    workdir,
                    reuse,
                    kept if keep else None,
                )
            )
        if len(kept) == 2:
            base_url, history_url = kept
            results[-1].figures |= bench_history_growth(base_url, history_url, workdir)
    finally:
        for url in kept:
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(results))
    write_json(results, args.json)
    print(
        f"figures written to {args.json}; machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB"
    )


if __name__ == "__main__":
    main()
