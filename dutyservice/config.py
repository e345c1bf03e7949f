"""Every DUTYSERVICE_* setting: its type, default and meaning, read in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _normalise_database_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept the plain URL forms operators copy from psql.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _whole_years(text: str) -> int | None:
    if not text.strip():
        return None
    years = int(text)
    if not 1 <= years <= 100:
        raise ValueError("DUTYSERVICE_RETENTION_YEARS must be a whole number of years, 1 to 100")
    return years


def _secret(env: Mapping[str, str], name: str) -> str:
    """A secret given in the variable itself, or read from the file named by `<name>_FILE`
    (a container's mounted secret)."""
    path = env.get(f"{name}_FILE", "")
    if path and not env.get(name):
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(f"{name}_FILE cannot be read: {error.strerror}") from None
    return env.get(name, "").strip()


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
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=_normalise_database_url(
                env.get("DUTYSERVICE_DATABASE_URL", cls.database_url)
            ),
            export_dir=Path(env.get("DUTYSERVICE_EXPORT_DIR", str(cls.export_dir))),
            npocc_feed_url=env.get("DUTYSERVICE_NPOCC_FEED_URL", ""),
            npocc_feed_token=env.get("DUTYSERVICE_NPOCC_FEED_TOKEN", ""),
            npocc_feed_timeout=float(env.get("DUTYSERVICE_NPOCC_FEED_TIMEOUT", "30")),
            npocc_retry_backoff=float(env.get("DUTYSERVICE_NPOCC_RETRY_BACKOFF", "1")),
            npocc_retries=int(env.get("DUTYSERVICE_NPOCC_RETRIES", "4")),
            max_body_bytes=int(env.get("DUTYSERVICE_MAX_BODY_BYTES", "1000000")),
            log_level=env.get("DUTYSERVICE_LOG_LEVEL", "INFO"),
            shutdown_drain_seconds=float(env.get("DUTYSERVICE_SHUTDOWN_DRAIN_SECONDS", "3")),
            oidc_issuer=env.get("DUTYSERVICE_OIDC_ISSUER", "").rstrip("/"),
            oidc_audience=env.get("DUTYSERVICE_OIDC_AUDIENCE", ""),
            oidc_jwks_url=env.get("DUTYSERVICE_OIDC_JWKS_URL", ""),
            oidc_roles_claim=env.get("DUTYSERVICE_OIDC_ROLES_CLAIM", "") or cls.oidc_roles_claim,
            oidc_force_claim=env.get("DUTYSERVICE_OIDC_FORCE_CLAIM", "") or cls.oidc_force_claim,
            oidc_officer_claim=(
                env.get("DUTYSERVICE_OIDC_OFFICER_CLAIM", "") or cls.oidc_officer_claim
            ),
            oidc_client_id=env.get("DUTYSERVICE_OIDC_CLIENT_ID", ""),
            oidc_client_secret=env.get("DUTYSERVICE_OIDC_CLIENT_SECRET", ""),
            secret_key=env.get("DUTYSERVICE_SECRET_KEY", ""),
            smtp_url=env.get("DUTYSERVICE_SMTP_URL", ""),
            mail_from=env.get("DUTYSERVICE_MAIL_FROM", cls.mail_from),
            admin_email=env.get("DUTYSERVICE_ADMIN_EMAIL", ""),
            base_url=env.get("DUTYSERVICE_BASE_URL", "").rstrip("/"),
            smtp_timeout=float(env.get("DUTYSERVICE_SMTP_TIMEOUT", "30")),
            smtp_retry_backoff=float(env.get("DUTYSERVICE_SMTP_RETRY_BACKOFF", "60")),
            retention_years=_whole_years(env.get("DUTYSERVICE_RETENTION_YEARS", "")),
            privacy_contact=env.get("DUTYSERVICE_PRIVACY_CONTACT", ""),
            vapid_private_key=_secret(env, "DUTYSERVICE_VAPID_PRIVATE_KEY"),
            vapid_subject=env.get("DUTYSERVICE_VAPID_SUBJECT", ""),
            push_endpoints=tuple(
                origin.strip().rstrip("/")
                for origin in env.get("DUTYSERVICE_PUSH_ENDPOINTS", "").split(",")
                if origin.strip()
            ),
            push_timeout=float(env.get("DUTYSERVICE_PUSH_TIMEOUT", "10")),
        )

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
