"""Many officers with IPS, inserted in bulk (for tests that need a return that takes a while),
with their stored eligibility spans brought up to date as the import does."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.forces.models import Force
from dutyservice.ips import spans
from dutyservice.ips.models import CompetencyRecord, IpsGrant, TrainingRecord

UNITS = ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10")
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def ips_officers(
    db: Database,
    force_code: str,
    count: int,
    since: date = date(2025, 1, 6),
    ost_expires_on: date = date(2026, 1, 5),
) -> None:
    with db.transaction() as session:
        force_id = session.scalar(select(Force.id).where(Force.code == force_code))
        session.execute(
            insert(Officer),
            [
                {
                    "force_id": force_id,
                    "warrant_number": f"B{n:06d}",
                    "surname": "Bulk",
                    "forenames": "Officer",
                    "rank": "SC",
                    "base_location": f"Station {n % 17}",
                    "joined_on": date(2020, 1, 1),
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(count)
            ],
        )
        ids = list(
            session.scalars(
                select(Officer.id).where(Officer.force_id == force_id, Officer.surname == "Bulk")
            )
        )
        session.execute(
            insert(CompetencyRecord),
            [
                {
                    "officer_id": i,
                    "unit_code": u,
                    "attained_on": since,
                    "assessed_by": "x",
                    "evidence_ref": "",
                    "recorded_at": NOW,
                }
                for i in ids
                for u in UNITS
            ],
        )
        session.execute(
            insert(TrainingRecord),
            [
                {
                    "officer_id": i,
                    "kind": "ost",
                    "completed_on": since,
                    "expires_on": ost_expires_on,
                    "recorded_at": NOW,
                }
                for i in ids
            ],
        )
        session.execute(
            insert(IpsGrant),
            [
                {
                    "officer_id": i,
                    "granted_on": since,
                    "authorised_by_name": "Chris Morgan",
                    "authorised_by_rank": "SCO",
                    "authorised_by_position": "Head of Specials",
                    "recorded_at": NOW,
                }
                for i in ids
            ],
        )
        spans.refresh_officers(session, ids)
