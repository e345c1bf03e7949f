"""Every DUTYSERVICE_* setting: its type, default and meaning, read in one place."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .clock import Quarter


class ConfigError(ValueError):
    """A setting that cannot be used; its message names the variable, never a secret's value."""


def _secret(env: Mapping[str, str], name: str) -> str:
    """A secret from `NAME`, or from the file `NAME_FILE` names (systemd credentials, container
    secrets): one of the two, the file's content without its final line break."""
    path = env.get(f"{name}_FILE", "")
    if not path:
        return env.get(name, "")
    if env.get(name):
        raise ConfigError(f"{name} and {name}_FILE are both set: keep one")
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}_FILE cannot be read: {getattr(exc, 'strerror', exc)}") from None


_Number = TypeVar("_Number", int, float)


def _number(env: Mapping[str, str], name: str, kind: type[_Number], default: _Number) -> _Number:
    text = env.get(name, "")
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, not {text!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _forces(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))


def _quarter(text: str) -> Quarter | None:
    if not text:
        return None
    try:
        return Quarter.parse(text.strip())
    except ValueError:
        raise ConfigError(
            f"DUTYSERVICE_RETURNS_FROM must be a quarter such as 2027-Q1, not {text!r}"
        ) from None


def _base_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(f"DUTYSERVICE_BASE_URL must start with https:// (or http://): {url!r}")
    return url


def _log_level(text: str) -> str:
    level = text.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"DUTYSERVICE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR: {text!r}")
    return level


def _database_url(env: Mapping[str, str], default: str) -> str:
    url = env.get("DUTYSERVICE_DATABASE_URL", "")
    if not url and Path.cwd() == Path("/"):
        raise ConfigError("DUTYSERVICE_DATABASE_URL must be set when the working directory is /")
    return _normalise_database_url(url or default)


def _directory(env: Mapping[str, str], name: str, default: str) -> Path:
    # A relative default resolves against the working directory; where that is / (a service
    # started by systemd without WorkingDirectory) it would write at the root: refuse instead.
    given = env.get(name, "")
    path = Path(given or default)
    if not path.is_absolute() and Path.cwd() == Path("/"):
        raise ConfigError(f"{name} must be an absolute path when the working directory is /")
    return path


def _normalise_database_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept the plain URL forms operators copy from psql.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _whole_years(text: str) -> int | None:
    if not text.strip():
        return None
    problem = "DUTYSERVICE_RETENTION_YEARS must be a whole number of years, 1 to 100"
    try:
        years = int(text)
    except ValueError:
        raise ConfigError(problem) from None
    if not 1 <= years <= 100:
        raise ConfigError(problem)
    return years


def _origins(text: str) -> tuple[str, ...]:
    return tuple(origin.strip().rstrip("/") for origin in text.split(",") if origin.strip())


@dataclass(frozen=True)
class Settings:
    #: SQLAlchemy URL of the database. Default: a SQLite file in the working directory.
    database_url: str = "sqlite:///dutyservice.db"
    #: Directory the NPoCC return files are written to.
    export_dir: Path = Path("exports")
    #: Where new NPoCC returns are POSTed (FEED.md "Delivery"); empty means files only.
    npocc_feed_url: str = ""
    #: Bearer token sent to the feed endpoint. Never logged.
    npocc_feed_token: str = field(default="", repr=False)
    #: Seconds to wait for the feed endpoint to connect and to answer.
    npocc_feed_timeout: float = 30.0
    #: Seconds of exponential back-off between retries within one delivery attempt.
    npocc_retry_backoff: float = 1.0
    #: Retries within one delivery attempt, before it is left pending for the next one.
    npocc_retries: int = 4
    #: Largest request body accepted, in bytes (larger answers 413).
    max_body_bytes: int = 1_000_000
    #: Log level of the service's structured logs.
    log_level: str = "INFO"
    #: Seconds a stopping server keeps answering, with /readyz at 503, before it stops accepting.
    shutdown_drain_seconds: float = 3.0
    #: The force's OpenID Connect issuer (`iss`); empty: no sign-in through an identity provider.
    oidc_issuer: str = ""
    #: The audience (`aud`) bearer JWTs must name. Default: the client id.
    oidc_audience: str = ""
    #: The provider's key set. Default: `jwks_uri` of the issuer's discovery document.
    oidc_jwks_url: str = ""
    #: The claim that lists a person's roles (API.md: the first of our six found is taken).
    oidc_roles_claim: str = "roles"
    #: The claim that carries the code of a person's force.
    oidc_force_claim: str = "force"
    #: The claim that carries a special's warrant number.
    oidc_officer_claim: str = "warrant_number"
    #: This service's client id at the provider, for the web pages' sign-in.
    oidc_client_id: str = ""
    #: Its client secret (empty for a public client, PKCE alone). Never logged.
    oidc_client_secret: str = field(default="", repr=False)
    #: Signs the web pages' session cookie. Empty: with a SQLite database, a key is made once
    #: and kept in a file beside it (`<database>.secret-key`); otherwise the pages answer 503.
    #: Never logged.
    secret_key: str = field(default="", repr=False)
    #: Where mail is sent: smtp://host:port, smtps://user:password@host:465, ?starttls=1.
    #: Empty: no mail is sent (messages wait in the outbox). Never logged.
    smtp_url: str = field(default="", repr=False)
    #: The From address of every message.
    mail_from: str = "dutyservice@localhost"
    #: Who is told of a return that failed or is still pending a day after it was made.
    admin_email: str = ""
    #: The service's public address, for links to its pages in messages; empty: no links.
    base_url: str = ""
    #: The forces this deployment serves (codes); empty: every force.
    forces: tuple[str, ...] = ()
    #: No return is made for a quarter before this one (the go-live quarter).
    returns_from: Quarter | None = None
    #: How many proxies in front of the service to believe X-Forwarded-For/-Proto from.
    trusted_proxies: int = 0
    #: Seconds to connect to, and to wait for, the SMTP server.
    smtp_timeout: float = 30.0
    #: Seconds before the first retry of a message; doubled for each later one, up to an hour.
    smtp_retry_backoff: float = 60.0
    #: Full years after leaving that an officer's personal data is kept (API.md "Data
    #: protection"). Unset: `retention apply` uses 6 and the scheduler does not run it.
    retention_years: int | None = None
    #: Who officers ask about their data (the force's data protection officer): an e-mail
    #: address or a postal address, shown on the privacy page.
    privacy_contact: str = ""

    #: The VAPID private key (RFC 8292) that signs every push: base64url of the raw P-256
    #: scalar, or PEM. Empty: nothing is pushed. Never logged.
    vapid_private_key: str = field(default="", repr=False)
    #: Who push services may contact about our pushes: a `mailto:` address.
    vapid_subject: str = ""
    #: Origins of push services accepted beside the known ones (tests, private set-ups).
    push_endpoints: tuple[str, ...] = ()
    #: Seconds to connect to, and wait for, a push service.
    push_timeout: float = 10.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every setting; ConfigError names what cannot be used."""
        values, problems = cls._read(os.environ if environ is None else environ)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ConfigError(problems[0] + more)
        return cls(**values)

    @classmethod
    def problems_in(cls, environ: Mapping[str, str] | None = None) -> list[str]:
        """What cannot be used of the settings, one line each (`dutyservice config check`)."""
        return cls._read(os.environ if environ is None else environ)[1]

    @classmethod
    def _read(cls, env: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        problems: list[str] = []
        for name, read in _readers(env).items():
            try:
                values[name] = read()
            except ConfigError as problem:
                problems.append(str(problem))
        return values, problems

    def serves(self, force_code: str) -> bool:
        """Whether this deployment serves the force (DUTYSERVICE_FORCES; empty: every force)."""
        return not self.forces or force_code in self.forces

    @property
    def push_enabled(self) -> bool:
        """Call-outs and reminders are pushed when a VAPID key and its subject are set."""
        return bool(self.vapid_private_key and self.vapid_subject)

    @property
    def oidc_enabled(self) -> bool:
        """Bearer JWTs are accepted when an issuer and an audience (or a client id) are set."""
        return bool(self.oidc_issuer and (self.oidc_audience or self.oidc_client_id))

    @property
    def oidc_sign_in_enabled(self) -> bool:
        """The web pages sign in through the provider when an issuer and a client id are set."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    def replace(self, **changes: object) -> Settings:
        values = {**self.__dict__, **changes}
        if "database_url" in changes:
            values["database_url"] = _normalise_database_url(str(values["database_url"]))
        return Settings(**values)


def _readers(env: Mapping[str, str]) -> dict[str, Callable[[], Any]]:
    """How each setting is read from the environment."""
    cls = Settings
    return {
        "database_url": lambda: _database_url(env, cls.database_url),
        "export_dir": lambda: _directory(env, "DUTYSERVICE_EXPORT_DIR", str(cls.export_dir)),
        "npocc_feed_url": lambda: env.get("DUTYSERVICE_NPOCC_FEED_URL", ""),
        "npocc_feed_token": lambda: _secret(env, "DUTYSERVICE_NPOCC_FEED_TOKEN"),
        "npocc_feed_timeout": lambda: _number(env, "DUTYSERVICE_NPOCC_FEED_TIMEOUT", float, 30.0),
        "npocc_retry_backoff": lambda: _number(env, "DUTYSERVICE_NPOCC_RETRY_BACKOFF", float, 1.0),
        "npocc_retries": lambda: _number(env, "DUTYSERVICE_NPOCC_RETRIES", int, 4),
        "max_body_bytes": lambda: _number(env, "DUTYSERVICE_MAX_BODY_BYTES", int, 1_000_000),
        "log_level": lambda: _log_level(env.get("DUTYSERVICE_LOG_LEVEL", "") or "INFO"),
        "shutdown_drain_seconds": lambda: _number(
            env, "DUTYSERVICE_SHUTDOWN_DRAIN_SECONDS", float, 3.0
        ),
        "oidc_issuer": lambda: env.get("DUTYSERVICE_OIDC_ISSUER", "").rstrip("/"),
        "oidc_audience": lambda: env.get("DUTYSERVICE_OIDC_AUDIENCE", ""),
        "oidc_jwks_url": lambda: env.get("DUTYSERVICE_OIDC_JWKS_URL", ""),
        "oidc_roles_claim": lambda: (
            env.get("DUTYSERVICE_OIDC_ROLES_CLAIM", "") or cls.oidc_roles_claim
        ),
        "oidc_force_claim": lambda: (
            env.get("DUTYSERVICE_OIDC_FORCE_CLAIM", "") or cls.oidc_force_claim
        ),
        "oidc_officer_claim": lambda: (
            env.get("DUTYSERVICE_OIDC_OFFICER_CLAIM", "") or cls.oidc_officer_claim
        ),
        "oidc_client_id": lambda: env.get("DUTYSERVICE_OIDC_CLIENT_ID", ""),
        "oidc_client_secret": lambda: _secret(env, "DUTYSERVICE_OIDC_CLIENT_SECRET"),
        "secret_key": lambda: _secret(env, "DUTYSERVICE_SECRET_KEY"),
        "smtp_url": lambda: _secret(env, "DUTYSERVICE_SMTP_URL"),
        "mail_from": lambda: env.get("DUTYSERVICE_MAIL_FROM", cls.mail_from),
        "admin_email": lambda: env.get("DUTYSERVICE_ADMIN_EMAIL", ""),
        "base_url": lambda: _base_url(env.get("DUTYSERVICE_BASE_URL", "")),
        "forces": lambda: _forces(env.get("DUTYSERVICE_FORCES", "")),
        "returns_from": lambda: _quarter(env.get("DUTYSERVICE_RETURNS_FROM", "")),
        "trusted_proxies": lambda: _number(env, "DUTYSERVICE_TRUSTED_PROXIES", int, 0),
        "smtp_timeout": lambda: _number(env, "DUTYSERVICE_SMTP_TIMEOUT", float, 30.0),
        "smtp_retry_backoff": lambda: _number(env, "DUTYSERVICE_SMTP_RETRY_BACKOFF", float, 60.0),
        "retention_years": lambda: _whole_years(env.get("DUTYSERVICE_RETENTION_YEARS", "")),
        "privacy_contact": lambda: env.get("DUTYSERVICE_PRIVACY_CONTACT", ""),
        "vapid_private_key": lambda: _secret(env, "DUTYSERVICE_VAPID_PRIVATE_KEY").strip(),
        "vapid_subject": lambda: env.get("DUTYSERVICE_VAPID_SUBJECT", ""),
        "push_endpoints": lambda: _origins(env.get("DUTYSERVICE_PUSH_ENDPOINTS", "")),
        "push_timeout": lambda: _number(env, "DUTYSERVICE_PUSH_TIMEOUT", float, 10.0),
    }
