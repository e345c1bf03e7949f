"""Token use cases: create, revoke, list, and turning a presented secret into a Principal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, column, delete, select, table
from sqlalchemy.orm import Session

from ..clock import utc_now
from ..db import Database
from ..errors import Invalid, NotFound
from ..served import check_served
from .models import ApiToken, PageSession
from .scope import FORCE_ROLES, Principal, Role
from .tokens import hash_secret, looks_like_secret, new_secret

# Only as much of an officer and a force as a token needs. Tokens sit beneath the packages that
# own officers and forces (they import `auth.scope`), so this reads their tables rather than
# importing their models.
_officers = table("officers", column("id"), column("force_id"), column("warrant_number"))
_force_code = column("code", String)
_forces = table("forces", column("id"), _force_code)


def _force_id_of(session: Session, code: str) -> int | None:
    return session.scalar(select(_forces.c.id).where(_forces.c.code == code))


def _force_code_of(session: Session, force_id: int) -> str | None:
    return session.scalar(select(_force_code).where(_forces.c.id == force_id))


def _officer_on_record(session: Session, officer_id: int) -> tuple[int, str] | None:
    """The officer's force id and warrant number, or None when there is no such officer."""
    row = session.execute(
        select(_officers.c.force_id, _officers.c.warrant_number).where(_officers.c.id == officer_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: who it is, and its secret (shown once, never stored)."""

    id: int
    secret: str
    role: str = ""
    force_code: str | None = None
    officer_id: int | None = None
    officer_ref: str | None = None  # e.g. cambridgeshire-SC1001


@dataclass(frozen=True)
class TokenListing:
    id: int
    role: str
    force_code: str | None
    officer_id: int | None
    label: str
    expires_at: datetime | None
    revoked_at: datetime | None


def _token_holder(
    session: Session, role: Role, force_code: str | None, officer_id: int | None
) -> tuple[int | None, str | None]:
    """The force a token of `role` is scoped to, and its officer's warrant number (a Special's
    token), checked against the records."""
    force_id = None
    if force_code is not None:
        force_id = _force_id_of(session, force_code)
        if force_id is None:
            raise NotFound(f"no force with code {force_code!r}")
    if role is Role.SPECIAL:
        on_record = _officer_on_record(session, officer_id) if officer_id is not None else None
        if on_record is None:
            raise Invalid("a special token needs --officer with an existing officer id")
        officer_force_id, warrant_number = on_record
        if force_id is not None and force_id != officer_force_id:
            raise Invalid("that officer belongs to another force")
        return officer_force_id, warrant_number
    if officer_id is not None:
        raise Invalid("only a special token is tied to one officer")
    if role in FORCE_ROLES and force_id is None:
        raise Invalid(f"a {role} token needs --force")
    return (force_id if role in FORCE_ROLES else None), None


def create_token(
    db: Database,
    *,
    role: str,
    force_code: str | None = None,
    officer_id: int | None = None,
    label: str = "",
    expires_at: datetime | None = None,
    served: tuple[str, ...] = (),
) -> IssuedToken:
    """A new token; one of a force `served` does not name (where it names any) is refused."""
    try:
        role_ = Role(role)
    except ValueError:
        raise Invalid(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}") from None
    secret = new_secret()
    with db.transaction() as session:
        force_id, warrant_number = _token_holder(session, role_, force_code, officer_id)
        token = ApiToken(
            secret_hash=hash_secret(secret),
            role=role_.value,
            force_id=force_id,
            officer_id=officer_id,
            label=label,
            created_at=utc_now(),
            expires_at=expires_at,
        )
        session.add(token)
        session.flush()
        code = _force_code_of(session, force_id) if force_id is not None else None
        if code is not None:
            check_served(served, code)  # raised inside the transaction: nothing is kept
        return IssuedToken(
            id=token.id,
            secret=secret,
            role=role_.value,
            force_code=code,
            officer_id=officer_id,
            officer_ref=f"{code}-{warrant_number}" if code and warrant_number else None,
        )


def revoke_token(db: Database, token_id: int) -> None:
    with db.transaction() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise NotFound(f"no token with id {token_id}")
        if token.revoked_at is None:
            token.revoked_at = utc_now()
        _end_sessions_of(session, [token_id])


def revoke_labelled(db: Database, label: str) -> int:
    """End every live token with this label (the demo's, made again on each run)."""
    now = utc_now()
    with db.transaction() as session:
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.label == label, ApiToken.revoked_at.is_(None))
        ).all()
        for token in tokens:
            token.revoked_at = now
        _end_sessions_of(session, [token.id for token in tokens])
        return len(tokens)


def _end_sessions_of(session: Session, token_ids: list[int]) -> None:
    """Every page session signed in with these tokens ends with them."""
    if token_ids:
        session.execute(delete(PageSession).where(PageSession.token_id.in_(token_ids)))


def list_tokens(db: Database) -> list[TokenListing]:
    """Every token, with its force's code; never a secret (none is stored)."""
    with db.reading() as session:
        rows = session.execute(
            select(ApiToken, _force_code)
            .outerjoin(_forces, _forces.c.id == ApiToken.force_id)
            .order_by(ApiToken.id)
        ).all()
    return [
        TokenListing(t.id, t.role, code, t.officer_id, t.label, t.expires_at, t.revoked_at)
        for t, code in rows
    ]


def authenticate(db: Database, secret: str) -> Principal | None:
    """The Principal for a presented secret, or None: unknown, revoked and expired look alike."""
    if not looks_like_secret(secret):
        return None
    # Found by the secret's SHA-256, not by the secret: the time an index lookup takes can tell
    # an attacker about the hash of what they sent, never about a stored secret, so there is no
    # timing to hide here. (Where a presented value is compared with a stored one, as with a
    # calendar key, the comparison is constant-time.)
    with db.reading() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret)))
    if token is None:
        return None
    return _principal_of(token)


def principal_of_token(db: Database, token_id: int) -> Principal | None:
    """The Principal of a token already presented once (a web session keeps its id, never
    its secret), or None once it is revoked or expired."""
    with db.reading() as session:
        token = session.get(ApiToken, token_id)
    return None if token is None else _principal_of(token)


def _principal_of(token: ApiToken) -> Principal | None:
    if token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= utc_now():
        return None
    return Principal(
        token_id=token.id,
        role=Role(token.role),
        force_id=token.force_id,
        officer_id=token.officer_id,
        label=token.label,
    )
