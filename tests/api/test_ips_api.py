"""Competencies, training, IPS grants and the status on a day, at every boundary."""

from datetime import date
from typing import Any, cast

import pytest
from flask.testing import FlaskClient

from dutyservice.db import Database
from dutyservice.ips.models import CompetencyRecord, IpsGrant

from ..support.builders import UNITS, Builder

AUTHORISED_BY = {"name": "Chris Morgan", "rank": "SCO", "position": "Head of Specials"}


def status_on(
    client: FlaskClient, headers: dict[str, str], officer_id: int, day: str
) -> dict[str, Any]:
    response = client.get(f"/api/v1/officers/{officer_id}/ips?on={day}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return cast(dict[str, Any], response.get_json())


def test_recording_units_and_training_through_the_api(client: FlaskClient, build: Builder) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}"
    made = client.post(
        f"{url}/competencies",
        headers=headers,
        json={
            "unit": "CD5",
            "attained_on": "2025-03-01",
            "assessed_by": "PS Harper",
            "evidence_ref": "PDP/17",
        },
    )
    assert made.status_code == 201
    assert made.get_json()["unit"] == "CD5"
    training = client.post(
        f"{url}/training", headers=headers, json={"kind": "ost", "completed_on": "2025-10-01"}
    )
    assert training.status_code == 201
    assert training.get_json()["expires_on"] == "2026-09-30"
    explicit = client.post(
        f"{url}/training",
        headers=headers,
        json={"kind": "ost", "completed_on": "2025-10-01", "expires_on": "2026-03-31"},
    )
    assert explicit.get_json()["expires_on"] == "2026-03-31"
    listed = client.get(f"{url}/competencies", headers=headers).get_json()["items"]
    assert [c["unit"] for c in listed] == ["CD5"]


def test_unknown_unit_is_422_and_a_unit_already_held_is_409(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer()
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}/competencies"
    body = {"unit": "XY9", "attained_on": "2025-03-01", "assessed_by": "PS Harper"}
    assert client.post(url, headers=headers, json=body).status_code == 422
    body["unit"] = "GC10"
    assert client.post(url, headers=headers, json=body).status_code == 201
    assert client.post(url, headers=headers, json=body).status_code == 409
    future = {**body, "unit": "BE2", "attained_on": "2099-01-01"}
    assert client.post(url, headers=headers, json=future).status_code == 422


def test_revoke_then_attain_again_keeps_both_records(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    build.units(officer, date(2025, 1, 1), ("CD5",))
    headers = build.headers("supervisor")
    url = f"/api/v1/officers/{officer.id}/competencies"
    early = client.post(
        f"{url}/CD5/revoke", headers=headers, json={"revoked_on": "2024-12-31", "reason": "x"}
    )
    assert early.status_code == 422
    revoked = client.post(
        f"{url}/CD5/revoke",
        headers=headers,
        json={"revoked_on": "2025-06-01", "reason": "failed reassessment"},
    )
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_on"] == "2025-06-01"
    assert (
        client.post(
            f"{url}/CD5/revoke",
            headers=headers,
            json={"revoked_on": "2025-07-01", "reason": "again"},
        ).status_code
        == 409  # revoked already
    )
    never_held = client.post(
        f"{url}/BE2/revoke", headers=headers, json={"revoked_on": "2025-07-01", "reason": "x"}
    )
    assert never_held.status_code == 404
    again = client.post(
        url,
        headers=headers,
        json={"unit": "CD5", "attained_on": "2025-09-01", "assessed_by": "PS Harper"},
    )
    assert again.status_code == 201
    with db.reading() as session:
        assert session.query(CompetencyRecord).filter_by(officer_id=officer.id).count() == 2


def test_grant_is_refused_with_what_is_missing_on_the_day(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer(joined_on=date(2023, 1, 1))
    build.units(officer, date(2025, 1, 1), UNITS[:4])  # no CI101, no GC10
    build.ost(officer, date(2025, 1, 1), date(2025, 12, 31))
    headers = build.headers("authoriser")
    url = f"/api/v1/officers/{officer.id}/ips"
    refused = client.post(
        url, headers=headers, json={"granted_on": "2025-06-01", "authorised_by": AUTHORISED_BY}
    )
    assert refused.status_code == 422
    assert refused.get_json()["missing"] == ["CI101", "GC10"]
    build.units(officer, date(2025, 5, 1), UNITS[4:])
    lapsed = client.post(
        url, headers=headers, json={"granted_on": "2026-01-01", "authorised_by": AUTHORISED_BY}
    )
    assert lapsed.get_json()["missing"] == ["ost"]
    with db.reading() as session:
        assert session.query(IpsGrant).count() == 0
    granted = client.post(
        url, headers=headers, json={"granted_on": "2025-06-01", "authorised_by": AUTHORISED_BY}
    )
    assert granted.status_code == 201
    assert granted.get_json()["authorised_by"] == AUTHORISED_BY
    twice = client.post(
        url, headers=headers, json={"granted_on": "2025-07-01", "authorised_by": AUTHORISED_BY}
    )
    assert twice.status_code == 409


def test_grant_needs_the_officer_serving_on_the_day(client: FlaskClient, build: Builder) -> None:
    officer = build.officer(joined_on=date(2025, 6, 1))
    build.units(officer, date(2025, 1, 1))
    build.ost(officer, date(2025, 1, 1))
    response = client.post(
        f"/api/v1/officers/{officer.id}/ips",
        headers=build.headers("authoriser"),
        json={"granted_on": "2025-05-31", "authorised_by": AUTHORISED_BY},
    )
    assert response.status_code == 422
    assert "granted_on" in response.get_json()["errors"]


def test_status_boundaries_of_units_training_grant_and_withdrawal(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.units(officer, date(2025, 2, 1))
    build.ost(officer, date(2025, 1, 15), date(2026, 1, 14))
    build.grant(officer, date(2025, 3, 1))
    headers = build.headers("planner")
    before_units = status_on(client, headers, officer.id, "2025-01-31")
    assert before_units["missing"] == list(UNITS)
    assert not before_units["granted"]
    attained = status_on(client, headers, officer.id, "2025-02-01")
    assert attained["missing"] == []
    assert not attained["deployable"]
    granted = status_on(client, headers, officer.id, "2025-03-01")
    assert granted["granted"]
    assert granted["deployable"]
    assert granted["granted_on"] == "2025-03-01"
    expiry_day = status_on(client, headers, officer.id, "2026-01-14")
    assert expiry_day["deployable"]
    assert expiry_day["ost_expires_on"] == "2026-01-14"
    after_expiry = status_on(client, headers, officer.id, "2026-01-15")
    assert after_expiry["missing"] == ["ost"]
    assert not after_expiry["deployable"]
    assert after_expiry["granted"]
    withdrawn = client.post(
        f"/api/v1/officers/{officer.id}/ips/withdraw",
        headers=build.headers("authoriser"),
        json={"withdrawn_on": "2025-09-01", "reason": "conduct"},
    )
    assert withdrawn.status_code == 200
    assert status_on(client, headers, officer.id, "2025-08-31")["granted"]
    on_withdrawal = status_on(client, headers, officer.id, "2025-09-01")
    assert not on_withdrawal["granted"]
    assert not on_withdrawal["deployable"]


def test_revocation_day_and_leaving_day_end_deployability(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 1))
    headers = build.headers("supervisor")
    client.post(
        f"/api/v1/officers/{officer.id}/competencies/GC10/revoke",
        headers=headers,
        json={"revoked_on": "2025-05-10", "reason": "lapsed"},
    )
    assert status_on(client, headers, officer.id, "2025-05-09")["deployable"]
    assert status_on(client, headers, officer.id, "2025-05-10")["missing"] == ["GC10"]
    other = build.ips_officer(since=date(2025, 1, 1))
    client.post(
        f"/api/v1/officers/{other.id}/leave", headers=headers, json={"left_on": "2025-04-01"}
    )
    assert status_on(client, headers, other.id, "2025-03-31")["deployable"]
    left = status_on(client, headers, other.id, "2025-04-01")
    assert not left["serving"]
    assert not left["deployable"]
    assert status_on(client, headers, other.id, "2024-12-31")["serving"]


def test_regrant_after_withdrawal(client: FlaskClient, build: Builder) -> None:
    officer = build.ips_officer(since=date(2025, 1, 1))
    headers = build.headers("authoriser")
    url = f"/api/v1/officers/{officer.id}/ips"
    assert (
        client.post(
            f"{url}/withdraw", headers=headers, json={"withdrawn_on": "2024-12-31", "reason": "x"}
        ).status_code
        == 422
    )
    client.post(
        f"{url}/withdraw",
        headers=headers,
        json={"withdrawn_on": "2025-04-01", "reason": "investigation"},
    )
    assert (
        client.post(
            f"{url}/withdraw", headers=headers, json={"withdrawn_on": "2025-05-01", "reason": "x"}
        ).status_code
        == 409
    )
    regrant = client.post(
        url, headers=headers, json={"granted_on": "2025-06-01", "authorised_by": AUTHORISED_BY}
    )
    assert regrant.status_code == 201
    assert not status_on(client, headers, officer.id, "2025-05-15")["granted"]
    assert status_on(client, headers, officer.id, "2025-06-01")["granted_on"] == "2025-06-01"
    grants = client.get(f"{url}/grants", headers=headers).get_json()["items"]
    assert [g["withdrawn_on"] for g in grants] == ["2025-04-01", None]


@pytest.mark.parametrize(
    ("role", "expected"), [("special", 403), ("planner", 403), ("supervisor", 201)]
)
def test_who_may_record_competencies(
    client: FlaskClient, build: Builder, role: str, expected: int
) -> None:
    officer = build.officer()
    response = client.post(
        f"/api/v1/officers/{officer.id}/competencies",
        headers=build.headers(role, officer=officer),
        json={"unit": "CD1", "attained_on": "2025-01-01", "assessed_by": "PS Harper"},
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [("special", 403), ("supervisor", 403), ("planner", 403), ("authoriser", 201)],
)
def test_only_authorisers_grant_ips(
    client: FlaskClient, build: Builder, role: str, expected: int
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.units(officer, date(2025, 1, 1))
    build.ost(officer, date(2025, 1, 1))
    response = client.post(
        f"/api/v1/officers/{officer.id}/ips",
        headers=build.headers(role, officer=officer),
        json={"granted_on": "2025-02-01", "authorised_by": AUTHORISED_BY},
    )
    assert response.status_code == expected


def test_another_forces_authoriser_cannot_see_or_grant(client: FlaskClient, build: Builder) -> None:
    officer = build.officer("norfolk", joined_on=date(2024, 1, 1))
    build.units(officer, date(2025, 1, 1))
    build.ost(officer, date(2025, 1, 1))
    headers = build.headers("authoriser", "cambridgeshire")
    assert (
        client.post(
            f"/api/v1/officers/{officer.id}/ips",
            headers=headers,
            json={"granted_on": "2025-02-01", "authorised_by": AUTHORISED_BY},
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/officers/{officer.id}/ips", headers=headers).status_code == 404
    assert client.get(f"/api/v1/officers/{officer.id}/history", headers=headers).status_code == 404


def test_history_says_who_recorded_what_when_and_through_which_token(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    from dutyservice.auth.service import create_token

    officer = build.officer()
    supervisor = create_token(db, role="supervisor", force_code="cambridgeshire")
    headers = {"Authorization": f"Bearer {supervisor.secret}"}
    client.post(
        f"/api/v1/officers/{officer.id}/competencies",
        headers=headers,
        json={"unit": "CD1", "attained_on": "2025-01-01", "assessed_by": "PS Harper"},
    )
    client.post(
        f"/api/v1/officers/{officer.id}/competencies/CD1/revoke",
        headers=headers,
        json={"revoked_on": "2025-02-01", "reason": "error in assessment"},
    )
    history = client.get(f"/api/v1/officers/{officer.id}/history", headers=headers).get_json()
    actions = [(e["action"], e["token_id"], e["role"]) for e in history["items"]]
    assert actions == [
        ("officer.create", None, "admin"),
        ("competency.record", supervisor.id, "supervisor"),
        ("competency.revoke", supervisor.id, "supervisor"),
    ]
    assert history["items"][2]["changes"]["reason"] == "error in assessment"
    assert history["items"][1]["at"].endswith("Z")
