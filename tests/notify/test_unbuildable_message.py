"""A message that cannot be built (a text stored before the entry rule, holding a line break
that no Subject may carry) fails on its own, with its reason kept and counted; the rest of its
batch is delivered through the real SMTP server, and `dutyservice notify` exits 0."""

from __future__ import annotations

from sqlalchemy import select

from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.notify.sending import BATCH, send_queued
from dutyservice.outbox import Notification

from ..support.builders import Builder
from ..support.smtp import Mailbox
from .conftest import address, callout, qualified, with_email
from .test_command import notify
from .test_outbox import statuses

OTHERS = BATCH - 1


def a_bad_title_among_a_full_batch(db: Database, build: Builder) -> list[str]:
    """One call-out with a stored line break in its title, queued first; then one good call-out
    to OTHERS officers: BATCH messages, claimed together."""
    with_email(db, qualified(build, "bedfordshire"))
    callout(db, force="bedfordshire", title="Operation Lark\r\nBcc: everyone@example.org")
    told = [address(with_email(db, qualified(build))) for _ in range(OTHERS)]
    callout(db)
    return sorted(told)


def failed_messages(db: Database) -> list[Notification]:
    with db.reading() as session:
        return list(session.scalars(select(Notification).where(Notification.status == "failed")))


def test_a_stored_title_with_a_line_break_fails_its_message_and_the_batch_is_delivered(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    told = a_bad_title_among_a_full_batch(db, build)

    outcome = send_queued(db, settings)

    assert (outcome.sent, outcome.retried, outcome.failed) == (OTHERS, 0, 1)
    assert mailbox.recipients() == told
    assert all("Bcc" not in str(m) for _, m in mailbox.received)
    (failed,) = failed_messages(db)
    assert failed.last_error is not None
    assert "cannot be built" in failed.last_error
    assert "Lark" not in failed.last_error
    assert statuses(db) == {"sent": OTHERS, "failed": 1}
    assert send_queued(db, settings).failed == 0  # failed for good: not tried again


def test_the_notify_command_reports_the_unbuildable_message_as_failed_and_exits_0(
    db: Database, build: Builder, mailbox: Mailbox
) -> None:
    told = a_bad_title_among_a_full_batch(db, build)

    result = notify(db, DUTYSERVICE_SMTP_URL=mailbox.url, DUTYSERVICE_MAIL_FROM="sc@x.example")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"sent: {OTHERS}; to retry: 0; failed: 1"
    assert "Traceback" not in result.stderr
    assert "Lark" not in result.stdout + result.stderr
    assert mailbox.recipients() == told
