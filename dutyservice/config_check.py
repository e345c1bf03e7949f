"""`dutyservice config check` (API.md "Running it for a force"): every setting read, then what
each names tried: the database reached and at the head migration, the forces known, the
session key, the SMTP server, the feed and the identity provider."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .config import Settings
from .db import Database
from .errors import Unavailable
from .migrate import alembic_config
from .notify.mail import parse_smtp_url

MIN_SECRET_KEY = 32


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


def database_problem(settings: Settings, db: Database) -> str | None:
    """Why the database cannot be used, or None: reached and at the head migration."""
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    try:
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        return f"the database cannot be reached: {reason(error)}"
    if current != head:
        return f"the database is at migration {current or 'none'}, not {head}: run db upgrade"
    return None


def reason(error: BaseException) -> str:
    """The driver's first line, never the URL (it may carry a password)."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0][:300]


def _database(settings: Settings, db: Database) -> Iterator[Finding]:
    problem = database_problem(settings, db)
    if problem:
        yield Finding(False, problem)
        return
    url = make_url(settings.database_url)
    yield Finding(True, f"database: {url.get_backend_name()} reached, at the head migration")
    from .forces.models import Force

    with db.reading() as session:
        known = set(session.scalars(select(Force.code)))
    for code in settings.forces:
        if code not in known:
            yield Finding(False, f"DUTYSERVICE_FORCES: no force {code!r} (codes of data.police.uk)")


def _secret_key(settings: Settings) -> Iterator[Finding]:
    sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
    if not settings.secret_key:
        if sqlite:
            yield Finding(True, "secret key: made once and kept beside the SQLite file")
        else:
            yield from (Finding(False, line) for line in serve_problems(settings))
    elif len(settings.secret_key) < MIN_SECRET_KEY:
        yield Finding(False, f"DUTYSERVICE_SECRET_KEY is shorter than {MIN_SECRET_KEY} characters")
    else:
        yield Finding(True, "secret key: set")


def _mail(settings: Settings, _db: Database) -> Iterator[Finding]:
    if not settings.smtp_url:
        yield Finding(True, "mail: no DUTYSERVICE_SMTP_URL, messages wait in the outbox")
        return
    try:
        server = parse_smtp_url(settings.smtp_url)
    except ValueError as error:
        yield Finding(False, str(error))
        return
    kind = smtplib.SMTP_SSL if server.implicit_tls else smtplib.SMTP
    try:
        with kind(server.host, server.port, timeout=min(settings.smtp_timeout, 10)) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        yield Finding(False, f"mail: the SMTP server {server.host}:{server.port} {reason(error)}")
        return
    yield Finding(True, f"mail: the SMTP server {server.host}:{server.port} answers")
    if not settings.base_url:
        yield Finding(False, "DUTYSERVICE_BASE_URL is not set: messages would carry no links")


def _feed(settings: Settings, _db: Database) -> Iterator[Finding]:
    if not settings.npocc_feed_url:
        yield Finding(True, "feed: none, returns are filed in the export directory")
        return
    parts = urlsplit(settings.npocc_feed_url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        yield Finding(False, "DUTYSERVICE_NPOCC_FEED_URL must be an https:// address")
    elif not settings.npocc_feed_token:
        yield Finding(False, "DUTYSERVICE_NPOCC_FEED_TOKEN (or _FILE) is not set")
    else:
        yield Finding(True, f"feed: {parts.scheme}://{parts.hostname}, with a token")


def _identity_provider(settings: Settings, _db: Database) -> Iterator[Finding]:
    if not settings.oidc_issuer:
        yield Finding(True, "identity provider: none, the pages take an API token")
        return
    from .signin.oidc import IdentityProvider

    try:
        IdentityProvider(settings).discovery()
    except Unavailable:
        yield Finding(False, f"the identity provider {settings.oidc_issuer} is not answering")
        return
    yield Finding(True, f"identity provider: {settings.oidc_issuer} answers")
    if settings.oidc_sign_in_enabled and not settings.base_url:
        yield Finding(False, "DUTYSERVICE_BASE_URL is not set: the sign-in has no redirect_uri")


CHECKS: tuple[Callable[[Settings, Database], Iterator[Finding]], ...] = (
    _database,
    lambda settings, _db: _secret_key(settings),
    _mail,
    _feed,
    _identity_provider,
)


def check(settings: Settings, db: Database) -> list[Finding]:
    return [finding for each in CHECKS for finding in each(settings, db)]


def serve_problems(settings: Settings) -> list[str]:
    """What `serve` will not start without: what its pages need."""
    sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
    if settings.secret_key or sqlite:
        return []
    return ["DUTYSERVICE_SECRET_KEY (or _FILE) is not set: the pages need it"]
