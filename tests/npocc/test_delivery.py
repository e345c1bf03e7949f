"""Delivery to a real HTTP receiver on 127.0.0.1 that fails in each way FEED.md names."""

import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from dutyservice.clock import Quarter, utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.npocc.delivery import deliver, deliver_due
from dutyservice.npocc.generation import generate_return
from dutyservice.npocc.models import NpoccReturn

from ..support.builders import Builder
from ..support.receiver import receiver

Q3 = Quarter(2025, 3)


def made(db: Database, build: Builder, settings: Settings) -> NpoccReturn:
    build.ips_officer(since=date(2025, 1, 6), warrant_number="D1")
    return generate_return(db, settings.export_dir, "cambridgeshire", Q3, 135, 1).record


def test_503_then_201_is_delivered_once_with_bearer_token_and_idempotency_key(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with receiver([("status", 503)]) as feed:
        result = deliver(
            db, settings.replace(npocc_feed_url=feed.url, npocc_feed_token="feed-secret"), record.id
        )
    assert (result.status, result.delivered_at is not None) == ("delivered", True)
    assert len(feed.received) == 2
    assert feed.accepted_count() == 1
    first = feed.received[-1]
    assert first.headers["Authorization"] == "Bearer feed-secret"
    assert first.headers["Idempotency-Key"] == "cambridgeshire-135v1-2025Q3-r1"
    assert first.parts["manifest"][0] == "application/json"
    assert first.parts["feed"] == (
        "text/csv",
        (settings.export_dir / record.csv_filename).read_bytes(),
    )


def test_a_time_out_is_retried_and_the_repeat_is_accepted_as_409(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with receiver([("sleep", 1.5)]) as feed:
        result = deliver(db, settings.replace(npocc_feed_url=feed.url), record.id)
    assert result.status == "delivered"
    assert len(feed.received) == 2
    assert feed.accepted_count() == 1


def test_connection_refused_leaves_it_pending_and_a_later_retry_delivers(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    refused = deliver(
        db, settings.replace(npocc_feed_url=f"http://127.0.0.1:{closed_port}/"), record.id
    )
    assert refused.status == "pending"
    assert refused.delivery_attempts == 1
    assert "no answer from the feed endpoint" in (refused.last_error or "")
    assert refused.next_attempt_at is not None
    assert refused.next_attempt_at > utc_now()
    with receiver([]) as feed:
        live = settings.replace(npocc_feed_url=feed.url)
        assert deliver_due(db, live) == []  # not due yet: nothing is sent early
        with db.transaction() as session:  # time passes
            session.execute(
                update(NpoccReturn).values(next_attempt_at=utc_now() - timedelta(seconds=1))
            )
        [retried] = deliver_due(db, live)
    assert retried.status == "delivered"
    assert retried.delivery_attempts == 2
    assert feed.accepted_count() == 1


def test_400_is_failed_with_the_receivers_answer_and_an_operator_may_resend(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with receiver([("status", 400)]) as feed:
        live = settings.replace(npocc_feed_url=feed.url)
        failed = deliver(db, live, record.id)
        assert failed.status == "failed"
        assert "bad manifest" in (failed.last_error or "")
        assert deliver_due(db, live) == []  # failed is not retried by itself
        again = deliver(db, live, record.id, operator=True)
    assert again.status == "delivered"
    assert again.last_error is None
    assert len(feed.received) == 2


def test_409_means_the_receiver_already_has_it(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with receiver([("status", 409)]) as feed:
        result = deliver(db, settings.replace(npocc_feed_url=feed.url), record.id)
    assert result.status == "delivered"
    assert len(feed.received) == 1


def test_persistent_5xx_stays_pending_with_the_error_kept(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    with receiver([("status", 502)] * 10) as feed:
        result = deliver(db, settings.replace(npocc_feed_url=feed.url), record.id)
    assert result.status == "pending"
    assert (result.last_error or "").startswith("HTTP 502")
    assert len(feed.received) == settings.npocc_retries + 1


def test_a_file_altered_on_disk_is_not_sent(
    db: Database, build: Builder, settings: Settings
) -> None:
    record = made(db, build, settings)
    (settings.export_dir / record.csv_filename).write_bytes(b"tampered\r\n")
    with receiver([]) as feed:
        result = deliver(db, settings.replace(npocc_feed_url=feed.url), record.id)
    assert result.status == "failed"
    assert "checksum" in (result.last_error or "")
    assert feed.received == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_return_is_failed_with_the_answer_kept(
    db: Database, build: Builder, settings: Settings, status: int
) -> None:
    record = made(db, build, settings)
    with receiver([("status", status)]) as feed:
        result = deliver(db, settings.replace(npocc_feed_url=feed.url), record.id)
    assert result.status == "failed"
    assert result.delivered_at is None
    assert (result.last_error or "").startswith(f"HTTP {status}")
    assert f"{feed.url}/moved" in (result.last_error or "")
    # Followed, a 307 or 308 would POST the return again, and a 303 would GET the new address.
    assert len(feed.received) == 1
    assert feed.accepted_count() == 0
