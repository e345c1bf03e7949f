"""From an identity provider's claims to a Principal (API.md "Sign-in through the force's
identity provider"). Pure: the caller reads the force ids and the officers it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import Forbidden
from .scope import FORCE_ROLES, NATIONAL_ROLES, Principal, Role

#: API.md: the first of these found in the roles claim is the person's role.
ROLE_PRECEDENCE = (
    Role.ADMIN,
    Role.NPOCC,
    Role.AUTHORISER,
    Role.SUPERVISOR,
    Role.PLANNER,
    Role.SPECIAL,
)


@dataclass(frozen=True)
class ClaimNames:
    """Which claims carry the roles, the force code and a special's warrant number."""

    roles: str = "roles"
    force: str = "force"
    officer: str = "warrant_number"


@dataclass(frozen=True)
class OfficerOnRecord:
    """An officer whose warrant number matches the officer claim, in whichever force."""

    id: int
    force_id: int
    joined_on: date
    left_on: date | None

    def serving_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


def role_of(claims: Mapping[str, Any], names: ClaimNames) -> Role:
    granted = claims.get(names.roles)
    if isinstance(granted, str):  # some providers send one role as a plain string
        granted = [granted]
    held = {v for v in granted if isinstance(v, str)} if isinstance(granted, list) else set()
    for role in ROLE_PRECEDENCE:
        if role.value in held:
            return role
    raise Forbidden("the identity provider gives this person none of the service's roles")


def identity_of(claims: Mapping[str, Any]) -> tuple[str, str | None]:
    """`sub`, and `name` or else `preferred_username`, for the audit trail."""
    name = claims.get("name") or claims.get("preferred_username")
    return str(claims["sub"]), str(name)[:200] if name else None


def principal_from_claims(
    claims: Mapping[str, Any],
    names: ClaimNames,
    *,
    force_ids: Mapping[str, int],
    officers: Sequence[OfficerOnRecord],
    today: date,
) -> Principal:
    """The Principal for a verified token's claims, or Forbidden (403).

    `force_ids` maps force codes to ids; `officers` are those whose warrant number is the
    officer claim's (any force). Every role but admin and npocc needs a known force; a special
    also needs the warrant number of an officer of that force who is serving `today`.
    """
    role = role_of(claims, names)
    subject, name = identity_of(claims)
    if role in NATIONAL_ROLES:
        return Principal(token_id=None, role=role, subject=subject, name=name)
    code = claims.get(names.force)
    if not isinstance(code, str) or not code:
        raise Forbidden(f"a {role} needs the '{names.force}' claim naming a force")
    force_id = force_ids.get(code)
    if force_id is None:
        raise Forbidden(f"the '{names.force}' claim names no force this service knows")
    if role in FORCE_ROLES:
        return Principal(token_id=None, role=role, force_id=force_id, subject=subject, name=name)
    warrant = claims.get(names.officer)
    if not isinstance(warrant, str) or not warrant:
        raise Forbidden(f"a special needs the '{names.officer}' claim")
    mine = [o for o in officers if o.force_id == force_id and o.serving_on(today)]
    if len(mine) != 1:
        raise Forbidden("the warrant number is not that of a serving officer of that force")
    return Principal(
        token_id=None,
        role=role,
        force_id=force_id,
        officer_id=mine[0].id,
        subject=subject,
        name=name,
    )
