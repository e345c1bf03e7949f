"""`GET /metrics` (API.md "Metrics"): admin only, requests by endpoint name, stored state."""

from __future__ import annotations

from flask.testing import FlaskClient

from ..support.builders import Builder
from ..support.metrics import endpoint_names, sample

REQUESTS = "dutyservice_http_requests_total"


def test_metrics_need_a_token(client: FlaskClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 401
    assert answer.content_type == "application/problem+json"


def test_metrics_are_refused_to_every_role_but_admin(client: FlaskClient, build: Builder) -> None:
    for role in ("supervisor", "authoriser", "planner", "npocc"):
        answer = client.get("/metrics", headers=build.headers(role))
        assert answer.status_code == 403, role
    special = build.officer()
    assert (
        client.get("/metrics", headers=build.headers("special", officer=special)).status_code == 403
    )


def test_requests_are_counted_by_endpoint_name_never_by_path(
    client: FlaskClient, build: Builder
) -> None:
    admin = build.headers("admin")
    officer = build.officer()
    before = client.get("/metrics", headers=admin).get_data(as_text=True)
    for _ in range(3):
        assert client.get(f"/api/v1/officers/{officer.id}", headers=admin).status_code == 200
    after = client.get("/metrics", headers=admin).get_data(as_text=True)
    labels = {"method": "GET", "status": "200"}
    endpoints = endpoint_names(after, REQUESTS)
    officer_endpoints = [e for e in endpoints if "officer" in e.lower()]
    assert officer_endpoints, endpoints
    assert not any("/" in e for e in endpoints), endpoints  # names, not paths with ids in them
    counted = sum(
        sample(after, REQUESTS, endpoint=e, **labels)
        - sample(before, REQUESTS, endpoint=e, **labels)
        for e in officer_endpoints
    )
    assert counted == 3
    assert "Smith" not in after
    assert officer.warrant_number not in after


def test_bookings_and_refusals_are_counted(client: FlaskClient, build: Builder) -> None:
    admin = build.headers("admin")
    officer = build.officer()
    before = client.get("/metrics", headers=admin).get_data(as_text=True)
    body = {
        "officer_id": officer.id,
        "duty_type": "patrol",
        "starts_at": "2026-12-31T20:00:00Z",
        "ends_at": "2026-12-31T23:00:00Z",
    }
    assert client.post("/api/v1/duties", json=body, headers=admin).status_code == 201
    assert client.post("/api/v1/duties", json=body, headers=admin).status_code == 409
    after = client.get("/metrics", headers=admin).get_data(as_text=True)
    booked = sample(after, "dutyservice_bookings_total") - sample(
        before, "dutyservice_bookings_total"
    )
    refused = sample(after, "dutyservice_refusals_total", action="booking", status="409") - sample(
        before, "dutyservice_refusals_total", action="booking", status="409"
    )
    assert (booked, refused) == (1, 1)


def test_returns_by_status_are_read_from_the_database(client: FlaskClient, build: Builder) -> None:
    admin = build.headers("admin")
    made = client.post(
        "/api/v1/npocc/returns",
        json={"quarter": "2026-Q3", "force": "cambridgeshire"},
        headers=admin,
    )
    assert made.status_code == 201
    text = client.get("/metrics", headers=admin).get_data(as_text=True)
    # No feed is configured: the return is filed, and nothing is pending delivery.
    assert sample(text, "dutyservice_npocc_returns", status="filed") == 1
    assert sample(text, "dutyservice_npocc_returns", status="pending") == 0
    assert sample(text, "dutyservice_npocc_returns_pending_delivery") == 0
    assert sample(text, "dutyservice_npocc_returns", status="delivered") == 0


def series(text: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, tuple(sorted(s.labels.items())))
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_made_up_methods_and_paths_add_no_series(client: FlaskClient, build: Builder) -> None:
    admin = build.headers("admin")
    for method in ("GET", "BREW", "PROPFIND"):  # each known or `other` once, before counting
        client.open(f"/api/v1/warmup-{method}", method=method)
    # ... and /metrics itself, whose first answer in this process is counted after it is read
    client.get("/metrics", headers=admin)
    before = series(client.get("/metrics", headers=admin).get_data(as_text=True))
    for n in range(300):
        answer = client.open(f"/api/v1/made-up/{n}?x={n}", method=f"X{n}METHOD")
        assert answer.status_code < 500
    after_text = client.get("/metrics", headers=admin).get_data(as_text=True)
    assert series(after_text) == before
    assert "X1METHOD" not in after_text
    assert "made-up" not in after_text
    assert sample(after_text, REQUESTS, endpoint="unmatched", method="other") >= 300


def test_accepted_sign_ups_are_counted(client: FlaskClient, build: Builder) -> None:
    from .test_events_api import create

    admin = build.headers("admin")
    event = create(client, build)
    before = client.get("/metrics", headers=admin).get_data(as_text=True)
    officer = build.officer()
    url = f"/api/v1/events/{event['id']}/signups"
    assert client.post(url, json={"officer_id": officer.id}, headers=admin).status_code == 201
    after = client.get("/metrics", headers=admin).get_data(as_text=True)
    signed_up = sample(after, "dutyservice_signups_total") - sample(
        before, "dutyservice_signups_total"
    )
    assert signed_up == 1


def test_the_outbox_and_the_schedulers_last_successes_are_gauges_read_from_the_database(
    client: FlaskClient, build: Builder
) -> None:
    from datetime import timedelta

    from dutyservice.clock import utc_now
    from dutyservice.jobruns import record_success
    from dutyservice.outbox import Notification

    db = build.db
    admin = build.headers("admin")
    now = utc_now()
    with db.transaction() as session:
        for n, (status, age) in enumerate((("queued", 3600), ("queued", 60), ("failed", 10))):
            made = now - timedelta(seconds=age)
            session.add(
                Notification(
                    kind="return",
                    subject=f"return:{n}",
                    recipient="admin",
                    status=status,
                    next_attempt_at=made,
                    created_at=made,
                )
            )
    record_success(db, "notifications", now - timedelta(minutes=2))
    text = client.get("/metrics", headers=admin).get_data(as_text=True)
    assert sample(text, "dutyservice_outbox_messages", status="queued") == 2
    assert sample(text, "dutyservice_outbox_messages", status="failed") == 1
    assert 3600 <= sample(text, "dutyservice_outbox_oldest_queued_age_seconds") < 3900
    last = sample(
        text, "dutyservice_scheduler_last_success_timestamp_seconds", scheduler_job="notifications"
    )
    assert last == (now - timedelta(minutes=2)).timestamp()


def test_every_metric_the_alerts_and_the_dashboard_name_is_served(
    client: FlaskClient, build: Builder
) -> None:
    import re
    from pathlib import Path

    from dutyservice.jobruns import record_success

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    admin = build.headers("admin")
    record_success(build.db, "notifications")
    client.get("/api/v1/forces", headers=admin)
    served = client.get("/metrics", headers=admin).get_data(as_text=True)
    names = set(re.findall(r"^(dutyservice_\w+?)(?:\{| )", served, re.M))
    for source in (deploy / "prometheus" / "alerts.yml", deploy / "grafana" / "dutyservice.json"):
        named = set(re.findall(r"dutyservice_[a-z_]+", source.read_text()))
        assert named, source.name
        assert named <= names, (source.name, named - names)
