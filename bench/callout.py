"""A national call-out: how long creating the event takes when it queues a message for every
officer who could answer it, against COPY of the same outbox rows, measured in the same run.

    .venv/bin/python bench/callout.py                     # 20,000 officers (loads in ~3 min)
    .venv/bin/python bench/callout.py --officers 2000     # quicker, smaller
    .venv/bin/python bench/callout.py --reuse URL         # a database already loaded

PostgreSQL only (DUTYSERVICE_BENCH_POSTGRES_URL, default the local `test` server): a fresh
database is made and dropped unless --reuse is given. Every officer gets an address first (the
national data set has none), so that the call-out reaches everyone the rule lets through.
Target (API.md, issue 16): the national call-out queues its messages in under 5 s.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dutyservice import models  # noqa: E402,F401  (every table mapped)
from dutyservice.auth.scope import Principal, Role  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.events.service import create_event  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from dutyservice.national import load_national  # noqa: E402
from dutyservice.outbox import Notification  # noqa: E402
from tests.support.databases import create_postgres_database, drop_postgres_database  # noqa: E402

POSTGRES = os.environ.get(
    "DUTYSERVICE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN = Principal(token_id=None, role=Role.ADMIN)
ROUNDS = 3
COLUMNS = (
    "kind, subject, recipient, officer_id, force_id, status, attempts, next_attempt_at, created_at"
)


def new_database() -> str:
    return create_postgres_database(POSTGRES, "bench_callout")


def drop_database(url: str) -> None:
    drop_postgres_database(url, POSTGRES)


def give_everyone_an_address(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE officers SET email = 'officer' || id || '@bench.police.example'")
        )
        connection.execute(text("ANALYZE officers"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("CHECKPOINT"))


def event_data(index: int, profile: bool) -> dict[str, Any]:
    # A night a few weeks ahead, a different one each round: nobody's duties change between.
    starts_at = datetime.now(UTC).replace(hour=20, minute=0, second=0, microsecond=0) + timedelta(
        days=21 + index
    )
    return {
        "force": "metropolitan",
        "title": f"Mutual aid {index}",
        "description": "National call-out",
        "location": "London",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=8),
        "duty_type": "event",
        "capacity": 500,
        "signup_deadline": starts_at - timedelta(days=1),
        "open_to": "national",
        "mercury_ref": 135 if profile else None,
        "version": 1,
    }


def queued_for(db: Database, event_id: int) -> int:
    with db.reading() as session:
        return (
            session.scalar(select(func.count()).where(Notification.subject == f"event:{event_id}"))
            or 0
        )


def timed_callout(db: Database, index: int, profile: bool) -> tuple[float, int, int]:
    started = time.perf_counter()
    event = create_event(db, ADMIN, event_data(index, profile))
    seconds = time.perf_counter() - started
    return seconds, event.id, queued_for(db, event.id)


def timed_copy(db: Database, event_id: int, label: str) -> float:
    """COPY of the rows the call-out queued (under another subject), committed."""
    with db.engine.connect() as connection:
        buffer = io.StringIO()
        rows = connection.execute(
            text(f"SELECT {COLUMNS} FROM notifications WHERE subject = :subject ORDER BY id"),
            {"subject": f"event:{event_id}"},
        ).all()
        for row in rows:
            values = list(row)
            values[1] = label
            buffer.write("\t".join("\\N" if v is None else str(v) for v in values) + "\n")
        data = buffer.getvalue()
    raw = db.engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = raw.cursor()
        with cursor.copy(f"COPY notifications ({COLUMNS}) FROM STDIN") as copy:
            copy.write(data)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def measure(db: Database, profile: bool, offset: int) -> dict[str, float]:
    callouts, copies, counts = [], [], []
    for round_ in range(ROUNDS):
        seconds, event_id, count = timed_callout(db, offset + round_, profile)
        callouts.append(seconds)
        counts.append(count)
        copies.append(timed_copy(db, event_id, f"copy:{uuid.uuid4().hex[:12]}"))
    return {
        "recipients": statistics.median(counts),
        "callout_s": statistics.median(callouts),
        "copy_s": statistics.median(copies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--reuse", help="an already loaded PostgreSQL database URL")
    args = parser.parse_args()
    url = args.reuse or new_database()
    db = Database(url)
    try:
        if not args.reuse:
            started = time.perf_counter()
            upgrade(db)
            seed_reference_data(db)
            load_national(db, officers=args.officers, years=args.years, seed=1)
            print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
        give_everyone_an_address(db)
        with db.engine.connect() as connection:
            officers = connection.execute(text("SELECT count(*) FROM officers")).scalar()
            serving = connection.execute(
                text("SELECT count(*) FROM officers WHERE left_on IS NULL")
            ).scalar()
        print(f"{officers} officers, {serving} serving, every one with an address")
        print(
            f"{'national call-out':<38} {'recipients':>10} {'event + queue, s':>17} "
            f"{'COPY, s':>8} {'ratio':>6}"
        )
        for label, profile, offset in (
            ("no role profile (every free Special)", False, 0),
            ("role profile 135 v1 (IPS holders)", True, 10),
        ):
            figures = measure(db, profile, offset)
            print(
                f"{label:<38} {figures['recipients']:>10,.0f} {figures['callout_s']:>17.2f} "
                f"{figures['copy_s']:>8.2f} {figures['callout_s'] / figures['copy_s']:>6.1f}",
                flush=True,
            )
        print(f"medians of {ROUNDS} rounds; target: event + queue under 5 s")
    finally:
        db.dispose()
        if not args.reuse:
            drop_database(url)


if __name__ == "__main__":
    main()
