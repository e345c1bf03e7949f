"""The demo (`dutyservice fixtures load demo`) gives a new user something to do with each role."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.fixtures import demo_tokens, ensure_demo_event, load_demo


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_the_demo_special_has_past_duties_to_complete_and_cancelled_and_coming_ones(
    client: FlaskClient, db: Database
) -> None:
    assert load_demo(db)
    tokens, _ = demo_tokens(db)
    special = bearer(tokens["special"].secret)
    duties = client.get("/api/v1/duties?per_page=500", headers=special).get_json()["items"]
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    statuses = {d["status"] for d in duties}
    assert statuses == {"booked", "completed", "cancelled"}
    assert any(d["status"] == "booked" and d["starts_at"] > now for d in duties)
    to_complete = [d for d in duties if d["status"] == "booked" and d["ends_at"] < now]
    assert to_complete
    completed = client.post(
        f"/api/v1/duties/{to_complete[0]['id']}/complete", headers=special, json={}
    )
    assert completed.status_code == 200
    assert completed.get_json()["status"] == "completed"


def test_the_demo_has_training_lapsing_and_an_officer_missing_units(
    client: FlaskClient, db: Database
) -> None:
    load_demo(db)
    tokens, _ = demo_tokens(db)
    supervisor = bearer(tokens["supervisor"].secret)
    response = client.get(
        "/api/v1/reports/expiring?force=cambridgeshire&within_days=60", headers=supervisor
    )
    assert response.status_code == 200, response.get_json()
    expiring = response.get_json()["items"]
    assert len(expiring) >= 2
    with db.reading() as session:
        nowak = session.scalar(select(Officer.id).where(Officer.warrant_number == "SC1004"))
    ips = client.get(f"/api/v1/officers/{nowak}/ips", headers=supervisor).get_json()
    assert not ips["granted"]
    assert {"CI101", "GC10"} <= set(ips["missing"])


def test_loading_the_demo_twice_changes_nothing_and_new_tokens_replace_the_old(
    client: FlaskClient, db: Database
) -> None:
    assert load_demo(db)
    old, revoked_first = demo_tokens(db)
    assert not load_demo(db)
    new, revoked_again = demo_tokens(db)
    assert revoked_first == 0
    assert revoked_again == 6
    assert client.get("/api/v1/forces", headers=bearer(old["admin"].secret)).status_code == 401
    assert client.get("/api/v1/forces", headers=bearer(new["admin"].secret)).status_code == 200


def test_the_demo_special_can_sign_up_to_an_event_and_one_stays_open(
    client: FlaskClient, db: Database
) -> None:
    assert load_demo(db)
    assert ensure_demo_event(db)
    assert not ensure_demo_event(db)  # one open event is enough
    tokens, _ = demo_tokens(db)
    special = bearer(tokens["special"].secret)
    officer_id = tokens["special"].officer_id
    events = client.get("/api/v1/events", headers=special).get_json()["items"]
    [event] = [e for e in events if e["title"] == "Summer carnival"]
    signed = client.post(
        f"/api/v1/events/{event['id']}/signups", headers=special, json={"officer_id": officer_id}
    )
    assert signed.status_code == 201, signed.get_json()
