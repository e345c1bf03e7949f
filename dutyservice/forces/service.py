"""Forces' settings: where the domain varies by force (admins only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import audit
from ..auth.scope import Permission, Principal, require
from ..db import Database
from ..errors import NotFound
from .models import Force
from .queries import find_force

SETTINGS = (
    "monthly_minimum_hours",
    "ost_validity_months",
    "follows_sclp",
    "months_in_stage",
    "makes_returns",
    "auto_release",
    "aid_contact_email",
)


def change_settings(
    db: Database, principal: Principal, code: str, changes: dict[str, Any]
) -> Force:
    require(principal, Permission.MANAGE_REFERENCE)
    with db.transaction() as session:
        force = find_force(session, code)
        if force is None:
            raise NotFound("no force with that code")
        if "monthly_minimum_hours" in changes:
            changes["monthly_minimum_hours"] = Decimal(str(changes["monthly_minimum_hours"]))
        changed = {k: v for k, v in changes.items() if getattr(force, k) != v}
        for key, value in changed.items():
            setattr(force, key, value)
        if changed:
            if "aid_contact_email" in changed:  # the trail says that it changed, not to what
                changed["aid_contact_email"] = "set" if changed["aid_contact_email"] else "removed"
            audit.record(
                session,
                principal,
                "force.settings",
                "force",
                force.id,
                force_id=force.id,
                changes=changed,
            )
        return force
