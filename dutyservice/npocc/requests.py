"""A quarter's returns made later: asked for with `Prefer: respond-async`, queued, taken by one
worker (the scheduler's `npocc-requests` job, or `dutyservice export-queued`), and what came of
it kept for the client to read.

Asked again while it still waits, the same request is answered: one queued request per quarter
and force (or every force), held by a unique index whatever the number of servers asked.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..audit import AuditEntry
from ..auth.scope import Permission, Principal, require
from ..clock import Quarter, utc_now
from ..config import Settings
from ..db import Database
from ..errors import DomainError, NotFound
from ..forces.queries import force_id_by_code
from .generation import Generated
from .models import ReturnRequest
from .service import check_can_make, make_quarter_returns

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# A request started this long ago and not finished: its worker was killed; another takes it.
STALE_CLAIM = timedelta(hours=1)
ASKED = "npocc.request"
RESOURCE = "npocc_return_request"
UNEXPECTED = {
    "title": "Request failed",
    "detail": "the returns could not be made; the scheduler's log says why",
}
STOPPED = {
    "title": "Request failed",
    "detail": "the service stopped while making the returns; the same request was asked again",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Requester:
    """Who asked, as the audit trail names them."""

    role: str
    token_id: int | None
    subject: str | None
    name: str | None


@dataclass(frozen=True)
class RequestState:
    """A request as its client reads it: the row, and who asked first."""

    request: ReturnRequest
    requested_by: Requester | None


def ask(
    db: Database, settings: Settings, actor: Principal, quarter: Quarter, force_code: str | None
) -> tuple[ReturnRequest, bool]:
    """Queue the quarter's returns for one force (or every force), refused now for what making
    them would refuse. The request already queued for the same is answered instead of a new
    one (False); either way the audit trail records who asked."""
    require(actor, Permission.MAKE_RETURNS)
    check_can_make(db, settings, quarter, force_code)
    try:
        return _queue(db, actor, quarter, force_code)
    except IntegrityError:
        # Another server queued the same at the same moment: that request stands.
        return _queue(db, actor, quarter, force_code)


def _same_force(force_code: str | None) -> ColumnElement[bool]:
    if force_code is None:
        return ReturnRequest.force_code.is_(None)
    return ReturnRequest.force_code == force_code


def _queue(
    db: Database, actor: Principal, quarter: Quarter, force_code: str | None
) -> tuple[ReturnRequest, bool]:
    with db.transaction() as session:
        waiting = session.scalar(
            select(ReturnRequest).where(
                ReturnRequest.state == QUEUED,
                ReturnRequest.quarter == str(quarter),
                _same_force(force_code),
            )
        )
        request = waiting or ReturnRequest(
            quarter=str(quarter), force_code=force_code, state=QUEUED, requested_at=utc_now()
        )
        if waiting is None:
            session.add(request)
            session.flush()
        audit.record(
            session,
            actor,
            ASKED,
            RESOURCE,
            request.id,
            force_id=force_id_by_code(session, force_code) if force_code else None,
            changes={"quarter": str(quarter), "force": force_code, "queued": waiting is None},
        )
        return request, waiting is None


def load_request(session: Session, principal: Principal, request_pk: int) -> RequestState:
    """A request and who asked for it, for those who may ask (the trail names them to them)."""
    require(principal, Permission.MAKE_RETURNS)
    request = session.get(ReturnRequest, request_pk)
    if request is None:
        raise NotFound("no request for returns with that id")
    first = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.resource_type == RESOURCE, AuditEntry.resource_id == request_pk)
        .order_by(AuditEntry.id)
        .limit(1)
    )
    asked = first and Requester(first.role, first.token_id, first.subject, first.subject_name)
    return RequestState(request, asked or None)


def claimable(now: datetime) -> ColumnElement[bool]:
    """The condition that makes starting a request a claim on it (docs/integrity.md): waiting,
    or started by a worker that died. Of two workers at once, one starts it."""
    return or_(
        ReturnRequest.state == QUEUED,
        and_(ReturnRequest.state == RUNNING, ReturnRequest.started_at < now - STALE_CLAIM),
    )


def _claim(db: Database, request_id: int, me: str, now: datetime) -> bool:
    with db.transaction() as session:
        claimed = session.connection().execute(
            update(ReturnRequest)
            .where(ReturnRequest.id == request_id, claimable(now))
            .values(state=RUNNING, claimed_by=me, started_at=now)
        )
        return bool(claimed.rowcount == 1)


def run_next(db: Database, settings: Settings) -> ReturnRequest | None:
    """The oldest waiting request, made by this worker if it wins the claim; None when none
    waits."""
    now = utc_now()
    me = f"{socket.gethostname()}:{os.getpid()}"
    with db.reading() as session:
        waiting = list(
            session.scalars(
                select(ReturnRequest.id)
                .where(claimable(now))
                .order_by(ReturnRequest.requested_at, ReturnRequest.id)
            )
        )
    for request_id in waiting:
        if _claim(db, request_id, me, now):
            return _run(db, settings, request_id)
    return None


def run_queued(db: Database, settings: Settings) -> list[ReturnRequest]:
    """The scheduler's job, and `dutyservice export-queued`: every waiting request, oldest
    first, until none waits."""
    finished = []
    while (request := run_next(db, settings)) is not None:
        finished.append(request)
    return finished


def _run(db: Database, settings: Settings, request_id: int) -> ReturnRequest:
    """Made as `POST /api/v1/npocc/returns` makes them; recorded as done once made, so that a
    slow feed does not keep the client waiting for deliveries (each return shows its own)."""
    with db.reading() as session:
        request = session.get_one(ReturnRequest, request_id)
        quarter, force_code = Quarter.parse(request.quarter), request.force_code
    recorded: list[ReturnRequest] = []

    def record_made(generated: list[Generated]) -> None:
        made = [g.record.id for g in generated if g.created]
        unchanged = [g.record.id for g in generated if not g.created]
        recorded.append(_finish(db, request_id, DONE, made=made, unchanged=unchanged))

    try:
        make_quarter_returns(db, settings, quarter, force_code, when_made=record_made)
    except BaseException as error:
        if recorded:
            raise
        return _failed(db, request_id, error)
    return recorded[0]


def _failed(db: Database, request_id: int, error: BaseException) -> ReturnRequest:
    if isinstance(error, DomainError):
        problem: dict[str, Any] = {"title": error.title, "detail": error.detail}
        if error.errors:
            problem["errors"] = error.errors
        return _finish(db, request_id, FAILED, problem=problem)
    if isinstance(error, Exception):
        log.error("return request failed", exc_info=error, extra={"request": request_id})
        return _finish(db, request_id, FAILED, problem=UNEXPECTED)
    # Stopped (SystemExit on SIGTERM): queued again at once for the next worker.
    try:
        _change(db, request_id, _requeue)
    except IntegrityError:
        _finish(db, request_id, FAILED, problem=STOPPED)
    raise error


def _requeue(request: ReturnRequest) -> None:
    request.state, request.claimed_by, request.started_at = QUEUED, None, None


def _finish(db: Database, request_id: int, state: str, **outcome: Any) -> ReturnRequest:
    def finish(request: ReturnRequest) -> None:
        request.state, request.finished_at = state, utc_now()
        for name, value in outcome.items():
            setattr(request, name, value)

    return _change(db, request_id, finish)


def _change(
    db: Database, request_id: int, change: Callable[[ReturnRequest], None]
) -> ReturnRequest:
    with db.transaction() as session:
        request = session.get_one(ReturnRequest, request_id)
        change(request)
        return request
