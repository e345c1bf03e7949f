"""`dutyservice notify` as an operator runs it: queue what is due, send it all, exit."""

from __future__ import annotations

from datetime import timedelta

from dutyservice.clock import utc_now
from dutyservice.db import Database

from ..support.builders import Builder
from ..support.commands import Completed, run_in_process
from ..support.smtp import Mailbox
from .conftest import address, with_email


def notify(db: Database, **env: str) -> Completed:
    return run_in_process(db.url, "notify", **env)


def test_the_notify_command_sends_what_is_due_and_says_so_without_the_address(
    db: Database, build: Builder, mailbox: Mailbox
) -> None:
    officer = with_email(db, build.officer())
    build.duty(officer, utc_now() + timedelta(hours=5))

    idle = notify(db)
    assert idle.returncode == 0, idle.stderr
    assert "nothing sent" in idle.stdout
    assert mailbox.recipients() == []

    result = notify(db, DUTYSERVICE_SMTP_URL=mailbox.url, DUTYSERVICE_MAIL_FROM="sc@x.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "sent: 1; to retry: 0; failed: 0"
    assert mailbox.recipients() == [address(officer)]
    assert address(officer) not in result.stdout + result.stderr
