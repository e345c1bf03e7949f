from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Force(Base):
    """A police force: the 43 territorial forces, and those that join them in mutual aid.

    Its settings are where the domain varies by force."""

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
    # Follows the Special Constable Learning Programme: its pages say "personal safety
    # training (PST)" where others say "officer safety training" (the API's kind stays `ost`).
    follows_sclp: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Months at APS or DPS after which readiness lists an officer for a supervisor's help.
    months_in_stage: Mapped[int] = mapped_column(default=12, server_default="12")
    # Whether the quarter's NPoCC returns include the force: FEED.md names the 43 territorial
    # forces; the others (British Transport Police, Scotland, Northern Ireland) only if set.
    makes_returns: Mapped[bool] = mapped_column(default=True, server_default=true())

    @property
    def safety_training_words(self) -> str:
        """What the force's pages call the safety training the API calls `ost`."""
        if self.follows_sclp:
            return "personal safety training (PST)"
        return "officer safety training"

    @property
    def safety_training_heading(self) -> str:
        words = self.safety_training_words
        return words[:1].upper() + words[1:]


class DutyType(Base):
    __tablename__ = "duty_types"
    __table_args__ = (UniqueConstraint("force_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))


class MinimumHours(Base):
    """A force's monthly minimum from `from_month` (its first day) on, for one stage of the
    learning programme or ('') for every officer; in force until a later row of the same stage."""

    __tablename__ = "minimum_hours"
    __table_args__ = (
        UniqueConstraint("force_id", "from_month", "stage"),
        CheckConstraint("stage IN ('', 'APS', 'DPS', 'QSC')", name="stage_known"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    from_month: Mapped[date]
    stage: Mapped[str] = mapped_column(String(3), default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
