"""Changes to an officer's days of service (joining, leaving), made in one transaction with the
spans those days bound (`spans.py`, `stage_spans.py`): a stored span holds only days of service.
The duties package keeps the officer's record; the spans are kept here, above it."""

from __future__ import annotations

from datetime import date

from ..auth.scope import Principal
from ..db import Database
from ..duties import service as duties
from ..duties.models import Officer
from . import spans, stage_spans


def update_officer(
    db: Database, principal: Principal, officer_id: int, edit: duties.Edit
) -> Officer:
    """`duties.change_officer`; a new joining day moves the start of the officer's spans."""
    with db.transaction() as session:
        officer = duties.change_officer(session, principal, officer_id, edit)
        if "joined_on" in edit.changes:
            spans.refresh_officers(session, [officer.id], stage_spans.BOTH)
        return officer


def officer_leaves(db: Database, principal: Principal, officer_id: int, left_on: date) -> Officer:
    """`duties.end_service`; the officer's spans end on the leaving day."""
    with db.transaction() as session:
        officer = duties.end_service(session, principal, officer_id, left_on)
        spans.refresh_officers(session, [officer.id], stage_spans.BOTH)
        return officer
