"""Reference data seeded on every upgrade, and named data sets (`dutyservice fixtures load`)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from .auth.scope import Principal, Role
from .auth.service import IssuedToken, create_token, revoke_labelled
from .clock import LONDON, london_today, utc_now
from .db import Database
from .duties import service as duties
from .duties.models import Officer
from .events import service as events
from .events.models import Event
from .forces.models import DutyType, Force
from .ips import service as ips
from .ips.models import NosUnit, RoleProfile
from .ips.profiles import add_required_units
from .shipped import FIXTURES

# The demo is loaded through the same use cases as the API, by an administrator the audit
# trail names as the demo loader.
DEMO_LOADER = Principal(token_id=None, role=Role.ADMIN, subject="fixtures", name="demo data")


def _read(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def seed_reference_data(db: Database) -> None:
    """Insert what is missing of the forces, NOS units, role profiles and duty types.

    Existing rows are left as they are: a force's settings may have been changed since.
    """
    with db.transaction() as session:
        forces = {f.code: f for f in session.scalars(select(Force))}
        for entry in _read("forces.json")["forces"]:
            if entry["code"] not in forces:
                forces[entry["code"]] = Force(**entry)
                session.add(forces[entry["code"]])
        units = {u.code for u in session.scalars(select(NosUnit))}
        session.add_all(
            NosUnit(**u) for u in _read("nos_units.json")["units"] if u["code"] not in units
        )
        session.flush()
        known = {(p.mercury_ref, p.version) for p in session.scalars(select(RoleProfile))}
        for entry in _read("role_profiles.json")["role_profiles"]:
            if (entry["mercury_ref"], entry["version"]) in known:
                continue
            unit_codes = entry.pop("required_units")
            profile = RoleProfile(**entry)
            session.add(profile)
            session.flush()
            add_required_units(session, profile, unit_codes)
        duty_types = _read("duty_types.json")["duty_types"]
        existing = {
            (row[0], row[1]) for row in session.execute(select(DutyType.force_id, DutyType.code))
        }
        session.add_all(
            DutyType(force_id=force.id, **t)
            for force in forces.values()
            for t in duty_types
            if (force.id, t["code"]) not in existing
        )


# The demo data set ------------------------------------------------------------------------------

DEMO_FORCE = "cambridgeshire"
# warrant, surname, forenames, rank, base, years served, units held, IPS, officer safety
# training completed this many days ago (it lasts a year: 340 days ago lapses within a month)
DEMO_OFFICERS = [
    ("SC1001", "Okafor", "Grace", "SC", "Parkside, Cambridge", 4, 6, True, 170),
    ("SC1002", "Hughes", "Daniel", "SC", "Parkside, Cambridge", 3, 6, True, 340),
    ("SC1003", "Patel", "Anjali", "SC", "Peterborough Thorpe Wood", 2, 6, True, 210),
    ("SC1004", "Nowak", "Piotr", "SC", "Huntingdon", 1, 4, False, 230),
    ("SC1005", "Clarke", "Ellen", "SC", "Ely", 0, 0, False, None),
    ("SS2001", "Brennan", "Michael", "SSGT", "Parkside, Cambridge", 9, 6, True, 320),
    ("SI3001", "Adeyemi", "Tolu", "SINSP", "Peterborough Thorpe Wood", 12, 6, True, 290),
]
UNITS = ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10")
DEMO_WEEKS = range(-26, 5)  # half a year of weekly duties behind, four weeks ahead
UNREPORTED_WEEKS = 2  # the last weeks' duties are still booked: there to be completed
CANCELLED_EVERY = 5  # one week in five the duty was called off


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def load_demo(db: Database) -> bool:
    """A force's Specials as a supervisor would find them: IPS holders, one still missing
    units, a new joiner; training lapsing soon; duties done, cancelled, still to be completed
    and to come. Goes through the same use cases as the API. False when already loaded."""
    with db.reading() as session:
        force = session.scalar(select(Force).where(Force.code == DEMO_FORCE))
        if force is None:
            raise RuntimeError("reference data missing: run `dutyservice db upgrade` first")
        if session.scalar(select(Officer).where(Officer.force_id == force.id).limit(1)):
            return False
    today = london_today()
    for index, entry in enumerate(DEMO_OFFICERS):
        warrant, surname, forenames, rank, base, years, units, has_ips, ost_days_ago = entry
        joined = today - timedelta(days=365 * years + 30 + index)
        officer = duties.create_officer(
            db,
            DEMO_LOADER,
            {
                "force": DEMO_FORCE,
                "warrant_number": warrant,
                "surname": surname,
                "forenames": forenames,
                "rank": rank,
                "base_location": base,
                "joined_on": joined,
            },
        )
        _demo_evidence(db, officer.id, warrant, joined, units, ost_days_ago, has_ips)
        _demo_duties(db, officer.id, base, joined, index)
    return True


def _demo_evidence(
    db: Database,
    officer_id: int,
    warrant: str,
    joined: date,
    units: int,
    ost_days_ago: int | None,
    has_ips: bool,
) -> None:
    today = london_today()
    for unit in UNITS[:units]:
        ips.record_competency(
            db,
            DEMO_LOADER,
            officer_id,
            unit=unit,
            attained_on=joined + timedelta(days=200),
            assessed_by="PS 1234 Harper",
            evidence_ref=f"PDP/{warrant}/{unit}",
        )
    if ost_days_ago is not None:
        completed_on = today - timedelta(days=ost_days_ago)
        ips.record_training(
            db, DEMO_LOADER, officer_id, kind="ost", completed_on=completed_on, expires_on=None
        )
    if has_ips:
        ips.grant_ips(
            db,
            DEMO_LOADER,
            officer_id,
            granted_on=today - timedelta(days=160),
            authorised_by=ips.Authorisation(
                "Chris Morgan", "SCO", "Head of the Special Constabulary"
            ),
        )


def _demo_duties(db: Database, officer_id: int, base: str, joined: date, index: int) -> None:
    """A weekly evening duty: completed, cancelled, booked but not yet completed, or ahead."""
    today = london_today()
    now = datetime.now(LONDON)
    for week in DEMO_WEEKS:
        day = today + timedelta(days=7 * week + index % 7)
        if day < joined:
            continue
        duty = duties.book_duty(
            db,
            DEMO_LOADER,
            duties.DutyBooking(
                officer_id=officer_id,
                starts_at=_at(day, 18),
                ends_at=_at(day, 18) + timedelta(hours=6 + index % 3),
                duty_type="patrol" if week % 3 else "event",
                location=base,
                notes="Night-time economy" if week % 2 else "",
            ),
        )
        if week % CANCELLED_EVERY == 0:
            duties.cancel_duty(db, DEMO_LOADER, duty.id)
        elif duty.ends_at < now and week < -UNREPORTED_WEEKS:
            duties.complete_duty(db, DEMO_LOADER, duty.id, None, None)


def ensure_demo_event(db: Database) -> bool:
    """An event of the demo force open for sign-up, made whenever none is (the last one's
    deadline may have passed since the demo was loaded). False when one is open already."""
    with db.reading() as session:
        force_id = session.scalar(select(Force.id).where(Force.code == DEMO_FORCE))
        open_now = session.scalar(
            select(Event.id)
            .where(Event.force_id == force_id, Event.signup_deadline > utc_now())
            .limit(1)
        )
    if open_now is not None:
        return False
    day = london_today() + timedelta(days=10)
    starts = _at(day, 10)
    events.create_event(
        db,
        DEMO_LOADER,
        {
            "force": DEMO_FORCE,
            "title": "Summer carnival",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=8),
            "capacity": 12,
            "signup_deadline": starts - timedelta(days=2),
            "open_to": "force",
            "duty_type": "event",
            "description": "Crowd safety and lost children along the procession route.",
            "location": "Parker's Piece",
            "version": 1,
        },
    )
    return True


DEMO_TOKEN_LABEL = "demo"


def demo_tokens(db: Database) -> tuple[dict[str, IssuedToken], int]:
    """One fresh token per role for trying the demo, and how many earlier demo tokens were
    revoked: their secrets were printed once and cannot be shown again, so each run replaces
    them rather than adding to them."""
    with db.reading() as session:
        first = session.scalar(
            select(Officer)
            .join(Officer.force)
            .where(Force.code == DEMO_FORCE)
            .order_by(Officer.id)
            .limit(1)
        )
    assert first is not None
    revoked = revoke_labelled(db, DEMO_TOKEN_LABEL)
    label = DEMO_TOKEN_LABEL
    made = {"special": create_token(db, role="special", officer_id=first.id, label=label)}
    for role in ("supervisor", "authoriser", "planner"):
        made[role] = create_token(db, role=role, force_code=DEMO_FORCE, label=label)
    for role in ("npocc", "admin"):
        made[role] = create_token(db, role=role, label=label)
    return made, revoked
