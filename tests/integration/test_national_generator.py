"""`fixtures load national`: deterministic, realistic in its shares, and the service works after."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, text

from dutyservice.clock import LONDON, london_today
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.ips import eligibility
from dutyservice.ips.queries import role_profile
from dutyservice.national import Generator, force_sizes, load_national

from ..support.builders import Builder
from ..support.databases import empty_tables


def fingerprint(db: Database) -> tuple[object, ...]:
    with db.engine.connect() as connection:
        return tuple(
            connection.execute(text(sql)).scalar()
            for sql in (
                "SELECT count(*) FROM officers",
                "SELECT count(*) FROM duties",
                "SELECT count(*) FROM ips_grants",
                "SELECT count(*) FROM competency_records",
                "SELECT min(joined_on) FROM officers",
                "SELECT max(starts_at) FROM duties",
            )
        )


def test_forces_are_sized_in_proportion_and_add_up() -> None:
    sizes = force_sizes(20_000, ["metropolitan", "city-of-london", "cambridgeshire"])
    assert sum(sizes.values()) == 20_000
    assert sizes["metropolitan"] > sizes["cambridgeshire"] > sizes["city-of-london"]


def test_the_same_seed_gives_the_same_people_and_duties_at_any_hour_of_the_day() -> None:
    def generated(hour: int) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        now = datetime.combine(date(2026, 6, 10), time(hour), tzinfo=LONDON).astimezone(UTC)
        generator = Generator(seed=3, years=1, now=now)
        officers = [o for _ in range(40) for o in generator.post(1, 1, 1)]
        duties = [generator.duties(o, 1, [1, 2]) for o in officers]
        return officers, duties

    (morning_officers, morning), (evening_officers, evening) = generated(6), generated(23)
    assert [o["joined_on"] for o in morning_officers] == [o["joined_on"] for o in evening_officers]

    def times(duties: list[list[dict[str, Any]]]) -> list[list[tuple[Any, Any]]]:
        return [[(d["starts_at"], d["ends_at"]) for d in ds] for ds in duties]

    assert times(morning) == times(evening)
    # Only what the hour decides differs: duties that ended in between are completed by evening.
    statuses = {d["status"] for ds in evening for d in ds}
    assert {"completed", "booked"} <= statuses


def test_national_data_is_deterministic_realistic_and_leaves_the_service_working(
    db: Database, client: FlaskClient, build: Builder
) -> None:
    counts = load_national(db, officers=400, years=2, seed=7)
    first = fingerprint(db)
    assert counts.officers == first[0]
    assert counts.duties == first[1]
    with db.engine.connect() as connection:
        forces = connection.execute(text("SELECT count(DISTINCT force_id) FROM officers")).scalar()
        overlapping = connection.execute(
            text(
                "SELECT count(*) FROM duties a JOIN duties b ON a.officer_id = b.officer_id "
                "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
                "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            )
        ).scalar()
        ahead: int = connection.execute(
            text("SELECT count(*) FROM duties WHERE status = 'booked'")
        ).scalar_one()
    assert forces == 43
    assert overlapping == 0
    assert ahead > 0

    today = london_today()
    with db.reading() as session:
        profile = role_profile(session, 135, 1)
        serving = session.scalar(
            select(text("count(*)")).select_from(Officer).where(eligibility.serving(today, today))
        )
        with_ips = session.scalar(
            select(text("count(*)"))
            .select_from(Officer)
            .where(eligibility.meets_profile(profile, today, today))
        )
        spans = session.execute(select(Officer.joined_on, Officer.left_on)).all()
    # The headcount is held: leavers were replaced, so there are more records than places,
    # and nearly every place is filled today.
    assert counts.officers > 400, (counts.officers, serving)
    assert 0.95 * 400 <= serving <= 400, (counts.officers, serving)
    assert 0.25 <= with_ips / serving <= 0.6, (with_ips, serving)
    # About four duties a month while serving, from the start of history to a month ahead.
    history_start, ahead_until = today - timedelta(days=730), today + timedelta(days=30)
    serving_days = sum(
        max(0, (min(left or ahead_until, ahead_until) - max(joined, history_start)).days)
        for joined, left in spans
    )
    per_month = counts.duties / (serving_days / 30.44)
    assert 3.3 <= per_month <= 4.3, per_month

    # Explicit ids were written: the next officer and duty made through the API still work.
    made = build.officer()
    booked = build.duty(made, datetime.now(UTC).replace(microsecond=0) + timedelta(days=3))
    assert made.id > counts.officers
    assert booked.id > counts.duties

    # The same seed gives the same data set.
    empty_tables(db)
    load_national(db, officers=400, years=2, seed=7)
    assert fingerprint(db) == first
