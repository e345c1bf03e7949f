"""The digest the refused-write checks compare: any stored change changes it, a read does not."""

from __future__ import annotations

from sqlalchemy import update

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.privacy.reads import record_read

from ..support.builders import ADMIN, Builder
from ..support.snapshot import digest


def test_one_changed_letter_changes_the_digest_and_a_recorded_read_does_not(
    build: Builder, db: Database
) -> None:
    officer = build.officer(surname="Smith")
    before = digest(db)
    record_read(db, ADMIN, officer.id, "their record")
    after_read = digest(db)
    with db.transaction() as session:
        session.execute(update(Officer).values(surname="Smyth"))
    after_change = digest(db)

    assert after_read == before
    assert after_change != before
