"""Mutual aid's messages through a real SMTP server: each new request to the officer's force's
aid contact (one mail per request), and the answer to the officer, once each."""

from __future__ import annotations

import threading
from datetime import timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dutyservice.clock import utc_now
from dutyservice.config import Settings
from dutyservice.db import Database
from dutyservice.duties.models import Officer
from dutyservice.events import aid, service
from dutyservice.events.models import Event
from dutyservice.forces.service import change_settings
from dutyservice.notify.rules import london_time
from dutyservice.notify.service import run_outbox
from dutyservice.scheduler.jobs import build_scheduler

from ..support.builders import ADMIN, Builder
from ..support.smtp import Mailbox
from .conftest import SOON, address, callout, with_email

CONTACT = "mutual-aid@norfolk.police.example"


def national(db: Database, **overrides: object) -> Event:
    return callout(db, open_to="national", mercury_ref=None, **overrides)


def visitor(db: Database, build: Builder) -> Officer:
    return with_email(db, build.officer("norfolk", forenames="Robin"))


def test_each_new_request_is_mailed_once_to_the_officers_force_contact(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    change_settings(db, ADMIN, "norfolk", {"aid_contact_email": CONTACT})
    event = national(db)
    first, second = visitor(db, build), visitor(db, build)
    service.sign_up(db, ADMIN, event.id, first.id)
    service.sign_up(db, ADMIN, event.id, second.id)
    service.sign_up(db, ADMIN, event.id, with_email(db, build.officer()).id)  # host's: none
    assert run_outbox(db, settings).sent == 2
    assert run_outbox(db, settings).sent == 0  # once
    mails = mailbox.messages_to(CONTACT)
    assert len(mails) == 2
    body = mails[0].get_content()
    assert "Operation Nightingale" in body
    assert "Cambridgeshire" in body
    assert first.officer_ref in body
    assert "/app/aid" in body
    assert mailbox.recipients() == [CONTACT, CONTACT]  # the officers are not told yet


def test_a_force_without_an_aid_contact_is_not_mailed(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    service.sign_up(db, ADMIN, national(db).id, visitor(db, build).id)
    assert run_outbox(db, settings).sent == 0
    assert mailbox.recipients() == []


def test_the_officer_is_told_once_when_released_declined_or_lapsed(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    event = national(db)
    released, declined, lapsed = (visitor(db, build) for _ in range(3))
    for officer in (released, declined, lapsed):
        service.sign_up(db, ADMIN, event.id, officer.id)
    aid.release(db, ADMIN, event.id, released.id)
    aid.decline(db, ADMIN, event.id, declined.id, "Needed for the county show")
    aid.lapse_due(db, now=event.signup_deadline)
    aid.lapse_due(db, now=event.signup_deadline)
    assert run_outbox(db, settings).sent == 3
    assert run_outbox(db, settings).sent == 0
    subjects = {
        officer.id: [m["Subject"].strip() for m in mailbox.messages_to(address(officer))]
        for officer in (released, declined, lapsed)
    }
    assert subjects[released.id] == [f"Mutual aid released: Operation Nightingale, {when()}"]
    assert subjects[declined.id] == [f"Mutual aid declined: Operation Nightingale, {when()}"]
    assert subjects[lapsed.id] == [f"Mutual aid lapsed: Operation Nightingale, {when()}"]
    reason = mailbox.messages_to(address(declined))[0].get_content()
    assert "Reason: Needed for the county show" in reason


def when() -> str:
    return london_time(SOON)


def test_the_schedulers_job_lapses_requests_past_their_deadline_and_tells_the_officer(
    db: Database, build: Builder, settings: Settings, mailbox: Mailbox
) -> None:
    soon = utc_now() + timedelta(seconds=2)
    event = national(db, signup_deadline=soon)
    officer = visitor(db, build)
    signup = service.sign_up(db, ADMIN, event.id, officer.id)
    far = DateTrigger(utc_now() + timedelta(days=365))
    scheduler = build_scheduler(
        db,
        settings,
        quarterly=far,
        retries=far,
        notifications=IntervalTrigger(seconds=0.3),
        aid_deadlines=IntervalTrigger(seconds=0.3),
    )
    errors: list[BaseException] = []
    ran_after_deadline = threading.Event()

    def listen(job: JobExecutionEvent) -> None:
        if job.exception is not None:
            errors.append(job.exception)
        if job.job_id == "mutual-aid-lapse" and utc_now() > soon:
            ran_after_deadline.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    try:
        assert ran_after_deadline.wait(30), "the lapse job did not run"
        assert mailbox.wait_for(1), "the officer was not told"
    finally:
        scheduler.shutdown(wait=True)
        runner.join(10)
    assert errors == []
    assert [m["Subject"].strip().split(":")[0] for m in mailbox.messages_to(address(officer))] == [
        "Mutual aid lapsed"
    ]
    with db.reading() as session:
        stored = session.get(type(signup), signup.id)
        assert stored is not None
        assert stored.status == "lapsed"
