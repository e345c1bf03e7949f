from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, next_day, partial_index


class NosUnit(Base):
    """A National Occupational Standard unit (Skills for Justice), e.g. CD5."""

    __tablename__ = "nos_units"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))


class RoleProfile(Base):
    """An NPoCC role profile version: data, so that a new version needs no code change."""

    __tablename__ = "role_profiles"
    __table_args__ = (UniqueConstraint("mercury_ref", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mercury_ref: Mapped[int]
    version: Mapped[int]
    specialism: Mapped[str] = mapped_column(String(200))
    requires_current_ost: Mapped[bool]
    equipment: Mapped[list[str]] = mapped_column(JSON)

    units: Mapped[list[RoleProfileUnit]] = relationship(
        order_by="RoleProfileUnit.position", lazy="selectin"
    )

    @property
    def required_units(self) -> list[str]:
        return [unit.unit_code for unit in self.units]


class RoleProfileUnit(Base):
    __tablename__ = "role_profile_units"

    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profiles.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("nos_units.code"), primary_key=True)
    position: Mapped[int]


class ProfileAuthorisation(Base):
    """Per force and profile: the host-force and NPoCC authorising officers of the role profile."""

    __tablename__ = "profile_authorisations"
    __table_args__ = (UniqueConstraint("force_id", "role_profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    force_id: Mapped[int] = mapped_column(ForeignKey("forces.id"))
    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profiles.id"))
    host_name: Mapped[str | None] = mapped_column(String(120))
    host_rank: Mapped[str | None] = mapped_column(String(60))
    host_position: Mapped[str | None] = mapped_column(String(120))
    host_date_authorised: Mapped[date | None]
    npocc_name: Mapped[str | None] = mapped_column(String(120))
    npocc_rank: Mapped[str | None] = mapped_column(String(60))
    npocc_position: Mapped[str | None] = mapped_column(String(120))
    npocc_date_authorised: Mapped[date | None]


class AssessedRecord:
    """What a unit's record and a stage's share: an officer's assessment, held from attained_on
    until the day before revoked_on, and who recorded it when. Never deleted.

    The columns before and after a record's own (sort_order) keep each table's column order,
    which a subject access export shows."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), sort_order=-1)
    attained_on: Mapped[date] = mapped_column(sort_order=1)
    assessed_by: Mapped[str] = mapped_column(String(120), sort_order=1)
    evidence_ref: Mapped[str] = mapped_column(String(200), default="", sort_order=1)
    revoked_on: Mapped[date | None] = mapped_column(sort_order=1)
    revoke_reason: Mapped[str | None] = mapped_column(Text, sort_order=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), sort_order=1)
    recorded_by_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id"), sort_order=1
    )


def revoked_after_attained() -> CheckConstraint:
    """An assessed record's table's check that it is not revoked before it was attained."""
    return CheckConstraint("revoked_on IS NULL OR revoked_on >= attained_on", name="revoked_after")


class CompetencyRecord(AssessedRecord, Base):
    """A unit held from attained_on until the day before revoked_on. Never deleted."""

    __tablename__ = "competency_records"
    __table_args__ = (
        revoked_after_attained(),
        Index("ix_competency_records_officer_id_unit_code", "officer_id", "unit_code"),
        # One live record per officer and unit. A re-assessment of a unit still held is recorded
        # by revoking the live record (revoked_on: the day the new assessment takes over) and
        # recording the new one, so the history keeps both and the spans never overlap.
        partial_index(
            "uq_competency_records_officer_id_unit_code_live",
            "officer_id",
            "unit_code",
            unique=True,
            where="revoked_on IS NULL",
        ),
        # The eligibility rule looks for spans ending inside a window: few rows ever end.
        partial_index(
            "ix_competency_records_revoked_on", "revoked_on", where="revoked_on IS NOT NULL"
        ),
    )

    unit_code: Mapped[str] = mapped_column(ForeignKey("nos_units.code"))


class TrainingRecord(Base):
    """Officer safety training (kind 'ost'), current from completed_on to expires_on inclusive."""

    __tablename__ = "training_records"
    __table_args__ = (
        CheckConstraint("expires_on >= completed_on", name="expires_after_completion"),
        # The safety training current on a day, read from the index alone (the deployable
        # page's expiries, eligibility.ost_expiry), and an officer's records of a kind.
        Index(
            "ix_training_records_officer_id_kind_expires_on",
            "officer_id",
            "kind",
            "expires_on",
            "completed_on",
        ),
        # The eligibility rule's span ends the day after expiry (see eligibility.ost_current).
        Index("ix_training_records_day_after_expiry", next_day(text("expires_on"))),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    completed_on: Mapped[date]
    expires_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))


class IpsGrant(Base):
    """IPS granted by the force's authorising officer, in force until the day before withdrawal."""

    __tablename__ = "ips_grants"
    __table_args__ = (
        CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= granted_on", name="withdrawn_after"
        ),
        Index("ix_ips_grants_officer_id", "officer_id"),
        # One live grant per officer: IPS is the one profile a force grants (Mercury Ref 135),
        # so that one withdrawal always leaves the officer without it.
        partial_index(
            "uq_ips_grants_officer_id_live", "officer_id", unique=True, where="withdrawn_on IS NULL"
        ),
        partial_index(
            "ix_ips_grants_withdrawn_on", "withdrawn_on", where="withdrawn_on IS NOT NULL"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    granted_on: Mapped[date]
    authorised_by_name: Mapped[str] = mapped_column(String(120))
    authorised_by_rank: Mapped[str] = mapped_column(String(60))
    authorised_by_position: Mapped[str] = mapped_column(String(120))
    withdrawn_on: Mapped[date | None]
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))

    @property
    def authorised_by(self) -> str:
        return (
            f"{self.authorised_by_name}, {self.authorised_by_rank}, {self.authorised_by_position}"
        )


class EligibilitySpan(Base):
    """Days on which an officer serves and holds IPS against a role profile
    (`rules.serving_spans`), with the officer's force: kept in the same transaction as every
    write that changes them, so that "who is deployable" is an index lookup rather than the rule
    evaluated over every officer (docs/integrity.md)."""

    __tablename__ = "eligibility_spans"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="ends_after_start"),
        Index("ix_eligibility_spans_officer_id", "officer_id"),
        # The planners' question: a profile's spans open or ending after the window, each range
        # read from the index alone (`eligibility.covering_spans`), not every span ever ended;
        # nationally, and in one force.
        Index(
            "ix_eligibility_spans_role_profile_id_ends_on",
            "role_profile_id",
            "ends_on",
            "starts_on",
            "force_id",
            "officer_id",
        ),
        Index(
            "ix_eligibility_spans_role_profile_id_force_id",
            "role_profile_id",
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
    role_profile_id: Mapped[int] = mapped_column(ForeignKey("role_profiles.id"))
    starts_on: Mapped[date]
    #: The first day no longer held; None: held from `starts_on` on.
    ends_on: Mapped[date | None]
