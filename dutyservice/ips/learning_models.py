from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, partial_index


class LearningRecord(Base):
    """A stage of the learning programme (APS, DPS, or QSC in one core area), held from
    attained_on until the day before revoked_on. Never deleted."""

    __tablename__ = "learning_records"
    __table_args__ = (
        CheckConstraint("revoked_on IS NULL OR revoked_on >= attained_on", name="revoked_after"),
        CheckConstraint("stage IN ('APS', 'DPS', 'QSC')", name="stage_known"),
        # An area is named by a QSC and only by one: stored as '' otherwise, so that the unique
        # index below treats "no area" as one value on both databases (NULLs would be distinct).
        CheckConstraint("(stage = 'QSC') = (area <> '')", name="area_for_qsc_only"),
        Index("ix_learning_records_officer_id_stage", "officer_id", "stage"),
        # One live record per officer, stage and area, as for units and grants: a re-assessment
        # is a revocation and a new record.
        partial_index(
            "uq_learning_records_officer_id_stage_area_live",
            "officer_id",
            "stage",
            "area",
            unique=True,
            where="revoked_on IS NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    stage: Mapped[str] = mapped_column(String(3))
    area: Mapped[str] = mapped_column(String(20), default="")
    attained_on: Mapped[date]
    assessed_by: Mapped[str] = mapped_column(String(120))
    evidence_ref: Mapped[str] = mapped_column(String(200), default="")
    revoked_on: Mapped[date | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
