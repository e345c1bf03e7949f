"""Each kind of message reaches exactly its recipients once, through a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage

from icalendar import Calendar
from sqlalchemy import func, select

from dutyservice.clock import Quarter, utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.ips import serving
from dutyservice.notify.sending import send_queued
from dutyservice.notify.service import queue_due, run_outbox
from dutyservice.npocc.delivery import deliver
from dutyservice.npocc.generation import generate_return
from dutyservice.outbox import Notification

from ..support.builders import ADMIN, Builder
from ..support.receiver import receiver
from ..support.smtp import Mailbox, plain_text
from .conftest import SOON, TODAY, address, callout, qualified, with_email


def statuses(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return dict(
            session.execute(
                select(Notification.status, func.count()).group_by(Notification.status)
            ).all()
        )


def test_a_call_out_reaches_each_free_qualified_officer_of_the_force_once(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    told = with_email(db, qualified(build))
    qualified(build)  # no address
    opted_out = with_email(db, qualified(build), callouts=False)
    busy = with_email(db, qualified(build))
    build.duty(busy, SOON + timedelta(hours=2), hours=4)
    unqualified = with_email(db, build.officer())
    elsewhere = with_email(db, qualified(build, "bedfordshire"))
    leaving = with_email(db, qualified(build))
    serving.officer_leaves(db, ADMIN, leaving.id, SOON.date())

    event = callout(db)
    first = send_queued(db, settings)
    again = send_queued(db, settings)

    assert mailbox.recipients() == [address(told)]
    assert (first.sent, again.sent) == (1, 0)
    for someone in (opted_out, busy, unqualified, elsewhere, leaving):
        assert mailbox.messages_to(address(someone)) == []
    message = mailbox.messages_to(address(told))[0]
    assert message["Subject"].startswith("Call-out: Operation Nightingale, ")
    assert message["Subject"].endswith(("GMT", "BST"))
    body = plain_text(message)
    assert f"https://duties.cambs.police.example/app/events/{event.id}" in body
    calendar = Calendar.from_ical(_attachment(message))
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["UID"]) == f"event-{event.id}@dutyservice"
    assert entry.decoded("DTSTART") == SOON
    assert statuses(db) == {"sent": 1}


def test_a_regional_call_out_without_a_profile_reaches_serving_free_officers_of_the_region(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    host = with_email(db, build.officer("cambridgeshire"))
    neighbour = with_email(db, build.officer("bedfordshire"))
    far = with_email(db, build.officer("devon-and-cornwall"))

    callout(db, open_to="region", mercury_ref=None, version=None)
    send_queued(db, settings)

    assert mailbox.recipients() == sorted([address(host), address(neighbour)])
    assert mailbox.messages_to(address(far)) == []


def test_a_national_call_out_reaches_every_force(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    officers = [with_email(db, qualified(build, code)) for code in ("cambridgeshire", "cumbria")]
    callout(db, open_to="national")
    send_queued(db, settings)
    assert mailbox.recipients() == sorted(address(o) for o in officers)


def test_a_reminder_goes_a_day_before_each_booked_duty_once_with_its_calendar_entry(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    now = utc_now().replace(microsecond=0)  # iCalendar keeps whole seconds
    tomorrow = with_email(db, build.officer())
    duty = build.duty(tomorrow, now + timedelta(hours=20))
    later = with_email(db, build.officer())
    build.duty(later, now + timedelta(hours=30))
    opted_out = with_email(db, build.officer(), reminders=False)
    build.duty(opted_out, now + timedelta(hours=20))
    cancelled = with_email(db, build.officer())
    duties.cancel_duty(db, ADMIN, build.duty(cancelled, now + timedelta(hours=20)).id)

    run_outbox(db, settings, now)
    run_outbox(db, settings, now + timedelta(minutes=1))

    assert mailbox.recipients() == [address(tomorrow)]
    message = mailbox.messages_to(address(tomorrow))[0]
    assert message["Subject"].startswith("Reminder: Patrol duty starts ")
    (entry,) = Calendar.from_ical(_attachment(message)).walk("VEVENT")
    assert str(entry["UID"]) == f"duty-{duty.id}@dutyservice"  # the calendar feed's UID
    assert entry.decoded("DTSTART") == duty.starts_at
    body = plain_text(message)
    assert f"https://duties.cambs.police.example/app/#duty-{duty.id}" in body

    run_outbox(db, settings, now + timedelta(hours=7))  # the later duty is now 23 hours away
    assert mailbox.recipients() == sorted([address(tomorrow), address(later)])


def test_training_is_warned_of_30_days_before_it_lapses_with_none_later(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    lapsing = with_email(db, build.officer())
    build.ost(lapsing, TODAY - timedelta(days=340), TODAY + timedelta(days=25))
    renewed = with_email(db, build.officer())
    build.ost(renewed, TODAY - timedelta(days=340), TODAY + timedelta(days=25))
    build.ost(renewed, TODAY - timedelta(days=5), TODAY + timedelta(days=360))
    distant = with_email(db, build.officer())
    build.ost(distant, TODAY - timedelta(days=300), TODAY + timedelta(days=60))
    opted_out = with_email(db, build.officer(), training=False)
    build.ost(opted_out, TODAY - timedelta(days=340), TODAY + timedelta(days=25))

    run_outbox(db, settings)
    run_outbox(db, settings)

    assert mailbox.recipients() == [address(lapsing)]
    expires = TODAY + timedelta(days=25)
    subject = mailbox.messages_to(address(lapsing))[0]["Subject"]
    assert subject == f"Your officer safety training expires on {expires.day} {expires:%b %Y}"


def test_a_failed_return_and_one_pending_for_a_day_are_reported_to_the_admin_once(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    for code in ("cambridgeshire", "bedfordshire"):
        build.ips_officer(code)
    quarter = Quarter(2025, 3)
    pending = generate_return(db, settings.export_dir, "cambridgeshire", quarter, 135, 1).record
    refused = generate_return(db, settings.export_dir, "bedfordshire", quarter, 135, 1).record
    with receiver([("status", 400)]) as feed:
        assert deliver(db, settings.replace(npocc_feed_url=feed.url), refused.id).status == "failed"

    run_outbox(db, settings)
    assert mailbox.recipients() == [settings.admin_email]
    assert "bedfordshire 2025-Q3 failed" in mailbox.received[0][1]["Subject"]

    run_outbox(db, settings, pending.generated_at + timedelta(hours=25))
    assert mailbox.recipients() == [settings.admin_email] * 2
    assert "cambridgeshire 2025-Q3 still not delivered" in mailbox.received[1][1]["Subject"]


def test_smtp_down_then_up_delivers_every_message_once(
    db: Database, build: Builder, settings: Settings
) -> None:
    from ..support.smtp import free_port, smtp_server

    officers = [with_email(db, qualified(build)) for _ in range(3)]
    port = free_port()  # nothing listens here yet
    down = settings.replace(smtp_url=f"smtp://127.0.0.1:{port}")
    callout(db)

    waiting = send_queued(db, down)
    assert (waiting.sent, waiting.retried) == (0, 3)
    with db.reading() as session:
        rows = session.scalars(select(Notification)).all()
    assert {(n.status, n.attempts) for n in rows} == {("queued", 1)}
    assert all(n.last_error and n.next_attempt_at > utc_now() for n in rows)
    assert send_queued(db, down).retried == 0  # not due again until the back-off has passed

    with smtp_server(port) as mailbox:
        later = utc_now() + timedelta(minutes=5)
        assert send_queued(db, down, later).sent == 3
        assert send_queued(db, down, later + timedelta(hours=1)).sent == 0
    assert mailbox.recipients() == sorted(address(o) for o in officers)
    assert statuses(db) == {"sent": 3}


def test_a_permanent_refusal_fails_that_message_and_the_others_are_sent(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    refused, accepted = (with_email(db, qualified(build)) for _ in range(2))
    mailbox.refuse[address(refused)] = f"550 5.1.1 <{address(refused)}>: mailbox unavailable"
    callout(db)

    outcome = send_queued(db, settings)

    assert (outcome.sent, outcome.failed) == (1, 1)
    assert mailbox.recipients() == [address(accepted)]
    with db.reading() as session:
        failed = session.scalars(select(Notification).where(Notification.status == "failed")).one()
    assert failed.officer_id == refused.id
    assert failed.last_error == "550 5.1.1 <address>: mailbox unavailable"  # no address kept
    assert send_queued(db, settings, utc_now() + timedelta(days=1)).sent == 0


def test_a_temporary_refusal_is_retried_after_the_back_off_and_then_delivered(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    officer = with_email(db, qualified(build))
    mailbox.refuse[address(officer)] = "451 4.3.0 try again later"
    callout(db)

    assert send_queued(db, settings).retried == 1
    del mailbox.refuse[address(officer)]
    assert send_queued(db, settings, utc_now() + timedelta(seconds=30)).sent == 1
    assert mailbox.recipients() == [address(officer)]


def test_without_an_smtp_url_nothing_is_sent_and_the_messages_wait(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    with_email(db, qualified(build))
    callout(db)
    assert send_queued(db, settings.replace(smtp_url="")).sent == 0
    assert statuses(db) == {"queued": 1}
    assert mailbox.recipients() == []
    assert queue_due(db, settings).reminders == 0


def _attachment(message: EmailMessage) -> bytes:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes), "the calendar is a single part"
            return payload
    raise AssertionError("no text/calendar attachment")


def test_an_officers_address_is_never_in_a_return(
    db: Database, build: Builder, settings: Settings
) -> None:
    officer = with_email(db, build.ips_officer(since=date(2025, 1, 6)))
    made = generate_return(db, settings.export_dir, "cambridgeshire", Quarter(2025, 3), 135, 1)
    written = (settings.export_dir / made.record.csv_filename).read_bytes()
    written += (settings.export_dir / made.record.manifest_filename).read_bytes()
    assert made.record.record_count == 1
    assert address(officer).encode() not in written
    assert b"@" not in written


def test_a_server_that_never_answers_times_out_and_the_message_waits_for_a_retry(
    db: Database, build: Builder, settings: Settings
) -> None:
    import socket

    with_email(db, qualified(build))
    callout(db)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never greets
        port = silent.getsockname()[1]
        hung = settings.replace(smtp_url=f"smtp://127.0.0.1:{port}", smtp_timeout=0.5)
        outcome = send_queued(db, hung)
    assert (outcome.sent, outcome.retried) == (0, 1)
    with db.reading() as session:
        waiting = session.scalars(select(Notification)).one()
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert "timed out" in (waiting.last_error or "")
