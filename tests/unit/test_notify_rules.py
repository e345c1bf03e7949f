"""What a message says and when it is due: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dutyservice.notify.mail import parse_smtp_url
from dutyservice.notify.rules import (
    CalloutFacts,
    DutyFacts,
    callout_text,
    london_span,
    london_time,
    next_attempt_after,
    reminder_due,
    reminder_text,
    return_alert_due,
    training_warning_due,
    without_addresses,
)


def test_times_are_london_wall_clock_with_the_zone_named_either_side_of_the_clock_change() -> None:
    assert london_time(datetime(2026, 7, 1, 17, 0, tzinfo=UTC)) == "Wed 1 Jul 2026, 18:00 BST"
    assert london_time(datetime(2026, 12, 24, 18, 0, tzinfo=UTC)) == "Thu 24 Dec 2026, 18:00 GMT"
    # The night the clocks go back: 22:00 BST to 06:00 GMT.
    start, end = datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 6, tzinfo=UTC)
    assert london_span(start, end) == "Sat 24 Oct 2026, 22:00 BST to Sun 25 Oct 2026, 06:00 GMT"
    same_day = london_span(
        datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 17, tzinfo=UTC)
    )
    assert same_day == "Tue 1 Dec 2026, 09:00 GMT to 17:00 GMT"


def test_a_call_out_subject_names_the_event_and_when_and_the_body_links_to_the_pages() -> None:
    facts = CalloutFacts(
        "Operation Nightingale",
        "Cambridgeshire Constabulary",
        "Midsummer Common",
        "",
        datetime(2026, 11, 5, 18, tzinfo=UTC),
        datetime(2026, 11, 6, 1, tzinfo=UTC),
        datetime(2026, 11, 3, 12, tzinfo=UTC),
        10,
        "135 version 1",
    )
    text = callout_text(facts, "SC Grace Okafor", "https://duties.example/app/events")
    assert text.subject == "Call-out: Operation Nightingale, Thu 5 Nov 2026, 18:00 GMT"
    assert "Sign up by Tue 3 Nov 2026, 12:00 GMT." in text.body
    assert "https://duties.example/app/events" in text.body
    assert "Open it" not in callout_text(facts, "SC Grace Okafor", None).body


def test_a_reminder_names_the_event_when_the_duty_is_an_events() -> None:
    facts = DutyFacts(
        "Event",
        "Newmarket",
        "",
        datetime(2026, 6, 1, 8, tzinfo=UTC),
        datetime(2026, 6, 1, 16, tzinfo=UTC),
        "Derby day",
    )
    assert reminder_text(facts, "SC A", None).subject == (
        "Reminder: Derby day starts Mon 1 Jun 2026, 09:00 BST"
    )


def test_each_kind_is_due_in_its_window_only() -> None:
    start = datetime(2026, 12, 24, 18, tzinfo=UTC)
    assert not reminder_due(start, start - timedelta(hours=25))
    assert reminder_due(start, start - timedelta(hours=24))
    assert not reminder_due(start, start)
    assert training_warning_due(date(2026, 12, 31), date(2026, 12, 1))
    assert not training_warning_due(date(2027, 1, 1), date(2026, 12, 1))
    assert not training_warning_due(date(2026, 11, 30), date(2026, 12, 1))
    made = datetime(2026, 10, 1, 2, tzinfo=UTC)
    assert return_alert_due("failed", made, made)
    assert not return_alert_due("pending", made, made + timedelta(hours=23))
    assert return_alert_due("pending", made, made + timedelta(hours=24))
    assert not return_alert_due("delivered", made, made + timedelta(days=9))


def test_retries_back_off_doubling_up_to_an_hour() -> None:
    waits = [next_attempt_after(n, 60).total_seconds() for n in (1, 2, 3, 10)]
    assert waits == [60, 120, 240, 3600]


def test_an_address_in_a_server_reply_is_not_kept() -> None:
    reply = "550 5.1.1 <grace.okafor@police.example>: Recipient address rejected"
    assert without_addresses(reply) == "550 5.1.1 <address>: Recipient address rejected"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, False, False, "", "")),
        ("smtp://mail.example?starttls=1", ("mail.example", 25, False, True, "", "")),
        (
            "smtps://us%40er:p%3Ass@mail.example",
            ("mail.example", 465, True, False, "us@er", "p:ss"),
        ),
    ],
)
def test_the_smtp_url_says_where_how_and_as_whom(url: str, expected: tuple[object, ...]) -> None:
    server = parse_smtp_url(url)
    got = (server.host, server.port, server.implicit_tls, server.starttls)
    assert (*got, server.username, server.password) == expected
    assert "p:ss" not in repr(server)


def test_an_smtp_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="DUTYSERVICE_SMTP_URL is smtp://host:port"):
        parse_smtp_url("http://mail.example")
