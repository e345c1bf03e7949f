"""Every DUTYSERVICE_* setting: its type, default and meaning, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _normalise_database_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver; accept the plain URL forms operators copy from psql.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
        )

    def replace(self, **changes: object) -> Settings:
        values = {**self.__dict__, **changes}
        if "database_url" in changes:
            values["database_url"] = _normalise_database_url(str(values["database_url"]))
        return Settings(**values)
