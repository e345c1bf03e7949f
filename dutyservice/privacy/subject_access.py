"""Subject access: everything held about an officer as one document (API.md "Data protection")."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import audit
from ..audit import plain
from ..auth.scope import Permission, Principal
from ..clock import utc_now
from ..db import Database
from ..duties.models import Officer
from ..duties.queries import load_officer
from .holdings import HOLDINGS, officer_section, rows_about


def officer_export(session: Session, officer_id: int) -> dict[str, Any]:
    """The document, read in the caller's transaction: the record, then each holding."""
    officer = session.get(Officer, officer_id)
    assert officer is not None
    document: dict[str, Any] = {"officer": officer_section(officer)}
    for holding in HOLDINGS:
        document[holding.section] = rows_about(session, holding, officer_id)
    return document


def export_officer_data(db: Database, principal: Principal, officer_id: int) -> dict[str, Any]:
    """For the officer themself and admins. The export is itself an entry in the trail, written
    in the same transaction, so a copy never leaves without the record that it did."""
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.EXPORT_PERSONAL_DATA)
        exported_at = utc_now()
        audit.about(officer, session, principal, "officer.export", "officer", officer.id)
        document = officer_export(session, officer.id)
        return {"exported_at": plain(exported_at), **document}
