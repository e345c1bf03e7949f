"""An event that requires a stage of the learning programme instead of a role profile: the
call-out's mail goes to those who meet it, and only they may sign up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.errors import Invalid
from dutyservice.events import service as events
from dutyservice.notify.sending import send_queued

from ..support.builders import ADMIN, Builder
from ..support.smtp import Mailbox, plain_text
from .conftest import SOON, TODAY, address, callout, qualified, with_email


def at_dps(build: Builder, **officer: str) -> Officer:
    made = build.dps_officer(since=date(2025, 1, 6), **officer)
    build.ost(made, TODAY - timedelta(days=30))
    return made


def test_a_call_out_for_dps_reaches_those_at_dps_or_above_and_says_so(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    dps = with_email(db, at_dps(build))
    qsc = at_dps(build)
    build.stage(qsc, "QSC", date(2025, 6, 1), "roads")
    with_email(db, qsc)
    aps_only = with_email(db, build.officer(joined_on=date(2024, 1, 1)))
    build.stage(aps_only, "APS", date(2025, 1, 6))
    build.ost(aps_only, TODAY - timedelta(days=30))
    ips_only = with_email(db, qualified(build))

    callout(db, mercury_ref=None, version=None, stage="DPS")
    send_queued(db, settings)

    assert mailbox.recipients() == sorted([address(dps), address(qsc)])
    assert mailbox.messages_to(address(aps_only)) == []
    assert mailbox.messages_to(address(ips_only)) == []
    body = plain_text(mailbox.messages_to(address(dps))[0])
    assert "Volunteers must be at DPS or above of the learning programme" in body


def test_a_call_out_for_qsc_in_roads_reaches_only_those_qualified_in_roads(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    roads = at_dps(build)
    build.stage(roads, "QSC", date(2025, 6, 1), "roads")
    with_email(db, roads)
    response = at_dps(build)
    build.stage(response, "QSC", date(2025, 6, 1), "response")
    with_email(db, response)
    callout(db, mercury_ref=None, version=None, stage="QSC", area="roads")
    send_queued(db, settings)
    assert mailbox.recipients() == [address(roads)]


def test_only_officers_at_the_events_stage_may_sign_up(
    client: FlaskClient, db: Database, build: Builder
) -> None:
    event = callout(db, mercury_ref=None, version=None, stage="DPS")
    dps = at_dps(build)
    aps_only = build.officer(joined_on=date(2024, 1, 1))
    build.stage(aps_only, "APS", date(2025, 1, 6))
    build.ost(aps_only, TODAY - timedelta(days=30))
    supervisor = build.headers("supervisor")
    url = f"/api/v1/events/{event.id}/signups"
    refused = client.post(url, json={"officer_id": aps_only.id}, headers=supervisor)
    assert refused.status_code == 422
    assert "DPS or above" in refused.get_json()["errors"]["officer_id"][0]
    signed = client.post(url, json={"officer_id": dps.id}, headers=supervisor)
    assert signed.status_code == 201, signed.get_json()
    shown = client.get("/api/v1/events?force=cambridgeshire", headers=supervisor).get_json()
    assert (shown["items"][0]["stage"], shown["items"][0]["mercury_ref"]) == ("DPS", None)


def test_an_event_requires_a_profile_or_a_stage_never_both(db: Database) -> None:
    with pytest.raises(Invalid):
        callout(db, stage="DPS")  # the default call-out names role profile 135
    with pytest.raises(Invalid):
        callout(db, mercury_ref=None, version=None, stage="DPS", area="roads")
    with pytest.raises(Invalid):
        events.create_event(
            db, ADMIN, {**_minimal(), "mercury_ref": None, "stage": None, "area": "roads"}
        )


def _minimal() -> dict[str, object]:
    return {
        "force": "cambridgeshire",
        "title": "Op",
        "description": "",
        "location": "",
        "starts_at": SOON,
        "ends_at": SOON + timedelta(hours=2),
        "duty_type": "event",
        "capacity": 1,
        "signup_deadline": SOON - timedelta(days=1),
        "open_to": "force",
    }
