from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of its secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    force_id: Mapped[int | None] = mapped_column(ForeignKey("forces.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PageSession(Base):
    """A signed-in browser session of the pages. The cookie carries a random id; only its
    SHA-256 is stored, so the table cannot be read back into working cookies. A session stands
    on an API token (`token_id`) or on the identity provider's claims that signed it in
    (`claims`, JSON), from which its principal is made again on every request."""

    __tablename__ = "page_sessions"
    __table_args__ = (
        CheckConstraint("(token_id IS NULL) <> (claims IS NULL)", name="token_or_claims"),
    )

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    claims: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
