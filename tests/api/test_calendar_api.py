from datetime import UTC, datetime

from flask.testing import FlaskClient
from icalendar import Calendar

from ..support.builders import Builder


def test_calendar_feed_parses_with_stable_uids_utc_times_and_cancellations(
    client: FlaskClient, build: Builder
) -> None:
    officer = build.officer(surname="Private")
    me = build.headers("special", officer=officer)
    kept = build.duty(officer, datetime(2026, 12, 24, 20, tzinfo=UTC), hours=6)
    dropped = build.duty(officer, datetime(2026, 12, 27, 20, tzinfo=UTC), hours=6)
    client.post(f"/api/v1/duties/{dropped.id}/cancel", headers=me)
    made = client.post(f"/api/v1/officers/{officer.id}/calendar-key", headers=me)
    assert made.status_code == 201
    key = made.get_json()["key"]
    url = f"/api/v1/officers/{officer.id}/calendar.ics?key={key}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    assert b"Private" not in first.data
    events = {str(e["uid"]): e for e in Calendar.from_ical(first.data).walk("VEVENT")}
    assert set(events) == {f"duty-{kept.id}@dutyservice", f"duty-{dropped.id}@dutyservice"}
    start = events[f"duty-{kept.id}@dutyservice"].decoded("dtstart")
    assert start == datetime(2026, 12, 24, 20, tzinfo=UTC)
    assert start.utcoffset().seconds == 0
    assert str(events[f"duty-{dropped.id}@dutyservice"]["status"]) == "CANCELLED"
    assert b"DTSTART:20261224T200000Z" in first.data
    again = {str(e["uid"]) for e in Calendar.from_ical(client.get(url).data).walk("VEVENT")}
    assert again == set(events)


def test_the_key_reads_the_feed_and_nothing_else_and_a_new_key_replaces_it(
    client: FlaskClient, build: Builder
) -> None:
    officer, other = build.officer(), build.officer()
    me = build.headers("special", officer=officer)
    key = client.post(f"/api/v1/officers/{officer.id}/calendar-key", headers=me).get_json()["key"]
    assert client.get(f"/api/v1/officers/{other.id}/calendar.ics?key={key}").status_code == 404
    as_token = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/api/v1/officers/{officer.id}", headers=as_token).status_code == 401
    assert client.get(f"/api/v1/officers/{officer.id}/calendar.ics").status_code == 400
    assert client.get(f"/api/v1/officers/{officer.id}/calendar.ics?key=wrong").status_code == 404
    newer = client.post(f"/api/v1/officers/{officer.id}/calendar-key", headers=me).get_json()["key"]
    assert client.get(f"/api/v1/officers/{officer.id}/calendar.ics?key={key}").status_code == 404
    assert client.get(f"/api/v1/officers/{officer.id}/calendar.ics?key={newer}").status_code == 200
    assert client.post(f"/api/v1/officers/{other.id}/calendar-key", headers=me).status_code == 404
