"""Deployable by stage of the learning programme beside deployable by role profile: the same
window and scope, requests alternating, so both see the same machine (target: within 1.5 x)."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import insert, select, text

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import stage_spans
from dutyservice.ips.learning_models import LearningRecord

STAGE_RUNS = 60
STAGE_WARM_UP = 15
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def add_stages(db: Database) -> int:
    """Stage records for the national officers, as a force following the programme would have
    them: APS three months after joining, DPS for three in four of them nine months after,
    QSC in roads (and for some, response) for one in three, eighteen months after; and their
    stage spans, as the import would write them."""
    rows: list[dict[str, Any]] = []
    with db.reading() as session:
        officers = session.execute(select(Officer.id, Officer.joined_on)).all()
    for officer_id, joined_on in officers:
        rows.append(_stage(officer_id, "APS", "", joined_on + timedelta(days=90)))
        if officer_id % 4:
            rows.append(_stage(officer_id, "DPS", "", joined_on + timedelta(days=270)))
            if officer_id % 3 == 0:
                rows.append(_stage(officer_id, "QSC", "roads", joined_on + timedelta(days=540)))
            if officer_id % 6 == 0:
                rows.append(_stage(officer_id, "QSC", "response", joined_on + timedelta(days=600)))
    with db.transaction() as session:
        for start in range(0, len(rows), 5_000):
            session.execute(insert(LearningRecord), rows[start : start + 5_000])
        stage_spans.rebuild(session)
    if db.dialect == "postgresql":
        # Statistics for the planner, as after any bulk load: measured straight after, the
        # tables would still look empty to it (autovacuum has not come by yet).
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE learning_records, stage_spans"))
    return len(rows)


def _stage(officer_id: int, stage: str, area: str, on: date) -> dict[str, Any]:
    return {
        "officer_id": officer_id,
        "stage": stage,
        "area": area,
        "attained_on": on,
        "assessed_by": "bench",
        "evidence_ref": "",
        "recorded_at": NOW,
    }


def bench_stage_beside_profile(
    base: str, headers: dict[str, str], params: dict[str, Any], scope: str
) -> dict[str, float]:
    """p50 of `stage=DPS` and of the role profile's question, taken in turn, and their ratio."""
    by_stage = {k: v for k, v in params.items() if k not in ("mercury_ref", "version")}
    by_stage["stage"] = "DPS"
    times: dict[str, list[float]] = {"profile": [], "stage": []}
    answered: dict[str, int] = {}
    with requests.Session() as http:
        for run in range(STAGE_WARM_UP + STAGE_RUNS):
            for name, query in (("profile", params), ("stage", by_stage)):
                started = time.perf_counter()
                response = http.get(
                    f"{base}/api/v1/deployable", params=query, headers=headers, timeout=120
                )
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                answered[name] = response.json()["total"]
                if run >= STAGE_WARM_UP:
                    times[name].append(elapsed)
    profile, stage = (statistics.median(times[n]) for n in ("profile", "stage"))
    per_officer = (stage / max(answered["stage"], 1)) / (profile / max(answered["profile"], 1))
    return {
        f"deployable_{scope}_stage_officers": answered["stage"],
        f"deployable_{scope}_stage_p50_ms": stage * 1000,
        f"deployable_{scope}_profile_p50_ms": profile * 1000,
        f"deployable_{scope}_stage_ratio": stage / profile,
        # The two answers differ in size (at DPS, about twice the profile's officers).
        f"deployable_{scope}_stage_per_officer_ratio": per_officer,
    }
