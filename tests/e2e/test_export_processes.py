"""The exporter and the scheduler as real processes: killed mid-way, and racing each other."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, select

from dutyservice.db import Database
from dutyservice.npocc.models import NpoccReturn, QuarterRun

from ..support import bulk
from ..support.receiver import receiver

FORCES = 43


def command(
    db: Database, export_dir: Path, *args: str, feed_url: str = ""
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DUTYSERVICE_DATABASE_URL": db.url,
        "DUTYSERVICE_EXPORT_DIR": str(export_dir),
        "DUTYSERVICE_LOG_LEVEL": "WARNING",
        "DUTYSERVICE_NPOCC_FEED_URL": feed_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dutyservice", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes], timeout: float = 180) -> str:
    """Wait for a command; its standard output, or a failure with its standard error."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err.decode()
    return out.decode()


def returns(db: Database) -> list[NpoccReturn]:
    with db.reading() as session:
        return list(session.scalars(select(NpoccReturn).order_by(NpoccReturn.return_id)))


def test_an_exporter_killed_mid_way_leaves_no_partial_return_and_the_rerun_the_same_bytes(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    bulk.ips_officers(db, "cambridgeshire", 4000)
    exports = tmp_path / "exports"
    exporter = command(db, exports, "export", "--quarter", "2025-Q3", "--force", "cambridgeshire")
    deadline = time.monotonic() + 60
    while not list(exports.glob(".*.partial")):
        assert exporter.poll() is None, "the exporter finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    exporter.send_signal(signal.SIGKILL)
    exporter.communicate()
    assert exporter.returncode == -signal.SIGKILL
    assert not list(exports.glob("*.csv"))
    assert returns(db) == []

    finish(command(db, exports, "export", "--quarter", "2025-Q3", "--force", "cambridgeshire"))
    assert sorted(p.name for p in exports.iterdir()) == [
        "cambridgeshire-135v1-2025Q3-r1.csv",
        "cambridgeshire-135v1-2025Q3-r1.manifest.json",
    ]
    [record] = returns(db)
    data = (exports / record.csv_filename).read_bytes()
    assert hashlib.sha256(data).hexdigest() == record.sha256
    assert record.record_count == 4000
    assert data.count(b"\r\n") == 4001

    # An uninterrupted run from scratch writes the very same bytes.
    with db.transaction() as session:
        session.execute(delete(NpoccReturn))
    fresh = tmp_path / "fresh"
    finish(command(db, fresh, "export", "--quarter", "2025-Q3", "--force", "cambridgeshire"))
    assert (fresh / record.csv_filename).read_bytes() == data


def test_the_export_command_delivers_what_it_made_to_the_feed_and_says_so(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    bulk.ips_officers(db, "cambridgeshire", 20)
    exports = tmp_path / "exports"
    args = ("export", "--quarter", "2025-Q3", "--force", "cambridgeshire")
    with receiver([("status", 503)]) as feed:
        output = finish(command(db, exports, *args, feed_url=feed.url))
        again = finish(command(db, exports, *args, feed_url=feed.url))
    assert output.splitlines()[-1].split() == [
        "cambridgeshire-135v1-2025Q3-r1",
        "made",
        "20",
        "delivered",
    ]
    assert again.splitlines()[-1].split()[1:] == ["unchanged", "20", "delivered"]
    assert feed.accepted_count() == 1
    assert len(feed.received) == 2
    [record] = returns(db)
    assert record.status == "delivered"
    assert record.delivered_at is not None
    csv = (exports / record.csv_filename).read_bytes()
    assert feed.received[-1].parts["feed"] == ("text/csv", csv)


def test_two_exporters_at_the_same_moment_make_each_return_once(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    bulk.ips_officers(db, "cambridgeshire", 300)
    exports = tmp_path / "exports"
    racers = [command(db, exports, "export", "--quarter", "2025-Q3") for _ in range(2)]
    outputs = [finish(racer) for racer in racers]
    made = returns(db)
    assert len(made) == FORCES
    assert {r.revision for r in made} == {1}
    assert sum(o.count(" made ") for o in outputs) == FORCES
    assert sum(o.count(" unchanged ") for o in outputs) == FORCES


def test_two_scheduler_processes_make_each_return_once(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    # The scheduler makes the latest quarter due by the real clock; training current well past it.
    bulk.ips_officers(db, "norfolk", 50, ost_expires_on=date(2099, 1, 1))
    exports = tmp_path / "exports"
    schedulers = [command(db, exports, "scheduler") for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while True:
            with db.reading() as session:
                runs = list(session.scalars(select(QuarterRun)))
            if runs and all(r.status == "completed" for r in runs):
                break
            for s in schedulers:
                assert s.poll() is None, s.communicate()[1].decode()
            assert time.monotonic() < deadline, "no quarter run completed"
            time.sleep(0.2)
        time.sleep(1)  # let the slower instance finish whatever it was doing
    finally:
        for s in schedulers:
            s.terminate()
            s.communicate(timeout=15)
    [run] = runs
    with db.reading() as session:
        counts = session.execute(
            select(NpoccReturn.quarter, func.count()).group_by(NpoccReturn.quarter)
        ).all()
    assert counts == [(run.quarter, FORCES)]
    assert run.returns_made == FORCES
    norfolk = [r for r in returns(db) if r.return_id.startswith("norfolk-")]
    assert [r.record_count for r in norfolk] == [50]


def test_a_scheduler_stopped_mid_run_lets_the_next_start_finish_the_quarter_with_the_same_bytes(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    bulk.ips_officers(db, "norfolk", 4000, ost_expires_on=date(2099, 1, 1))
    exports = tmp_path / "exports"
    first = command(db, exports, "scheduler")
    deadline = time.monotonic() + 120
    while not list(exports.glob(".*.partial")) and len(returns(db)) < 2:
        assert first.poll() is None, first.communicate()[1].decode()
        assert time.monotonic() < deadline, "the scheduler made nothing"
        time.sleep(0.002)
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)
    with db.reading() as session:
        [stopped] = list(session.scalars(select(QuarterRun)))
    assert stopped.status == "failed"
    assert "SystemExit" in (stopped.detail or "")
    assert len(returns(db)) < FORCES

    second = command(db, exports, "scheduler")
    try:
        deadline = time.monotonic() + 120
        while True:
            with db.reading() as session:
                [run] = list(session.scalars(select(QuarterRun)))
            if run.status == "completed":
                break
            assert second.poll() is None, second.communicate()[1].decode()
            assert time.monotonic() < deadline, "the next start did not finish the quarter"
            time.sleep(0.1)
    finally:
        second.terminate()
        second.communicate(timeout=30)
    made = returns(db)
    assert len(made) == FORCES
    assert {r.revision for r in made} == {1}
    assert not list(exports.glob(".*.partial"))
    # The same bytes as a run never interrupted.
    norfolk = next(r for r in made if r.return_id.startswith("norfolk-"))
    with db.transaction() as session:
        session.execute(delete(NpoccReturn))
        session.execute(delete(QuarterRun))
    fresh = tmp_path / "fresh"
    finish(command(db, fresh, "export", "--quarter", run.quarter, "--force", "norfolk"))
    data = (exports / norfolk.csv_filename).read_bytes()
    assert data.count(b"\r\n") == 4001
    assert (fresh / norfolk.csv_filename).read_bytes() == data
