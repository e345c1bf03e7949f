"""Who may read or write what (API.md "Authentication and roles"). Pure rules, no I/O.

Every endpoint goes through `authorise_officer`, `authorise_force` or `authorise_force_read`.
Outside a caller's scope a thing is invisible (404); visible but not theirs to change is 403; a
role that may never do a thing is 403 wherever it asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..errors import Forbidden, NotFound


class Role(StrEnum):
    SPECIAL = "special"
    SUPERVISOR = "supervisor"
    AUTHORISER = "authoriser"
    PLANNER = "planner"
    NPOCC = "npocc"
    ADMIN = "admin"


class Permission(StrEnum):
    READ_OFFICER = "read officers, their duties, hours, availability and IPS status"
    BOOK_DUTIES = "book, change, cancel and complete duties; set availability"
    MANAGE_OFFICERS = "create and edit officers; record competencies and training"
    GRANT_IPS = "grant and withdraw IPS"
    RELEASE_AID = "release or decline the force's officers' mutual-aid requests"
    READ_DEPLOYABLE = "read deployable resource"
    READ_REPORTS = "read reports"
    READ_RETURNS = "read NPoCC returns"
    MAKE_RETURNS = "make NPoCC returns"
    SEND_RETURNS = "send NPoCC returns again"
    MANAGE_REFERENCE = "change forces and role profiles"
    READ_AUDIT = "read the audit trail"
    READ_METRICS = "read the service's metrics"
    EXPORT_PERSONAL_DATA = "export everything held about an officer"


_SPECIAL = {Permission.READ_OFFICER, Permission.BOOK_DUTIES}
_SUPERVISOR = _SPECIAL | {
    Permission.MANAGE_OFFICERS,
    Permission.READ_REPORTS,
    Permission.RELEASE_AID,
}
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Subject access is the officer's own right; a force reads records, it does not export them.
    Role.SPECIAL: frozenset(_SPECIAL | {Permission.EXPORT_PERSONAL_DATA}),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.AUTHORISER: frozenset(_SUPERVISOR | {Permission.GRANT_IPS}),
    Role.PLANNER: frozenset(
        {Permission.READ_OFFICER, Permission.READ_DEPLOYABLE, Permission.READ_REPORTS}
    ),
    # API.md "The pages": NPoCC and admins make the quarter's returns; admins send one again.
    Role.NPOCC: frozenset(
        {Permission.READ_DEPLOYABLE, Permission.READ_RETURNS, Permission.MAKE_RETURNS}
    ),
    Role.ADMIN: frozenset(Permission),
}

NATIONAL_ROLES = frozenset({Role.NPOCC, Role.ADMIN})
FORCE_ROLES = frozenset({Role.SUPERVISOR, Role.AUTHORISER, Role.PLANNER})


@dataclass(frozen=True)
class Principal:
    """The caller, as its API token or its identity provider describes it.

    A person signed in through the force's identity provider has no token id; `subject` (`sub`)
    and `name` (`name` or `preferred_username`) say who they are, for the audit trail.
    """

    token_id: int | None
    role: Role
    force_id: int | None = None
    officer_id: int | None = None
    subject: str | None = None
    name: str | None = None
    #: The API token's label (who or what it was made for), for the logs.
    label: str | None = field(default=None, compare=False)

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    def covers_force(self, force_id: int) -> bool:
        return self.is_national or (self.role in FORCE_ROLES and self.force_id == force_id)

    def covers_officer(self, force_id: int, officer_id: int) -> bool:
        if self.role is Role.SPECIAL:
            return self.officer_id == officer_id
        return self.covers_force(force_id)


def authorise_officer(
    principal: Principal,
    permission: Permission,
    *,
    force_id: int,
    officer_id: int,
    what: str = "officer",
) -> None:
    """For anything that belongs to one officer: their record, duties, training, IPS."""
    visible = principal.may(Permission.READ_OFFICER) and principal.covers_officer(
        force_id, officer_id
    )
    if not visible:
        raise NotFound(f"no {what} with that id")
    if not principal.may(permission):
        raise Forbidden(f"a {principal.role} token may not {permission.value.split(';')[0]}")


def authorise_force(principal: Principal, permission: Permission, *, force_id: int) -> None:
    """For force-wide things: creating officers, reports, deployable resource."""
    if not (principal.may(permission) and principal.covers_force(force_id)):
        raise Forbidden(f"this token may not {permission.value.split(';')[0]} for that force")


def authorise_force_read(principal: Principal, permission: Permission, *, force_id: int) -> None:
    """For force-wide reads (reports, deployable resource): another force's answer is outside a
    force role's scope, so it is absent to it (404, API.md), not forbidden."""
    require(principal, permission)
    if not principal.covers_force(force_id):
        raise NotFound("no force with that code")


def require(principal: Principal, permission: Permission) -> None:
    if not principal.may(permission):
        raise Forbidden(f"a {principal.role} token may not {permission.value.split(';')[0]}")


def readable_force_id(principal: Principal, requested: int | None) -> int | None:
    """The force a list is limited to: a force role's own; a national role's choice (or all)."""
    if principal.is_national:
        return requested
    if requested is not None and requested != principal.force_id:
        raise NotFound("no force with that code")  # another force's records are out of scope
    return principal.force_id
