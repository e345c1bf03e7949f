"""An IPS write (recording an officer's safety training, which refreshes their eligibility and
stage spans in the same transaction) against the same write as it was before spans existed:
p50 latency, one client, the two servers answering in turn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import delete, text

from dutyservice.audit import AuditEntry
from dutyservice.auth.service import create_token
from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.ips import spans, stage_spans
from dutyservice.ips.models import TrainingRecord

from .harness import Ask, Server, medians_in_turn

#: Officers written to in turn, and the writes to each server, untimed and timed.
OFFICERS = 400
WARM_UP_RUNS = 30
RUNS = 200


def granted_officers(db: Database) -> list[int]:
    """Serving officers with an IPS grant: their spans are the ones a write recomputes."""
    with db.engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT DISTINCT g.officer_id FROM ips_grants g "
                    "JOIN officers o ON o.id = g.officer_id "
                    "WHERE o.left_on IS NULL ORDER BY g.officer_id LIMIT :n"
                ),
                {"n": OFFICERS},
            )
        )


def bench_ips_write(url: str, server: Server, db: Database, workdir: Path) -> dict[str, float]:
    """`POST /officers/{id}/training`, served as shipped and by the same service with the
    spans refresh left out (`serve_without_spans.py`), against the same database: one write
    to each in turn, so that both see the machine as it is at that moment (on a shared machine
    its pace moves by more than the difference between rounds of a few seconds)."""
    admin = {"Authorization": f"Bearer {create_token(db, role='admin').secret}"}
    officers = granted_officers(db)
    body = {"kind": "ost", "completed_on": london_today().isoformat()}
    since = datetime.now(UTC)
    before = Server(url, workdir, module="bench.serve_without_spans")

    def writing_to(base: str) -> Ask:
        def write(http: requests.Session, run: int) -> None:
            officer = officers[run % len(officers)]
            http.post(
                f"{base}/api/v1/officers/{officer}/training", headers=admin, json=body, timeout=30
            ).raise_for_status()

        return write

    try:
        without, with_spans = (
            seconds * 1000
            for seconds in medians_in_turn(
                [writing_to(before.base), writing_to(server.base)], RUNS, WARM_UP_RUNS
            )
        )
    finally:
        before.stop()
        forget_training(db, officers, since)
    return {
        "ips_write_p50_ms": with_spans,
        "ips_write_before_spans_p50_ms": without,
        "ips_write_ratio": with_spans / without,
    }


def forget_training(db: Database, officers: list[int], since: datetime) -> None:
    """The training the run recorded gone, with its audit entries, and the officers' spans as
    their records say again (both kinds: safety training is read by both): a reused database
    stays as loaded."""
    written = TrainingRecord.officer_id.in_(officers) & (TrainingRecord.recorded_at >= since)
    with db.transaction() as session:
        session.execute(
            delete(AuditEntry).where(
                AuditEntry.resource_type == "training",
                AuditEntry.at >= since,
                AuditEntry.officer_id.in_(officers),
            )
        )
        session.execute(delete(TrainingRecord).where(written))
        spans.refresh_officers(session, officers, stage_spans.BOTH)
