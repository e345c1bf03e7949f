from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.ips.serving import officer_leaves

from ..support.builders import ADMIN, Builder


def test_team_hours_for_a_month_with_red_amber_green(client: FlaskClient, build: Builder) -> None:
    green = build.officer(warrant_number="A1")
    amber = build.officer(warrant_number="A2")
    red = build.officer(warrant_number="A3")
    left = build.officer(warrant_number="A4")
    officer_leaves(build.db, ADMIN, left.id, date(2026, 4, 30))
    build.officer("norfolk", warrant_number="N1")
    build.duty(green, datetime(2026, 5, 2, 18, tzinfo=UTC), hours=10, complete=True)
    build.duty(green, datetime(2026, 5, 9, 18, tzinfo=UTC), hours=6.5, complete=True)
    build.duty(amber, datetime(2026, 5, 31, 23, 30, tzinfo=UTC), hours=3, complete=True)  # June
    build.duty(amber, datetime(2026, 5, 3, 18, tzinfo=UTC), hours=4, complete=True)
    build.duty(red, datetime(2026, 5, 3, 18, tzinfo=UTC), hours=4)  # booked, not completed
    response = client.get(
        "/api/v1/reports/hours?force=cambridgeshire&month=2026-05", headers=build.headers("planner")
    )
    assert response.status_code == 200
    rows = [(i["officer_ref"], i["hours"], i["status"]) for i in response.get_json()["items"]]
    assert rows == [
        ("cambridgeshire-A1", 16.5, "green"),
        ("cambridgeshire-A2", 4.0, "amber"),
        ("cambridgeshire-A3", 0.0, "red"),
    ]
    assert (
        client.get(
            "/api/v1/reports/hours?force=norfolk&month=2026-05", headers=build.headers("planner")
        ).status_code
        == 404  # another force's report is outside the planner's scope: absent to it
    )
    assert (
        client.get(
            "/api/v1/reports/hours?force=cambridgeshire&month=2026-13",
            headers=build.headers("planner"),
        ).status_code
        == 400
    )
    special = build.headers("special", officer=green)
    assert (
        client.get(
            "/api/v1/reports/hours?force=cambridgeshire&month=2026-05", headers=special
        ).status_code
        == 403
    )


def test_expiring_training_soonest_first_and_not_once_renewed(
    client: FlaskClient, build: Builder
) -> None:
    today = london_today()
    soon = build.officer(warrant_number="E1")
    build.ost(soon, today - timedelta(days=300), today + timedelta(days=10))
    sooner = build.officer(warrant_number="E2")
    build.ost(sooner, today - timedelta(days=300), today + timedelta(days=3))
    renewed = build.officer(warrant_number="E3")
    build.ost(renewed, today - timedelta(days=300), today + timedelta(days=5))
    build.ost(renewed, today, None)
    later = build.officer(warrant_number="E4")
    build.ost(later, today - timedelta(days=10), today + timedelta(days=90))
    lapsed = build.officer(warrant_number="E5")
    build.ost(lapsed, today - timedelta(days=400), today - timedelta(days=1))
    items = client.get(
        "/api/v1/reports/expiring?force=cambridgeshire&within_days=60",
        headers=build.headers("supervisor"),
    ).get_json()["items"]
    assert [(i["officer_ref"], i["what"], i["expires_on"]) for i in items] == [
        ("cambridgeshire-E2", "ost", (today + timedelta(days=3)).isoformat()),
        ("cambridgeshire-E1", "ost", (today + timedelta(days=10)).isoformat()),
    ]
