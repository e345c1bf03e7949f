"""The pages' sessions, kept by the service: opened at sign-in, ended at sign-out, by their
lifetime, or with the token they stand on.

The browser holds only a random id (in the signed session cookie); the table holds its SHA-256.
Ending a session deletes its row, so a copy of the cookie taken before is worth nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from ..clock import utc_now
from ..db import Database
from .models import PageSession
from .tokens import hash_secret

#: A session lasts a shift at most: signing in again after it is the price of a stolen cookie
#: expiring on its own.
LIFETIME = timedelta(hours=12)
_ID_BYTES = 32


@dataclass(frozen=True)
class OpenSession:
    """What a session stands on: a token's id, or the identity provider's claims."""

    token_id: int | None
    claims: dict[str, Any] | None


def open_session(
    db: Database, *, token_id: int | None = None, claims: dict[str, Any] | None = None
) -> str:
    """A new session's id (for the cookie only: it is stored as its hash)."""
    if (token_id is None) == (claims is None):
        raise ValueError("a session stands on a token or on claims, and not both")
    session_id = secrets.token_urlsafe(_ID_BYTES)
    now = utc_now()
    with db.transaction() as session:
        session.execute(delete(PageSession).where(PageSession.expires_at <= now))
        session.add(
            PageSession(
                id_hash=hash_secret(session_id),
                token_id=token_id,
                claims=None if claims is None else json.dumps(claims, sort_keys=True),
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
    return session_id


def find_session(db: Database, session_id: str) -> OpenSession | None:
    """The live session with this id, or None (never opened, ended, or past its lifetime)."""
    if not 0 < len(session_id) <= 2 * _ID_BYTES:
        return None
    with db.reading() as session:
        row = session.execute(
            select(PageSession.token_id, PageSession.claims).where(
                PageSession.id_hash == hash_secret(session_id),
                PageSession.expires_at > utc_now(),
            )
        ).first()
    if row is None:
        return None
    token_id, claims = row
    return OpenSession(token_id, None if claims is None else json.loads(claims))


def end_session(db: Database, session_id: str) -> None:
    with db.transaction() as session:
        session.execute(delete(PageSession).where(PageSession.id_hash == hash_secret(session_id)))
