"""Every endpoint × every role × own / other officer / other force → the expected answer,
for callers with API tokens and for people signed in through the force's identity provider.

The cases come from the application's route table: an endpoint with no rule here fails
`test_every_route_has_a_rule`. A refused write must leave every table exactly as it was.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from dutyservice.clock import Quarter
from dutyservice.db import Database
from dutyservice.duties.models import Duty, Officer
from dutyservice.duties.rules import DutyStatus
from dutyservice.errors import Conflict, NotFound
from dutyservice.events import service as events
from dutyservice.events.models import EventSignup
from dutyservice.ips import service as ips
from dutyservice.ips.learning_models import LearningRecord
from dutyservice.ips.models import CompetencyRecord, IpsGrant
from dutyservice.notify import subscriptions
from dutyservice.notify.webpush import b64url
from dutyservice.npocc import requests as return_requests
from dutyservice.npocc.generation import generate_return

from ..support import saved_rows
from ..support.builders import ADMIN, Builder
from ..support.oidc_provider import OidcProvider, person_claims
from ..support.snapshot import digest

OK = "ok"  # authorised: a 2xx whose body is what the served document describes
ROLES = ("special", "supervisor", "authoriser", "planner", "npocc", "admin")
# How the caller's principal is made: the same answers are expected of both.
CREDENTIALS = ("api token", "identity provider")
OFFICERS = ("own", "colleague", "foreign")  # the special's own; same force; another force
FORCES = ("own", "foreign")

# Expected answers, per role, for each target in order. Written out, not derived from the code.
READ = {
    "special": (OK, 404, 404),
    "supervisor": (OK, OK, 404),
    "authoriser": (OK, OK, 404),
    "planner": (OK, OK, 404),
    "npocc": (404, 404, 404),
    "admin": (OK, OK, OK),
}
BOOK = {**READ, "planner": (403, 403, 404)}
# Subject access: the officer themself and admins (API.md "Data protection").
EXPORT = {
    **READ,
    "supervisor": (403, 403, 404),
    "authoriser": (403, 403, 404),
    "planner": (403, 403, 404),
}
MANAGE = {**BOOK, "special": (403, 404, 404)}
GRANT = {**MANAGE, "supervisor": (403, 403, 404)}
FORCE_MANAGE = {
    "special": (403, 403),
    "supervisor": (OK, 403),
    "authoriser": (OK, 403),
    "planner": (403, 403),
    "npocc": (403, 403),
    "admin": (OK, OK),
}
# Reads of another force are outside a force role's scope: absent to it (404, API.md). A role
# that may never read them is forbidden (403) wherever it asks.
FORCE_REPORTS = {
    "special": (403, 403),
    "supervisor": (OK, 404),
    "authoriser": (OK, 404),
    "planner": (OK, 404),
    "npocc": (403, 403),
    "admin": (OK, OK),
}
DEPLOYABLE = {
    "special": (403, 403),
    "supervisor": (403, 403),
    "authoriser": (403, 403),
    "planner": (OK, 404),
    "npocc": (OK, OK),
    "admin": (OK, OK),
}
FORCE_ADMIN = dict.fromkeys(ROLES, (403, 403)) | {"admin": (OK, OK)}
EVERYONE = dict.fromkeys(ROLES, (OK,))
ADMIN_ONLY = dict.fromkeys(ROLES, (403,)) | {"admin": (OK,)}
RETURNS_READ = ADMIN_ONLY | {"npocc": (OK,)}
# API.md "The pages": NPoCC and admins make the quarter's returns (and follow a queued request
# for them); admins alone send one again.
RETURNS_MAKE = RETURNS_READ
OWN_LISTS = dict.fromkeys(ROLES, (OK,)) | {"npocc": (403,)}
EVENT_READ = {
    "special": (OK, 404),
    "supervisor": (OK, 404),
    "authoriser": (OK, 404),
    "planner": (OK, 404),
    "npocc": (OK, OK),
    "admin": (OK, OK),
}
# The outbox: supervisors (and authorisers) of the officer's force, and admins.
NOTIFICATIONS_READ = {
    **dict.fromkeys(ROLES, (403, 403, 403)),
    "supervisor": (OK, OK, 404),
    "authoriser": (OK, OK, 404),
    "admin": (OK, OK, OK),
}
SIGNUPS_READ = {**EVENT_READ, "special": (403, 404), "npocc": (403, 403)}
# Signing the special's own officer up to an event of its force / another force's.
SIGN_UP = {
    "special": (OK, 404),
    "supervisor": (OK, 404),
    "authoriser": (OK, 404),
    "planner": (403, 403),
    "npocc": (404, 404),
    "admin": (OK, 404),
}

# Mutual aid: the officer's own force answers (supervisors, authorisers, admins); the host
# force, which cannot see another force's officer, is told 404 (the "foreign" target's request
# is to an event of the caller's own force).
RELEASE = MANAGE
AID_REQUESTS = {
    **dict.fromkeys(ROLES, (403, 403)),
    "supervisor": (OK, 404),
    "authoriser": (OK, 404),
    "admin": (OK, OK),
}
EVENT_AID = {**EVENT_READ, "special": (403, 404)}

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
SERIAL = itertools.count(1)  # a fresh warrant number or booking time for every request


@dataclass
class World:
    officers: dict[str, Any]
    duties: dict[str, Any]
    events: dict[str, Any]
    return_id: int
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    request_id: int = 0  # a request for returns, queued with `Prefer: respond-async`


@dataclass(frozen=True)
class Rule:
    expected: dict[str, tuple[Any, ...]]
    targets: tuple[str, ...]
    request: Callable[[World, str], tuple[str, Any]]  # -> (path, json body or None)
    prepare: Callable[[World, Builder], None] | None = None


def officer(path: str, body: Any = None) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(id=w.officers[t].id), body)


def duty(path: str, body: Any = None) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(id=w.duties[t].id), body)


def event(path: str, body: Any = None) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (
        path.format(id=w.events[t].id, officer=w.officers["own"].id),
        {"officer_id": w.officers["own"].id} if body == "own" else body,
    )


def force(
    path: str, body: Callable[[str], Any] | None = None
) -> Callable[[World, str], tuple[str, Any]]:
    codes = {"own": "cambridgeshire", "foreign": "norfolk"}
    return lambda w, t: (path.format(code=codes[t]), body(codes[t]) if body else None)


def plain(path: str, body: Any = None) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(ret=w.return_id, req=w.request_id), body)


def _hold_gc10(world: World, build: Builder) -> None:
    with build.db.reading() as session:
        held = set(
            session.scalars(
                select(CompetencyRecord.officer_id).where(
                    CompetencyRecord.unit_code == "GC10", CompetencyRecord.revoked_on.is_(None)
                )
            )
        )
    for person in world.officers.values():
        if person.id not in held:
            build.units(person, date(2025, 2, 1), ("GC10",))


# Each allowed request must succeed (2xx), so the state it changes is put back before the next.
def _cd1_not_held(world: World, build: Builder) -> None:
    for person in world.officers.values():
        with contextlib.suppress(NotFound, Conflict):  # never held, or revoked already
            ips.revoke_competency(
                build.db, ADMIN, person.id, "CD1", revoked_on=date(2025, 12, 1), reason="reset"
            )


def _no_live_stage(world: World, build: Builder) -> None:
    with build.db.transaction() as session:
        session.execute(
            update(LearningRecord)
            .where(LearningRecord.revoked_on.is_(None))
            .values(revoked_on=LearningRecord.attained_on, revoke_reason="reset")
        )


LIVE_APS: dict[int, int] = {}  # officer id -> their live APS record's id


def _live_aps(world: World, build: Builder) -> None:
    _no_live_stage(world, build)
    for person in world.officers.values():
        LIVE_APS[person.id] = build.stage(person, "APS", date(2025, 7, 1)).id


def _no_ips_grant(world: World, build: Builder) -> None:
    with build.db.transaction() as session:
        session.execute(
            update(IpsGrant)
            .where(IpsGrant.withdrawn_on.is_(None))
            .values(withdrawn_on=IpsGrant.granted_on, withdraw_reason="reset")
        )


def _ips_granted(world: World, build: Builder) -> None:
    with build.db.transaction() as session:
        session.execute(update(IpsGrant).values(withdrawn_on=None, withdraw_reason=None))


def _serving(world: World, build: Builder) -> None:
    with build.db.transaction() as session:
        session.execute(update(Officer).values(left_on=None))


def _duties_booked(world: World, build: Builder) -> None:
    with build.db.transaction() as session:
        session.execute(
            update(Duty)
            .where(Duty.id.in_([d.id for d in world.duties.values()]))
            .values(status=DutyStatus.BOOKED, actual_starts_at=None, actual_ends_at=None)
        )


def _not_signed_up(world: World, build: Builder) -> None:
    with contextlib.suppress(NotFound, Conflict):
        events.withdraw(build.db, ADMIN, world.events["own"].id, world.officers["own"].id)


def _signed_up(world: World, build: Builder) -> None:
    with build.db.reading() as session:
        signed = session.scalar(
            select(EventSignup.id)
            .where(
                EventSignup.event_id == world.events["own"].id,
                EventSignup.officer_id == world.officers["own"].id,
            )
            .join(EventSignup.duty)
            .where(Duty.status != DutyStatus.CANCELLED)
        )
    if signed is None:
        events.sign_up(build.db, ADMIN, world.events["own"].id, world.officers["own"].id)


def _aid_event(world: World, target: str) -> Any:
    """The event an officer's request is to: another force's (the foreign officer's: ours)."""
    return world.events["aid-by-cambridgeshire" if target == "foreign" else "aid-by-norfolk"]


def aid(path: str, body: Any = None) -> Callable[[World, str], tuple[str, Any]]:
    return lambda w, t: (path.format(id=_aid_event(w, t).id, officer=w.officers[t].id), body)


def _requested(world: World, build: Builder) -> None:
    """Each officer's request awaits their force again, made the first time."""
    aid_events = [world.events["aid-by-cambridgeshire"].id, world.events["aid-by-norfolk"].id]
    with build.db.transaction() as session:
        session.execute(
            update(Duty)
            .where(Duty.event_id.in_(aid_events))
            .values(status=DutyStatus.REQUESTED, version=Duty.version + 1)
        )
        session.execute(
            update(EventSignup)
            .where(EventSignup.event_id.in_(aid_events))
            .values(answer=None, answered_at=None, answer_reason=None)
        )
        signed = {
            (event_id, officer_id)
            for event_id, officer_id in session.execute(
                select(EventSignup.event_id, EventSignup.officer_id).where(
                    EventSignup.event_id.in_(aid_events)
                )
            )
        }
    for target, person in world.officers.items():
        if (_aid_event(world, target).id, person.id) not in signed:
            events.sign_up(build.db, ADMIN, _aid_event(world, target).id, person.id)


def _booking(world: World, target: str) -> tuple[str, Any]:
    day = date(2026, 2, 1) + timedelta(days=next(SERIAL))  # never overlapping the last one
    return "/api/v1/duties", {
        "officer_id": world.officers[target].id,
        "starts_at": f"{day}T18:00:00Z",
        "ends_at": f"{day}T20:00:00Z",
        "duty_type": "patrol",
    }


NEW_OFFICER = {
    "warrant_number": "M1",
    "surname": "New",
    "forenames": "Officer",
    "rank": "SC",
    "base_location": "X",
    "joined_on": "2025-01-01",
}
EVENT = {
    "title": "Op",
    "starts_at": (START + timedelta(days=3)).isoformat(),
    "ends_at": (START + timedelta(days=3, hours=4)).isoformat(),
    "capacity": 3,
    "signup_deadline": START.isoformat(),
}
WINDOW = "from=2025-12-20T18:00:00Z&to=2025-12-21T02:00:00Z"
AUTHORISED = {"name": "A", "rank": "SCO", "position": "Head"}

# A browser's subscription at a push service browsers use: accepted, never requested here.
BROWSER_KEYS = {
    "p256dh": b64url(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    ),
    "auth": b64url(b"sixteen bytes!!!"),
}
BROWSER = {"endpoint": "https://fcm.googleapis.com/fcm/send/access-matrix", "keys": BROWSER_KEYS}
_SUBSCRIBED: dict[int, int] = {}  # officer id -> the id of a subscription of theirs


def _subscribed(world: World, build: Builder) -> None:
    for person in world.officers.values():
        endpoint = f"{BROWSER['endpoint']}-{person.id}"  # one browser each
        made = subscriptions.subscribe(build.db, ADMIN, person.id, endpoint, BROWSER_KEYS, ())
        _SUBSCRIBED[person.id] = made.id


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "reference.forces"): Rule(EVERYONE, ("-",), plain("/api/v1/forces")),
    ("GET", "reference.role_profiles"): Rule(EVERYONE, ("-",), plain("/api/v1/role-profiles")),
    ("GET", "reference.units"): Rule(EVERYONE, ("-",), plain("/api/v1/competencies")),
    ("POST", "reference.create_profile"): Rule(
        ADMIN_ONLY,
        ("-",),
        plain(
            "/api/v1/role-profiles",
            {
                "mercury_ref": 900,
                "version": 1,
                "specialism": "S",
                "required_units": ["CD1"],
                "requires_current_ost": False,
            },
        ),
    ),
    ("PATCH", "reference.change_force_settings"): Rule(
        FORCE_ADMIN, FORCES, force("/api/v1/forces/{code}", lambda c: {"monthly_minimum_hours": 16})
    ),
    ("PUT", "reference.set_minimum_hours"): Rule(
        FORCE_ADMIN,
        FORCES,
        force(
            "/api/v1/forces/{code}/minimum-hours",
            lambda c: {"from_month": "2025-01", "stage": "DPS", "hours": 12},
        ),
    ),
    ("GET", "learning.programme"): Rule(EVERYONE, ("-",), plain("/api/v1/learning-programme")),
    ("GET", "learning.learning_status"): Rule(
        READ, OFFICERS, officer("/api/v1/officers/{id}/learning")
    ),
    ("POST", "learning.record_stage"): Rule(
        MANAGE,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/learning",
            {"stage": "APS", "attained_on": "2025-07-01", "assessed_by": "PS"},
        ),
        prepare=_no_live_stage,
    ),
    ("POST", "learning.revoke_stage"): Rule(
        MANAGE,
        OFFICERS,
        lambda w, t: (
            f"/api/v1/officers/{w.officers[t].id}/learning/{LIVE_APS[w.officers[t].id]}/revoke",
            {"revoked_on": "2025-08-01", "reason": "r"},
        ),
        prepare=_live_aps,
    ),
    ("PUT", "reference.set_profile_authorisation"): Rule(
        FORCE_ADMIN,
        FORCES,
        force("/api/v1/forces/{code}/role-profiles/135/1/authorisation", lambda c: {}),
    ),
    ("GET", "officers.list_officers"): Rule(OWN_LISTS, ("-",), plain("/api/v1/officers")),
    ("POST", "officers.create_officer"): Rule(
        FORCE_MANAGE,
        FORCES,
        force(
            "/api/v1/officers",
            lambda c: {**NEW_OFFICER, "force": c, "warrant_number": f"M{next(SERIAL)}"},
        ),
    ),
    ("GET", "officers.get_officer"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}")),
    ("GET", "officers.export"): Rule(EXPORT, OFFICERS, officer("/api/v1/officers/{id}/export")),
    ("PATCH", "officers.edit_officer"): Rule(
        MANAGE, OFFICERS, officer("/api/v1/officers/{id}", {"base_location": "Ely"})
    ),
    ("POST", "officers.leave"): Rule(
        MANAGE,
        OFFICERS,
        officer("/api/v1/officers/{id}/leave", {"left_on": "2099-01-01"}),
        prepare=_serving,
    ),
    ("GET", "officers.hours"): Rule(
        READ, OFFICERS, officer("/api/v1/officers/{id}/hours?year=2025")
    ),
    ("GET", "officers.get_availability"): Rule(
        READ, OFFICERS, officer("/api/v1/officers/{id}/availability?from=2025-12-01&to=2025-12-31")
    ),
    ("PUT", "officers.put_availability"): Rule(
        BOOK,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/availability",
            {"from": "2025-12-01", "to": "2025-12-02", "windows": []},
        ),
    ),
    ("POST", "calendar.new_key"): Rule(
        BOOK, OFFICERS, officer("/api/v1/officers/{id}/calendar-key")
    ),
    ("GET", "ips.list_competencies"): Rule(
        READ, OFFICERS, officer("/api/v1/officers/{id}/competencies")
    ),
    ("POST", "ips.record_competency"): Rule(
        MANAGE,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/competencies",
            {"unit": "CD1", "attained_on": "2025-07-01", "assessed_by": "PS"},
        ),
        prepare=_cd1_not_held,
    ),
    ("POST", "ips.revoke_competency"): Rule(
        MANAGE,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/competencies/GC10/revoke",
            {"revoked_on": "2025-06-01", "reason": "r"},
        ),
        prepare=_hold_gc10,
    ),
    ("GET", "ips.list_training"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/training")),
    ("POST", "ips.record_training"): Rule(
        MANAGE,
        OFFICERS,
        officer("/api/v1/officers/{id}/training", {"kind": "ost", "completed_on": "2025-02-01"}),
    ),
    ("GET", "ips.ips_status"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/ips")),
    ("POST", "ips.grant"): Rule(
        GRANT,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/ips", {"granted_on": "2025-03-01", "authorised_by": AUTHORISED}
        ),
        prepare=_no_ips_grant,
    ),
    ("POST", "ips.withdraw"): Rule(
        GRANT,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/ips/withdraw", {"withdrawn_on": "2025-08-01", "reason": "r"}
        ),
        prepare=_ips_granted,
    ),
    ("GET", "ips.list_grants"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/ips/grants")),
    ("GET", "ips.history"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/history")),
    ("GET", "duties.list_duties"): Rule(OWN_LISTS, ("-",), plain("/api/v1/duties")),
    ("POST", "duties.book"): Rule(BOOK, OFFICERS, _booking),
    ("GET", "duties.get_duty"): Rule(READ, OFFICERS, duty("/api/v1/duties/{id}")),
    ("PATCH", "duties.reschedule"): Rule(
        BOOK, OFFICERS, duty("/api/v1/duties/{id}", {"notes": "n"})
    ),
    ("POST", "duties.cancel"): Rule(BOOK, OFFICERS, duty("/api/v1/duties/{id}/cancel")),
    ("POST", "duties.complete"): Rule(
        BOOK, OFFICERS, duty("/api/v1/duties/{id}/complete"), prepare=_duties_booked
    ),
    ("GET", "deployable.deployable"): Rule(
        DEPLOYABLE, FORCES, force("/api/v1/deployable?" + WINDOW + "&force={code}")
    ),
    ("GET", "reports.hours"): Rule(
        FORCE_REPORTS, FORCES, force("/api/v1/reports/hours?force={code}&month=2025-05")
    ),
    ("GET", "reports.expiring"): Rule(
        FORCE_REPORTS, FORCES, force("/api/v1/reports/expiring?force={code}")
    ),
    ("GET", "events.list_events"): Rule(EVERYONE, ("-",), plain("/api/v1/events")),
    ("POST", "events.create_event"): Rule(
        FORCE_MANAGE, FORCES, force("/api/v1/events", lambda c: {**EVENT, "force": c})
    ),
    ("GET", "events.get_event"): Rule(EVENT_READ, FORCES, event("/api/v1/events/{id}")),
    ("GET", "events.list_signups"): Rule(
        SIGNUPS_READ, FORCES, event("/api/v1/events/{id}/signups")
    ),
    ("POST", "events.sign_up"): Rule(
        SIGN_UP, FORCES, event("/api/v1/events/{id}/signups", "own"), prepare=_not_signed_up
    ),
    ("DELETE", "events.withdraw"): Rule(
        {r: v[:1] for r, v in SIGN_UP.items()},
        ("own",),
        event("/api/v1/events/{id}/signups/{officer}"),
        prepare=_signed_up,
    ),
    ("POST", "mutual-aid.release"): Rule(
        RELEASE,
        OFFICERS,
        aid("/api/v1/events/{id}/signups/{officer}/release"),
        prepare=_requested,
    ),
    ("POST", "mutual-aid.decline"): Rule(
        RELEASE,
        OFFICERS,
        aid("/api/v1/events/{id}/signups/{officer}/decline", {"reason": "needed at home"}),
        prepare=_requested,
    ),
    ("GET", "mutual-aid.list_force_signups"): Rule(
        AID_REQUESTS, FORCES, force("/api/v1/signups?force={code}&status=requested")
    ),
    ("GET", "mutual-aid.event_aid"): Rule(EVENT_AID, FORCES, event("/api/v1/events/{id}/aid")),
    ("GET", "returns.list_returns"): Rule(RETURNS_READ, ("-",), plain("/api/v1/npocc/returns")),
    ("POST", "returns.make_returns"): Rule(
        RETURNS_MAKE,
        ("-",),
        plain("/api/v1/npocc/returns", {"quarter": "2025-Q3", "force": "cambridgeshire"}),
    ),
    ("GET", "returns.get_request"): Rule(
        RETURNS_MAKE, ("-",), plain("/api/v1/npocc/returns/requests/{req}")
    ),
    ("GET", "returns.get_return"): Rule(RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}")),
    ("GET", "returns.feed_csv"): Rule(
        RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}/feed.csv")
    ),
    ("GET", "returns.manifest_json"): Rule(
        RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}/manifest.json")
    ),
    ("POST", "returns.deliver_now"): Rule(
        # No feed is configured here: an authorised caller gets as far as the feed (409).
        ADMIN_ONLY | {"admin": (409,)},
        ("-",),
        plain("/api/v1/npocc/returns/{ret}/deliver"),
    ),
    ("GET", "audit.audit_trail"): Rule(ADMIN_ONLY, ("-",), plain("/api/v1/audit")),
    ("GET", "metrics.metrics"): Rule(ADMIN_ONLY, ("-",), plain("/metrics")),
    ("GET", "notifications.list_notifications"): Rule(
        NOTIFICATIONS_READ, OFFICERS, officer("/api/v1/notifications?officer_id={id}")
    ),
    # Push is not configured here: the key is absent to everyone (configured: test_push_api).
    ("GET", "push.push_key"): Rule(dict.fromkeys(ROLES, (404,)), ("-",), plain("/api/v1/push/key")),
    ("GET", "push.list_subscriptions"): Rule(
        BOOK, OFFICERS, officer("/api/v1/officers/{id}/push-subscriptions")
    ),
    ("POST", "push.subscribe"): Rule(
        BOOK, OFFICERS, officer("/api/v1/officers/{id}/push-subscriptions", BROWSER)
    ),
    ("DELETE", "push.unsubscribe"): Rule(
        BOOK,
        OFFICERS,
        lambda w, t: (
            f"/api/v1/officers/{w.officers[t].id}/push-subscriptions/"
            f"{_SUBSCRIBED[w.officers[t].id]}",
            None,
        ),
        prepare=_subscribed,
    ),
}
# Endpoints outside the bearer-token scheme, each tested on its own.
UNAUTHENTICATED = {
    ("GET", "health.healthz"),
    ("GET", "health.readyz"),
    ("GET", "api-docs.openapi_json"),
    ("GET", "api-docs.openapi_swagger_ui"),
    ("GET", "docs.asset"),
    ("GET", "calendar.feed"),
    ("GET", "to_pages"),  # `/`: a redirect to /app/ (tests/web/test_phone_pages.py)
    ("GET", "push_service_worker"),  # a script the browser fetches: test_push_api.py
}  # the calendar is read with its own key: test_calendar_api.py


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_rule(session_app: Flask) -> None:
    # The pages sign in with a session, not a bearer token: tests/web/test_pages_access.py.
    pages = {
        (method, endpoint)
        for method, endpoint in routes(session_app)
        if endpoint.startswith("web.")
    }
    unruled = routes(session_app) - set(RULES) - UNAUTHENTICATED - pages
    assert unruled == set(), f"endpoints with no access rule: {sorted(unruled)}"
    assert set(RULES) - routes(session_app) == set()


def credentials(
    credential: str, build: Builder, provider: OidcProvider | None, own: Any
) -> dict[str, dict[str, str]]:
    """Each role's Authorization header: an API token, or a JWT of the identity provider whose
    claims give the same role, force (cambridgeshire) and officer (the special's own)."""
    if credential == "api token":
        return {role: build.headers(role, officer=own) for role in ROLES}
    assert provider is not None
    provider.reset()
    headers = {}
    for role in ROLES:
        claims = person_claims(
            role,
            force=None if role in ("npocc", "admin") else "cambridgeshire",
            warrant_number=own.warrant_number if role == "special" else None,
        )
        headers[role] = {"Authorization": f"Bearer {provider.issue(claims)}"}
    return headers


def build_world(
    build: Builder,
    app: Flask,
    tmp_path: Any,
    credential: str = "api token",
    provider: OidcProvider | None = None,
) -> World:
    people, duties, made = _people_and_events(build)
    settings = app.extensions["dutyservice"].settings
    record = generate_return(
        build.db, settings.export_dir, "cambridgeshire", Quarter(2025, 3), 135, 1
    ).record
    world = World(people, duties, made, record.id)
    world.request_id = return_requests.ask(build.db, settings, ADMIN, Quarter(2025, 3), "norfolk")[
        0
    ].id
    world.headers = credentials(credential, build, provider, people["own"])
    return world


Made = tuple[dict[str, Officer], dict[str, Duty], dict[str, Any]]
# By database: the rows of the officers, duties and events every case starts from, and what
# the use cases that made them returned. (The return is made again for each case: its file is
# in the export directory, which other tests on the database write to.)
_MADE: dict[str, tuple[saved_rows.SavedRows, Made]] = {}


def _people_and_events(build: Builder) -> Made:
    if build.db.url in _MADE:
        rows, made = _MADE[build.db.url]
        saved_rows.put_back(build.db, rows)
        return made
    made = _make_people_and_events(build)
    _MADE[build.db.url] = (saved_rows.save(build.db), made)
    return made


def _make_people_and_events(build: Builder) -> Made:
    people = {
        "own": build.ips_officer("cambridgeshire", warrant_number="OWN"),
        "colleague": build.ips_officer("cambridgeshire", warrant_number="COL"),
        "foreign": build.ips_officer("norfolk", warrant_number="FOR"),
    }
    duties = {k: build.duty(p, datetime(2025, 11, 1, 18, tzinfo=UTC)) for k, p in people.items()}
    made = {}
    for key, code in (("own", "cambridgeshire"), ("foreign", "norfolk")):
        made[key] = events.create_event(
            build.db,
            ADMIN,
            {
                "force": code,
                "title": f"{code} op",
                "description": "",
                "location": "",
                "starts_at": START,
                "ends_at": START + timedelta(hours=4),
                "duty_type": "event",
                "capacity": 10,
                "signup_deadline": START - timedelta(days=1),
                "open_to": "force",
            },
        )
    for code in ("cambridgeshire", "norfolk"):
        made[f"aid-by-{code}"] = events.create_event(
            build.db,
            ADMIN,
            {
                "force": code,
                "title": f"{code} call-out",
                "description": "",
                "location": "",
                "starts_at": START + timedelta(days=10),
                "ends_at": START + timedelta(days=10, hours=4),
                "duty_type": "event",
                "capacity": 10,
                "signup_deadline": START,
                "open_to": "national",
            },
        )
    return people, duties, made


def cases() -> list[Any]:
    return [pytest.param(key, id=f"{key[0]} {key[1]}") for key in RULES]


@pytest.fixture(scope="module")
def document(session_app: Flask) -> Any:
    """The served document, to check that an allowed answer is well formed."""
    spec = session_app.test_client().get("/api/v1/openapi.json").get_json()
    return schemathesis.openapi.from_dict(spec)


def outcome(response: Any, expected: Any, document: Any, method: str, path: str) -> Any:
    """OK for a 2xx whose body the document describes; a refusal's status when it is a problem;
    anything else in words, so that the matrix's comparison shows what went wrong."""
    status = response.status_code
    if 200 <= status < 300 and path.startswith("/metrics"):
        # Outside the OpenAPI document: Prometheus' text format.
        return OK if response.content_type.startswith("text/plain") else f"{status} not text"
    if 200 <= status < 300:
        operation = document.find_operation_by_path(method, path.partition("?")[0])
        try:
            operation.validate_response(response)
        except Exception as error:  # schemathesis' FailureGroup: the body breaks the document
            return f"{status} with a body the document does not describe: {error}"
        return OK
    if response.content_type != "application/problem+json":
        return f"{status} not a problem"
    if expected == OK:
        return f"{status}: {response.get_json().get('detail')}"
    return status


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("key", cases())
def test_access_rule(
    key: tuple[str, str],
    credential: str,
    app: Flask,
    client: FlaskClient,
    build: Builder,
    db: Database,
    document: Any,
    tmp_path: Any,
    identity_provider: OidcProvider,
) -> None:
    method, _endpoint = key
    rule = RULES[key]
    world = build_world(build, app, tmp_path, credential, identity_provider)
    wanted: dict[str, Any] = {}
    answered: dict[str, Any] = {}
    for role in ROLES:
        for target, expected in zip(rule.targets, rule.expected[role], strict=True):
            if rule.prepare:
                rule.prepare(world, build)
            path, body = rule.request(world, target)
            before = digest(db) if expected != OK and method != "GET" else None
            response = client.open(path, method=method, json=body, headers=world.headers[role])
            where = f"{role} → {target}: {method} {path}"
            wanted[where] = expected
            answered[where] = outcome(response, expected, document, method, path)
            response.close()
            if before is not None and digest(db) != before:
                answered[where] = f"{answered[where]} but changed stored data"
    # The whole matrix at once: every cell must answer as written, allowed ones with a 2xx.
    assert answered == wanted
    assert len(answered) == len(ROLES) * len(rule.targets)
