"""The API's deployable answer is the one an independent statement of the rule gives: FEED.md's
rule written by hand with PostgreSQL multiranges (the benchmark's floor), on national data."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from bench.hand_written import deployable_parameters, deployable_statement
from dutyservice.clock import london_today
from dutyservice.db import Database
from dutyservice.ips.queries import role_profile
from dutyservice.national import load_national

from ..support.builders import Builder


def night(days_ahead: int) -> tuple[datetime, datetime]:
    day = london_today() + timedelta(days=days_ahead)
    starts = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
    return starts, starts + timedelta(hours=8)


def test_the_deployable_answer_is_the_hand_written_multirange_rules_answer(
    db: Database, client: FlaskClient, build: Builder, postgres_only: None
) -> None:
    load_national(db, officers=600, years=1, seed=5)
    headers = build.headers("npocc")
    with db.reading() as session:
        profile = role_profile(session, 135, 1)
    checked = 0
    # Tomorrow night's window meets booked duties; one a week ahead, mostly the rule alone.
    for days_ahead, force in itertools.product((1, 7), (None, "metropolitan")):
        starts, ends = night(days_ahead)
        query = {"from": starts.isoformat(), "to": ends.isoformat(), "per_page": 500}
        answer = client.get(
            "/api/v1/deployable",
            query_string=query | ({"force": force} if force else {}),
            headers=headers,
        ).get_json()
        with db.engine.connect() as connection:
            rows = connection.execute(
                deployable_statement(profile, force is not None),
                deployable_parameters(profile, starts, ends, force),
            ).all()
        by_api = [
            (i["officer_id"], i["force"], i["rank"], i["base_location"], i["ost_expires_on"])
            for i in answer["items"]
        ]
        by_hand = [
            (r.id, r.code, r.rank, r.base_location, r.ost_expires_on.isoformat()) for r in rows
        ]
        assert answer["total"] == len(rows) <= 500
        assert by_api == by_hand
        checked += len(rows)
    # The data set is large enough for the comparison to say something.
    assert checked >= 20
