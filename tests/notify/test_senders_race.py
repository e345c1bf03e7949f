"""Several senders at once never send one message twice (PostgreSQL: FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, text, update

from dutyservice.clock import utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.notify.mail import Mailer, parse_smtp_url
from dutyservice.notify.sending import LEASE, Claimed, claim, send_batch, send_queued
from dutyservice.outbox import Notification

from ..support.builders import Builder
from ..support.smtp import Mailbox
from .conftest import callout, qualified, with_email

SENDERS = 4
OFFICERS = 12


@contextmanager
def senders_meet_after_reading_the_outbox(db: Database) -> Iterator[None]:
    """Each sender, once it has read the due messages inside its claim, waits for the others:
    every sender is then in its claim at the same moment."""
    barrier = threading.Barrier(SENDERS)
    met = threading.local()

    def meet(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT notifications.id") and not getattr(
            met, "done", False
        ):
            met.done = True
            barrier.wait(timeout=30)

    event.listen(db.engine, "after_cursor_execute", meet)
    try:
        yield
    finally:
        event.remove(db.engine, "after_cursor_execute", meet)


def all_at_once(work: Callable[[int], object]) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def queue_callouts(db: Database, build: Builder) -> None:
    for _ in range(OFFICERS):
        with_email(db, qualified(build))
    callout(db)


def test_senders_running_at_once_send_each_message_exactly_once(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox, postgres_only: None
) -> None:
    queue_callouts(db, build)
    with senders_meet_after_reading_the_outbox(db):
        all_at_once(lambda _: send_queued(db, settings, batch=5))

    assert len(mailbox.received) == OFFICERS
    assert max(Counter(mailbox.recipients()).values()) == 1
    with db.engine.connect() as connection:
        invariant = connection.execute(
            text(
                "SELECT count(*), count(DISTINCT recipient), max(attempts) FROM notifications "
                "WHERE status = 'sent'"
            )
        ).one()
    assert tuple(invariant) == (OFFICERS, OFFICERS, 1)


def unguarded_claim(db: Database, sender: str, now: datetime) -> list[Claimed]:
    """The claim without its guard: due rows read without a lock, then taken regardless."""
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(Notification.id).where(
                    Notification.status == "queued", Notification.next_attempt_at <= now
                )
            )
        )
        rows = session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(claimed_by=sender, attempts=Notification.attempts + 1)
            .returning(Notification.id, Notification.attempts)
        ).all()
    return [Claimed(i, a) for i, a in rows]


def test_without_the_locked_claim_the_same_senders_do_send_duplicates(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox, postgres_only: None
) -> None:
    # The negative control: the harness above sees the race when the guard is missing.
    queue_callouts(db, build)
    now = utc_now()

    def sender(index: int) -> None:
        claimed = unguarded_claim(db, f"sender-{index}", now)
        with Mailer(parse_smtp_url(settings.smtp_url), settings.smtp_timeout) as mailer:
            send_batch(db, settings, mailer, f"sender-{index}", claimed, now)

    with senders_meet_after_reading_the_outbox(db):
        all_at_once(sender)

    assert len(mailbox.received) > OFFICERS
    assert max(Counter(mailbox.recipients()).values()) > 1


def test_a_claim_takes_only_due_unclaimed_messages(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    queue_callouts(db, build)
    now = utc_now()
    first = claim(db, "one", now, limit=5)
    second = claim(db, "two", now, limit=100)
    assert len(first) == 5
    assert len(second) == OFFICERS - 5
    assert not {c.id for c in first} & {c.id for c in second}
    assert claim(db, "three", now) == []


def test_a_sender_past_its_deadline_leaves_the_rest_of_its_batch_to_the_lease(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    queue_callouts(db, build)
    now = utc_now()
    claimed = claim(db, "slow", now, limit=OFFICERS)
    with Mailer(parse_smtp_url(settings.smtp_url), settings.smtp_timeout) as mailer:
        done, _ = send_batch(db, settings, mailer, "slow", claimed, now, deadline=0.0)
    assert done.sent == 0
    assert mailbox.received == []
    # Once the lease has run out another sender takes them, each once.
    assert send_queued(db, settings, now + LEASE + timedelta(seconds=1)).sent == OFFICERS
    assert sorted(Counter(mailbox.recipients()).values()) == [1] * OFFICERS
