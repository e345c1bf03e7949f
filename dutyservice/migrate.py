"""Alembic, driven from code: `dutyservice db upgrade` and the tests use the same path."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from .db import Database
from .shipped import MIGRATIONS


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
