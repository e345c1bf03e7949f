"""The planners' question: who is deployable, with IPS, in this window, here or nationally."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, cast

from flask.testing import FlaskClient
from sqlalchemy import Connection, event

from dutyservice.db import Database

from ..support.builders import Builder

WINDOW = "from=2025-12-20T18:00:00Z&to=2025-12-21T02:00:00Z"


def deployable(client: FlaskClient, headers: dict[str, str], query: str = WINDOW) -> dict[str, Any]:
    response = client.get(f"/api/v1/deployable?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return cast(dict[str, Any], response.get_json())


def refs(body: dict[str, Any]) -> list[str]:
    return [item["officer_ref"] for item in body["items"]]


def test_only_officers_meeting_the_profile_and_free_are_deployable(
    client: FlaskClient, build: Builder
) -> None:
    ready = build.ips_officer(since=date(2025, 6, 1), warrant_number="A1")
    busy = build.ips_officer(since=date(2025, 6, 1), warrant_number="A2")
    build.duty(busy, datetime(2025, 12, 20, 20, tzinfo=UTC), hours=3)
    no_ips = build.officer(warrant_number="A3", joined_on=date(2024, 1, 1))
    build.units(no_ips, date(2025, 6, 1))
    build.ost(no_ips, date(2025, 6, 1))
    cancelled = build.ips_officer(since=date(2025, 6, 1), warrant_number="A4")
    duty = build.duty(cancelled, datetime(2025, 12, 20, 20, tzinfo=UTC), hours=3)
    from dutyservice.duties.service import cancel_duty

    from ..support.builders import ADMIN

    cancel_duty(build.db, ADMIN, duty.id)
    body = deployable(client, build.headers("planner"))
    assert refs(body) == ["cambridgeshire-A1", "cambridgeshire-A4"]
    assert body["by_force"] == {"cambridgeshire": 2}
    assert body["total"] == 2
    item = body["items"][0]
    assert item == {
        "officer_id": ready.id,
        "officer_ref": "cambridgeshire-A1",
        "force": "cambridgeshire",
        "rank": "SC",
        "base_location": "Parkside",
        "ost_expires_on": "2026-05-31",
    }


def test_a_duty_touching_the_window_leaves_the_officer_free_and_one_into_it_does_not(
    client: FlaskClient, build: Builder
) -> None:
    # The window is 18:00 to 02:00. Touching ends are fine; a minute's overlap at either end is
    # not, nor a long duty begun the afternoon before.
    officers = {
        ref: build.ips_officer(since=date(2025, 6, 1), warrant_number=ref)
        for ref in ("D1", "D2", "D3", "D4", "D5")
    }
    build.duty(officers["D1"], datetime(2025, 12, 20, 12, tzinfo=UTC), hours=6)
    build.duty(officers["D2"], datetime(2025, 12, 21, 2, tzinfo=UTC), hours=6)
    build.duty(officers["D3"], datetime(2025, 12, 20, 12, 1, tzinfo=UTC), hours=6)
    build.duty(officers["D4"], datetime(2025, 12, 21, 1, 59, tzinfo=UTC), hours=6)
    build.duty(officers["D5"], datetime(2025, 12, 19, 19, tzinfo=UTC), hours=24)
    body = deployable(client, build.headers("planner"))
    assert refs(body) == ["cambridgeshire-D1", "cambridgeshire-D2"]
    assert body["by_force"] == {"cambridgeshire": 2}


def test_a_window_cut_by_an_ost_expiry_excludes_the_officer(
    client: FlaskClient, build: Builder
) -> None:
    # B1's training expires 2025-12-31: deployable for a window ending that day, not one crossing
    # into the next; B2 renewed in June.
    build.ips_officer(since=date(2025, 1, 1), warrant_number="B1")
    renewed = build.ips_officer(since=date(2025, 1, 1), warrant_number="B2")
    build.ost(renewed, date(2025, 6, 1))
    headers = build.headers("planner")
    assert refs(
        deployable(client, headers, "from=2025-12-31T18:00:00Z&to=2026-01-01T00:00:00Z")
    ) == ["cambridgeshire-B1", "cambridgeshire-B2"]
    assert refs(
        deployable(client, headers, "from=2025-12-31T18:00:00Z&to=2026-01-01T02:00:00Z")
    ) == ["cambridgeshire-B2"]


def test_renewed_training_keeps_a_window_across_the_renewal_covered(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.ips_officer(since=date(2025, 1, 1), warrant_number="C1")
    build.ost(officer, date(2026, 1, 1))  # the first runs to 2025-12-31; no gap
    assert refs(deployable(client, build.headers("planner"), "from=2025-12-30&to=2026-01-02")) == [
        "cambridgeshire-C1"
    ]


def test_leavers_and_withdrawn_ips_are_not_deployable(client: FlaskClient, build: Builder) -> None:
    from dutyservice.ips.service import withdraw_ips
    from dutyservice.ips.serving import officer_leaves

    from ..support.builders import ADMIN

    leaver = build.ips_officer(since=date(2025, 1, 1), warrant_number="D1")
    officer_leaves(build.db, ADMIN, leaver.id, date(2025, 12, 21))
    withdrawn = build.ips_officer(since=date(2025, 1, 1), warrant_number="D2")
    withdraw_ips(build.db, ADMIN, withdrawn.id, withdrawn_on=date(2025, 12, 21), reason="x")
    headers = build.headers("planner")
    assert refs(
        deployable(client, headers, "from=2025-12-20T08:00:00Z&to=2025-12-20T12:00:00Z")
    ) == ["cambridgeshire-D1", "cambridgeshire-D2"]
    assert refs(deployable(client, headers)) == []  # the window reaches 21 December


def test_available_only_needs_declared_availability_covering_the_window(
    client: FlaskClient, build: Builder
) -> None:
    covered = build.ips_officer(since=date(2025, 1, 1), warrant_number="E1")
    partial = build.ips_officer(since=date(2025, 1, 1), warrant_number="E2")
    build.ips_officer(since=date(2025, 1, 1), warrant_number="E3")
    supervisor = build.headers("supervisor")
    for officer, windows in (
        (
            covered,
            [
                ("2025-12-20T17:00:00Z", "2025-12-20T23:00:00Z"),
                ("2025-12-20T23:00:00Z", "2025-12-21T03:00:00Z"),
            ],
        ),
        (partial, [("2025-12-20T17:00:00Z", "2025-12-20T23:00:00Z")]),
    ):
        put = client.put(
            f"/api/v1/officers/{officer.id}/availability",
            headers=supervisor,
            json={
                "from": "2025-12-20",
                "to": "2025-12-21",
                "windows": [{"starts_at": s, "ends_at": e} for s, e in windows],
            },
        )
        assert put.status_code == 200, put.get_json()
    planner = build.headers("planner")
    assert len(refs(deployable(client, planner))) == 3
    assert refs(deployable(client, planner, WINDOW + "&available_only=true")) == [
        "cambridgeshire-E1"
    ]


def test_force_planners_see_their_force_and_npocc_sees_the_nation(
    client: FlaskClient, build: Builder
) -> None:
    build.ips_officer("cambridgeshire", warrant_number="F1")
    build.ips_officer("norfolk", warrant_number="F2")
    build.ips_officer("norfolk", warrant_number="F3")
    assert refs(deployable(client, build.headers("planner", "norfolk"))) == [
        "norfolk-F2",
        "norfolk-F3",
    ]
    assert (
        client.get(
            f"/api/v1/deployable?{WINDOW}&force=cambridgeshire",
            headers=build.headers("planner", "norfolk"),
        ).status_code
        == 404
    )
    national = deployable(client, build.headers("npocc"))
    assert national["by_force"] == {"cambridgeshire": 1, "norfolk": 2}
    one_force = deployable(client, build.headers("npocc"), WINDOW + "&force=norfolk")
    assert one_force["by_force"] == {"norfolk": 2}
    for role in ("special", "supervisor", "authoriser"):
        officer = build.officer()
        assert (
            client.get(
                f"/api/v1/deployable?{WINDOW}", headers=build.headers(role, officer=officer)
            ).status_code
            == 403
        )


def test_pagination_and_window_validation(client: FlaskClient, build: Builder) -> None:
    for i in range(5):
        build.ips_officer(warrant_number=f"G{i}")
    headers = build.headers("planner")
    page = deployable(client, headers, WINDOW + "&per_page=2&page=3")
    assert refs(page) == ["cambridgeshire-G4"]
    assert page["total"] == 5
    backwards = client.get(
        "/api/v1/deployable?from=2025-12-21T00:00:00Z&to=2025-12-20T00:00:00Z", headers=headers
    )
    assert backwards.status_code == 422
    unknown = client.get(f"/api/v1/deployable?{WINDOW}&version=9", headers=headers)
    assert unknown.status_code == 422
    assert client.get("/api/v1/deployable?from=2025-12-21", headers=headers).status_code == 400


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_query_count_does_not_grow_with_the_officers_returned(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    headers = build.headers("npocc")
    build.ips_officer(warrant_number="H0")
    with counting_statements(db) as few:
        assert deployable(client, headers)["total"] == 1
    for i in range(1, 12):
        build.ips_officer("norfolk" if i % 2 else "cambridgeshire", warrant_number=f"H{i}")
    with counting_statements(db) as many:
        assert deployable(client, headers)["total"] == 12
    assert len(many) == len(few)
