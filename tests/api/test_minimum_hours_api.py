"""Minimum hours by period and stage: the monthly status uses the minimum in force that month
for the officer's stage that month."""

from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ..support.builders import Builder


def put_minimum(client: FlaskClient, headers: dict[str, str], **body: object) -> TestResponse:
    return client.put("/api/v1/forces/cambridgeshire/minimum-hours", json=body, headers=headers)


def test_a_stage_change_in_the_middle_of_a_year_changes_the_minimum_from_the_next_month(
    client: FlaskClient, build: Builder
) -> None:
    admin = build.headers("admin")
    assert put_minimum(client, admin, from_month="2025-01", stage=None, hours=16).status_code == 200
    dps = put_minimum(client, admin, from_month="2025-01", stage="DPS", hours=12)
    assert dps.get_json() == {
        "force": "cambridgeshire",
        "from_month": "2025-01",
        "stage": "DPS",
        "hours": 12.0,
    }
    # A later row for every officer does not outrank the DPS row: a row with a stage wins.
    assert put_minimum(client, admin, from_month="2025-09", stage=None, hours=20).status_code == 200
    officer = build.officer(joined_on=date(2024, 1, 1))
    build.stage(officer, "APS", date(2024, 6, 1))
    build.stage(officer, "DPS", date(2025, 6, 15))
    build.duty(officer, datetime(2025, 5, 10, 8, tzinfo=UTC), hours=14, complete=True)
    build.duty(officer, datetime(2025, 7, 10, 8, tzinfo=UTC), hours=14, complete=True)
    supervisor = build.headers("supervisor")
    months = client.get(
        f"/api/v1/officers/{officer.id}/hours?year=2025", headers=supervisor
    ).get_json()["items"]
    assert [m["minimum"] for m in months] == [16.0] * 6 + [12.0] * 6
    assert (months[4]["status"], months[6]["status"]) == ("amber", "green")
    # The force's rows begin in 2025: before them, the force's setting.
    before = client.get(f"/api/v1/officers/{officer.id}/hours?year=2024", headers=supervisor)
    assert before.get_json()["items"][11]["minimum"] == 16.0
    aps_only = build.officer(joined_on=date(2024, 1, 1))
    build.stage(aps_only, "APS", date(2024, 6, 1))
    for month, minimum in (("2025-07", 16.0), ("2025-10", 20.0)):
        report = client.get(
            f"/api/v1/reports/hours?force=cambridgeshire&month={month}", headers=supervisor
        ).get_json()["items"]
        by_officer = {item["officer_id"]: item["minimum"] for item in report}
        assert by_officer == {officer.id: 12.0, aps_only.id: minimum}


def test_setting_a_month_again_replaces_it_and_only_admins_may(
    client: FlaskClient, build: Builder
) -> None:
    admin = build.headers("admin")
    put_minimum(client, admin, from_month="2025-01", stage=None, hours=16)
    put_minimum(client, admin, from_month="2025-01", stage=None, hours=8)
    officer = build.officer(joined_on=date(2024, 1, 1))
    months = client.get(f"/api/v1/officers/{officer.id}/hours?year=2025", headers=admin).get_json()[
        "items"
    ]
    assert {m["minimum"] for m in months} == {8.0}
    supervisor = build.headers("supervisor")
    refused = put_minimum(client, supervisor, from_month="2025-01", stage=None, hours=1)
    assert refused.status_code == 403
    for bad in (
        {"from_month": "2025-13", "stage": None, "hours": 1},
        {"from_month": "2025-01", "stage": "QSC-F", "hours": 1},
        {"from_month": "2025-01", "stage": None, "hours": -1},
        {"from_month": "2025-01", "hours": 1, "extra": 1},
    ):
        assert put_minimum(client, admin, **bad).status_code == 422, bad
    unknown = client.put(
        "/api/v1/forces/atlantis/minimum-hours",
        json={"from_month": "2025-01", "stage": None, "hours": 1},
        headers=admin,
    )
    assert unknown.status_code == 404
