"""What a security team's log shipper reads: every line of `serve` (gunicorn's own included)
and of `scheduler` is one JSON object with `ts` in UTC, `level` and `event`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from dutyservice.db import Database
from dutyservice.jobruns import last_successes

from ..support.builders import Builder
from .conftest import RunningServer

pytestmark = pytest.mark.slow


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        assert line["ts"].endswith("Z"), line
        assert line["level"], line
        assert line["event"], line
    return lines


MINUTE_JOBS = ("npocc-delivery-retries", "notifications", "mutual-aid-lapse")


def finished(log: Path, jobs: tuple[str, ...]) -> bool:
    """Whether the log so far has a line of each of `jobs` finished (its last may be partial)."""
    lines = [line for line in log.read_text().splitlines() if "job finished" in line]
    return all(any(f'"{job}"' in line for line in lines) for job in jobs)


def test_every_line_serve_writes_is_json_gunicorns_own_included(
    app: Flask, build: Builder, database_url: str, tmp_path: Path
) -> None:
    running = RunningServer(database_url, tmp_path, workers=1, DUTYSERVICE_LOG_LEVEL="INFO")
    try:
        admin = build.headers("admin")
        assert requests.get(f"{running.base}/api/v1/forces", headers=admin).status_code == 200
    finally:
        assert running.stop() == 0
    lines = json_lines(running.log.read_text())
    gunicorn = [line for line in lines if line["logger"].startswith("gunicorn")]
    assert any("Listening at" in line["event"] for line in gunicorn)
    [asked] = [line for line in lines if line.get("route") == "/api/v1/forces"]
    assert asked["client_ip"] == "127.0.0.1"
    assert asked["who"]["token_id"]


def test_the_scheduler_logs_its_start_each_run_and_its_stop_and_stores_each_success(
    app: Flask, db: Database, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DUTYSERVICE_DATABASE_URL": db.url,
        "DUTYSERVICE_EXPORT_DIR": str(tmp_path / "exports"),
        "DUTYSERVICE_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "scheduler.log"
    with open(log, "wb") as output:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.quick_scheduler", "scheduler"],
            env=env,
            stderr=output,
        )
        try:
            # The jobs run every minute (here every 5 s) start together 5 s after the start.
            # Their lines, not the outbox's stored success, are waited for: a success is
            # stored just before its line is written, and a job still running at the stop
            # writes its line after the scheduler's last (seen on a busy machine).
            deadline = time.monotonic() + 120
            while not finished(log, MINUTE_JOBS) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=30)
    events = [(line["event"], line.get("job")) for line in json_lines(log.read_text())]
    assert events[0] == ("scheduler started", None)
    assert ("job finished", "notifications") in events
    assert events[-1] == ("scheduler stopped", None)
    assert "notifications" in last_successes(db)
