"""Running the service as operations do: metrics over several workers, stopping under load,
several instances on one database."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select, text

from dutyservice.db import Database
from dutyservice.npocc.models import NpoccReturn, QuarterRun

from ..notify.conftest import address, with_email
from ..support import bulk
from ..support.builders import Builder
from ..support.metrics import endpoint_names, sample
from ..support.receiver import receiver
from ..support.smtp import smtp_server
from .conftest import RunningServer
from .test_concurrent_booking import book_all_at_once
from .test_export_processes import FORCES, command

REQUESTS = "dutyservice_http_requests_total"


def test_metrics_count_every_request_once_whichever_worker_answers(
    app: Flask, build: Builder, database_url: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    running = RunningServer(
        database_url, tmp_path, workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    try:
        admin = build.headers("admin")
        asked = 0

        def ask(count: int) -> None:
            with requests.Session() as http:
                for _ in range(count):
                    got = http.get(f"{running.base}/api/v1/competencies", headers=admin, timeout=30)
                    assert got.status_code == 200

        def workers_that_answered() -> set[int]:
            """Each worker keeps a file of its own: those whose file counts some of these."""
            return {
                int(path.stem.rsplit("_", 1)[1])
                for path in metrics_dir.glob("counter_*.db")
                if any(
                    s.name == REQUESTS and s.labels["endpoint"] == "reference.units"
                    for metric in MultiProcessCollector.merge([str(path)])  # type: ignore[no-untyped-call]  # untyped upstream
                    for s in metric.samples
                )
            }

        # Rounds of twelve clients on connections of their own, until both workers have
        # answered some: which worker accepts a connection is the kernel's choice.
        for _ in range(20):
            threads = [threading.Thread(target=ask, args=(10,)) for _ in range(12)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            asked += 120
            if len(workers_that_answered()) == 2:
                break
        assert len(workers_that_answered()) == 2
        # Every scrape, from whichever worker, adds up both workers' counts.
        for _ in range(6):
            with requests.Session() as http:  # a new connection: any worker may take it
                scraped = http.get(f"{running.base}/metrics", headers=admin, timeout=30)
            assert scraped.status_code == 200
            # This new server has answered nothing else but its start-up readiness checks and
            # these scrapes, whose own endpoints are left out.
            answered = sum(
                sample(scraped.text, REQUESTS, endpoint=name, method="GET", status="200")
                for name in endpoint_names(scraped.text, REQUESTS)
                if name not in ("metrics.metrics", "health.readyz")
            )
            assert answered == asked
    finally:
        running.stop()


def test_a_second_server_on_a_metrics_directory_in_use_refuses_to_start_and_wipes_nothing(
    app: Flask, build: Builder, database_url: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    first = RunningServer(
        database_url, tmp_path, workers=1, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    try:
        admin = build.headers("admin")
        for _ in range(5):
            assert (
                requests.get(f"{first.base}/api/v1/competencies", headers=admin).status_code == 200
            )
        env = {
            **os.environ,
            "DUTYSERVICE_DATABASE_URL": database_url,
            "DUTYSERVICE_SECRET_KEY": "a key for this test only, not for use",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
        second = subprocess.run(
            [sys.executable, "-m", "dutyservice", "serve", "--port", "0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert second.stderr.startswith("Error: PROMETHEUS_MULTIPROC_DIR ")
        assert "in use by another running server" in second.stderr
        scraped = requests.get(f"{first.base}/metrics", headers=admin, timeout=30).text
        assert (
            sample(scraped, REQUESTS, endpoint="reference.units", method="GET", status="200") == 5
        )
    finally:
        first.stop()
    # Stopped, it holds the directory no more: the next server starts on it, counting afresh.
    again = RunningServer(
        database_url, tmp_path, workers=1, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    try:
        scraped = requests.get(f"{again.base}/metrics", headers=admin, timeout=30).text
        assert (
            sample(scraped, REQUESTS, endpoint="reference.units", method="GET", status="200") == 0
        )
    finally:
        again.stop()


def test_a_stopping_server_says_it_is_not_ready_and_finishes_what_it_started(
    app: Flask, build: Builder, db: Database, database_url: str, tmp_path: Path
) -> None:
    running = RunningServer(
        database_url, tmp_path, workers=2, DUTYSERVICE_SHUTDOWN_DRAIN_SECONDS="2"
    )
    officers = [build.officer() for _ in range(8)]
    headers = build.headers("supervisor")
    answers: list[tuple[int, int | None]] = []  # (status, duty id)
    refused = threading.Event()
    lock = threading.Lock()

    def book_until_refused(officer_id: int) -> None:
        start = datetime(2027, 1, 1, tzinfo=UTC)
        with requests.Session() as http:
            for n in itertools.count():
                body = {
                    "officer_id": officer_id,
                    "duty_type": "patrol",
                    "starts_at": (start + timedelta(hours=2 * n)).isoformat(),
                    "ends_at": (start + timedelta(hours=2 * n + 1)).isoformat(),
                }
                try:
                    got = http.post(
                        f"{running.base}/api/v1/duties", json=body, headers=headers, timeout=30
                    )
                except requests.ConnectionError:
                    refused.set()
                    return
                with lock:
                    answers.append(
                        (got.status_code, got.json()["id"] if got.status_code == 201 else None)
                    )

    threads = [threading.Thread(target=book_until_refused, args=(o.id,)) for o in officers]
    for thread in threads:
        thread.start()
    while len(answers) < 40:
        time.sleep(0.01)
    running.process.send_signal(signal.SIGTERM)
    readiness: list[int] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with requests.Session() as http:
                readiness.append(http.get(f"{running.base}/readyz", timeout=5).status_code)
        except requests.ConnectionError:
            break
        if readiness[-1] == 503:
            break
        time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=60)
    assert running.process.wait(timeout=30) == 0
    assert readiness, "readiness was never asked"
    assert readiness[-1] == 503, readiness
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) == {201}, statuses  # no 5xx, no refusal: every answer a booking
    booked = sorted(duty_id for _, duty_id in answers if duty_id is not None)
    with db.engine.connect() as connection:
        stored: Sequence[int] = (
            connection.execute(text("SELECT id FROM duties ORDER BY id")).scalars().all()
        )
        audited = connection.execute(
            text(
                "SELECT count(DISTINCT resource_id) FROM audit_entries "
                "WHERE resource_type = 'duty' AND action = 'duty.book'"
            )
        ).scalar()
    # Each booking answered is stored with its audit entry, and nothing else was half-written.
    assert stored == booked
    assert audited == len(booked)


@pytest.mark.usefixtures("postgres_only")
def test_two_instances_and_two_schedulers_on_one_database_keep_every_rule(
    app: Flask, build: Builder, db: Database, database_url: str, tmp_path: Path
) -> None:
    bulk.ips_officers(db, "norfolk", 30, ost_expires_on=date(2099, 1, 1))
    officer = build.officer()
    headers = build.headers("supervisor")
    with receiver([]) as feed:
        instances = [RunningServer(database_url, tmp_path / str(i)) for i in range(2)]
        schedulers = [
            command(db, tmp_path / "exports", "scheduler", feed_url=feed.url) for _ in range(2)
        ]
        try:
            # Clashing bookings, half through each instance, at the same moment: one stored.
            start = datetime(2027, 2, 1, 20, tzinfo=UTC)
            bodies = [
                {
                    "officer_id": officer.id,
                    "duty_type": "patrol",
                    "starts_at": (start + timedelta(minutes=5 * i)).isoformat(),
                    "ends_at": (start + timedelta(hours=3, minutes=5 * i)).isoformat(),
                }
                for i in range(16)
            ]
            statuses = book_all_at_once([instances[i % 2].base for i in range(16)], headers, bodies)
            assert sorted(statuses) == [201] + [409] * 15
            # The quarter just ended: every return made once and delivered once.
            deadline = time.monotonic() + 180
            while True:
                with db.reading() as session:
                    runs = list(session.scalars(select(QuarterRun)))
                    delivered = session.scalar(
                        select(func.count()).where(NpoccReturn.status == "delivered")
                    )
                if runs and all(r.status == "completed" for r in runs) and delivered == FORCES:
                    break
                for s in schedulers:
                    assert s.poll() is None, s.communicate()[1].decode()
                assert time.monotonic() < deadline, "the quarter's returns were not delivered"
                time.sleep(0.2)
        finally:
            for s in schedulers:
                s.terminate()
                s.communicate(timeout=30)
            for instance in instances:
                instance.stop()
        keys = Counter(r.headers.get("Idempotency-Key") for r in feed.received)
    with db.reading() as session:
        made = list(session.scalars(select(NpoccReturn)))
        stored = session.scalar(
            text("SELECT count(*) FROM duties WHERE officer_id = :id AND status <> 'cancelled'"),
            {"id": officer.id},
        )
    assert len(made) == FORCES
    assert {r.revision for r in made} == {1}
    assert stored == 1
    assert len(keys) == FORCES, keys
    assert set(keys.values()) == {1}, keys


@pytest.mark.usefixtures("postgres_only")
def test_a_call_out_made_through_one_instance_is_mailed_once_by_two_senders_at_once(
    app: Flask, build: Builder, db: Database, database_url: str, tmp_path: Path
) -> None:
    officers = [with_email(db, build.officer()) for _ in range(40)]
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    instance = RunningServer(database_url, tmp_path / "instance")
    try:
        created = requests.post(
            f"{instance.base}/api/v1/events",
            json={
                "force": "cambridgeshire",
                "title": "Op Lantern",
                "location": "Parkside",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=6)).isoformat(),
                "duty_type": "event",
                "capacity": 10,
                "signup_deadline": (starts - timedelta(days=1)).isoformat(),
                "open_to": "force",
            },
            headers=build.headers("supervisor"),
            timeout=30,
        )
        assert created.status_code == 201, created.text
    finally:
        instance.stop()
    with smtp_server() as mailbox:
        senders = [
            subprocess.Popen(
                [sys.executable, "-m", "dutyservice", "notify"],
                env={
                    **os.environ,
                    "DUTYSERVICE_DATABASE_URL": database_url,
                    "DUTYSERVICE_SMTP_URL": mailbox.url,
                    "DUTYSERVICE_LOG_LEVEL": "WARNING",
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for sender in senders:
            _, err = sender.communicate(timeout=120)
            assert sender.returncode == 0, err
        received = Counter(mailbox.recipients())
    assert received == Counter({address(o): 1 for o in officers})
