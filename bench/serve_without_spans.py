"""`dutyservice serve` as it wrote an officer's IPS records before eligibility spans existed:
the same service, with the refresh of the officer's spans (`spans.refresh_officers`, which keeps
the eligibility and the stage spans) left out.

The IPS write's baseline (`figures.bench_ips_write`); the bench starts it beside the service
as shipped, and the two take turns. Never a way to run the service: its spans would go stale.
"""

from __future__ import annotations

from typing import Any

from dutyservice.console import main
from dutyservice.ips import spans


def _left_out(*_: Any) -> None:
    """The write as it was: the records and their audit entry, nothing more."""


# The workers fork from this process after it has made the app, so they keep the change.
spans.refresh_officers = _left_out  # type: ignore[assignment]
main()
