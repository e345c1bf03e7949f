"""From an identity provider's claims to who the caller is (API.md, OIDC): a table of claim sets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dutyservice.auth.claims import ClaimNames, OfficerOnRecord, principal_from_claims
from dutyservice.auth.scope import Principal, Role
from dutyservice.errors import Forbidden

TODAY = date(2026, 12, 2)
FORCES = {"cambridgeshire": 5, "norfolk": 7}
SERVING = OfficerOnRecord(id=40, force_id=5, joined_on=date(2020, 1, 6), left_on=None)
LEFT = OfficerOnRecord(id=41, force_id=5, joined_on=date(2020, 1, 6), left_on=date(2026, 11, 30))
NORFOLK_NAMESAKE = OfficerOnRecord(id=42, force_id=7, joined_on=date(2021, 3, 1), left_on=None)
LEAVING_TOMORROW = OfficerOnRecord(
    id=43, force_id=5, joined_on=date(2020, 1, 6), left_on=date(2026, 12, 3)
)


def claims(**values: Any) -> dict[str, Any]:
    return {"sub": "abc-123", "name": "PC Alex Smith", **values}


def who(role: Role, force_id: int | None = None, officer_id: int | None = None) -> Principal:
    return Principal(
        token_id=None,
        role=role,
        force_id=force_id,
        officer_id=officer_id,
        subject="abc-123",
        name="PC Alex Smith",
    )


ALLOWED = [
    ("a supervisor of a known force", claims(roles=["supervisor"], force="cambridgeshire"), [],
     who(Role.SUPERVISOR, 5)),
    ("two roles: the first in API.md's order wins", claims(roles=["planner", "authoriser"],
     force="norfolk"), [], who(Role.AUTHORISER, 7)),
    ("admin outranks special", claims(roles=["special", "admin"]), [], who(Role.ADMIN)),
    ("national roles need no force", claims(roles=["npocc"]), [], who(Role.NPOCC)),
    ("a national role ignores a force claim", claims(roles=["admin"], force="norfolk"), [],
     who(Role.ADMIN)),
    ("unknown roles beside a known one are ignored", claims(roles=["Reader", "planner"],
     force="cambridgeshire"), [], who(Role.PLANNER, 5)),
    ("one role as a plain string", claims(roles="planner", force="norfolk"), [],
     who(Role.PLANNER, 7)),
    ("a serving special of that force", claims(roles=["special"], force="cambridgeshire",
     warrant_number="W1"), [SERVING, NORFOLK_NAMESAKE], who(Role.SPECIAL, 5, 40)),
    ("a special serving until tomorrow", claims(roles=["special"], force="cambridgeshire",
     warrant_number="W9"), [LEAVING_TOMORROW], who(Role.SPECIAL, 5, 43)),
]  # fmt: skip

REFUSED = [
    ("no roles claim", claims(force="cambridgeshire")),
    ("an empty roles claim", claims(roles=[], force="cambridgeshire")),
    ("none of our roles", claims(roles=["Reader", "Admin"], force="cambridgeshire")),
    ("roles not a list of names", claims(roles={"admin": True})),
    ("a force role without a force", claims(roles=["supervisor"])),
    ("an unknown force", claims(roles=["planner"], force="atlantis")),
    ("a force claim that is not a code", claims(roles=["planner"], force=["cambridgeshire"])),
    ("a special without the officer claim", claims(roles=["special"], force="cambridgeshire")),
    ("a special without a force", claims(roles=["special"], warrant_number="W1")),
    ("a leaver", claims(roles=["special"], force="cambridgeshire", warrant_number="W2")),
    ("the officer of another force", claims(roles=["special"], force="norfolk",
     warrant_number="W1")),
    ("a warrant number no officer holds", claims(roles=["special"], force="cambridgeshire",
     warrant_number="W404")),
]  # fmt: skip

OFFICERS_BY_WARRANT = {"W1": [SERVING], "W2": [LEFT], "W9": [LEAVING_TOMORROW]}


@pytest.mark.parametrize(("case", "claim_set", "officers", "expected"), ALLOWED,
                         ids=[c[0] for c in ALLOWED])  # fmt: skip
def test_claims_give_the_role_and_scope_api_md_names(
    case: str, claim_set: dict[str, Any], officers: list[OfficerOnRecord], expected: Principal
) -> None:
    principal = principal_from_claims(
        claim_set, ClaimNames(), force_ids=FORCES, officers=officers, today=TODAY
    )
    assert principal == expected, case


@pytest.mark.parametrize(("case", "claim_set"), REFUSED, ids=[c[0] for c in REFUSED])
def test_claims_without_a_role_or_scope_are_refused(case: str, claim_set: dict[str, Any]) -> None:
    officers = OFFICERS_BY_WARRANT.get(claim_set.get("warrant_number", ""), [])
    if claim_set.get("force") == "norfolk":
        officers = [SERVING]  # W1 serves in cambridgeshire, not norfolk
    with pytest.raises(Forbidden):
        principal_from_claims(claim_set, ClaimNames(), force_ids=FORCES, officers=officers,
                              today=TODAY)  # fmt: skip


def test_claim_names_come_from_the_settings() -> None:
    names = ClaimNames(roles="app_roles", force="extension_force", officer="employeeId")
    principal = principal_from_claims(
        {"sub": "s", "preferred_username": "asmith@police.example",
         "app_roles": ["special"], "extension_force": "cambridgeshire", "employeeId": "W1"},
        names, force_ids=FORCES, officers=[SERVING], today=TODAY,
    )  # fmt: skip
    assert (principal.role, principal.officer_id) == (Role.SPECIAL, 40)
    assert principal.name == "asmith@police.example"
