#!/usr/bin/env python3
"""Load mixes on PostgreSQL: the service under the load it will really see.

    python bench/mixes.py [--officers 20000] [--reuse URL] [--seconds 15]

Each figure is printed beside the baseline it is judged against, both measured in this run:

1. capacity: booking (`POST /api/v1/duties`, 8 clients, closed loop) against the authenticated
   no-op read (`GET /api/v1/competencies`) through the same server; target >= 0.5;
2. mixed: 8 clients booking at half the measured booking capacity (paced, open loop) while 2
   planners ask the national deployable question once a second each and the quarterly export
   runs as the scheduler runs it, against the deployable p95 of the same 2 planners alone, each
   over three measurements; target <= 2; beside it, the same with the export started by hand
   (`dutyservice export`, its process's start included), the planners asking as soon as
   answered, and what bounds it: the planners' p50 beside the bookings alone, and one
   planner's p95 under the same mix;
3. call-out storm: 2,000 officers of 10 forces other than the host signing up at once to a
   national event of 500 places, each sign-up a mutual-aid request that holds its place until
   the officer's force answers; exactly 500 held; sign-ups per second against the booking rate
   of (1); target >= 0.8; p99;
4. memory: one serving worker's resident memory after 10,000 mixed requests against after 1,000;
   target <= 1.1.

The data is `dutyservice fixtures load national` in a new database (dropped at the end), or an
already loaded one with --reuse.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import ScalarResult, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the tests' support from the tree

from tests.support.databases import scratch_postgres_database  # noqa: E402

POSTGRES = os.environ.get(
    "DUTYSERVICE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BOOKING_CLIENTS = 8
PLANNERS = 2
PACED_ROUNDS = 3
STORM_OFFICERS = 2_000
STORM_PLACES = 500
STORM_FORCES = 10
STORM_HOST = "metropolitan"


def dutyservice(url: str, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "dutyservice", *args],
        env={**os.environ, "DUTYSERVICE_DATABASE_URL": url, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return completed.stdout


def token(url: str, role: str, force: str | None = None) -> dict[str, str]:
    args = ["token", "create", "--role", role, "--label", "bench"]
    if force:
        args += ["--force", force]
    secret = dutyservice(url, *args).strip().splitlines()[-1]
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def new_database() -> Iterator[str]:
    with scratch_postgres_database(POSTGRES, "bench_mix") as url:
        yield url


@contextmanager
def served(url: str, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dutyservice",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            "8",
        ],
        env={
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": url,
            "DUTYSERVICE_LOG_LEVEL": "WARNING",
            "DUTYSERVICE_SHUTDOWN_DRAIN_SECONDS": "0",
            # serve refuses to start on PostgreSQL without its pages' key
            "DUTYSERVICE_SECRET_KEY": "a key for the benchmarks only, never deployed",
        },
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.2)
    try:
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=60)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Slots:
    """Non-overlapping future duty slots, one officer after another, for bookings that succeed."""

    def __init__(self, officer_ids: list[int], start: datetime) -> None:
        self._next = itertools.count()
        self._officers = officer_ids
        self._start = start
        self._lock = threading.Lock()

    def body(self) -> dict[str, object]:
        with self._lock:
            n = next(self._next)
        officer = self._officers[n % len(self._officers)]
        starts = self._start + timedelta(hours=3 * (n // len(self._officers)))
        return {
            "officer_id": officer,
            "duty_type": "patrol",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
        }


def closed_loop(clients: int, seconds: float, request: Callable[[requests.Session], int]) -> float:
    """Requests per second answered 2xx by `clients` clients each sending as soon as answered."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        with requests.Session() as http:
            while time.monotonic() < stop:
                status = request(http)
                if not 200 <= status < 300:
                    raise SystemExit(f"unexpected status {status}")
                done[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - began)


def latencies(
    clients: int, seconds: float, request: Callable[[requests.Session], int]
) -> list[float]:
    samples: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        with requests.Session() as http:
            while time.monotonic() < stop:
                began = time.perf_counter()
                status = request(http)
                took = time.perf_counter() - began
                if status != 200:
                    raise SystemExit(f"unexpected status {status}")
                with lock:
                    samples.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def paced(
    rate: float, clients: int, seconds: float, send: Callable[[requests.Session], int]
) -> list[float]:
    """Open loop: requests at fixed times, `rate` a second in all, whatever the answers take;
    each answer's latency."""
    interval = clients / rate
    sent: list[list[float]] = [[] for _ in range(clients)]
    began = time.monotonic()

    def client(i: int) -> None:
        with requests.Session() as http:
            due = began + i * interval / clients
            while due < began + seconds:
                time.sleep(max(0.0, due - time.monotonic()))
                asked = time.perf_counter()
                status = send(http)
                if not 200 <= status < 300:
                    raise SystemExit(f"unexpected status {status}")
                sent[i].append(time.perf_counter() - asked)
                due += interval

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [latency for latencies in sent for latency in latencies]


def worker_rss_kib(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    [worker] = children
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS")


def officer_ids(url: str, count: int) -> list[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        ids: ScalarResult[int] = connection.execute(
            text("SELECT id FROM officers WHERE left_on IS NULL ORDER BY id LIMIT :n"),
            {"n": count},
        ).scalars()
        found = list(ids)
    engine.dispose()
    return found


def storm_volunteers(url: str) -> list[int]:
    """200 serving officers of each of 10 forces other than the host: every sign-up a request."""
    engine = create_engine(url)
    each = STORM_OFFICERS // STORM_FORCES
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "WITH ranked AS (SELECT o.id, f.code, row_number() OVER "
                "(PARTITION BY o.force_id ORDER BY o.id) AS n FROM officers o "
                "JOIN forces f ON f.id = o.force_id WHERE o.left_on IS NULL AND f.code <> :host) "
                "SELECT id, code FROM ranked WHERE n <= :each "
                "AND code IN (SELECT code FROM ranked GROUP BY code HAVING count(*) >= :each "
                "ORDER BY code LIMIT :forces) ORDER BY id"
            ),
            {"host": STORM_HOST, "each": each, "forces": STORM_FORCES},
        ).all()
    engine.dispose()
    if len(rows) < STORM_OFFICERS:
        raise SystemExit(f"storm: only {len(rows)} officers of {STORM_FORCES} forces; load more")
    return [row.id for row in rows]


def held_places(url: str, event_id: int) -> tuple[int, int]:
    """The event's places held, and of them those still requested, counted in the database."""
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE status = 'requested') FROM duties "
                "WHERE event_id = :id AND status <> 'cancelled'"
            ),
            {"id": event_id},
        ).one()
    engine.dispose()
    held, requested = counts[0], counts[1]
    return int(held), int(requested)


def measure(url: str, seconds: float) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    admin = token(url, "admin")
    npocc = token(url, "npocc")
    tomorrow = datetime.now(UTC).replace(hour=18, minute=0, second=0, microsecond=0)
    window = {
        "from": (tomorrow + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        "to": (tomorrow + timedelta(days=1, hours=8)).isoformat().replace("+00:00", "Z"),
        "per_page": "500",
    }
    far = datetime(2031, 1, 1, tzinfo=UTC) + timedelta(days=random.randrange(3000))
    officers = officer_ids(url, 4_000)
    slots = Slots(officers[:STORM_OFFICERS], far)
    with served(url) as (base, _):

        def book(http: requests.Session) -> int:
            return http.post(f"{base}/api/v1/duties", json=slots.body(), headers=admin).status_code

        def noop(http: requests.Session) -> int:
            return http.get(f"{base}/api/v1/competencies", headers=admin).status_code

        def deployable(http: requests.Session) -> int:
            return http.get(f"{base}/api/v1/deployable", params=window, headers=npocc).status_code

        closed_loop(BOOKING_CLIENTS, 3, noop)  # warm-up: connections, prepared statements
        closed_loop(BOOKING_CLIENTS, 3, book)
        latencies(PLANNERS, 3, deployable)
        floor = closed_loop(BOOKING_CLIENTS, seconds, noop)
        booking = closed_loop(BOOKING_CLIENTS, seconds, book)
        rows.append(
            (
                "booking / no-op floor",
                f"{booking:.0f} / {floor:.0f} req/s",
                f"{booking / floor:.2f}",
                ">= 0.5",
            )
        )

        def beside(
            planners: int, bookings: bool, export: Export | None, *, planners_paced: bool = False
        ) -> tuple[list[float], int]:
            """The planners' latencies with bookings paced at half capacity, the quarterly
            export, both or neither running beside them; and the bookings made. Planners ask
            as soon as answered, or (`planners_paced`) once a second each, as planners do."""
            exporting = export(url) if export else None
            booked: list[int] = []
            booker = threading.Thread(
                target=lambda: booked.append(
                    len(paced(booking / 2, BOOKING_CLIENTS, seconds, book))
                )
            )
            if bookings:
                booker.start()
            if planners_paced:
                samples = paced(planners, planners, seconds, deployable)
            else:
                samples = latencies(planners, seconds, deployable)
            if bookings:
                booker.join()
            if exporting is not None and exporting.wait() != 0:
                raise SystemExit(f"the export failed: exit {exporting.returncode}")
            return samples, sum(booked)

        def paced_rounds(bookings: bool, export: Export | None) -> list[float]:
            """The paced planners' latencies over PACED_ROUNDS measurements, each beside its
            own export: about twenty answers a measurement, too few for one p95 to be steady."""
            return [
                latency
                for _ in range(PACED_ROUNDS)
                for latency in beside(PLANNERS, bookings, export, planners_paced=True)[0]
            ]

        p95_alone = percentile(paced_rounds(bookings=False, export=None), 95) * 1000
        for export, label, target in (
            (_scheduled_export, "the scheduler's export", "<= 2"),
            (_export_by_hand, "  the export started by hand", ""),
        ):
            p95_mixed = percentile(paced_rounds(bookings=True, export=export), 95) * 1000
            rows.append((f"{label}: deployable p95 under the mix / alone, planners 1/s each",
                         f"{p95_mixed:.0f} / {p95_alone:.0f} ms", f"{p95_mixed / p95_alone:.2f}",
                         target))  # fmt: skip
        alone, _ = beside(PLANNERS, bookings=False, export=None)
        mixed, booked = beside(PLANNERS, bookings=True, export=_export_by_hand)
        p95_alone, p95_mixed = percentile(alone, 95) * 1000, percentile(mixed, 95) * 1000
        rows.append(("  closed loop: deployable p95 under the mix / alone",
                     f"{p95_mixed:.0f} / {p95_alone:.0f} ms", f"{p95_mixed / p95_alone:.2f}",
                     ""))  # fmt: skip
        rows.append(("  the mix: bookings paced, export", f"{booked / seconds:.0f} req/s",
                     "exit 0", ""))  # fmt: skip
        # What bounds that ratio: bookings at half capacity are about one core; two planners
        # alone have one core each, and beside the bookings share one.
        with_bookings, _ = beside(PLANNERS, bookings=True, export=None)
        p50_alone, p50_booked = percentile(alone, 50) * 1000, percentile(with_bookings, 50) * 1000
        rows.append(("  why: p50 beside the bookings only / alone",
                     f"{p50_booked:.0f} / {p50_alone:.0f} ms", f"{p50_booked / p50_alone:.2f}",
                     ""))  # fmt: skip
        one_alone, _ = beside(1, bookings=False, export=None)
        one_mixed, _ = beside(1, bookings=True, export=_export_by_hand)
        p95_one, p95_one_mixed = percentile(one_alone, 95) * 1000, percentile(one_mixed, 95) * 1000
        rows.append(("  why: one planner, p95 under the mix / alone",
                     f"{p95_one_mixed:.0f} / {p95_one:.0f} ms", f"{p95_one_mixed / p95_one:.2f}",
                     ""))  # fmt: skip

        rows.append(_storm(url, base, admin, storm_volunteers(url), far, booking))

    with served(url, workers=1) as (base, master):

        def mixed_request(http: requests.Session, n: int) -> int:
            if n % 10 == 0:
                return http.get(
                    f"{base}/api/v1/deployable", params=window, headers=npocc
                ).status_code
            if n % 3 == 0:
                return http.post(
                    f"{base}/api/v1/duties", json=slots.body(), headers=admin
                ).status_code
            return http.get(f"{base}/api/v1/competencies", headers=admin).status_code

        counter = itertools.count()

        def run(total: int) -> None:
            _requests(total, lambda http: mixed_request(http, next(counter)))

        run(1_000)
        after_1k = worker_rss_kib(master.pid)
        run(9_000)
        after_10k = worker_rss_kib(master.pid)
        rows.append(("worker RSS after 10,000 / 1,000 requests",
                     f"{after_10k / 1024:.0f} / {after_1k / 1024:.0f} MB",
                     f"{after_10k / after_1k:.2f}", "<= 1.1"))  # fmt: skip
    return rows


Export = Callable[[str], "subprocess.Popen[bytes]"]


def _export_process(url: str, command: list[str], *, told: bool) -> subprocess.Popen[bytes]:
    """`command` for the last quarter; `told`: its standard input and output are pipes."""
    piped = subprocess.PIPE if told else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", *command, _last_quarter()],
        env={**os.environ, "DUTYSERVICE_DATABASE_URL": url,
             "DUTYSERVICE_EXPORT_DIR": tempfile.mkdtemp(prefix="bench-mix-")},
        stdin=piped, stdout=piped, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip


def _export_by_hand(url: str) -> subprocess.Popen[bytes]:
    """`dutyservice export` of the last quarter, started now in a process of its own: the
    process's start (imports, the application, its first connection) is part of it."""
    return _export_process(url, ["dutyservice", "export", "--quarter"], told=False)


def _scheduled_export(url: str) -> subprocess.Popen[bytes]:
    """The last quarter's returns made as the scheduler makes them, in its process that is
    already running (`bench.warm_export`): started and ready before it is told to begin now."""
    process = _export_process(url, ["bench.warm_export"], told=True)
    assert process.stdin is not None
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        raise SystemExit(f"the scheduler's export did not start: exit {process.wait()}")
    process.stdin.write(b"begin\n")
    process.stdin.close()
    return process


def _requests(total: int, send: Callable[[requests.Session], int]) -> None:
    share = [total // BOOKING_CLIENTS] * BOOKING_CLIENTS

    def client(count: int) -> None:
        with requests.Session() as http:
            for _ in range(count):
                status = send(http)
                if status >= 300:
                    raise SystemExit(f"unexpected status {status}")

    threads = [threading.Thread(target=client, args=(n,)) for n in share]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _storm(
    url: str,
    base: str,
    admin: dict[str, str],
    volunteers: list[int],
    far: datetime,
    booking_rate: float,
) -> tuple[str, str, str, str]:
    starts = far - timedelta(days=400)
    event = requests.post(
        f"{base}/api/v1/events",
        json={
            "force": STORM_HOST,
            "title": "Mutual aid: national call-out",
            "location": "London",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=8)).isoformat(),
            "duty_type": "event",
            "capacity": STORM_PLACES,
            "signup_deadline": (starts - timedelta(days=1)).isoformat(),
            "open_to": "national",
        },
        headers=admin,
        timeout=60,
    )
    if event.status_code != 201:
        raise SystemExit(f"event not created: {event.status_code} {event.text}")
    event_id = event.json()["id"]
    signups = f"{base}/api/v1/events/{event_id}/signups"
    clients = 32
    barrier = threading.Barrier(clients)
    outcomes: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(share: list[int]) -> None:
        with requests.Session() as http:
            barrier.wait()
            for officer in share:
                began = time.perf_counter()
                answer = http.post(signups, json={"officer_id": officer}, headers=admin)
                status = answer.status_code
                with lock:
                    outcomes.append((status, time.perf_counter() - began))

    shares = [volunteers[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    stored = sum(1 for status, _ in outcomes if status == 201)
    others = {status for status, _ in outcomes if status != 201}
    held, requested = held_places(url, event_id)
    if not stored == held == requested == STORM_PLACES or others - {409}:
        raise SystemExit(f"storm: {stored} kept, {held} held, {requested} requested, {others}")
    rate = len(outcomes) / elapsed
    p99 = percentile([t for _, t in outcomes], 99) * 1000
    return (
        f"call-out storm, requests of {STORM_FORCES} forces: sign-ups / booking "
        f"({held} held of {len(outcomes)}, p99 {p99:.0f} ms)",
        f"{rate:.0f} / {booking_rate:.0f} req/s",
        f"{rate / booking_rate:.2f}",
        ">= 0.8",
    )


def _last_quarter() -> str:
    today = datetime.now(UTC).date()
    quarter = (today.month - 1) // 3  # the one just ended, 0 meaning last year's Q4
    return f"{today.year - 1}-Q4" if quarter == 0 else f"{today.year}-Q{quarter}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=20_000, help="the national headcount")
    parser.add_argument("--reuse", help="an already loaded PostgreSQL database URL")
    parser.add_argument("--seconds", type=float, default=15, help="length of each measurement")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; PostgreSQL; {args.seconds:.0f} s a measurement")

    def report(url: str) -> None:
        rows = measure(url, args.seconds)
        width = max(len(r[0]) for r in rows)
        print(f"{'figure':<{width}}  {'measured / baseline':<22} {'ratio':>8}  target")
        for name, values, ratio, target in rows:
            print(f"{name:<{width}}  {values:<22} {ratio:>8}  {target}")

    if args.reuse:
        report(args.reuse)
        return
    with new_database() as url:
        dutyservice(url, "db", "upgrade")
        began = time.monotonic()
        dutyservice(url, "fixtures", "load", "national", "--officers", str(args.officers))
        print(f"loaded {args.officers:,} officers in {time.monotonic() - began:.0f} s")
        report(url)


if __name__ == "__main__":
    main()
