"""Sending a return to the feed endpoint (FEED.md "Delivery"), once, whatever fails around it.

Within one attempt urllib3 retries connection errors, time-outs, 429 and 5xx with exponential
back-off; an attempt that still fails leaves the return pending, with its next attempt stored,
so the scheduler tries again after a restart too. 2xx and 409 are delivered; any other 4xx is
failed, with the receiver's answer kept; so is a redirect (3xx), which is not followed, its
status and Location kept as the answer.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import CursorResult, select, update
from urllib3.util.retry import Retry

from ..auth.scope import Permission, Principal, require
from ..clock import utc_now
from ..config import Settings
from ..db import Database
from ..errors import Conflict, NotFound
from .generation import DELIVERED, FAILED, FILED, PENDING
from .models import NpoccReturn
from .queries import load_return

log = logging.getLogger(__name__)
RETRYABLE_STATUSES = (429, 500, 502, 503, 504)
CLAIM = timedelta(minutes=10)  # how long one sender holds a return before another may try
LONGEST_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str | None


def next_wait(attempts: int, base_seconds: float) -> timedelta:
    """Exponential back-off between attempts, capped at an hour."""
    return min(timedelta(seconds=max(base_seconds, 1.0) * 2 ** min(attempts, 20)), LONGEST_WAIT)


def _http(settings: Settings) -> requests.Session:
    retry = Retry(
        total=settings.npocc_retries,
        connect=settings.npocc_retries,
        read=settings.npocc_retries,
        status=settings.npocc_retries,
        other=0,
        backoff_factor=settings.npocc_retry_backoff,
        status_forcelist=RETRYABLE_STATUSES,
        allowed_methods=None,  # POST too: the Idempotency-Key makes a repeat harmless
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _read_verified(path: Path, sha256: str) -> bytes:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{path.name} does not match its stored checksum")
    return data


def _cause(exc: requests.RequestException) -> str:
    """The failure under urllib3's retries (a read time-out arrives as a ConnectionError)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ if isinstance(reason, Exception) else type(exc).__name__


def is_delivered(status: int) -> bool:
    """FEED.md: 2xx, or 409 (the receiver already has that key). A 3xx is not (`response.ok`
    would say it is)."""
    return 200 <= status < 300 or status == 409


def send(settings: Settings, record: NpoccReturn) -> Outcome:
    """One delivery attempt of a return's files as stored."""
    try:
        manifest = _read_verified(
            settings.export_dir / record.manifest_filename, record.manifest_sha256
        )
        feed = _read_verified(settings.export_dir / record.csv_filename, record.sha256)
    except (OSError, ValueError) as exc:
        return Outcome(FAILED, f"files unreadable: {exc}")
    headers = {
        "Authorization": f"Bearer {settings.npocc_feed_token}",
        "Idempotency-Key": record.return_id,
    }
    files = {
        "manifest": (record.manifest_filename, manifest, "application/json"),
        "feed": (record.csv_filename, feed, "text/csv"),
    }
    timeout = (settings.npocc_feed_timeout, settings.npocc_feed_timeout)
    try:
        with _http(settings) as http:
            # A redirect is an answer, not a delivery: following it would re-send the return
            # (and its token) to wherever the receiver points, and count its answer instead.
            response = http.post(
                settings.npocc_feed_url,
                headers=headers,
                files=files,
                timeout=timeout,
                allow_redirects=False,
            )
    except requests.RequestException as exc:
        return Outcome(
            PENDING,
            f"{_cause(exc)}: no answer from the feed endpoint after "
            f"{settings.npocc_retries + 1} tries",
        )
    if is_delivered(response.status_code):
        return Outcome(DELIVERED, None)
    answer = f"HTTP {response.status_code}: {response.text[:2000]}"
    if response.is_redirect or response.is_permanent_redirect:
        location = response.headers.get("Location", "")
        answer = (
            f"HTTP {response.status_code} (redirect to {location!r}, not followed): "
            + (response.text[:2000])
        )
    if response.status_code in RETRYABLE_STATUSES:
        return Outcome(PENDING, answer)
    return Outcome(FAILED, answer)


def _claim(db: Database, return_pk: int, now: datetime, *, operator: bool) -> NpoccReturn | None:
    """Take the return for one attempt, so that no other process sends it at the same time."""
    allowed = (PENDING, FAILED) if operator else (PENDING,)
    with db.transaction() as session:
        query = (
            update(NpoccReturn)
            .where(NpoccReturn.id == return_pk, NpoccReturn.status.in_(allowed))
            .values(
                next_attempt_at=now + CLAIM, delivery_attempts=NpoccReturn.delivery_attempts + 1
            )
        )
        if not operator:
            query = query.where(NpoccReturn.next_attempt_at <= now)
        if cast("CursorResult[Any]", session.execute(query)).rowcount != 1:
            return None
        return session.get(NpoccReturn, return_pk)


def _record(db: Database, settings: Settings, return_pk: int, outcome: Outcome) -> NpoccReturn:
    now = utc_now()
    with db.transaction() as session:
        record = session.get(NpoccReturn, return_pk)
        assert record is not None
        record.status, record.last_error = outcome.status, outcome.error
        if outcome.status == DELIVERED:
            record.delivered_at, record.next_attempt_at = now, None
        elif outcome.status == PENDING:
            record.next_attempt_at = now + next_wait(
                record.delivery_attempts, settings.npocc_retry_backoff
            )
        else:
            record.next_attempt_at = None
        return record


def deliver(
    db: Database, settings: Settings, return_pk: int, *, operator: bool = False
) -> NpoccReturn:
    """Send one return now. `operator`: send again a failed one, or one not yet due."""
    with db.reading() as session:
        record = session.get(NpoccReturn, return_pk)
    if record is None:
        raise NotFound("no return with that id")
    if record.status == DELIVERED:
        if operator:
            raise Conflict(f"{record.return_id} was delivered at {record.delivered_at}")
        return record
    if record.status == FILED:
        if operator:
            raise Conflict(f"{record.return_id} is filed: its files are the return")
        return record
    if not settings.npocc_feed_url:
        if operator:
            raise Conflict("no feed endpoint is configured (DUTYSERVICE_NPOCC_FEED_URL)")
        return record
    claimed = _claim(db, return_pk, utc_now(), operator=operator)
    if claimed is None:
        return record  # another process holds it, or it is not due yet
    outcome = send(settings, claimed)
    log.info("npocc delivery", extra={"return_id": claimed.return_id, "status": outcome.status})
    return _record(db, settings, return_pk, outcome)


def send_again(
    db: Database, settings: Settings, principal: Principal, return_pk: int
) -> NpoccReturn:
    """An operator's "send again now" (API.md): admins only, for a return that exists."""
    require(principal, Permission.SEND_RETURNS)
    with db.reading() as session:
        load_return(session, principal, return_pk)
    return deliver(db, settings, return_pk, operator=True)


def deliver_due(db: Database, settings: Settings) -> list[NpoccReturn]:
    """Every pending return whose next attempt is due (the scheduler's retry job)."""
    if not settings.npocc_feed_url:
        return []
    with db.reading() as session:
        due = list(
            session.scalars(
                select(NpoccReturn.id)
                .where(NpoccReturn.status == PENDING, NpoccReturn.next_attempt_at <= utc_now())
                .order_by(NpoccReturn.id)
            )
        )
    return [deliver(db, settings, pk) for pk in due]
