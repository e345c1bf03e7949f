"""What refusing hostile JSON before any work costs: the guard's check of a body against the
JSON parse the request makes anyway, both timed in this run on the same bodies.

    .venv/bin/python bench/input_guard.py

Prints, per body, the guard's time per call, the parse's, and their ratio (the guard parses the
body once more and scans it, so about 1-3 x the parse is expected; a booking's parse is a few
microseconds against milliseconds for the request).
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable

from dutyservice.api.guard import refusal

BODIES = {
    "booking": json.dumps(
        {
            "officer_id": 123,
            "starts_at": "2026-12-24T18:00:00Z",
            "ends_at": "2026-12-25T02:00:00Z",
            "duty_type": "patrol",
            "location": "Ely",
            "notes": "Christmas Eve patrol",
        }
    ),
    "availability, 1,000 windows": json.dumps(
        {
            "from": "2026-12-01",
            "to": "2026-12-31",
            "windows": [
                {"starts_at": f"2026-12-{d:02d}T18:00:00Z", "ends_at": f"2026-12-{d:02d}T22:00:00Z"}
                for d in list(range(1, 29)) * 36
            ][:1000],
        }
    ),
}


def per_call(function: Callable[[str], object], body: str) -> float:
    timer = timeit.Timer(lambda: function(body))
    calls, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=calls)) / calls


def main() -> None:
    print(f"{'body':<30} {'bytes':>8} {'guard µs':>10} {'parse µs':>10} {'guard/parse':>12}")
    for name, body in BODIES.items():
        guard, parse = per_call(refusal, body), per_call(json.loads, body)
        print(
            f"{name:<30} {len(body):>8} {guard * 1e6:>10.1f} {parse * 1e6:>10.1f} "
            f"{guard / parse:>12.2f}"
        )


if __name__ == "__main__":
    main()
