from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, partial_index
from .models import AssessedRecord, revoked_after_attained


class LearningRecord(AssessedRecord, Base):
    """A stage of the learning programme (APS, DPS, or QSC in one core area), held from
    attained_on until the day before revoked_on. Never deleted."""

    __tablename__ = "learning_records"
    __table_args__ = (
        revoked_after_attained(),
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

    stage: Mapped[str] = mapped_column(String(3))
    area: Mapped[str] = mapped_column(String(20), default="")
