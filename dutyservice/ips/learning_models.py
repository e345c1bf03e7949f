from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
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


class StageSpan(Base):
    """Days on which an officer serves and meets a stage requirement (`stage_spans.computed`),
    with the officer's force: kept in the same transaction as every write that changes them, so
    that "who is deployable at this stage" is an index lookup (docs/integrity.md)."""

    __tablename__ = "stage_spans"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="ends_after_start"),
        Index("ix_stage_spans_officer_id", "officer_id"),
        # The planners' question: a requirement's spans open or ending after the window, read
        # from the index alone (`eligibility.covering`), nationally and in one force.
        Index(
            "ix_stage_spans_stage_area_ends_on",
            "stage",
            "area",
            "ends_on",
            "starts_on",
            "force_id",
            "officer_id",
        ),
        Index(
            "ix_stage_spans_stage_area_force_id",
            "stage",
            "area",
            "force_id",
            "ends_on",
            "starts_on",
            "officer_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    #: The officer's, which never changes: a force's question reads its own spans.
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    #: The stage asked for, or above.
    stage: Mapped[str] = mapped_column(String(3))
    #: A QSC's core area; '' for the stage in any area (as `LearningRecord.area`).
    area: Mapped[str] = mapped_column(String(20), default="")
    starts_on: Mapped[date]
    #: The first day no longer met; None: met from `starts_on` on.
    ends_on: Mapped[date | None]
