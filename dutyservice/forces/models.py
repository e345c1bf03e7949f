from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Force(Base):
    """A territorial police force; its settings are where the domain varies by force."""

    __tablename__ = "forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(60))
    monthly_minimum_hours: Mapped[Decimal] = mapped_column(
        Numeric(6, 2), default=Decimal("16"), server_default="16"
    )
    ost_validity_months: Mapped[int] = mapped_column(default=12, server_default="12")
    #: Mutual aid: the force's officers' sign-ups elsewhere are released at once, unasked.
    auto_release: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Mutual aid: who is mailed each request of the force's officers to join another's event.
    aid_contact_email: Mapped[str | None] = mapped_column(String(254), default=None)


class DutyType(Base):
    __tablename__ = "duty_types"
    __table_args__ = (UniqueConstraint("force_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
