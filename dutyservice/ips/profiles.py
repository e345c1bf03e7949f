"""Role profiles are data: a new version, or a profile for another role, is a row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..auth.scope import Permission, Principal, require
from ..db import Database
from ..errors import Conflict, Invalid, NotFound
from ..forces.queries import find_force
from . import spans
from .models import NosUnit, ProfileAuthorisation, RoleProfile, RoleProfileUnit
from .queries import find_role_profile
from .rules import Signatory as Signatory  # what set_authorisation takes, for its callers


def _refuse_unknown_units(session: Session, required_units: list[str]) -> None:
    known = set(session.scalars(select(NosUnit.code).where(NosUnit.code.in_(required_units))))
    unknown = [u for u in required_units if u not in known]
    if unknown:
        raise Invalid(
            "unknown units", errors={"required_units": [f"no NOS unit {u!r}" for u in unknown]}
        )


def add_required_units(session: Session, profile: RoleProfile, unit_codes: list[str]) -> None:
    """A new profile's units, in the order given, and the eligibility spans it starts with."""
    session.add_all(
        RoleProfileUnit(role_profile_id=profile.id, unit_code=code, position=position)
        for position, code in enumerate(unit_codes, start=1)
    )
    session.flush()
    session.refresh(profile)
    spans.add_profile(session, profile.id)


def create_role_profile(
    db: Database,
    principal: Principal,
    *,
    mercury_ref: int,
    version: int,
    specialism: str,
    required_units: list[str],
    requires_current_ost: bool,
    equipment: list[str],
) -> RoleProfile:
    require(principal, Permission.MANAGE_REFERENCE)
    if len(set(required_units)) != len(required_units):
        raise Invalid("a unit is listed twice", errors={"required_units": ["listed twice"]})
    with db.transaction() as session:
        _refuse_unknown_units(session, required_units)
        profile = RoleProfile(
            mercury_ref=mercury_ref,
            version=version,
            specialism=specialism,
            requires_current_ost=requires_current_ost,
            equipment=equipment,
        )
        session.add(profile)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(f"role profile {mercury_ref} version {version} exists") from exc
        add_required_units(session, profile, required_units)
        audit.record(
            session,
            principal,
            "role_profile.create",
            "role_profile",
            profile.id,
            changes={
                "mercury_ref": mercury_ref,
                "version": version,
                "required_units": required_units,
            },
        )
        return profile


def set_authorisation(
    db: Database,
    principal: Principal,
    force_code: str,
    mercury_ref: int,
    version: int,
    host: Signatory | None,
    npocc: Signatory | None,
) -> ProfileAuthorisation:
    """The host-force and NPoCC authorising officers of a role profile, for one force."""
    require(principal, Permission.MANAGE_REFERENCE)
    with db.transaction() as session:
        force = find_force(session, force_code)
        profile = find_role_profile(session, mercury_ref, version)
        if force is None or profile is None:
            raise NotFound("no such force or role profile")
        row = session.scalar(
            select(ProfileAuthorisation).where(
                ProfileAuthorisation.force_id == force.id,
                ProfileAuthorisation.role_profile_id == profile.id,
            )
        )
        if row is None:
            row = ProfileAuthorisation(force_id=force.id, role_profile_id=profile.id)
            session.add(row)
        for prefix, signatory in (("host", host), ("npocc", npocc)):
            for field in ("name", "rank", "position", "date_authorised"):
                setattr(row, f"{prefix}_{field}", getattr(signatory, field) if signatory else None)
        session.flush()
        audit.record(
            session,
            principal,
            "role_profile.authorisation",
            "force",
            force.id,
            force_id=force.id,
            changes={
                "mercury_ref": mercury_ref,
                "version": version,
                "host": host.name if host else None,
                "npocc": npocc.name if npocc else None,
            },
        )
        return row
