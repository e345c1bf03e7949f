"""Who may sign up to an event, and until when (API.md "Events"). Plain functions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from ..duties.rules import DutyStatus


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


class SignupStatus(StrEnum):
    """A sign-up's state (API.md "Mutual-aid release"): what its duty's status and the answer
    to it say together. The duty's status is the one stored fact of whether it is live."""

    REQUESTED = "requested"  # another force's officer: holds the place until their force answers
    CONFIRMED = "confirmed"  # the duty is booked (or done)
    DECLINED = "declined"  # the officer's force said no
    LAPSED = "lapsed"  # no answer by the sign-up deadline
    WITHDRAWN = "withdrawn"  # the officer (or their duty's cancellation) gave the place up


class Answer(StrEnum):
    """The answer to a request, kept on the sign-up: by the officer's force, or the deadline."""

    RELEASED = "released"
    DECLINED = "declined"
    LAPSED = "lapsed"


LIVE = frozenset({SignupStatus.REQUESTED, SignupStatus.CONFIRMED})


def signup_status(duty_status: str, answer: str | None) -> SignupStatus:
    """The sign-up's state from its duty's status and the answer (events.models holds the SQL)."""
    if duty_status == DutyStatus.REQUESTED:
        return SignupStatus.REQUESTED
    if duty_status != DutyStatus.CANCELLED:
        return SignupStatus.CONFIRMED
    if answer == Answer.DECLINED:
        return SignupStatus.DECLINED
    if answer == Answer.LAPSED:
        return SignupStatus.LAPSED
    return SignupStatus.WITHDRAWN


def needs_release(host_force: str, force: str, auto_release: bool) -> bool:
    """A sign-up waits for the officer's own force unless it is the host or releases at once."""
    return force != host_force and not auto_release
