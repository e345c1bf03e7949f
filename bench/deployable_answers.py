"""Every deployable answer on a loaded database, byte for byte, to compare two versions of the
service: the bodies of many questions (national and by force, windows from the past to the
future, pages, by profile and by stage, with and without `available_only`) asked in-process,
each written as one line of its query and its body's SHA-256.

    python bench/deployable_answers.py URL answers.txt
    diff before.txt after.txt

Run it from each version's tree (`cd <tree> && python bench/deployable_answers.py ...`) on the
same database: the lines must be the same, in the same order.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The service of the tree this file is in, whichever is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dutyservice import create_app
from dutyservice.auth.service import create_token
from dutyservice.clock import london_today

SCOPES = (None, "metropolitan", "kent")
#: Days from today each window starts, and how long it lasts.
STARTS = (-400, -90, -7, 0, 1, 30, 90)
LENGTHS = (timedelta(hours=8), timedelta(hours=30), timedelta(days=20))
#: (page, per_page): the first pages of 500, a middle page of 7, one of 50.
PAGES = ((1, 500), (2, 500), (3, 500), (4, 500), (3, 7), (1, 50))
#: The role profile, and stages of the learning programme (with an area for QSC).
REQUIREMENTS: tuple[dict[str, Any], ...] = (
    {"mercury_ref": 135, "version": 1},
    {"stage": "DPS"},
    {"stage": "QSC", "area": "roads"},
)


def questions() -> list[dict[str, Any]]:
    today = datetime.combine(london_today(), datetime.min.time(), tzinfo=UTC)
    asked = []
    for scope, start, length, (page, per_page), wanted, available in itertools.product(
        SCOPES, STARTS, LENGTHS, PAGES, REQUIREMENTS, (False, True)
    ):
        starts = today + timedelta(days=start, hours=19)
        query: dict[str, Any] = {
            "from": starts.isoformat(),
            "to": (starts + length).isoformat(),
            "page": page,
            "per_page": per_page,
            **wanted,
        }
        if scope:
            query["force"] = scope
        if available:
            query["available_only"] = "true"
        asked.append(query)
    return asked


def main() -> None:
    url, out = sys.argv[1], Path(sys.argv[2])
    os.environ["DUTYSERVICE_DATABASE_URL"] = url
    os.environ.setdefault("DUTYSERVICE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DUTYSERVICE_SECRET_KEY", "a key for the benchmarks only, never deployed")
    app = create_app()
    db = app.extensions["dutyservice"].db
    headers = {"Authorization": f"Bearer {create_token(db, role='npocc').secret}"}
    client = app.test_client()
    lines = []
    for query in questions():
        response = client.get("/api/v1/deployable", query_string=query, headers=headers)
        digest = hashlib.sha256(response.data).hexdigest()
        lines.append(f"{sorted(query.items())} {response.status_code} {digest}\n")
    out.write_text("".join(lines))
    print(f"{len(lines)} answers written to {out}")


if __name__ == "__main__":
    main()
