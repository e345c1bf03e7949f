"""Call-outs and reminders reach each of an officer's browsers once, through a real push
service on 127.0.0.1 that checks the VAPID signature and decrypts what it is given."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from dutyservice.clock import utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.ips import serving
from dutyservice.notify import subscriptions
from dutyservice.notify.push import Pusher
from dutyservice.notify.sending import compose_push, send_batch, send_queued
from dutyservice.notify.service import queue_due
from dutyservice.outbox import Notification, PushSubscription

from ..support.builders import ADMIN, Builder
from ..support.push_service import PushService, trap
from ..support.smtp import Mailbox
from .conftest import SOON, address, callout, qualified, subscribed, with_email
from .test_senders_race import all_at_once, senders_meet_after_reading_the_outbox, unguarded_claim


def pushes(db: Database) -> dict[str, int]:
    """The outbox's pushes by status."""
    with db.reading() as session:
        rows = session.execute(
            select(Notification.status, func.count())
            .where(Notification.recipient.startswith("push:"))
            .group_by(Notification.status)
        ).all()
    return dict(rows)


def subscription_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(PushSubscription)) or 0


def test_a_call_out_is_pushed_once_to_each_browser_of_each_officer_it_tells(
    db: Database, build: Builder, push_settings: Settings, push: PushService, mailbox: Mailbox
) -> None:
    mailed = with_email(db, qualified(build))
    phone, laptop = subscribed(db, push, mailed), subscribed(db, push, mailed)
    push_only = qualified(build)  # no address: told on their phone alone
    only_phone = subscribed(db, push, push_only)
    opted_out = with_email(db, qualified(build), callouts=False)
    silent = subscribed(db, push, opted_out)
    unqualified = subscribed(db, push, build.officer())

    event = callout(db)
    first = send_queued(db, push_settings)
    again = send_queued(db, push_settings)

    assert push.refused == []
    for browser in (phone, laptop, only_phone):
        (payload,) = push.payloads_to(browser)
        assert payload["title"].startswith("Call-out: Operation Nightingale, ")
        assert payload["body"].endswith(
            "is asking for Special Constables for Operation Nightingale."
        )
        assert payload["url"] == f"https://duties.cambs.police.example/app/events/{event.id}"
    assert push.payloads_to(silent) == []
    assert push.payloads_to(unqualified) == []
    assert mailbox.recipients() == [address(mailed)]
    assert (first.sent, again.sent) == (4, 0)  # one mail, three pushes
    assert pushes(db) == {"sent": 3}


def test_a_reminder_is_pushed_with_the_duty_page_as_a_path_without_a_base_url(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    officer = build.officer()
    phone = subscribed(db, push, officer)
    duty = build.duty(officer, utc_now() + timedelta(hours=3), hours=4)

    queue_due(db, push_settings)
    send_queued(db, push_settings.replace(base_url=""))

    (payload,) = push.payloads_to(phone)
    assert payload["title"].startswith("Reminder: Patrol duty starts ")
    assert payload["body"] == "You are booked for Patrol duty."
    assert payload["url"] == f"/app/#duty-{duty.id}"
    assert push.refused == []


def test_turning_call_outs_off_before_the_push_goes_stops_it(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    officer = qualified(build)
    phone = subscribed(db, push, officer)
    callout(db)  # queued while call-outs were on
    serving.update_officer(db, ADMIN, officer.id, duties.Edit({"notify": {"callouts": False}}))

    send_queued(db, push_settings)

    assert push.payloads_to(phone) == []
    assert push.answered == []
    assert pushes(db) == {"failed": 1}


def test_a_push_service_answering_410_removes_the_subscription(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    officer = qualified(build)
    gone = subscribed(db, push, officer, answers=[410])
    kept = subscribed(db, push, officer)

    callout(db)
    send_queued(db, push_settings)
    callout(db, title="Operation Kestrel")
    send_queued(db, push_settings)

    assert push.payloads_to(gone) == []
    assert [p["title"].split(",")[0] for p in push.payloads_to(kept)] == [
        "Call-out: Operation Nightingale",
        "Call-out: Operation Kestrel",
    ]
    assert [token for token, _ in push.answered].count(gone.token) == 1
    assert subscription_count(db) == 1
    assert pushes(db) == {"failed": 1, "sent": 2}


def test_429_and_503_are_retried_with_back_off_and_the_message_is_delivered_once(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    officer = qualified(build)
    phone = subscribed(db, push, officer, answers=[429, 503])
    callout(db)

    first = send_queued(db, push_settings)
    too_soon = send_queued(db, push_settings)
    second = send_queued(db, push_settings, now=utc_now() + timedelta(minutes=1))
    third = send_queued(db, push_settings, now=utc_now() + timedelta(minutes=5))
    after = send_queued(db, push_settings, now=utc_now() + timedelta(hours=2))

    assert (first.retried, too_soon.retried + too_soon.sent) == (1, 0)
    assert (second.retried, third.sent, after.sent) == (1, 1, 0)
    assert len(push.payloads_to(phone)) == 1
    assert [status for _, status in push.answered] == [429, 503, 201]


def test_senders_running_at_once_push_each_message_exactly_once(
    db: Database, build: Builder, push_settings: Settings, push: PushService, postgres_only: None
) -> None:
    browsers = [subscribed(db, push, qualified(build)) for _ in range(8)]
    callout(db)

    def sender(_: int) -> None:
        send_queued(db, push_settings, batch=3)

    with senders_meet_after_reading_the_outbox(db):
        all_at_once(sender)

    assert sorted(Counter(d.token for d in push.delivered).values()) == [1] * len(browsers)
    assert pushes(db) == {"sent": len(browsers)}


def test_without_the_locked_claim_the_same_senders_do_push_twice(
    db: Database, build: Builder, push_settings: Settings, push: PushService, postgres_only: None
) -> None:
    # The negative control: without the claim's guard the harness above sees duplicates.
    for _ in range(8):
        subscribed(db, push, qualified(build))
    callout(db)
    now = utc_now()

    def sender(index: int) -> None:
        claimed = unguarded_claim(db, f"sender-{index}", now)
        with Pusher(push_settings) as pusher:
            send_batch(
                db, push_settings, pusher, f"sender-{index}", claimed, now, composer=compose_push
            )

    with senders_meet_after_reading_the_outbox(db):
        all_at_once(sender)

    assert max(Counter(d.token for d in push.delivered).values()) > 1


def test_an_origin_no_longer_allowed_is_never_requested_even_for_a_stored_subscription(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    with trap() as elsewhere:
        officer = qualified(build)
        browser = push.subscribe()
        keys = browser.as_json()["keys"]
        endpoint = f"{elsewhere.origin}/wpush/{browser.token}"
        subscriptions.subscribe(db, ADMIN, officer.id, endpoint, keys, (elsewhere.origin,))
        callout(db)

        send_queued(db, push_settings)  # the settings name the push service, not `elsewhere`

    assert elsewhere.asked == []
    assert pushes(db) == {"failed": 1}


def test_a_redirect_from_a_push_service_is_not_followed(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    phone = subscribed(db, push, qualified(build), answers=[307])
    callout(db)
    with trap() as elsewhere:
        push.redirect_to = f"{elsewhere.origin}/wpush/{phone.token}"
        send_queued(db, push_settings)
    assert elsewhere.asked == []
    assert push.payloads_to(phone) == []
    assert pushes(db) == {"failed": 1}


def test_nothing_is_pushed_without_a_vapid_key_and_the_pushes_wait(
    db: Database, build: Builder, push_settings: Settings, push: PushService
) -> None:
    subscribed(db, push, qualified(build))
    callout(db, starts_at=SOON)
    send_queued(db, push_settings.replace(vapid_private_key=""))
    assert push.answered == []
    assert pushes(db) == {"queued": 1}
