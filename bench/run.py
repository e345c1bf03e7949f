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
4. with --growth, the same again with 10 times the officers and 10 times the history; the
   deployable latency under 10 times the history is measured beside the base's, the two
   servers answering in turn.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dutyservice.audit import AuditEntry  # noqa: E402
from dutyservice.auth.service import create_token  # noqa: E402
from dutyservice.clock import Quarter, london_days_spanned, london_today  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.duties.models import Duty  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from dutyservice.national import load_national  # noqa: E402

POSTGRES = os.environ.get(
    "DUTYSERVICE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CLIENTS = 8
ROUNDS = 5
SECONDS = int(os.environ.get("DUTYSERVICE_BENCH_SECONDS", "20"))
LATENCY_RUNS = 100
EXPORT_ROUNDS = 3
# Requests before timing: a serving process has prepared its statements (psycopg prepares one
# once it has run five times on a connection; PostgreSQL settles on a plan after five more).
WARM_UP_RUNS = 30

# The FEED.md rule over a window, written by hand with PostgreSQL multiranges: the floor.
HAND_WRITTEN = """
SELECT o.id, f.code, o.warrant_number, o.rank, o.base_location,
       (SELECT max(t.expires_on) FROM training_records t
        WHERE t.officer_id = o.id AND t.kind = 'ost' AND t.completed_on <= :last) AS ost_expires_on
FROM officers o JOIN forces f ON f.id = o.force_id
WHERE o.joined_on <= :first AND (o.left_on IS NULL OR o.left_on > :last) {force}
  AND (SELECT range_agg(daterange(g.granted_on, g.withdrawn_on)) FROM ips_grants g
       WHERE g.officer_id = o.id) @> daterange(:first, :after)
  AND (SELECT range_agg(daterange(t.completed_on, t.expires_on + 1)) FROM training_records t
       WHERE t.officer_id = o.id AND t.kind = 'ost') @> daterange(:first, :after)
  AND (SELECT count(*) FROM (
         SELECT c.unit_code FROM competency_records c WHERE c.officer_id = o.id
         GROUP BY c.unit_code
         HAVING range_agg(daterange(c.attained_on, c.revoked_on)) @> daterange(:first, :after)
       ) held WHERE held.unit_code IN ('BE2','CB1','CD1','CD5','CI101','GC10')) = 6
  AND NOT EXISTS (SELECT 1 FROM duties d WHERE d.officer_id = o.id
                  AND d.status IN ('booked', 'completed')
                  AND d.starts_at < :ends AND d.ends_at > :starts)
ORDER BY f.code, o.warrant_number COLLATE "C"
"""


@dataclass
class Figures:
    dataset: str
    database: str
    officers: int
    duties: int
    load_seconds: float
    figures: dict[str, float] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Server:
    def __init__(self, url: str, workdir: Path) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": url,
            "DUTYSERVICE_LOG_LEVEL": "WARNING",
            "DUTYSERVICE_EXPORT_DIR": str(workdir / "exports"),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dutyservice",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "2",
                "--threads",
                "8",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                if requests.get(f"{self.base}/readyz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


Send = Callable[[requests.Session, int], bool]


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


def bench_booking(server: Server, db: Database) -> dict[str, float]:
    admin = {"Authorization": f"Bearer {create_token(db, role='admin').secret}"}
    with db.engine.connect() as connection:
        officers = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM officers WHERE left_on IS NULL ORDER BY id LIMIT :n"),
                {"n": CLIENTS},
            )
        ]
    with db.reading() as session:  # after anything an earlier run booked
        latest = session.scalar(select(func.max(Duty.ends_at)).where(Duty.officer_id.in_(officers)))
    far = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=400)
    if latest is not None:
        far = max(far, latest + timedelta(days=1))

    bookings = [itertools.count() for _ in range(CLIENTS)]

    def book(http: requests.Session, index: int) -> bool:
        starts = far + timedelta(hours=3 * next(bookings[index]))  # never overlapping
        return (
            http.post(
                f"{server.base}/api/v1/duties",
                headers=admin,
                json={
                    "officer_id": officers[index],
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                    "duty_type": "patrol",
                },
                timeout=30,
            ).status_code
            == 201
        )

    def noop(http: requests.Session, index: int) -> bool:
        return (
            http.get(f"{server.base}/api/v1/competencies", headers=admin, timeout=30).status_code
            == 200
        )

    floor, booked = alternating_throughput(noop, book)
    forget_bookings(db, officers, far)
    return {"booking_per_s": booked, "noop_read_per_s": floor, "booking_ratio": booked / floor}


def forget_bookings(db: Database, officers: list[int], since: datetime) -> None:
    """Delete what the run booked, and its audit entries: a reused database stays as loaded."""
    booked = select(Duty.id).where(Duty.officer_id.in_(officers), Duty.starts_at >= since)
    with db.transaction() as session:
        session.execute(
            delete(AuditEntry).where(
                AuditEntry.resource_type == "duty", AuditEntry.resource_id.in_(booked)
            )
        )
        session.execute(delete(Duty).where(Duty.id.in_(booked)))


# The planners' question, nationally and for the largest force.
SCOPES = (("national", None), ("force", "metropolitan"))


def tomorrow_night() -> tuple[datetime, datetime]:
    tomorrow = london_today() + timedelta(days=1)
    starts = datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
    return starts, starts + timedelta(hours=8)


def deployable_query(force: str | None) -> dict[str, Any]:
    starts, ends = tomorrow_night()
    params: dict[str, Any] = {"from": starts.isoformat(), "to": ends.isoformat(), "per_page": 500}
    if force:
        params["force"] = force
    return params


def npocc_headers(db: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(db, role='npocc').secret}"}


def bench_deployable(server: Server, db: Database) -> dict[str, float]:
    """Requests and hand-written statements alternate, so both see the same machine."""
    npocc = npocc_headers(db)
    starts, ends = tomorrow_night()
    first, last = london_days_spanned(starts, ends)
    figures: dict[str, float] = {}
    for scope, force in SCOPES:
        params = deployable_query(force)
        statement = text(HAND_WRITTEN.format(force="AND f.code = :force" if force else ""))
        bind = {
            "first": first,
            "last": last,
            "after": last + timedelta(days=1),
            "starts": starts,
            "ends": ends,
            "force": force,
        }
        api: list[float] = []
        sql: list[float] = []
        rows: list[Any] = []
        # The hand-written floor uses PostgreSQL's multiranges: SQLite's figure has none.
        floor = db.dialect == "postgresql"
        with requests.Session() as http, db.engine.connect() as connection:
            for run in range(WARM_UP_RUNS + LATENCY_RUNS):
                t = time.perf_counter()
                body = http.get(
                    f"{server.base}/api/v1/deployable", params=params, headers=npocc, timeout=120
                ).json()
                t_api = time.perf_counter() - t
                t = time.perf_counter()
                if floor:
                    rows = connection.execute(statement, bind).all()
                t_sql = time.perf_counter() - t
                if run >= WARM_UP_RUNS:
                    api.append(t_api)
                    sql.append(t_sql)
        figures |= {
            f"deployable_{scope}_officers": body["total"],
            f"deployable_{scope}_p50_ms": statistics.median(api) * 1000,
            f"deployable_{scope}_p95_ms": percentile(api, 0.95) * 1000,
        }
        if not floor:
            continue
        answer = [
            (i["officer_id"], i["force"], i["rank"], i["base_location"], i["ost_expires_on"])
            for i in body["items"]
        ]
        expected = [
            (
                r.id,
                r.code,
                r.rank,
                r.base_location,
                r.ost_expires_on and r.ost_expires_on.isoformat(),
            )
            for r in rows
        ]
        if body["total"] != len(rows) or answer != expected[: len(answer)]:
            raise AssertionError(f"deployable {scope}: the API and the hand-written SQL differ")
        figures |= {
            f"deployable_{scope}_sql_p50_ms": statistics.median(sql) * 1000,
            f"deployable_{scope}_ratio": statistics.median(api) / statistics.median(sql),
        }
    return figures


def copy_statements(db: Database, quarter: Quarter) -> list[str]:
    """Each force's COPY of its return rows, by the same statement the export runs."""
    from sqlalchemy.dialects import postgresql

    from dutyservice.ips.models import RoleProfile
    from dutyservice.ips.queries import requirements_of
    from dutyservice.npocc.membership import return_parameters, return_query

    with db.reading() as session:
        profile = requirements_of(session.scalar(select(RoleProfile)))
        force_ids = [row[0] for row in session.execute(text("SELECT id FROM forces"))]
    statements = []
    for force_id in force_ids:
        statement = return_query(profile).params(return_parameters(force_id, quarter))
        sql = statement.compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        statements.append(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)")
    return statements


def copy_rows(db: Database, statements: list[str]) -> int:
    """The floor: the rows copied out by the statements, one after another."""
    copied = 0
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement in statements:
            with cursor.copy(statement) as copy:
                for block in copy:
                    copied += bytes(block).count(b"\n")
    finally:
        raw.close()
    return copied


def _child(code: str, env: dict[str, str]) -> tuple[float, dict[str, str]]:
    """Run Python code in a new process: its wall time, and what it reported on stderr."""
    t = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    wall = time.perf_counter() - t
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-2000:])
    reported = dict(
        line.split(maxsplit=1)
        for line in run.stderr.splitlines()
        if line.startswith(("JOB_S ", "MAXRSS_KB "))
    )
    return wall, reported


def _forget_quarter(db: Database, quarter: Quarter) -> None:
    """A benchmark database: the quarter's returns and its scheduled run are made afresh."""
    with db.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM npocc_returns WHERE quarter = :q"), {"q": str(quarter)}
        )
        connection.execute(
            text("DELETE FROM npocc_quarter_runs WHERE quarter = :q"), {"q": str(quarter)}
        )


def _export_command(env: dict[str, str], quarter: Quarter) -> tuple[float, int]:
    """`dutyservice export`, from a new process, by the console script's own entry point: its
    wall time and peak memory. The child reports its own high-water mark (VmHWM, reset at
    exec): ru_maxrss would carry this process's peak across fork, and this process has just
    loaded the data set."""
    wall, reported = _child(
        "import sys\n"
        "from dutyservice.console import main\n"
        "try:\n"
        f"    main(['export', '--quarter', '{quarter}'])\n"
        "finally:\n"
        "    peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "    print('MAXRSS_KB', peak.split()[1], file=sys.stderr)\n",
        env,
    )
    return wall, int(reported["MAXRSS_KB"])


def _scheduler_job(env: dict[str, str], quarter: Quarter) -> float:
    """The scheduler's quarterly job in a process that has already started, as the scheduler
    runs it: claim, make every return, record the run. Its statements are not yet compiled,
    nor its connections opened."""
    _, reported = _child(
        "import sys, time\n"
        "from dutyservice import create_app\n"
        "from dutyservice.clock import Quarter\n"
        "from dutyservice.npocc.schedule import run_quarter\n"
        "state = create_app(http_api=False).extensions['dutyservice']\n"
        "started = time.perf_counter()\n"
        f"result = run_quarter(state.db, state.settings, Quarter.parse('{quarter}'))\n"
        "print('JOB_S', time.perf_counter() - started, file=sys.stderr)\n"
        "assert result is not None and result.made == 43, result\n",
        env,
    )
    return float(reported["JOB_S"])


def bench_export(url: str, db: Database, workdir: Path) -> dict[str, float]:
    """The command, the scheduler's job and COPY in turn, EXPORT_ROUNDS times: medians, since
    each takes about a second and the machine's pace drifts by more than that between runs."""
    quarter = Quarter.of(london_today()).previous()
    statements = copy_statements(db, quarter) if db.dialect == "postgresql" else []
    copy_rows(db, statements)  # untimed: the export and COPY both read warm pages
    env = {
        **os.environ,
        "DUTYSERVICE_DATABASE_URL": url,
        "DUTYSERVICE_LOG_LEVEL": "WARNING",
        "DUTYSERVICE_NPOCC_FEED_URL": "",
    }
    walls, peaks, jobs, copies = [], [], [], []
    for _ in range(EXPORT_ROUNDS):
        exports = workdir / f"exports-{uuid.uuid4().hex[:6]}"
        _forget_quarter(db, quarter)
        wall, peak_kb = _export_command({**env, "DUTYSERVICE_EXPORT_DIR": str(exports)}, quarter)
        walls.append(wall)
        peaks.append(peak_kb)
        _forget_quarter(db, quarter)
        jobs.append(_scheduler_job({**env, "DUTYSERVICE_EXPORT_DIR": f"{exports}-job"}, quarter))
        if statements:
            t = time.perf_counter()
            copied = copy_rows(db, statements)
            copies.append(time.perf_counter() - t)
    rows = sum(max(0, len(p.read_bytes().split(b"\r\n")) - 2) for p in exports.glob("*.csv"))
    figures = {
        "export_wall_s": statistics.median(walls),
        "export_job_s": statistics.median(jobs),
        "export_peak_rss_mb": max(peaks) / 1024,
        "export_rows": rows,
    }
    if copies:
        copy_wall = statistics.median(copies)
        figures |= {
            "copy_same_rows_s": copy_wall,
            "copy_rows": copied,
            "export_ratio": figures["export_wall_s"] / copy_wall,
            "export_job_ratio": figures["export_job_s"] / copy_wall,
        }
    return figures


def checkpoint(db: Database) -> None:
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))


def run_dataset(
    label: str,
    kind: str,
    officers: int,
    years: int,
    workdir: Path,
    reuse: str | None,
    kept: list[str] | None = None,
) -> Figures:
    """Load (unless reusing), measure, and drop the database, or add it to `kept`."""
    url = reuse or new_database(kind, workdir)
    db = Database(url)
    try:
        started = time.perf_counter()
        if not reuse:
            upgrade(db)
            seed_reference_data(db)
            load_national(db, officers=officers, years=years, seed=1)
        load_seconds = time.perf_counter() - started
        checkpoint(db)  # the load's dirty pages are written now, not while measuring
        with db.engine.connect() as connection:
            n_officers = connection.execute(text("SELECT count(*) FROM officers")).scalar()
            n_duties = connection.execute(text("SELECT count(*) FROM duties")).scalar()
        result = Figures(label, kind, n_officers, n_duties, load_seconds)
        print(
            f"[{label} {kind}] {n_officers} officers, {n_duties} duties "
            f"(loaded in {load_seconds:.0f} s)",
            flush=True,
        )
        server = Server(url, workdir)
        try:
            result.figures |= bench_deployable(server, db)
            result.figures |= bench_booking(server, db)
        finally:
            server.stop()
        # The bookings' pages too: the export's fsyncs would otherwise wait behind them.
        checkpoint(db)
        result.figures |= bench_export(url, db, workdir)
        return result
    finally:
        db.dispose()
        if kept is not None:
            kept.append(url)
        elif not reuse:
            drop_database(url)


def bench_history_growth(base_url: str, history_url: str, workdir: Path) -> dict[str, float]:
    """Deployable p50 with 10 times the history over the base, the two servers answering in
    turn: measured apart, minutes of drift in the machine would weigh as much as the data."""
    servers = [Server(url, workdir) for url in (base_url, history_url)]
    try:
        headers = []
        for url in (base_url, history_url):
            db = Database(url)
            headers.append(npocc_headers(db))
            db.dispose()
        figures: dict[str, float] = {}
        for scope, force in SCOPES:
            params = deployable_query(force)
            times: list[list[float]] = [[], []]
            with requests.Session() as http:
                for run in range(WARM_UP_RUNS + LATENCY_RUNS):
                    for side, (server, auth) in enumerate(zip(servers, headers, strict=True)):
                        t = time.perf_counter()
                        http.get(
                            f"{server.base}/api/v1/deployable",
                            params=params,
                            headers=auth,
                            timeout=120,
                        ).raise_for_status()
                        if run >= WARM_UP_RUNS:
                            times[side].append(time.perf_counter() - t)
            base, history = (statistics.median(t) for t in times)
            figures[f"deployable_{scope}_history_growth"] = history / base
        return figures
    finally:
        for server in servers:
            server.stop()


# The table's rows: a label, and the figures it shows ("a / b" when two).
ROWS = [
    ("booking, requests/s", ("booking_per_s",), "{:,.0f}"),
    ("no-op read floor, requests/s", ("noop_read_per_s",), "{:,.0f}"),
    ("**booking / floor** (≥ 0.5)", ("booking_ratio",), "{:.2f}"),
    *(
        row
        for scope, label, ms in (
            ("national", "national", "{:,.0f}"),
            ("force", "one force", "{:,.1f}"),
        )
        for row in (
            (f"deployable {label}: officers", (f"deployable_{scope}_officers",), "{:,.0f}"),
            (
                f"deployable {label} p50 / p95, ms",
                (f"deployable_{scope}_p50_ms", f"deployable_{scope}_p95_ms"),
                ms,
            ),
            (f"hand-written SQL {label} p50, ms", (f"deployable_{scope}_sql_p50_ms",), ms),
            (f"**deployable {label} / SQL** (≤ 2)", (f"deployable_{scope}_ratio",), "{:.2f}"),
        )
    ),
    ("export: rows in the 43 returns", ("export_rows",), "{:,.0f}"),
    ("`dutyservice export`, s", ("export_wall_s",), "{:,.2f}"),
    ("COPY of the same rows, s", ("copy_same_rows_s",), "{:,.2f}"),
    ("**export / COPY** (≤ 2)", ("export_ratio",), "{:.2f}"),
    ("scheduler's quarterly job, s", ("export_job_s",), "{:,.2f}"),
    ("scheduler's job / COPY", ("export_job_ratio",), "{:.2f}"),
    ("export peak memory, MB", ("export_peak_rss_mb",), "{:,.0f}"),
]


def table(results: list[Figures]) -> str:
    """The figures as the README shows them: a column a data set, then the growth ratios."""
    header = ["figure"] + [f"{r.dataset} ({r.database})" for r in results]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    lines.append(
        "| officers / duties | "
        + " | ".join(f"{r.officers:,} / {r.duties:,}" for r in results)
        + " |"
    )
    for label, names, number in ROWS:
        cells = [
            " / ".join(number.format(r.figures[n]) for n in names)
            if all(n in r.figures for n in names)
            else "–"
            for r in results
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    by_name = {r.dataset: r.figures for r in results if r.database == "postgresql"}
    if {"base", "officers x10", "history x10"} <= by_name.keys():
        base, officers, history = (by_name[k] for k in ("base", "officers x10", "history x10"))
        lines.append("")
        for scope in ("national", "force"):
            growth = history.get(f"deployable_{scope}_history_growth")
            if growth is not None:
                lines.append(
                    f"- deployable {scope} p50 under 10 × history: {growth:.2f} × the base, "
                    "the two answering in turn (≤ 1.3)"
                )
        lines.append(
            "- export peak memory with 10 × the officers: "
            f"{officers['export_peak_rss_mb'] / base['export_peak_rss_mb']:.2f} × the base (≤ 1.1)"
        )
    return "\n".join(lines)


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
            results[-1].figures |= bench_history_growth(*kept, workdir)
    finally:
        for url in kept:
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(results))
    args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    print(
        f"figures written to {args.json}; machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB"
    )


if __name__ == "__main__":
    main()
