"""The browsers and phones an officer turned notifications on in (API.md "Push to phones").

The officer's own token or session, supervisors of their force and admins add, list and remove
them (the permission to book the officer's duties: a planner reading the officer may not).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..auth.scope import Permission, Principal
from ..clock import utc_now
from ..db import Database
from ..duties.queries import load_officer
from ..errors import Invalid, NotFound
from ..outbox import PushSubscription
from .webpush import endpoint_refusal, key_refusals


def subscribe(
    db: Database,
    principal: Principal,
    officer_id: int,
    endpoint: str,
    keys: dict[str, str],
    allowed_origins: tuple[str, ...],
) -> PushSubscription:
    """Add the browser, or renew its keys if it is already the officer's. A browser belongs to
    whoever turned notifications on in it last: no other officer's messages go to it after."""
    errors = key_refusals(keys["p256dh"], keys["auth"])
    refusal = endpoint_refusal(endpoint, allowed_origins)
    if refusal:
        errors["endpoint"] = [refusal]
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        if errors:
            raise Invalid("the subscription is not one we can send to", errors=errors)
        session.execute(
            delete(PushSubscription).where(
                PushSubscription.endpoint == endpoint, PushSubscription.officer_id != officer.id
            )
        )
        values = {"p256dh": keys["p256dh"], "auth": keys["auth"]}
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(PushSubscription)
            .values(officer_id=officer.id, endpoint=endpoint, created_at=utc_now(), **values)
            .on_conflict_do_update(index_elements=["officer_id", "endpoint"], set_=values)
            .returning(PushSubscription.id)
        )
        subscription_id: int = session.execute(statement).scalar_one()
        subscription = session.get(PushSubscription, subscription_id, populate_existing=True)
        assert subscription is not None
        return subscription


def subscriptions(
    session: Session, principal: Principal, officer_id: int
) -> Sequence[PushSubscription]:
    officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
    return session.scalars(
        select(PushSubscription)
        .where(PushSubscription.officer_id == officer.id)
        .order_by(PushSubscription.id)
    ).all()


def unsubscribe(db: Database, principal: Principal, officer_id: int, subscription_id: int) -> None:
    with db.transaction() as session:
        officer = load_officer(session, principal, officer_id, Permission.BOOK_DUTIES)
        removed = session.execute(
            delete(PushSubscription)
            .where(
                PushSubscription.id == subscription_id,
                PushSubscription.officer_id == officer.id,
            )
            .returning(PushSubscription.id)
        ).first()
        if removed is None:
            raise NotFound("no push subscription with that id")


def forget(session: Session, subscription_id: int) -> None:
    """The push service says the subscription has gone (404, 410): it is deleted."""
    session.execute(delete(PushSubscription).where(PushSubscription.id == subscription_id))
