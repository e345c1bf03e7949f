"""Who may sign up to an event, and until when (API.md "Events"). Plain functions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class OpenTo(StrEnum):
    FORCE = "force"  # the host force's Specials only
    REGION = "region"  # Specials of any force in the host's mutual-aid region
    NATIONAL = "national"  # any force's Specials: national mutual aid


def open_to_force(
    open_to: OpenTo, host_force: str, host_region: str, force: str, region: str
) -> bool:
    """Whether Specials of `force` (in `region`) may sign up to an event of `host_force`."""
    if force == host_force or open_to is OpenTo.NATIONAL:
        return True
    return open_to is OpenTo.REGION and region == host_region


def signups_open(deadline: datetime, now: datetime) -> bool:
    """Sign-ups are taken up to, not at, the deadline."""
    return now < deadline


def places_left(capacity: int, signed_up: int) -> int:
    return max(capacity - signed_up, 0)
