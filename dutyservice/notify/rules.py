"""Who is due which message, and what it says (API.md "Notifications by e-mail"). Pure.

Times in messages are Europe/London wall-clock times with the zone named (GMT or BST), as an
officer reads them on a phone; the iCalendar attachment carries the exact instants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..channels import ANSWER_KINDS, PUSH_PREFIX, PUSHED_KINDS, Kind
from ..clock import LONDON

__all__ = ["ANSWER_KINDS", "PUSHED_KINDS", "PUSH_PREFIX", "Kind"]

#: API.md: a reminder 24 hours before each booked duty.
REMINDER_AHEAD = timedelta(hours=24)
#: API.md: 30 days before an officer's officer safety training lapses with none later.
TRAINING_AHEAD_DAYS = 30
#: API.md: a return still pending this long after it was made is reported.
RETURN_PENDING_ALERT = timedelta(hours=24)
#: Retries double from the configured back-off up to this.
LONGEST_WAIT = timedelta(hours=1)
ADMIN = "admin"

#: How long a push service keeps a message for a phone that is off (RFC 8030 `TTL`).
PUSH_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class CalloutFacts:
    title: str
    host_force: str
    location: str
    description: str
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime
    capacity: int
    role_profile: str | None  # e.g. "135 version 1"
    stage: str | None = None  # instead of a role profile, e.g. "DPS or above", "QSC in roads"


@dataclass(frozen=True)
class DutyFacts:
    duty_type: str
    location: str
    notes: str
    starts_at: datetime
    ends_at: datetime
    event_title: str | None


@dataclass(frozen=True)
class ReturnFacts:
    return_id: str
    force: str
    quarter: str
    status: str
    generated_at: datetime
    delivery_attempts: int
    last_error: str | None


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def force_recipient(force_id: int) -> str:
    """A force's mutual-aid contact (its `aid_contact_email`, read when the mail is sent)."""
    return f"force:{force_id}"


def signup_subject(signup_id: int) -> str:
    return f"signup:{signup_id}"


def officer_recipient(officer_id: int) -> str:
    return f"officer:{officer_id}"


def recipient_officer_id(recipient: str) -> int | None:
    prefix, _, number = recipient.partition(":")
    return int(number) if prefix == "officer" and number.isdigit() else None


def push_recipient(subscription_id: int) -> str:
    """The outbox's recipient of a push: one of the officer's subscriptions."""
    return f"{PUSH_PREFIX}{subscription_id}"


def recipient_subscription_id(recipient: str) -> int | None:
    prefix, _, number = recipient.partition(":")
    return int(number) if f"{prefix}:" == PUSH_PREFIX and number.isdigit() else None


def page_of(subject: str) -> str:
    """The page that lets the officer act on what a message is about."""
    what, _, key = subject.partition(":")
    if what == "event" and key.isdigit():
        return f"/app/events/{key}"
    if what == "duty" and key.isdigit():
        return f"/app/#duty-{key}"
    return "/app/"


def push_payload(text: Text, subject: str, base_url: str) -> dict[str, str]:
    """What a push says: the mail's subject as title, the first thing its body says (after the
    greeting) as body, and the page to open (API.md: `{"title", "body", "url"}`)."""
    paragraphs = [p for p in text.body.split("\n\n") if p.strip()]
    said = [p for p in paragraphs if not p.startswith("Dear ")]
    body = " ".join((said[0] if said else "").split())
    return {"title": text.subject, "body": body[:240], "url": f"{base_url}{page_of(subject)}"}


def reminder_due(starts_at: datetime, now: datetime) -> bool:
    """A booked duty is reminded of from 24 hours before it starts until it starts."""
    return starts_at - REMINDER_AHEAD <= now < starts_at


def training_warning_due(latest_expiry: date, today: date) -> bool:
    """The latest OST expiry (none later) lapses within 30 days, and has not lapsed yet."""
    return today <= latest_expiry <= today + timedelta(days=TRAINING_AHEAD_DAYS)


def return_alert_due(status: str, generated_at: datetime, now: datetime) -> bool:
    return status == "failed" or (
        status == "pending" and now - generated_at >= RETURN_PENDING_ALERT
    )


def next_attempt_after(attempts: int, backoff_seconds: float) -> timedelta:
    """Exponential back-off: the configured wait after the first failure, doubling, capped."""
    first = max(backoff_seconds, 1.0)
    return min(timedelta(seconds=first * 2 ** min(max(attempts - 1, 0), 20)), LONGEST_WAIT)


_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


def without_addresses(text: str) -> str:
    """An SMTP server's reply may quote the address; what is kept and shown must not."""
    return _ADDRESS.sub("<address>", text)[:500]


def is_permanent(smtp_code: int) -> bool:
    """RFC 5321: 5yz replies are permanent; 4yz transient (retried)."""
    return 500 <= smtp_code < 600


# Message text ------------------------------------------------------------------------------------


def london_time(instant: datetime) -> str:
    """`Thu 24 Dec 2026, 18:00 GMT`: the wall-clock time in London, with the zone named."""
    local = instant.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def london_span(starts_at: datetime, ends_at: datetime) -> str:
    start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    if start.date() == end.date() and start.tzname() == end.tzname():
        return f"{london_time(starts_at)} to {end:%H:%M} {end.tzname()}"
    return f"{london_time(starts_at)} to {london_time(ends_at)}"


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def event_link(base_url: str, event_id: int) -> str | None:
    """Where a message about an event takes its reader: the event's own page, with *Sign up*."""
    return f"{base_url}/app/events/{event_id}" if base_url else None


def duty_link(base_url: str, duty_id: int) -> str | None:
    """Where a message about a duty takes its reader: the duty on the officer's own page."""
    return f"{base_url}/app/#duty-{duty_id}" if base_url else None


def _with_link(lines: list[str], link: str | None) -> str:
    if link:
        lines += ["", f"Open it in dutyservice: {link}"]
    lines += ["", "You receive this because of your record in dutyservice."]
    return "\n".join(lines) + "\n"


def _to_officer(subject: str, greeting: str, lines: list[str], link: str | None) -> Text:
    """A message to an officer: greeted by name, then `lines`, the link and why it was sent."""
    return Text(subject, _with_link([f"Dear {greeting},", "", *lines], link))


def callout_text(facts: CalloutFacts, greeting: str, link: str | None) -> Text:
    subject = f"Call-out: {facts.title}, {london_time(facts.starts_at)}"
    lines = [
        f"{facts.host_force} is asking for Special Constables for {facts.title}.",
        "",
        f"When:   {london_span(facts.starts_at, facts.ends_at)}",
        f"Where:  {facts.location or 'to be confirmed'}",
        f"Places: {facts.capacity}",
        f"Sign up by {london_time(facts.signup_deadline)}.",
    ]
    if facts.role_profile:
        lines.append(f"Volunteers must meet role profile {facts.role_profile} on every day.")
    if facts.stage:
        lines.append(
            f"Volunteers must be at {facts.stage} of the learning programme on every day,"
            " with safety training in force."
        )
    if facts.description:
        lines += ["", facts.description]
    lines += ["", "You are free then and meet what it asks, so you can sign up."]
    return _to_officer(subject, greeting, lines, link)


def reminder_text(facts: DutyFacts, greeting: str, link: str | None) -> Text:
    what = facts.event_title or f"{facts.duty_type} duty"
    subject = f"Reminder: {what} starts {london_time(facts.starts_at)}"
    lines = [
        f"You are booked for {what}.",
        "",
        f"When:   {london_span(facts.starts_at, facts.ends_at)}",
        f"Where:  {facts.location or 'not given'}",
        f"Type:   {facts.duty_type}",
    ]
    if facts.notes:
        lines.append(f"Notes:  {facts.notes}")
    lines += ["", "If you cannot make it, cancel the duty so that it can be covered."]
    return _to_officer(subject, greeting, lines, link)


def training_text(expires_on: date, greeting: str, link: str | None) -> Text:
    subject = f"Your officer safety training expires on {expires_on.day} {expires_on:%b %Y}"
    lines = [
        f"Your officer safety training (OST) is valid until the end of {long_day(expires_on)},",
        "and no later training is recorded. After that day you are not deployable with",
        "Independent Patrol Status until it is renewed.",
        "",
        "Please book a refresher with your force's training team.",
    ]
    return _to_officer(subject, greeting, lines, link)


def return_text(facts: ReturnFacts, link: str | None) -> Text:
    state = "failed" if facts.status == "failed" else "still not delivered"
    subject = f"NPoCC return {facts.force} {facts.quarter} {state}"
    lines = [
        f"The NPoCC return {facts.return_id} ({facts.force}, {facts.quarter}) is {facts.status}.",
        "",
        f"Made:              {london_time(facts.generated_at)}",
        f"Delivery attempts: {facts.delivery_attempts}",
        f"Last error:        {facts.last_error or 'none recorded'}",
        "",
        "Check the feed's settings, then send the return again.",
    ]
    return Text(subject, _with_link(lines, link))


@dataclass(frozen=True)
class AidFacts:
    """A mutual-aid request as its messages tell it."""

    officer: str  # "PC Jane Doe (essex-1234)": the force's own officer, to its own contact
    event_title: str
    host_force: str
    starts_at: datetime
    ends_at: datetime
    signup_deadline: datetime
    reason: str | None = None  # why the force declined


def aid_request_text(facts: AidFacts, link: str | None) -> Text:
    """To the officer's force's aid contact: one mail per request (docs/mutual-aid.md)."""
    subject = f"Mutual aid: {facts.officer} asks to join {facts.event_title}"
    lines = [
        f"{facts.officer} has signed up to {facts.event_title}, a call-out of {facts.host_force}.",
        "",
        f"When:   {london_span(facts.starts_at, facts.ends_at)}",
        "",
        "Their place is held until your force releases or declines them.",
        f"Unanswered at {london_time(facts.signup_deadline)}, the request lapses.",
    ]
    return Text(subject, _with_link(lines, link))


_ANSWERED = {
    Kind.RELEASED: ("released", "Your force has released you: the duty is booked."),
    Kind.DECLINED: ("declined", "Your force has declined the request: your place is freed."),
    Kind.LAPSED: (
        "lapsed",
        "Your force did not answer by the sign-up deadline: your place is freed.",
    ),
}


def answer_text(kind: Kind, facts: AidFacts, greeting: str, link: str | None) -> Text:
    """To the officer: what their force (or the deadline) answered to their sign-up."""
    word, outcome = _ANSWERED[kind]
    subject = f"Mutual aid {word}: {facts.event_title}, {london_time(facts.starts_at)}"
    lines = [
        f"You signed up to {facts.event_title}, a call-out of {facts.host_force}.",
        f"When:   {london_span(facts.starts_at, facts.ends_at)}",
        "",
        outcome,
    ]
    if facts.reason:
        lines.append(f"Reason: {facts.reason}")
    return _to_officer(subject, greeting, lines, link)
