"""Every page × every role × own / other officer / other force: the same answers as the API.

The expectations are the API's own tables (tests/security/test_access_matrix.py): a page calls
the same services, so it must refuse what the API refuses, and a refused change leaves every
table as it was. A page with no rule here fails `test_every_page_has_a_rule`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database

from ..security.test_access_matrix import (
    ADMIN_ONLY,
    AUTHORISED,
    BOOK,
    DEPLOYABLE,
    EVENT_READ,
    EVERYONE,
    EXPORT,
    FORCE_REPORTS,
    FORCES,
    GRANT,
    MANAGE,
    OFFICERS,
    OK,
    OWN_LISTS,
    READ,
    RELEASE,
    RETURNS_READ,
    ROLES,
    SERIAL,
    SIGN_UP,
    World,
    _aid_event,
    _cd1_not_held,
    _ips_granted,
    _no_ips_grant,
    _requested,
    _signed_up,
    build_world,
    routes,
)
from ..support.builders import Builder
from ..support.snapshot import digest
from .pages import csrf_of, sign_in

CODES = {"own": "cambridgeshire", "foreign": "norfolk"}
WINDOW = "from=2025-12-20T18:00&to=2025-12-21T02:00"
FORBIDDEN = re.compile(r"may (not|only)")
ABSENT = re.compile(r"with that id")
# Signing in and out, and the stylesheet: open to all, tested in test_pages.py.
OPEN_PAGES = {
    ("GET", "web.privacy"),
    ("GET", "web.accessibility"),
    ("GET", "web.sign_in"),
    ("POST", "web.sign_in"),
    ("POST", "web.sign_out"),
    ("GET", "web.static"),
    ("GET", "web.manifest"),
    ("GET", "web.service_worker"),
    ("GET", "web.unknown"),
}


@dataclass(frozen=True)
class PageRule:
    expected: dict[str, tuple[Any, ...]]
    targets: tuple[str, ...]
    request: Callable[[World, str], tuple[str, dict[str, str] | None]]
    # A refusal is shown on the page that answers (its status), or flashed on the page the
    # browser is sent back to (its message).
    flashed: bool = False
    prepare: Callable[[World, Builder], None] | None = None


def by_officer(path: str, form: bool = False) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (
        path.format(id=w.officers[t].id),
        {"officer_id": str(w.officers[t].id)} if form else None,
    )


def by_duty(path: str) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (
        path.format(id=w.duties[t].id),
        {"officer_id": str(w.duties[t].officer_id)},
    )


def by_force(path: str) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(code=CODES[t]), None)


def by_event(path: str) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (
        path.format(id=w.events[t].id),
        {"officer_id": str(w.officers["own"].id)},
    )


def by_request(action: str, form: dict[str, str] | None = None) -> Callable[[World, str], Any]:
    """A form answering the target officer's request (mutual aid) to another force's event."""
    return lambda w, t: (f"/app/aid/{_aid_event(w, t).id}/{w.officers[t].id}/{action}", form)


AID_PAGE = dict.fromkeys(ROLES, (403,)) | dict.fromkeys(("supervisor", "authoriser"), (OK,))
AID_PAGE["admin"] = (OK,)


def booking(world: World, target: str) -> tuple[str, dict[str, str]]:
    return "/app/duties", {
        "officer_id": str(world.officers[target].id),
        **{"date-day": "1", "date-month": "2", "date-year": "2026"},
        **{"start_time": "18:00", "end_time": "20:00", "duty_type": "patrol"},
    }


PAGE_RULES: dict[tuple[str, str], PageRule] = {
    ("GET", "web.home"): PageRule(READ, OFFICERS, by_officer("/app/?officer_id={id}")),
    ("GET", "web.my_data"): PageRule(
        EXPORT, OFFICERS, by_officer("/app/my-data.json?officer_id={id}")
    ),
    ("GET", "web.deployable"): PageRule(
        DEPLOYABLE, FORCES, by_force(f"/app/deployable?{WINDOW}&force={{code}}")
    ),
    ("GET", "web.deployable_csv"): PageRule(
        DEPLOYABLE, FORCES, by_force(f"/app/deployable.csv?{WINDOW}&force={{code}}")
    ),
    ("GET", "web.readiness"): PageRule(
        FORCE_REPORTS, FORCES, by_force("/app/readiness?force={code}")
    ),
    ("GET", "web.events"): PageRule(EVERYONE, ("-",), lambda w, t: ("/app/events", None)),
    ("GET", "web.returns"): PageRule(
        RETURNS_READ, ("-",), lambda w, t: ("/app/returns?quarter=2025-Q3", None)
    ),
    ("POST", "web.book"): PageRule(BOOK, OFFICERS, booking),
    ("POST", "web.calendar_key"): PageRule(
        BOOK, OFFICERS, by_officer("/app/calendar-key", form=True)
    ),
    ("POST", "web.cancel"): PageRule(
        BOOK, OFFICERS, by_duty("/app/duties/{id}/cancel"), flashed=True
    ),
    ("POST", "web.complete"): PageRule(BOOK, OFFICERS, by_duty("/app/duties/{id}/complete")),
    ("GET", "web.book_form"): PageRule(
        BOOK, OFFICERS, by_officer("/app/duties/new?officer_id={id}")
    ),
    ("GET", "web.cancel_confirm"): PageRule(BOOK, OFFICERS, by_duty("/app/duties/{id}/cancel")),
    ("GET", "web.complete_form"): PageRule(BOOK, OFFICERS, by_duty("/app/duties/{id}/complete")),
    ("GET", "web.withdraw_confirm"): PageRule(
        {role: answers[:1] for role, answers in SIGN_UP.items()},
        ("own",),
        lambda w, t: (
            f"/app/events/{w.events[t].id}/withdraw?officer_id={w.officers['own'].id}",
            None,
        ),
        prepare=_signed_up,
    ),
    ("POST", "web.sign_up"): PageRule(
        SIGN_UP, FORCES, by_event("/app/events/{id}/sign-up"), flashed=True
    ),
    ("POST", "web.withdraw"): PageRule(
        {role: answers[:1] for role, answers in SIGN_UP.items()},
        ("own",),
        by_event("/app/events/{id}/withdraw"),
        flashed=True,
        prepare=_signed_up,
    ),
    ("GET", "web.event"): PageRule(EVENT_READ, FORCES, by_event("/app/events/{id}")),
    ("GET", "web.aid"): PageRule(AID_PAGE, ("-",), lambda w, t: ("/app/aid", None)),
    ("POST", "web.release"): PageRule(
        RELEASE, OFFICERS, by_request("release"), flashed=True, prepare=_requested
    ),
    ("GET", "web.decline_form"): PageRule(
        RELEASE, OFFICERS, by_request("decline"), prepare=_requested
    ),
    ("POST", "web.decline"): PageRule(
        RELEASE,
        OFFICERS,
        by_request("decline", {"reason": "needed at home"}),
        flashed=True,
        prepare=_requested,
    ),
    ("POST", "web.send_again"): PageRule(
        ADMIN_ONLY,
        ("-",),
        lambda w, t: (f"/app/returns/{w.return_id}/send", {"quarter": "2025-Q3"}),
        flashed=True,
    ),
}


# Setting up an event: supervisors and authorisers (their own force) and admins.
EVENT_MAKERS = dict.fromkeys(ROLES, (403,)) | dict.fromkeys(("supervisor", "authoriser"), (OK,))
EVENT_MAKERS |= {"admin": (OK,)}
NEXT_WEEK = london_today() + timedelta(days=7)
EVENT_FORM = {
    "force": "cambridgeshire",
    "title": "Op Page",
    "capacity": "3",
    "open_to": "force",
    "duty_type": "event",
    **{f"{n}-day": str(NEXT_WEEK.day) for n in ("starts", "ends", "deadline")},
    **{f"{n}-month": str(NEXT_WEEK.month) for n in ("starts", "ends", "deadline")},
    **{f"{n}-year": str(NEXT_WEEK.year) for n in ("starts", "ends", "deadline")},
    **{"starts_time": "18:00", "ends_time": "22:00", "deadline_time": "09:00"},
}


def day_boxes(name: str, day: str) -> dict[str, str]:
    year, month, date_of_month = day.split("-")
    return {f"{name}-day": date_of_month, f"{name}-month": month, f"{name}-year": year}


def officer_form(path: str, form: dict[str, str]) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(id=w.officers[t].id), form)


STAFF_RULES: dict[tuple[str, str], PageRule] = {
    ("GET", "web.new_event"): PageRule(
        EVENT_MAKERS, ("-",), lambda w, t: ("/app/events/new", None)
    ),
    ("POST", "web.create_event"): PageRule(
        EVENT_MAKERS, ("-",), lambda w, t: ("/app/events/new", EVENT_FORM)
    ),
    ("GET", "web.officers"): PageRule(OWN_LISTS, ("-",), lambda w, t: ("/app/officers", None)),
    ("GET", "web.officer"): PageRule(READ, OFFICERS, by_officer("/app/officers/{id}")),
    ("POST", "web.record_unit"): PageRule(
        MANAGE,
        OFFICERS,
        officer_form(
            "/app/officers/{id}/competencies",
            {"unit": "CD1", "assessed_by": "PS", **day_boxes("attained_on", "2025-07-01")},
        ),
        prepare=_cd1_not_held,
    ),
    ("POST", "web.record_training"): PageRule(
        MANAGE,
        OFFICERS,
        officer_form("/app/officers/{id}/training", day_boxes("completed_on", "2025-02-01")),
    ),
    ("GET", "web.grant_form"): PageRule(
        GRANT, OFFICERS, by_officer("/app/officers/{id}/ips/grant")
    ),
    ("POST", "web.grant_ips"): PageRule(
        GRANT,
        OFFICERS,
        officer_form(
            "/app/officers/{id}/ips", {**AUTHORISED, **day_boxes("granted_on", "2025-03-01")}
        ),
        prepare=_no_ips_grant,
    ),
    ("GET", "web.withdraw_form"): PageRule(
        GRANT, OFFICERS, by_officer("/app/officers/{id}/ips/withdraw")
    ),
    ("POST", "web.withdraw_ips"): PageRule(
        GRANT,
        OFFICERS,
        officer_form(
            "/app/officers/{id}/ips/withdraw",
            {"reason": "r", **day_boxes("withdrawn_on", "2025-08-01")},
        ),
        prepare=_ips_granted,
    ),
    ("POST", "web.make_returns"): PageRule(
        RETURNS_READ,  # NPoCC and admins make the returns they read
        ("-",),
        lambda w, t: ("/app/returns", {"quarter": "2025-Q3", "force": "cambridgeshire"}),
        flashed=True,
    ),
    ("GET", "web.return_csv"): PageRule(
        RETURNS_READ, ("-",), lambda w, t: (f"/app/returns/{w.return_id}/feed.csv", None)
    ),
    ("GET", "web.return_manifest"): PageRule(
        RETURNS_READ, ("-",), lambda w, t: (f"/app/returns/{w.return_id}/manifest.json", None)
    ),
    ("GET", "web.edit_officer_form"): PageRule(
        MANAGE, OFFICERS, by_officer("/app/officers/{id}/edit")
    ),
    ("POST", "web.edit_officer"): PageRule(
        MANAGE,
        OFFICERS,
        lambda w, t: (
            f"/app/officers/{w.officers[t].id}/edit",
            {
                **{"surname": "Page", "forenames": "Alex", "rank": "SC", "base_location": "Ely"},
                **{"warrant_number": f"PE{next(SERIAL)}", **day_boxes("joined_on", "2020-01-06")},
            },
        ),
    ),
    ("GET", "web.readiness_csv"): PageRule(
        FORCE_REPORTS, FORCES, by_force("/app/readiness.csv?force={code}")
    ),
    ("GET", "web.audit_trail"): PageRule(ADMIN_ONLY, ("-",), lambda w, t: ("/app/audit", None)),
}
PAGE_RULES |= STAFF_RULES


def test_every_page_has_a_rule(session_app: Flask) -> None:
    pages = {(m, e) for m, e in routes(session_app) if e.startswith("web.")}
    assert pages - set(PAGE_RULES) - OPEN_PAGES == set()
    assert set(PAGE_RULES) - pages == set()


def _flashed_answer(client: FlaskClient) -> Any:
    """What the flashed message says: 404 (not visible), 403 (not allowed), else OK."""
    with client.session_transaction() as session:
        messages = [message for _, message in session.pop("_flashes", [])]
    assert messages, "the action flashed nothing"
    if any(ABSENT.search(m) for m in messages):
        return 404
    if any(FORBIDDEN.search(m) for m in messages):
        return 403
    return OK


@pytest.mark.parametrize("key", [pytest.param(k, id=f"{k[0]} {k[1]}") for k in PAGE_RULES])
def test_page_access_rule(
    key: tuple[str, str],
    app: Flask,
    client: FlaskClient,
    build: Builder,
    db: Database,
    tmp_path: Any,
) -> None:
    method, _ = key
    rule = PAGE_RULES[key]
    world = build_world(build, app, tmp_path)
    browsers = {}
    for role in ROLES:
        browsers[role] = app.test_client()
        sign_in(browsers[role], world.headers[role]["Authorization"].removeprefix("Bearer "))
    for role in ROLES:
        browser = browsers[role]
        for target, expected in zip(rule.targets, rule.expected[role], strict=True):
            if rule.prepare:
                rule.prepare(world, build)
            path, form = rule.request(world, target)
            before = digest(db) if expected != OK and method == "POST" else None
            if method == "POST":
                csrf = csrf_of(browser.get("/app/events").get_data(as_text=True))
                response = browser.post(path, data={**(form or {}), "csrf_token": csrf})
            else:
                response = browser.get(path)
            status = response.status_code
            where = f"{role} → {target}: {method} {path} answered {status}"
            answer = _flashed_answer(browser) if rule.flashed and status == 303 else status
            if expected == OK:
                assert status < 500, where
                assert answer not in (401, 403, 404), where
                assert status != 302, f"{where}: sent to sign in"
            else:
                assert answer == expected, where
            if before is not None:
                assert digest(db) == before, f"{where} but changed stored data"
