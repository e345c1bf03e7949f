#!/usr/bin/env python3
"""The pages against the API calls behind them, measured in the same run.

    python bench/pages.py [--database-url URL] [--officers 2000] [--years 1] [--rounds 200]

Loads `national` data (every force) into a fresh database (SQLite in a temporary directory
unless a URL is given; the URL's database must be empty), then, in one process, through Flask's
test client, asks alternately for each page and for the API call(s) that give what it shows:

- `/app/deployable` for one force (a planner) against `GET /api/v1/deployable`, same window;
- `/app/deployable` nationally (NPoCC) against the same API call, nationally;
- `/app/` (a Special's own page) against the three calls that give what it shows: duties, hours
  and IPS status;
- `/app/readiness` for one force against the calls that give what it shows: the expiring
  report, the force's officers and each officer's IPS status (fewer rounds: it is long);
- the staff's pages (a supervisor and an admin): an officer's record against the eight calls
  behind it, `/app/officers?q=` against `GET /api/v1/officers?q=`, `/app/events/new` against
  the forces and role profiles, and `/app/audit` against `GET /api/v1/audit`.

Each pair is warmed up, then measured in alternating rounds; the medians and their ratio are
printed. Target: a page within 2 x its API calls.

Then the weight of a Special's first screen on a phone: the page's HTML and every stylesheet
and script it loads, each gzip-compressed as a server would send it. Target: 150 KB or less.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dutyservice import create_app  # noqa: E402
from dutyservice.auth.service import create_token  # noqa: E402
from dutyservice.clock import LONDON, london_today, utc_now  # noqa: E402
from dutyservice.config import Settings  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.duties.models import Duty, Officer  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.forces.models import Force  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from dutyservice.national import load_national  # noqa: E402

FORCE = "metropolitan"
WARM_UP = 20


def _load(url: str, officers: int, years: int) -> None:
    db = Database(url)
    upgrade(db)
    seed_reference_data(db)
    counts = load_national(db, officers=officers, years=years, seed=1)
    print(f"loaded {counts.officers} officers, {counts.duties} duties", flush=True)
    db.dispose()


def _signed_in(client: FlaskClient, secret: str) -> None:
    page = client.get("/app/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    answer = client.post("/app/sign-in", data={"token": secret, "csrf_token": csrf.group(1)})
    assert answer.status_code == 303, answer.status_code


def _timed(ask: Callable[[], object]) -> float:
    started = time.perf_counter()
    ask()
    return time.perf_counter() - started


def _get(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> None:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code)


def compare(
    name: str,
    page: Callable[[], object],
    api: Callable[[], object],
    rounds: int,
    *,
    warm_up: int = WARM_UP,
) -> float:
    for _ in range(warm_up):
        page()
        api()
    page_times, api_times = [], []
    for _ in range(rounds):
        page_times.append(_timed(page))
        api_times.append(_timed(api))
    page_ms = statistics.median(page_times) * 1000
    api_ms = statistics.median(api_times) * 1000
    ratio = page_ms / api_ms
    print(f"{name:<34} page {page_ms:7.2f} ms   API {api_ms:7.2f} ms   page / API {ratio:5.2f}")
    return ratio


ASSET = re.compile(r'<(?:link rel="stylesheet" href|script type="module" src)="([^"]+)"')
IMPORTED = re.compile(r"""import [^'"]*['"]\./([^'"]+)['"]""")


def first_screen_weight(client: FlaskClient) -> int:
    """The Special's page and what it loads (stylesheets, scripts and their imports), gzipped."""
    html = client.get("/app/").get_data()
    sizes = {"/app/ (HTML)": len(gzip.compress(html, 6))}
    assets = ASSET.findall(html.decode())
    while assets:
        path = assets.pop()
        body = client.get(path).get_data()
        sizes[path] = len(gzip.compress(body, 6))
        if path.endswith(".js"):
            folder = path.rsplit("/", 1)[0]
            assets += [f"{folder}/{name}" for name in IMPORTED.findall(body.decode())]
    for path, size in sizes.items():
        print(f"  {path:<48} {size / 1024:6.1f} KB gzipped")
    total = sum(sizes.values())
    print(f"a Special's first screen: {total / 1024:.1f} KB gzipped (target <= 150 KB)")
    return total


def record_calls(officer_id: int) -> list[str]:
    """The API calls that give what an officer's record page shows."""
    record = f"/api/v1/officers/{officer_id}"
    parts = ("", "/ips", "/competencies", "/training", "/ips/grants", "/history?per_page=500")
    return [record + part for part in parts] + [
        f"/api/v1/duties?officer_id={officer_id}&per_page=200",
        f"{record}/hours?year={london_today().year}",
    ]


def _get_each(client: FlaskClient, headers: dict[str, str], paths: list[str]) -> None:
    for path in paths:
        _get(client, path, headers)


def staff_pages(app: Flask, db: Database, officer_id: int, rounds: int) -> list[float]:
    """The pages of supervisors and admins against the API calls that give what they show:
    an officer's record, the officers found by a search, the audit trail, the event form."""
    supervisor = create_token(db, role="supervisor", force_code=FORCE).secret
    admin = create_token(db, role="admin").secret
    ratios = []
    for role, secret in (("supervisor", supervisor), ("admin", admin)):
        pages, api = app.test_client(), app.test_client()
        _signed_in(pages, secret)
        bearer = {"Authorization": f"Bearer {secret}"}

        asked: list[tuple[str, str, Callable[[], None]]] = [
            (
                "an officer's record",
                f"/app/officers/{officer_id}",
                partial(_get_each, api, bearer, record_calls(officer_id)),
            ),
            (
                "officers found by 'an'",
                "/app/officers?q=an",
                partial(_get, api, "/api/v1/officers?q=an&per_page=50", bearer),
            ),
            (
                "the event form",
                "/app/events/new",
                partial(_get_each, api, bearer, ["/api/v1/forces", "/api/v1/role-profiles"]),
            ),
        ]
        if role == "admin":
            asked.append(
                (
                    "the audit trail",
                    "/app/audit",
                    partial(_get, api, "/api/v1/audit?per_page=50", bearer),
                )
            )
        for name, path, calls in asked:
            ratios.append(
                compare(
                    f"{name} ({role})",
                    partial(_get, pages, path),
                    calls,
                    max(10, rounds // 4),
                    warm_up=5,
                )
            )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'pages.db'}"
        _load(url, args.officers, args.years)
        app = create_app(
            Settings(
                database_url=url,
                export_dir=Path(scratch) / "exports",
                secret_key="bench",
                log_level="WARNING",
            )
        )
        db: Database = app.extensions["dutyservice"].db
        with db.reading() as session:
            officer_id = session.scalar(
                select(Duty.officer_id)
                .join(Officer)
                .join(Force)
                .where(Force.code == FORCE, Duty.starts_at > utc_now())
                .limit(1)
            )
        assert officer_id is not None, "no officer with a coming duty"
        planner = create_token(db, role="planner", force_code=FORCE).secret
        npocc = create_token(db, role="npocc").secret
        special = create_token(db, role="special", officer_id=officer_id).secret

        day = london_today() + timedelta(days=1)
        starts = datetime(day.year, day.month, day.day, 18, tzinfo=LONDON)
        window_page = (
            f"from={starts:%Y-%m-%dT%H:%M}&to={starts + timedelta(hours=8):%Y-%m-%dT%H:%M}"
        )
        window_api = (
            f"from={starts.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
            f"&to={(starts + timedelta(hours=8)).astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}&per_page=100"
        )

        ratios = []
        for role, secret, force in (("planner", planner, FORCE), ("npocc", npocc, "")):
            pages, api = app.test_client(), app.test_client()
            _signed_in(pages, secret)
            bearer = {"Authorization": f"Bearer {secret}"}
            where = f"&force={force}" if force else ""
            ratios.append(
                compare(
                    f"deployable, {force or 'national'} ({role})",
                    partial(_get, pages, f"/app/deployable?{window_page}{where}"),
                    partial(_get, api, f"/api/v1/deployable?{window_api}{where}", bearer),
                    args.rounds,
                )
            )

        pages, api = app.test_client(), app.test_client()
        _signed_in(pages, special)
        bearer = {"Authorization": f"Bearer {special}"}

        def own_page_calls() -> None:
            _get(api, f"/api/v1/duties?officer_id={officer_id}&status=booked&per_page=100", bearer)
            _get(api, f"/api/v1/officers/{officer_id}/hours?year={london_today().year}", bearer)
            _get(api, f"/api/v1/officers/{officer_id}/ips", bearer)

        ratios.append(
            compare(
                "a Special's own page (special)",
                lambda: _get(pages, "/app/"),
                own_page_calls,
                args.rounds,
            )
        )
        first_screen_weight(pages)
        pages, api = app.test_client(), app.test_client()
        _signed_in(pages, planner)
        bearer = {"Authorization": f"Bearer {planner}"}
        with db.reading() as session:
            force_officers = list(
                session.scalars(select(Officer.id).join(Force).where(Force.code == FORCE))
            )

        def readiness_calls() -> None:
            _get(api, f"/api/v1/reports/expiring?force={FORCE}&within_days=60", bearer)
            _get(api, f"/api/v1/officers?force={FORCE}&per_page=500", bearer)
            for officer in force_officers:
                _get(api, f"/api/v1/officers/{officer}/ips", bearer)

        ratios.append(
            compare(
                f"readiness, {FORCE} (planner)",
                lambda: _get(pages, f"/app/readiness?force={FORCE}"),
                readiness_calls,
                max(3, args.rounds // 20),
                warm_up=2,
            )
        )
        ratios += staff_pages(app, db, officer_id, args.rounds)
        print(f"worst page / API: {max(ratios):.2f} (target <= 2)")
        db.dispose()


if __name__ == "__main__":
    main()
