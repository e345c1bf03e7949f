"""The deployable question served by two versions of the service on one loaded database, one
request to each in turn, each beside an authenticated no-op read through the same server.

    git worktree add /tmp/before <commit>      # or any checkout of the version to compare
    python bench/deployable_ab.py URL /tmp/before [--runs 100]

Prints each version's p50 (national and one force, as `bench/run.py` asks them), the no-op
read's, their ratio, the servers' processor seconds over the run and the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the service and this package from the tree

from bench.figures import SCOPES, WARM_UP_RUNS, deployable_query, npocc_headers  # noqa: E402
from bench.harness import START_SECONDS, Ask, free_port, medians_in_turn  # noqa: E402
from dutyservice.db import Database  # noqa: E402


def serve(url: str, tree: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`dutyservice serve` from `tree` (2 workers x 8 threads, as bench/run.py serves it)."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "DUTYSERVICE_DATABASE_URL": url,
        "DUTYSERVICE_LOG_LEVEL": "WARNING",
        "DUTYSERVICE_SECRET_KEY": "a key for the benchmarks only, never deployed",
    }
    command = ["serve", "--port", str(port), "--workers", "2", "--threads", "8"]
    process = subprocess.Popen(
        [sys.executable, "-m", "dutyservice", *command],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/readyz", timeout=1).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the server of {tree} did not start")


def processor_seconds(pid: int) -> float:
    """User and system time of a server and its workers so far (Linux)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [pid, *map(int, children)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def asking(base: str, auth: dict[str, str], params: dict[str, Any] | None) -> Ask:
    """The deployable question with `params`, or (None) the no-op read."""

    def ask(http: requests.Session, _run: int) -> None:
        if params is None:
            http.get(f"{base}/api/v1/competencies", headers=auth, timeout=30).raise_for_status()
        else:
            path = f"{base}/api/v1/deployable"
            http.get(path, params=params, headers=auth, timeout=120).json()

    return ask


def compare(url: str, trees: dict[str, Path], runs: int) -> None:
    db = Database(url)
    auth = npocc_headers(db)
    db.dispose()
    servers = {name: serve(url, tree) for name, tree in trees.items()}
    try:
        for scope, force in SCOPES:
            params = deployable_query(force)
            asks = [
                ask
                for _, base in servers.values()
                for ask in (asking(base, auth, params), asking(base, auth, None))
            ]
            load = os.getloadavg()[0]
            before = {name: processor_seconds(p.pid) for name, (p, _) in servers.items()}
            medians = medians_in_turn(asks, runs, WARM_UP_RUNS)
            for index, (name, (process, _)) in enumerate(servers.items()):
                asked, noop = medians[2 * index], medians[2 * index + 1]
                cpu = processor_seconds(process.pid) - before[name]
                print(
                    f"{name:>6} {scope:>8}: {asked * 1000:6.2f} ms beside a no-op read of "
                    f"{noop * 1000:5.2f} ms: {asked / noop:.2f} x; servers' CPU {cpu:.2f} s; "
                    f"load average {load:.1f} to {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="a loaded database (bench/run.py --reuse takes the same)")
    parser.add_argument("before", type=Path, help="a checkout of the version to compare with")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    compare(args.url, {"before": args.before.resolve(), "now": ROOT}, args.runs)


if __name__ == "__main__":
    main()
