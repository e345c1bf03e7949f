"""Small builders that make test data through the same use cases the API calls."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from dutyservice.auth.scope import Principal, Role
from dutyservice.auth.service import create_token
from dutyservice.db import Database
from dutyservice.duties import service as duties
from dutyservice.duties.models import Duty, Officer
from dutyservice.ips import learning_service as learning
from dutyservice.ips import service as ips
from dutyservice.ips.learning_models import LearningRecord

ADMIN = Principal(token_id=None, role=Role.ADMIN)
UNITS = ("BE2", "CB1", "CD1", "CD5", "CI101", "GC10")
_warrants = itertools.count(1000)


class Builder:
    def __init__(self, db: Database) -> None:
        self.db = db

    def officer(
        self,
        force: str = "cambridgeshire",
        *,
        joined_on: date = date(2020, 1, 6),
        warrant_number: str | None = None,
        rank: str = "SC",
        surname: str = "Smith",
        forenames: str = "Alex",
        base_location: str = "Parkside",
    ) -> Officer:
        return duties.create_officer(
            self.db,
            ADMIN,
            {
                "force": force,
                "warrant_number": warrant_number or f"W{next(_warrants)}",
                "surname": surname,
                "forenames": forenames,
                "rank": rank,
                "base_location": base_location,
                "joined_on": joined_on,
            },
        )

    def headers(
        self, role: str, force: str | None = "cambridgeshire", officer: Officer | int | None = None
    ) -> dict[str, str]:
        officer_id = officer.id if isinstance(officer, Officer) else officer
        if role != "special":
            officer_id = None  # only a special's token is tied to one officer
        if role in ("special", "npocc", "admin"):
            force = None
        token = create_token(self.db, role=role, force_code=force, officer_id=officer_id)
        return {"Authorization": f"Bearer {token.secret}"}

    def units(self, officer: Officer, attained_on: date, units: tuple[str, ...] = UNITS) -> None:
        for unit in units:
            ips.record_competency(
                self.db,
                ADMIN,
                officer.id,
                unit=unit,
                attained_on=attained_on,
                assessed_by="PS Harper",
                evidence_ref=f"PDP-{unit}",
            )

    def ost(self, officer: Officer, completed_on: date, expires_on: date | None = None) -> None:
        ips.record_training(
            self.db, ADMIN, officer.id, kind="ost", completed_on=completed_on, expires_on=expires_on
        )

    def grant(self, officer: Officer, granted_on: date) -> None:
        ips.grant_ips(
            self.db,
            ADMIN,
            officer.id,
            granted_on=granted_on,
            authorised_by=ips.Authorisation("Chris Morgan", "SCO", "Head of Specials"),
        )

    def stage(
        self, officer: Officer, stage: str, attained_on: date, area: str | None = None
    ) -> LearningRecord:
        return learning.record_stage(
            self.db,
            ADMIN,
            officer.id,
            stage=stage,
            area=area,
            attained_on=attained_on,
            assessed_by="PS Harper",
            evidence_ref=f"OCP-{stage}",
        )

    def dps_officer(
        self, force: str = "cambridgeshire", *, since: date = date(2025, 1, 1), **officer: str
    ) -> Officer:
        """An officer at APS from `since`, DPS a month later, with safety training from `since`."""
        made = self.officer(force, joined_on=since - timedelta(days=365), **officer)
        self.stage(made, "APS", since)
        self.stage(made, "DPS", since + timedelta(days=31))
        self.ost(made, since)
        return made

    def ips_officer(
        self,
        force: str = "cambridgeshire",
        *,
        since: date = date(2025, 1, 1),
        ost_on: date | None = None,
        **officer: str,
    ) -> Officer:
        """An officer holding IPS from `since`, OST completed on `ost_on` (default `since`)."""
        made = self.officer(force, joined_on=since - timedelta(days=365), **officer)
        self.units(made, since)
        self.ost(made, ost_on or since)
        self.grant(made, since)
        return made

    def duty(
        self,
        officer: Officer,
        starts_at: datetime,
        hours: float = 6,
        *,
        duty_type: str = "patrol",
        complete: bool = False,
    ) -> Duty:
        duty = duties.book_duty(
            self.db,
            ADMIN,
            duties.DutyBooking(
                officer_id=officer.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                duty_type=duty_type,
            ),
        )
        if complete:
            duty = duties.complete_duty(self.db, ADMIN, duty.id, None, None)
        return duty
