"""What the outbox carries and by which way, as plain values: the kinds of message, their
states, and which kinds also go to phones (API.md "Push to phones"). Pure."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CALLOUT = "callout"
    REMINDER = "reminder"
    TRAINING = "training"
    RETURN = "return"
    # Mutual aid (API.md "Mutual-aid release"): a request to the officer's force's aid contact,
    # and its answer to the officer. Not preferences: they answer what the officer asked.
    AID_REQUEST = "aid_request"
    RELEASED = "released"
    DECLINED = "declined"
    LAPSED = "lapsed"


#: The answers an officer is told of, once each.
ANSWER_KINDS = frozenset({Kind.RELEASED, Kind.DECLINED, Kind.LAPSED})


#: The kinds that also go to the officer's phones and browsers (API.md "Push to phones"). A kind
#: named here is pushed to each of the officer's subscriptions, with its mail's subject as title.
PUSHED_KINDS = frozenset({Kind.CALLOUT, Kind.REMINDER, *ANSWER_KINDS})
#: The recipient of a push: "push:<subscription id>".
PUSH_PREFIX = "push:"


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
