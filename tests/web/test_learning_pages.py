"""The learning programme on the pages: deployable by stage (page and CSV), readiness's
progress and time in stage, and a force's own words for safety training."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask.testing import FlaskClient

from dutyservice.clock import london_today
from dutyservice.db import Database

from ..support.builders import Builder
from .pages import sign_in, token


def _window() -> str:
    day = london_today() + timedelta(days=3)
    return f"from={day}T18:00&to={day}T23:00"


def test_a_planner_asks_the_deployable_page_and_its_csv_for_dps_or_qsc_in_an_area(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    today = london_today()
    build.dps_officer(since=today - timedelta(days=90), surname="Dee", warrant_number="D1")
    roads = build.dps_officer(since=today - timedelta(days=90), surname="Road", warrant_number="Q1")
    build.stage(roads, "QSC", today - timedelta(days=10), "roads")
    build.ips_officer(since=today - timedelta(days=30), surname="Ipps", warrant_number="I1")
    sign_in(client, token(db, "planner"))
    page = client.get(f"/app/deployable?{_window()}&stage=DPS").get_data(as_text=True)
    assert "Dee" in page
    assert "Road" in page
    assert "Ipps" not in page
    assert '<option value="DPS" selected>' in page
    qsc = client.get(f"/app/deployable?{_window()}&stage=QSC&area=roads").get_data(as_text=True)
    assert "Road" in qsc
    assert "Dee" not in qsc
    assert "stage=QSC&amp;area=roads" in qsc  # the CSV link asks the same question
    lines = client.get(f"/app/deployable.csv?{_window()}&stage=QSC&area=roads").get_data(
        as_text=True
    )
    assert [line.split(",")[0] for line in lines.splitlines()[1:]] == ["cambridgeshire-Q1"]
    ips = client.get(f"/app/deployable?{_window()}").get_data(as_text=True)
    assert "Ipps" in ips
    assert "Dee" not in ips
    wrong = client.get(f"/app/deployable?{_window()}&stage=DPS&area=roads")
    assert wrong.status_code == 422
    assert 'role="alert"' in wrong.get_data(as_text=True)


def test_readiness_shows_each_officers_stage_counts_by_stage_and_who_waits_too_long(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    today = london_today()
    waiting = build.officer(surname="Waiting", forenames="Sam", joined_on=date(2020, 1, 1))
    build.stage(waiting, "APS", today - timedelta(days=500))
    build.ost(waiting, today - timedelta(days=30))
    build.dps_officer(since=today - timedelta(days=60), surname="Recent", forenames="Lee")
    build.officer(surname="Nostage", forenames="Kim")
    sign_in(client, token(db, "planner"))
    page = client.get("/app/readiness").get_data(as_text=True)
    by_stage = page.split('id="by-stage-heading"')[1].split("</section>")[0]
    cell = r'>([^<]+)</th>\s*<td class="govuk-table__cell" data-label="Officers">(\d+)</td>'
    counts = dict(re.findall(cell, by_stage))
    assert counts == {"APS": "1", "DPS": "1", "QSC": "0", "QSC-F": "0", "No stage": "1"}
    too_long = page.split('id="time-in-stage-heading"')[1].split("</section>")[0]
    assert "Sam Waiting" in too_long
    assert "Lee Recent" not in too_long
    assert "DPS: directed patrol status assessed" in too_long
    progress = page.split('id="progress-heading"')[1].split("</section>")[0]
    assert "Lee Recent" in progress
    assert "QSC in response policing" in progress
    meeting = client.get("/app/readiness?stage=DPS").get_data(as_text=True)
    section = meeting.split('id="meeting-heading"')[1].split("</section>")[0]
    assert "Lee Recent" in section
    assert "Sam Waiting" not in section
    # The force sets the months: at 24 months, 500 days at APS is not yet too long.
    admin = build.headers("admin")
    client.patch("/api/v1/forces/cambridgeshire", json={"months_in_stage": 24}, headers=admin)
    later = client.get("/app/readiness").get_data(as_text=True)
    assert "Sam Waiting" not in later.split('id="time-in-stage-heading"')[1].split("</section>")[0]


def test_a_force_that_follows_the_learning_programme_says_personal_safety_training(
    client: FlaskClient, build: Builder, db: Database
) -> None:
    officer = build.officer()
    sign_in(client, token(db, "special", officer=officer))
    assert "Officer safety training" in client.get("/app/").get_data(as_text=True)
    admin = build.headers("admin")
    set_to = client.patch(
        "/api/v1/forces/cambridgeshire", json={"follows_sclp": True}, headers=admin
    )
    assert set_to.status_code == 200
    page = client.get("/app/").get_data(as_text=True)
    assert "Personal safety training (PST)" in page
    assert "Officer safety training" not in page
