import pytest

from dutyservice.auth.scope import (
    Permission,
    Principal,
    Role,
    authorise_force,
    authorise_force_read,
    authorise_officer,
    readable_force_id,
)
from dutyservice.errors import Forbidden, NotFound

OWN_FORCE, OTHER_FORCE = 1, 2


def p(role: Role, officer_id: int | None = None) -> Principal:
    force = None if role in (Role.NPOCC, Role.ADMIN) else OWN_FORCE
    return Principal(token_id=1, role=role, force_id=force, officer_id=officer_id)


def test_special_reads_and_books_only_its_own_record() -> None:
    me = p(Role.SPECIAL, officer_id=10)
    authorise_officer(me, Permission.BOOK_DUTIES, force_id=OWN_FORCE, officer_id=10)
    with pytest.raises(NotFound):
        authorise_officer(me, Permission.READ_OFFICER, force_id=OWN_FORCE, officer_id=11)
    with pytest.raises(Forbidden):
        authorise_officer(me, Permission.MANAGE_OFFICERS, force_id=OWN_FORCE, officer_id=10)


def test_planner_reads_its_force_but_may_not_book() -> None:
    planner = p(Role.PLANNER)
    authorise_officer(planner, Permission.READ_OFFICER, force_id=OWN_FORCE, officer_id=3)
    with pytest.raises(Forbidden):
        authorise_officer(planner, Permission.BOOK_DUTIES, force_id=OWN_FORCE, officer_id=3)
    with pytest.raises(NotFound):
        authorise_officer(planner, Permission.READ_OFFICER, force_id=OTHER_FORCE, officer_id=4)


def test_only_authorisers_and_admins_grant_ips() -> None:
    for role in Role:
        allowed = role in (Role.AUTHORISER, Role.ADMIN)
        assert p(role).may(Permission.GRANT_IPS) is allowed, role


def test_npocc_sees_deployable_everywhere_but_no_officer_records() -> None:
    npocc = p(Role.NPOCC)
    authorise_force(npocc, Permission.READ_DEPLOYABLE, force_id=OTHER_FORCE)
    with pytest.raises(NotFound):
        authorise_officer(npocc, Permission.READ_OFFICER, force_id=OWN_FORCE, officer_id=1)


def test_supervisor_may_not_create_officers_in_another_force() -> None:
    with pytest.raises(Forbidden):
        authorise_force(p(Role.SUPERVISOR), Permission.MANAGE_OFFICERS, force_id=OTHER_FORCE)


def test_another_forces_reports_are_absent_to_a_force_role_and_forbidden_to_a_special() -> None:
    for role in (Role.SUPERVISOR, Role.AUTHORISER, Role.PLANNER):
        authorise_force_read(p(role), Permission.READ_REPORTS, force_id=OWN_FORCE)
        with pytest.raises(NotFound):
            authorise_force_read(p(role), Permission.READ_REPORTS, force_id=OTHER_FORCE)
    with pytest.raises(Forbidden):
        authorise_force_read(p(Role.SPECIAL, 1), Permission.READ_REPORTS, force_id=OWN_FORCE)
    authorise_force_read(p(Role.ADMIN), Permission.READ_REPORTS, force_id=OTHER_FORCE)


def test_a_force_role_naming_another_force_in_a_list_finds_nothing_there() -> None:
    assert readable_force_id(p(Role.PLANNER), None) == OWN_FORCE
    with pytest.raises(NotFound):
        readable_force_id(p(Role.PLANNER), OTHER_FORCE)
    assert readable_force_id(p(Role.NPOCC), OTHER_FORCE) == OTHER_FORCE
