"""Every endpoint × every role × own / other officer / other force → the expected answer,
for callers with API tokens and for people signed in through the force's identity provider.

The cases come from the application's route table: an endpoint with no rule here fails
`test_every_route_has_a_rule`. A refused write must leave every table exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from dutyservice.clock import Quarter
from dutyservice.db import Database
from dutyservice.events import service as events
from dutyservice.events.models import EventSignup
from dutyservice.ips.models import CompetencyRecord
from dutyservice.models import Base
from dutyservice.npocc.generation import generate_return

from ..support.builders import ADMIN, Builder
from ..support.oidc_provider import OidcProvider, person_claims

OK = "ok"  # authorised: the rule of the resource decides (2xx, or 409/422 for its state)
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
FORCE_REPORTS = {**FORCE_MANAGE, "planner": (OK, 403)}
DEPLOYABLE = {
    "special": (403, 403),
    "supervisor": (403, 403),
    "authoriser": (403, 403),
    "planner": (OK, 403),
    "npocc": (OK, OK),
    "admin": (OK, OK),
}
FORCE_ADMIN = {role: (403, 403) for role in ROLES} | {"admin": (OK, OK)}
EVERYONE = {role: (OK,) for role in ROLES}
ADMIN_ONLY = {role: (403,) for role in ROLES} | {"admin": (OK,)}
RETURNS_READ = ADMIN_ONLY | {"npocc": (OK,)}
OWN_LISTS = {role: (OK,) for role in ROLES} | {"npocc": (403,)}
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
    **{role: (403, 403, 403) for role in ROLES},
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

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)


@dataclass
class World:
    officers: dict[str, Any]
    duties: dict[str, Any]
    events: dict[str, Any]
    return_id: int
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


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
    return lambda w, t: (path.format(ret=w.return_id), body)


def _hold_gc10(world: World, build: Builder) -> None:
    with build.db.reading() as session:
        held = {
            o
            for o in session.scalars(
                select(CompetencyRecord.officer_id).where(
                    CompetencyRecord.unit_code == "GC10", CompetencyRecord.revoked_on.is_(None)
                )
            )
        }
    for person in world.officers.values():
        if person.id not in held:
            build.units(person, date(2025, 2, 1), ("GC10",))


def _signed_up(world: World, build: Builder) -> None:
    with build.db.reading() as session:
        signed = session.scalar(
            select(EventSignup.id).where(
                EventSignup.event_id == world.events["own"].id,
                EventSignup.officer_id == world.officers["own"].id,
                EventSignup.withdrawn_at.is_(None),
            )
        )
    if signed is None:
        events.sign_up(build.db, ADMIN, world.events["own"].id, world.officers["own"].id)


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
    ("PUT", "reference.set_profile_authorisation"): Rule(
        FORCE_ADMIN,
        FORCES,
        force("/api/v1/forces/{code}/role-profiles/135/1/authorisation", lambda c: {}),
    ),
    ("GET", "officers.list_officers"): Rule(OWN_LISTS, ("-",), plain("/api/v1/officers")),
    ("POST", "officers.create_officer"): Rule(
        FORCE_MANAGE, FORCES, force("/api/v1/officers", lambda c: {**NEW_OFFICER, "force": c})
    ),
    ("GET", "officers.get_officer"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}")),
    ("PATCH", "officers.edit_officer"): Rule(
        MANAGE, OFFICERS, officer("/api/v1/officers/{id}", {"base_location": "Ely"})
    ),
    ("POST", "officers.leave"): Rule(
        MANAGE, OFFICERS, officer("/api/v1/officers/{id}/leave", {"left_on": "2099-01-01"})
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
            {"unit": "CD1", "attained_on": "2025-01-01", "assessed_by": "PS"},
        ),
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
    ),
    ("POST", "ips.withdraw"): Rule(
        GRANT,
        OFFICERS,
        officer(
            "/api/v1/officers/{id}/ips/withdraw", {"withdrawn_on": "2025-08-01", "reason": "r"}
        ),
    ),
    ("GET", "ips.list_grants"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/ips/grants")),
    ("GET", "ips.history"): Rule(READ, OFFICERS, officer("/api/v1/officers/{id}/history")),
    ("GET", "duties.list_duties"): Rule(OWN_LISTS, ("-",), plain("/api/v1/duties")),
    ("POST", "duties.book"): Rule(
        BOOK,
        OFFICERS,
        lambda w, t: (
            "/api/v1/duties",
            {
                "officer_id": w.officers[t].id,
                "starts_at": "2026-02-01T18:00:00Z",
                "ends_at": "2026-02-01T20:00:00Z",
                "duty_type": "patrol",
            },
        ),
    ),
    ("GET", "duties.get_duty"): Rule(READ, OFFICERS, duty("/api/v1/duties/{id}")),
    ("PATCH", "duties.reschedule"): Rule(
        BOOK, OFFICERS, duty("/api/v1/duties/{id}", {"notes": "n"})
    ),
    ("POST", "duties.cancel"): Rule(BOOK, OFFICERS, duty("/api/v1/duties/{id}/cancel")),
    ("POST", "duties.complete"): Rule(BOOK, OFFICERS, duty("/api/v1/duties/{id}/complete")),
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
    ("POST", "events.sign_up"): Rule(SIGN_UP, FORCES, event("/api/v1/events/{id}/signups", "own")),
    ("DELETE", "events.withdraw"): Rule(
        {r: v[:1] for r, v in SIGN_UP.items()},
        ("own",),
        event("/api/v1/events/{id}/signups/{officer}"),
        prepare=_signed_up,
    ),
    ("GET", "returns.list_returns"): Rule(RETURNS_READ, ("-",), plain("/api/v1/npocc/returns")),
    ("POST", "returns.make_returns"): Rule(
        ADMIN_ONLY,
        ("-",),
        plain("/api/v1/npocc/returns", {"quarter": "2025-Q3", "force": "cambridgeshire"}),
    ),
    ("GET", "returns.get_return"): Rule(RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}")),
    ("GET", "returns.feed_csv"): Rule(
        RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}/feed.csv")
    ),
    ("GET", "returns.manifest_json"): Rule(
        RETURNS_READ, ("-",), plain("/api/v1/npocc/returns/{ret}/manifest.json")
    ),
    ("POST", "returns.deliver_now"): Rule(
        ADMIN_ONLY, ("-",), plain("/api/v1/npocc/returns/{ret}/deliver")
    ),
    ("GET", "audit.audit_trail"): Rule(ADMIN_ONLY, ("-",), plain("/api/v1/audit")),
    ("GET", "metrics.metrics"): Rule(ADMIN_ONLY, ("-",), plain("/metrics")),
    ("GET", "notifications.list_notifications"): Rule(
        NOTIFICATIONS_READ, OFFICERS, officer("/api/v1/notifications?officer_id={id}")
    ),
}
# Endpoints outside the bearer-token scheme, each tested on its own.
UNAUTHENTICATED = {
    ("GET", "health.healthz"),
    ("GET", "health.readyz"),
    ("GET", "api-docs.openapi_json"),
    ("GET", "docs.docs"),
    ("GET", "calendar.feed"),
}  # read with its own key: test_calendar_api.py


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
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


def digest(db: Database) -> str:
    """Every row of every table, hashed: equal digests, equal data."""
    hasher = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")):
                hasher.update(repr(tuple(row)).encode())
    return hasher.hexdigest()


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
    settings = app.extensions["dutyservice"].settings
    record = generate_return(
        build.db, settings.export_dir, "cambridgeshire", Quarter(2025, 3), 135, 1
    ).record
    world = World(people, duties, made, record.id)
    world.headers = credentials(credential, build, provider, people["own"])
    return world


def cases() -> list[Any]:
    return [pytest.param(key, id=f"{key[0]} {key[1]}") for key in RULES]


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("key", cases())
def test_access_rule(
    key: tuple[str, str],
    credential: str,
    app: Flask,
    client: FlaskClient,
    build: Builder,
    db: Database,
    tmp_path: Any,
    identity_provider: OidcProvider,
) -> None:
    method, _endpoint = key
    rule = RULES[key]
    world = build_world(build, app, tmp_path, credential, identity_provider)
    checked = 0
    for role in ROLES:
        for target, expected in zip(rule.targets, rule.expected[role], strict=True):
            if rule.prepare:
                rule.prepare(world, build)
            path, body = rule.request(world, target)
            before = digest(db) if expected != OK and method != "GET" else None
            response = client.open(path, method=method, json=body, headers=world.headers[role])
            response.close()
            status = response.status_code
            where = f"{role} → {target}: {method} {path} answered {status}"
            if expected == OK:
                assert status < 500 and status not in (401, 403, 404), where
            else:
                assert status == expected, where
                assert response.content_type == "application/problem+json", where
            if before is not None:
                assert digest(db) == before, f"{where} but changed stored data"
            checked += 1
    assert checked == len(ROLES) * len(rule.targets)
