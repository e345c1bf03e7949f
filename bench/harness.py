"""The benchmark's machinery: databases made and dropped, a served API, concurrent clients,
child processes, and the statistics the figures are read with."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import text

from dutyservice.db import Database
from tests.support.databases import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get(
    "DUTYSERVICE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CLIENTS = 8
ROUNDS = 5
SECONDS = int(os.environ.get("DUTYSERVICE_BENCH_SECONDS", "20"))
START_SECONDS = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def new_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    return create_postgres_database(POSTGRES, "bench")


def drop_database(url: str) -> None:
    if not url.startswith("sqlite"):
        drop_postgres_database(url, POSTGRES)


def checkpoint(db: Database) -> None:
    """Dirty pages written now, not while the next figure is measured."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Server:
    """`dutyservice serve` (gunicorn, 2 workers x 8 threads) on a free port, until stopped."""

    def __init__(self, url: str, workdir: Path, module: str = "dutyservice") -> None:
        """`module` is run with `python -m` (a bench's variant of the service, or the service)."""
        self.port = free_port()
        env = {
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": url,
            "DUTYSERVICE_LOG_LEVEL": "WARNING",
            "DUTYSERVICE_EXPORT_DIR": str(workdir / "exports"),
            # serve refuses to start on PostgreSQL without its pages' key
            "DUTYSERVICE_SECRET_KEY": "a key for the benchmarks only, never deployed",
        }
        command = ["serve", "--port", str(self.port), "--workers", "2", "--threads", "8"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *command],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        # Minutes, not seconds: on a machine shared with other work, starting takes a while.
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/readyz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()  # not left serving after the run that started it has failed
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


Send = Callable[[requests.Session, int], bool]
#: One request to one of the sides compared, given the run's number.
Ask = Callable[[requests.Session, int], None]


def medians_in_turn(asks: list[Ask], runs: int, warm_up: int) -> list[float]:
    """Each side's median seconds (`times_in_turn`)."""
    return [statistics.median(t) for t in times_in_turn(asks, runs, warm_up)]


def times_in_turn(asks: list[Ask], runs: int, warm_up: int) -> list[list[float]]:
    """Each side's seconds, one request to each in turn (each going first in turn), so that
    all see the machine as it is at that moment: measured apart, minutes of drift in a shared
    machine would weigh as much as what is compared."""
    times: list[list[float]] = [[] for _ in asks]
    with requests.Session() as http:
        for run in range(warm_up + runs):
            order = list(enumerate(asks))
            for side, ask in order if run % 2 else reversed(order):
                started = time.perf_counter()
                ask(http, run)
                if run >= warm_up:
                    times[side].append(time.perf_counter() - started)
    return times


def throughput(send: Send, seconds: float = SECONDS) -> float:
    """Successful requests a second from CLIENTS threads, each with its own session."""
    done = [0] * CLIENTS
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with requests.Session() as http:
            while time.monotonic() < stop:
                if send(http, index):
                    done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def alternating_throughput(
    first: Send, second: Send, seconds: float = SECONDS
) -> tuple[float, float]:
    """Both throughputs, measured in alternating rounds so that both see the same machine."""
    rounds = [
        (throughput(first, seconds / ROUNDS), throughput(second, seconds / ROUNDS))
        for _ in range(ROUNDS)
    ]
    return (
        statistics.mean(a for a, _ in rounds),
        statistics.mean(b for _, b in rounds),
    )


def child(module: str, args: list[str], env: dict[str, str]) -> tuple[float, dict[str, str]]:
    """Run `python -m module args` in a new process: its wall time, and the figures it
    reported on standard error (lines `NAME value`)."""
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-2000:])
    reported = {}
    for line in run.stderr.splitlines():
        if line.startswith("FIGURE "):
            _, name, value = line.split(maxsplit=2)
            reported[name] = value
    return wall, reported
