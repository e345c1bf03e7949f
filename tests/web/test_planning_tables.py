"""The deployable and readiness tables filtered by base and safety training, sorted, and
downloaded as CSV without JavaScript; the national picture by force and by region."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database

from ..support.builders import Builder
from .pages import sign_in, text_of, token


def window() -> str:
    day = (london_today() + timedelta(days=3)).isoformat()
    return f"from={day}T18:00&to={day}T23:00"


def rows_of(answer_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer_text)))


def three_officers(build: Builder) -> None:
    """IPS holders whose safety training lasts 34 (Ames), 164 (Cole) and 334 days (Bell)."""
    today = london_today()
    since = today - timedelta(days=330)
    ames = build.ips_officer(since=since, surname="Ames", base_location="Ely")
    bell = build.ips_officer(since=since, surname="Bell", base_location="March")
    cole = build.ips_officer(since=since, surname="Cole", base_location="Ely")
    build.ost(bell, today - timedelta(days=30))
    build.ost(cole, today - timedelta(days=200))
    del ames


def test_the_deployable_table_is_filtered_by_base_and_training_and_sorted_in_the_address(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    three_officers(build)
    sign_in(client, token(db, "planner"))
    ely = text_of(client.get(f"/app/deployable?{window()}&base=Ely").get_data(as_text=True))
    assert "Ames" in ely
    assert "Cole" in ely
    assert "Bell" not in ely
    assert "2 officers" in ely
    until = (london_today() + timedelta(days=100)).isoformat()
    lasting = text_of(
        client.get(f"/app/deployable?{window()}&ost_until={until}").get_data(as_text=True)
    )
    assert "Bell" in lasting
    assert "Cole" in lasting
    assert "Ames" not in lasting
    by_training = client.get(f"/app/deployable?{window()}&sort=ost").get_data(as_text=True)
    table = by_training.split('id="table-heading"')[1]
    assert table.index("Ames") < table.index("Cole") < table.index("Bell")
    csv_text = client.get(f"/app/deployable.csv?{window()}&base=Ely&sort=ost").get_data(
        as_text=True
    )
    assert [r["name"] for r in rows_of(csv_text)] == ["Alex Ames", "Alex Cole"]


def test_a_training_day_that_is_not_one_is_said_beside_its_field(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    three_officers(build)
    sign_in(client, token(db, "planner"))
    html = client.get(f"/app/deployable?{window()}&ost_until=2026-02-30").get_data(as_text=True)
    assert "Enter a real date: that day does not exist" in text_of(html)


def test_readiness_is_filtered_sorted_and_downloaded_as_csv(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    three_officers(build)
    build.officer(surname="Dunn", base_location="Ely")
    sign_in(client, token(db, "supervisor"))
    page = client.get("/app/readiness?base=Ely&sort=officer").get_data(as_text=True)
    assert 'id="holders-heading"' in page, text_of(page)[:2000]
    holders = text_of(page.split('id="holders-heading"')[1].split("</section>")[0])
    assert "Ames" in holders
    assert "Cole" in holders
    assert "Bell" not in holders
    assert 'href="/app/readiness.csv?force=cambridgeshire&amp;base=Ely&amp;sort=officer"' in page
    rows = rows_of(
        client.get("/app/readiness.csv?force=cambridgeshire&base=Ely&sort=officer").get_data(
            as_text=True
        )
    )
    assert [r["name"] for r in rows] == ["Alex Ames", "Alex Cole", "Alex Dunn"]
    assert rows[2]["deployable_today"] == "no"
    assert "CD5" in rows[2]["missing"]
    assert rows[0]["ips_granted_on"] == (london_today() - timedelta(days=330)).isoformat()


def test_national_readers_see_counts_by_region_and_force_by_name(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    three_officers(build)
    build.ips_officer("norfolk", since=london_today() - timedelta(days=30))
    build.ips_officer("metropolitan", since=london_today() - timedelta(days=30))
    sign_in(client, token(db, "npocc"))
    national = client.get(f"/app/deployable?{window()}").get_data(as_text=True)
    picture = text_of(national.split('id="national"')[1].split("</section>")[0])
    assert "5 deployable in every force together" in picture
    assert "Eastern 4" in picture
    assert "London 1" in picture
    assert "Cambridgeshire Constabulary 3" in picture
    assert "Norfolk Constabulary 1" in picture
    sign_in(client, token(db, "planner"))
    assert 'id="national"' not in client.get(f"/app/deployable?{window()}").get_data(as_text=True)


def test_only_those_who_may_set_up_events_are_offered_a_call_out(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    three_officers(build)
    sign_in(client, token(db, "planner"))
    assert "Call out these officers" not in client.get(f"/app/deployable?{window()}").get_data(
        as_text=True
    )
    sign_in(client, token(db, "admin"))
    html = client.get(f"/app/deployable?{window()}&force=cambridgeshire").get_data(as_text=True)
    assert "Call out these officers" in html
    assert "/app/events/new?from=" in html
