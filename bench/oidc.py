#!/usr/bin/env python3
"""What a bearer JWT from the identity provider costs a request, against an API token.

    python bench/oidc.py [--database-url URL] [--requests 400] [--rounds 5]

One process: a fresh database (SQLite in a temporary directory unless a URL is given; the URL's
tables are created and seeded, so give an empty database), the service in-process, and a real
OpenID Connect provider on 127.0.0.1 (the tests' own). A special reads their own record
(`GET /api/v1/officers/{id}`) in alternating rounds, with an API token (the baseline) and with a
JWT (RS256 signature, claims, the force and the officer read from the database). Prints the
median time per request of each and the ratio JWT / API token.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dutyservice import create_app  # noqa: E402
from dutyservice.auth.service import create_token  # noqa: E402
from dutyservice.config import Settings  # noqa: E402
from dutyservice.db import Database  # noqa: E402
from dutyservice.duties import service as duties  # noqa: E402
from dutyservice.fixtures import seed_reference_data  # noqa: E402
from dutyservice.migrate import upgrade  # noqa: E402
from tests.support import oidc_provider  # noqa: E402
from tests.support.builders import ADMIN  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    count: int = args.requests
    with tempfile.TemporaryDirectory() as scratch, oidc_provider.serving() as provider:
        url = args.database_url or f"sqlite:///{scratch}/bench.db"
        db = Database(url)
        upgrade(db)
        seed_reference_data(db)
        officer = duties.create_officer(
            db,
            ADMIN,
            {
                "force": "cambridgeshire",
                "warrant_number": "BENCH1",
                "surname": "Bench",
                "forenames": "Sam",
                "rank": "SC",
                "base_location": "Ely",
                "joined_on": date(2020, 1, 6),
            },
        )
        token = create_token(db, role="special", officer_id=officer.id).secret
        jwt = provider.issue(
            oidc_provider.person_claims("special", force="cambridgeshire", warrant_number="BENCH1"),
            lifetime=3600,
        )
        app = create_app(
            Settings(
                database_url=url,
                export_dir=Path(scratch) / "exports",
                oidc_issuer=provider.issuer,
                oidc_audience=oidc_provider.API_AUDIENCE,
                log_level="WARNING",
            )
        )
        client = app.test_client()
        path = f"/api/v1/officers/{officer.id}"

        def round_of(secret: str) -> float:
            headers = {"Authorization": f"Bearer {secret}"}
            started = time.perf_counter()
            for _ in range(count):
                answered = client.get(path, headers=headers)
                if answered.status_code != 200:
                    raise SystemExit(f"{path} answered {answered.status_code}")
            return (time.perf_counter() - started) / count * 1000

        round_of(token), round_of(jwt)  # warm-up: connections, statements, the key set
        by_token, by_jwt = [], []
        for _ in range(args.rounds):
            by_token.append(round_of(token))
            by_jwt.append(round_of(jwt))
        app.extensions["dutyservice"].db.dispose()
        db.dispose()
    token_ms, jwt_ms = statistics.median(by_token), statistics.median(by_jwt)
    print(f"database: {url.split(':', 1)[0]}, {args.rounds} rounds of {args.requests} requests")
    print(f"API token, ms per request (baseline): {token_ms:.2f}")
    print(f"identity provider's JWT, ms per request: {jwt_ms:.2f}")
    print(f"JWT / API token: {jwt_ms / token_ms:.2f}")


if __name__ == "__main__":
    main()
