"""The quarterly export as the scheduler makes it: in a process already running, its
application made and a connection open, so that what it costs is the returns, not a start.

    python -m bench.warm_export 2026-Q3

Prints `ready` once started, then waits for a line on its standard input before making the
quarter's returns (`make_quarter_returns`, what the scheduler's job and `dutyservice export`
both call), and exits.
"""

from __future__ import annotations

import sys

from sqlalchemy import text

from dutyservice import create_app
from dutyservice.clock import Quarter
from dutyservice.npocc.service import make_quarter_returns


def main(quarter: str) -> None:
    state = create_app(http_api=False).extensions["dutyservice"]
    with state.db.reading() as session:
        session.execute(text("SELECT 1"))
    print("ready", flush=True)
    sys.stdin.readline()
    made = make_quarter_returns(state.db, state.settings, Quarter.parse(quarter))
    if not made:
        raise SystemExit("no return was made or found unchanged")


if __name__ == "__main__":
    main(sys.argv[1])
