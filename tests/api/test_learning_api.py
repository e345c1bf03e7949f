"""The learning programme (SCLP) beside IPS: stage records, their rules, an officer's stage."""

from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ..support.builders import Builder

AREAS = ["response", "communities", "roads", "intelligence", "investigations"]


def record(
    client: FlaskClient, headers: dict[str, str], officer_id: int, **body: object
) -> TestResponse:
    body = {"assessed_by": "PS Harper", "evidence_ref": "OCP-1", **body}
    return client.post(f"/api/v1/officers/{officer_id}/learning", json=body, headers=headers)


def test_the_programme_lists_its_stages_in_order_and_the_five_core_areas(
    client: FlaskClient, build: Builder
) -> None:
    body = client.get("/api/v1/learning-programme", headers=build.headers("planner")).get_json()
    assert [s["code"] for s in body["stages"]] == ["APS", "DPS", "QSC"]
    assert [a["code"] for a in body["areas"]] == AREAS


def test_a_supervisor_records_aps_then_dps_and_the_officer_stands_at_dps_since_that_day(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    supervisor = build.headers("supervisor")
    aps = record(client, supervisor, officer.id, stage="APS", attained_on="2025-02-01")
    assert aps.status_code == 201, aps.get_json()
    assert aps.get_json()["area"] is None
    assert aps.get_json()["assessed_by"] == "PS Harper"
    dps = record(client, supervisor, officer.id, stage="DPS", attained_on="2025-06-01")
    assert dps.status_code == 201, dps.get_json()
    url = f"/api/v1/officers/{officer.id}/learning"
    before = client.get(f"{url}?on=2025-05-31", headers=supervisor).get_json()
    after = client.get(f"{url}?on=2025-07-01", headers=supervisor).get_json()
    assert (before["stage"], before["since"]) == ("APS", "2025-02-01")
    assert (after["stage"], after["since"], after["qsc_full"]) == ("DPS", "2025-06-01", False)
    assert len(after["records"]) == 2
    none = client.get(f"{url}?on=2025-01-01", headers=supervisor).get_json()
    assert none["stage"] is None
    assert none["since"] is None


def test_dps_without_aps_held_that_day_is_refused_and_nothing_is_stored(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    supervisor = build.headers("supervisor")
    refused = record(client, supervisor, officer.id, stage="DPS", attained_on="2025-06-01")
    assert refused.status_code == 422
    assert refused.get_json()["missing"] == ["APS"]
    # APS attained after the DPS's day is not held on it either.
    record(client, supervisor, officer.id, stage="APS", attained_on="2025-07-01")
    late = record(client, supervisor, officer.id, stage="DPS", attained_on="2025-06-01")
    assert late.status_code == 422
    body = client.get(f"/api/v1/officers/{officer.id}/learning", headers=supervisor).get_json()
    assert [r["stage"] for r in body["records"]] == ["APS"]


def test_qsc_needs_dps_and_an_area_and_is_held_per_area_up_to_qsc_f(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.dps_officer(since=date(2024, 1, 1))
    supervisor = build.headers("supervisor")
    no_area = record(client, supervisor, officer.id, stage="QSC", attained_on="2025-01-01")
    assert no_area.status_code == 422
    assert "area" in no_area.get_json()["errors"]
    bad_area = record(
        client, supervisor, officer.id, stage="QSC", area="marine", attained_on="2025-01-01"
    )
    assert bad_area.status_code == 422
    too_early = record(
        client, supervisor, officer.id, stage="QSC", area="roads", attained_on="2024-01-15"
    )
    assert too_early.status_code == 422
    assert too_early.get_json()["missing"] == ["DPS"]
    for n, area in enumerate(AREAS):
        made = record(
            client, supervisor, officer.id, stage="QSC", area=area, attained_on=f"2025-0{n + 1}-01"
        )
        assert made.status_code == 201, made.get_json()
    url = f"/api/v1/officers/{officer.id}/learning"
    march = client.get(f"{url}?on=2025-03-15", headers=supervisor).get_json()
    assert march["stage"] == "QSC"
    assert march["qsc_areas"] == AREAS[:3]
    assert march["qsc_full"] is False
    assert march["since"] == "2025-01-01"
    june = client.get(f"{url}?on=2025-06-01", headers=supervisor).get_json()
    assert june["qsc_full"] is True
    assert june["since"] == "2025-05-01"


def test_a_stage_already_held_is_refused_until_it_is_revoked(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    supervisor = build.headers("supervisor")
    first = record(client, supervisor, officer.id, stage="APS", attained_on="2025-02-01")
    again = record(client, supervisor, officer.id, stage="APS", attained_on="2025-03-01")
    assert again.status_code == 422
    assert "already" in again.get_json()["detail"]
    revoke_url = f"/api/v1/officers/{officer.id}/learning/{first.get_json()['id']}/revoke"
    early = client.post(
        revoke_url, json={"revoked_on": "2025-01-01", "reason": "x"}, headers=supervisor
    )
    assert early.status_code == 422
    revoked = client.post(
        revoke_url, json={"revoked_on": "2025-03-01", "reason": "re-assessed"}, headers=supervisor
    )
    assert revoked.status_code == 200
    assert revoked.get_json()["revoked_on"] == "2025-03-01"
    twice = client.post(
        revoke_url, json={"revoked_on": "2025-03-01", "reason": "x"}, headers=supervisor
    )
    assert twice.status_code == 409
    assert (
        record(client, supervisor, officer.id, stage="APS", attained_on="2025-03-01").status_code
        == 201
    )
    gap = client.get(f"/api/v1/officers/{officer.id}/learning?on=2025-04-01", headers=supervisor)
    assert gap.get_json()["since"] == "2025-02-01"  # revoked and re-recorded on one day: no break


def test_only_the_officers_own_force_supervisors_may_record_and_others_see_nothing(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    body = {"stage": "APS", "attained_on": "2025-02-01"}
    assert record(client, build.headers("planner"), officer.id, **body).status_code == 403
    assert (
        record(client, build.headers("special", officer=officer), officer.id, **body).status_code
        == 403
    )
    assert (
        record(client, build.headers("supervisor", "essex"), officer.id, **body).status_code == 404
    )
    assert record(client, build.headers("authoriser"), officer.id, **body).status_code == 201
    other = client.get(
        f"/api/v1/officers/{officer.id}/learning", headers=build.headers("planner", "essex")
    )
    assert other.status_code == 404
    own = client.get(
        f"/api/v1/officers/{officer.id}/learning", headers=build.headers("special", officer=officer)
    )
    assert own.status_code == 200


def test_a_record_of_the_future_an_unknown_field_or_a_leaver_is_refused(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(joined_on=date(2024, 1, 1))
    supervisor = build.headers("supervisor")
    future = record(client, supervisor, officer.id, stage="APS", attained_on="2099-01-01")
    assert future.status_code == 422
    unknown = record(client, supervisor, officer.id, stage="APS", attained_on="2025-01-01", x=1)
    assert unknown.status_code == 422
    before_joining = record(client, supervisor, officer.id, stage="APS", attained_on="2023-01-01")
    assert before_joining.status_code == 422
    area_on_aps = record(
        client, supervisor, officer.id, stage="APS", area="roads", attained_on="2025-01-01"
    )
    assert area_on_aps.status_code == 422
    body = client.get(f"/api/v1/officers/{officer.id}/learning", headers=supervisor).get_json()
    assert body["records"] == []


def test_deployable_by_stage_asks_for_dps_or_above_and_safety_training_but_no_ips(
    client: FlaskClient, build: Builder
) -> None:
    dps = build.dps_officer(since=date(2025, 1, 1), warrant_number="D1")
    aps_only = build.officer(warrant_number="D2", joined_on=date(2024, 1, 1))
    build.stage(aps_only, "APS", date(2025, 1, 1))
    build.ost(aps_only, date(2025, 1, 1))
    no_training = build.officer(warrant_number="D3", joined_on=date(2024, 1, 1))
    build.stage(no_training, "APS", date(2025, 1, 1))
    build.stage(no_training, "DPS", date(2025, 2, 1))
    busy = build.dps_officer(since=date(2025, 1, 1), warrant_number="D4")
    build.duty(busy, datetime(2025, 6, 10, 9, tzinfo=UTC), hours=2)
    qsc = build.dps_officer(since=date(2025, 1, 1), warrant_number="D5")
    build.stage(qsc, "QSC", date(2025, 3, 1), "roads")
    ips = build.ips_officer(since=date(2025, 1, 1), warrant_number="D6")
    planner = build.headers("planner")
    window = "from=2025-06-10T08:00:00Z&to=2025-06-10T12:00:00Z"

    def refs(query: str) -> list[str]:
        response = client.get(f"/api/v1/deployable?{window}&{query}", headers=planner)
        assert response.status_code == 200, response.get_json()
        return [item["officer_ref"].split("-")[-1] for item in response.get_json()["items"]]

    assert refs("stage=DPS") == ["D1", "D5"]
    assert refs("stage=APS") == ["D1", "D2", "D5"]
    assert refs("stage=QSC&area=roads") == ["D5"]
    assert refs("stage=QSC&area=response") == []
    assert refs("mercury_ref=135") == ["D6"]  # without a stage, the role profile as before
    assert dps.id
    assert ips.id
    # A window reaching back before D1's DPS (2025-02-01) is not DPS on every day.
    early = client.get(
        "/api/v1/deployable?from=2025-01-20&to=2025-02-10&stage=DPS", headers=planner
    ).get_json()
    assert [item["officer_ref"] for item in early["items"]] == []
    for bad in ("stage=QSF", "stage=DPS&area=roads", "area=roads", "stage=QSC&area=marine"):
        assert client.get(f"/api/v1/deployable?{window}&{bad}", headers=planner).status_code in (
            400,
            422,
        ), bad
