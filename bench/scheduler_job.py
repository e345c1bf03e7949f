"""The scheduler's quarterly job in a process that has already started, as the scheduler runs
it: claim the quarter, make every return, record the run. Its statements are not yet
compiled, nor its connections opened. Reports the job's own time.

    python -m bench.scheduler_job 2026-Q3
"""

from __future__ import annotations

import sys
import time

from dutyservice import create_app
from dutyservice.clock import Quarter
from dutyservice.npocc.schedule import run_quarter


def main(quarter: str) -> None:
    state = create_app(http_api=False).extensions["dutyservice"]
    started = time.perf_counter()
    result = run_quarter(state.db, state.settings, Quarter.parse(quarter))
    print("FIGURE job_s", time.perf_counter() - started, file=sys.stderr)
    if result is None or result.made == 0:
        raise SystemExit(f"the quarter's returns were not made: {result}")


if __name__ == "__main__":
    main(sys.argv[1])
