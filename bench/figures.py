"""Each figure beside its baseline, measured in the same run on the same machine: booking
against a no-op read, deployable against the rule written by hand, the export against COPY."""

from __future__ import annotations

import itertools
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import delete, func, select, text

from dutyservice.audit import AuditEntry
from dutyservice.auth.service import create_token
from dutyservice.clock import Quarter, london_today
from dutyservice.db import Database
from dutyservice.duties.models import Duty
from dutyservice.fixtures import seed_reference_data
from dutyservice.ips.queries import list_role_profiles, role_profile
from dutyservice.migrate import upgrade
from dutyservice.national import load_national
from dutyservice.npocc.membership import return_parameters, return_query

from .hand_written import deployable_parameters, deployable_statement
from .harness import (
    CLIENTS,
    Ask,
    Server,
    alternating_throughput,
    checkpoint,
    child,
    drop_database,
    medians_in_turn,
    new_database,
    percentile,
    times_in_turn,
)
from .ips_write import bench_ips_write
from .stage import add_stages, bench_stage_beside_profile

LATENCY_RUNS = 100
EXPORT_ROUNDS = 3
# Requests before timing: a serving process has prepared its statements (psycopg prepares one
# once it has run five times on a connection; PostgreSQL settles on a plan after five more).
WARM_UP_RUNS = 30
# The planners' question, nationally and for the largest force, for the IPS role profile.
SCOPES = (("national", None), ("force", "metropolitan"))
PROFILE = (135, 1)


@dataclass
class Figures:
    dataset: str
    database: str
    officers: int
    duties: int
    load_seconds: float
    figures: dict[str, float] = field(default_factory=dict)


# Booking -----------------------------------------------------------------------------------


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


# Deployable --------------------------------------------------------------------------------


def tomorrow_night() -> tuple[datetime, datetime]:
    tomorrow = london_today() + timedelta(days=1)
    starts = datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
    return starts, starts + timedelta(hours=8)


def deployable_query(force: str | None) -> dict[str, Any]:
    starts, ends = tomorrow_night()
    mercury_ref, version = PROFILE
    params: dict[str, Any] = {
        "from": starts.isoformat(),
        "to": ends.isoformat(),
        "mercury_ref": mercury_ref,
        "version": version,
        "per_page": 500,
    }
    if force:
        params["force"] = force
    return params


def npocc_headers(db: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(db, role='npocc').secret}"}


def bench_deployable(server: Server, db: Database) -> dict[str, float]:
    """The question beside the authenticated no-op read, one request to each in turn; then
    beside the rule written by hand in SQL (PostgreSQL's multiranges), in turn. Apart: the
    hand-written statement's 100 ms of work on the database, run just before each request,
    weighed on the question and not on the no-op read after it."""
    npocc = npocc_headers(db)
    figures: dict[str, float] = {}
    for scope, force in SCOPES:
        params = deployable_query(force)

        def noop(http: requests.Session, _run: int) -> None:
            http.get(f"{server.base}/api/v1/competencies", headers=npocc, timeout=30)

        asked = _asking(server, npocc, params)
        api, floor = times_in_turn([asked, noop], LATENCY_RUNS, WARM_UP_RUNS)
        figures |= {
            f"deployable_{scope}_p50_ms": statistics.median(api) * 1000,
            f"deployable_{scope}_p95_ms": percentile(api, 0.95) * 1000,
            f"deployable_{scope}_noop_p50_ms": statistics.median(floor) * 1000,
            f"deployable_{scope}_noop_ratio": statistics.median(api) / statistics.median(floor),
        }
        figures |= _beside_the_hand_written_rule(server, db, npocc, scope, force)
    return figures


def _beside_the_hand_written_rule(
    server: Server, db: Database, npocc: dict[str, str], scope: str, force: str | None
) -> dict[str, float]:
    """The API's answer beside the rule written by hand, in turn; the two answers must agree
    (as tests/integration/test_deployable_agrees_with_multiranges.py holds on a smaller set).
    SQLite has no multiranges: only the count of its answer."""
    url = f"{server.base}/api/v1/deployable"
    body = requests.get(url, params=deployable_query(force), headers=npocc, timeout=120).json()
    figures: dict[str, float] = {f"deployable_{scope}_officers": body["total"]}
    if db.dialect != "postgresql":
        return figures
    starts, ends = tomorrow_night()
    with db.reading() as session:
        profile = role_profile(session, *PROFILE)
    statement = deployable_statement(profile, force is not None)
    bind = deployable_parameters(profile, starts, ends, force)
    rows: list[Sequence[Any]] = []
    with db.engine.connect() as connection:

        def by_hand(_http: requests.Session, _run: int) -> None:
            rows[:] = connection.execute(statement, bind).all()

        api, sql = medians_in_turn(
            [_asking(server, npocc, deployable_query(force)), by_hand], LATENCY_RUNS, WARM_UP_RUNS
        )
    _agree(body, rows, scope)
    return figures | {
        f"deployable_{scope}_sql_p50_ms": sql * 1000,
        f"deployable_{scope}_ratio": api / sql,
    }


def _agree(body: dict[str, Any], rows: Sequence[Any], scope: str) -> None:
    answer = [
        (i["officer_id"], i["force"], i["rank"], i["base_location"], i["ost_expires_on"])
        for i in body["items"]
    ]
    expected = [
        (r.id, r.code, r.rank, r.base_location, r.ost_expires_on and r.ost_expires_on.isoformat())
        for r in rows
    ]
    if body["total"] != len(rows) or answer != expected[: len(answer)]:
        raise AssertionError(f"deployable {scope}: the API and the hand-written SQL differ")


def _bench_by_stage(server: Server, db: Database) -> dict[str, float]:
    """Deployable by stage beside deployable by profile, on stages added for the purpose."""
    if not _has_stages(db):
        add_stages(db)
        checkpoint(db)
    npocc = npocc_headers(db)
    figures: dict[str, float] = {}
    for scope, force in SCOPES:
        figures |= bench_stage_beside_profile(server.base, npocc, deployable_query(force), scope)
    return figures


def _has_stages(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(connection.execute(text("SELECT count(*) FROM learning_records")).scalar())


def bench_history_growth(base_url: str, history_url: str, workdir: Path) -> dict[str, float]:
    """Deployable p50 with 10 times the history over the base, the two servers answering in
    turn."""
    servers = [Server(url, workdir) for url in (base_url, history_url)]
    try:
        headers = []
        for url in (base_url, history_url):
            db = Database(url)
            headers.append(npocc_headers(db))
            db.dispose()
        figures: dict[str, float] = {}
        for scope, force in SCOPES:
            base, history = medians_in_turn(
                [
                    _asking(server, auth, deployable_query(force))
                    for server, auth in zip(servers, headers, strict=True)
                ],
                LATENCY_RUNS,
                WARM_UP_RUNS,
            )
            figures[f"deployable_{scope}_history_growth"] = history / base
            figures[f"deployable_{scope}_base_ms"] = base * 1000
            figures[f"deployable_{scope}_history_ms"] = history * 1000
        return figures
    finally:
        for server in servers:
            server.stop()


def _asking(server: Server, auth: dict[str, str], params: dict[str, Any]) -> Ask:
    def ask(http: requests.Session, _run: int) -> None:
        http.get(
            f"{server.base}/api/v1/deployable", params=params, headers=auth, timeout=120
        ).raise_for_status()

    return ask


# Export ------------------------------------------------------------------------------------


def copy_statements(db: Database, quarter: Quarter) -> list[str]:
    """Each return's COPY of its rows, by the same statement the export runs: every force,
    every role profile version."""
    from sqlalchemy.dialects import postgresql

    with db.reading() as session:
        profile_ids = [row.id for row in list_role_profiles(session)]
        force_ids = list(session.scalars(text("SELECT id FROM forces ORDER BY code")))
    statements = []
    for profile_id, force_id in itertools.product(profile_ids, force_ids):
        statement = return_query().params(return_parameters(force_id, profile_id, quarter))
        sql = statement.compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]  # untyped upstream
            compile_kwargs={"literal_binds": True},
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


def forget_quarter(db: Database, quarter: Quarter) -> None:
    """A benchmark database: the quarter's returns and its scheduled run are made afresh."""
    with db.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM npocc_returns WHERE quarter = :q"), {"q": str(quarter)}
        )
        connection.execute(
            text("DELETE FROM npocc_quarter_runs WHERE quarter = :q"), {"q": str(quarter)}
        )


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
    copied = 0
    for _ in range(EXPORT_ROUNDS):
        exports = workdir / f"exports-{uuid.uuid4().hex[:6]}"
        forget_quarter(db, quarter)
        wall, reported = child(
            "bench.export_command",
            [str(quarter)],
            {**env, "DUTYSERVICE_EXPORT_DIR": str(exports)},
        )
        walls.append(wall)
        peaks.append(int(reported["peak_kb"]))
        forget_quarter(db, quarter)
        _, reported = child(
            "bench.scheduler_job",
            [str(quarter)],
            {**env, "DUTYSERVICE_EXPORT_DIR": f"{exports}-job"},
        )
        jobs.append(float(reported["job_s"]))
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


# A data set --------------------------------------------------------------------------------


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
            n_officers: int = connection.execute(text("SELECT count(*) FROM officers")).scalar_one()
            n_duties: int = connection.execute(text("SELECT count(*) FROM duties")).scalar_one()
        result = Figures(label, kind, n_officers, n_duties, load_seconds)
        print(
            f"[{label} {kind}] {n_officers} officers, {n_duties} duties "
            f"(loaded in {load_seconds:.0f} s)",
            flush=True,
        )
        server = Server(url, workdir)
        try:
            result.figures |= bench_deployable(server, db)
            result.figures |= _bench_by_stage(server, db)
            result.figures |= bench_booking(server, db)
            result.figures |= bench_ips_write(url, server, db, workdir)
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
