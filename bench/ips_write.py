"""An IPS write (recording an officer's safety training, which refreshes their eligibility
spans in the same transaction) against the same write as it was before spans existed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import delete, text

from dutyservice.audit import AuditEntry
from dutyservice.auth.service import create_token
from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.ips import spans
from dutyservice.ips.models import TrainingRecord

from .harness import CLIENTS, Send, Server, alternating_throughput

#: Officers each client writes to in turn: no two clients write to one officer at once.
OFFICERS_A_CLIENT = 50


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
                {"n": CLIENTS * OFFICERS_A_CLIENT},
            )
        )


def bench_ips_write(url: str, server: Server, db: Database, workdir: Path) -> dict[str, float]:
    """`POST /officers/{id}/training` from CLIENTS clients, served as shipped and by the same
    service with the spans refresh left out (`serve_without_spans.py`), in alternating rounds
    against the same database."""
    admin = {"Authorization": f"Bearer {create_token(db, role='admin').secret}"}
    officers = granted_officers(db)
    shares = [itertools.cycle(officers[i::CLIENTS]) for i in range(CLIENTS)]
    body = {"kind": "ost", "completed_on": london_today().isoformat()}
    since = datetime.now(UTC)

    def writer(base: str) -> Send:
        def write(http: requests.Session, index: int) -> bool:
            officer = next(shares[index])
            answer = http.post(
                f"{base}/api/v1/officers/{officer}/training", headers=admin, json=body, timeout=30
            )
            return answer.status_code == 201

        return write

    before = Server(url, workdir, module="bench.serve_without_spans")
    try:
        without, with_spans = alternating_throughput(writer(before.base), writer(server.base))
    finally:
        before.stop()
        forget_training(db, officers, since)
    return {
        "ips_write_per_s": with_spans,
        "ips_write_before_spans_per_s": without,
        "ips_write_ratio": without / with_spans,
    }


def forget_training(db: Database, officers: list[int], since: datetime) -> None:
    """The training the run recorded gone, with its audit entries, and the officers' spans as
    their records say again: a reused database stays as loaded."""
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
        spans.refresh_officers(session, officers)
