"""Persistence plumbing: the declarative base, the UTC instant type, engines and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date, TypeDecorator

from .errors import Conflict, Unavailable
from .lookups import Lookups

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: timestamptz on PostgreSQL, naive UTC on SQLite; always aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class next_day(FunctionElement[Any]):
    """The calendar day after a date column, in either database's date arithmetic."""

    type = Date()
    inherit_cache = True


@compiles(next_day, "postgresql")
def _next_day_postgresql(element: next_day, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} + 1)"


@compiles(next_day, "sqlite")
def _next_day_sqlite(element: next_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day')"


def violated_constraint(error: DBAPIError) -> str | None:
    """The name of the constraint a PostgreSQL error reports, if it reports one."""
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    # Python's sqlite3 starts transactions lazily and as DEFERRED: a transaction that reads and
    # then writes fails with "database is locked" when another writer got there first. We take
    # control of BEGIN so that write transactions start IMMEDIATE and so are serialised.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and its sessions. Use cases open one transaction each: all of it or none."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.lookups = Lookups()
        info = {"lookups": self.lookups}
        self._reader = sessionmaker(self.engine, expire_on_commit=False, info=info)
        writer_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if is_sqlite(self.engine)
            else self.engine
        )
        self._writer = sessionmaker(writer_bind, expire_on_commit=False, info=info)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with (
            _conflict_on_deadlock(),
            _unavailable_on_disconnect(),
            self._writer() as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; what it loaded stays readable after.

        It ends with COMMIT, not ROLLBACK: psycopg forgets a connection's prepared statements
        on every rollback, and a prepared deployable query skips planning that costs more
        than running it.
        """
        with _unavailable_on_disconnect(), self._reader() as session:
            yield session
            session.commit()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _unavailable_on_disconnect() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        if exc.connection_invalidated or _is_connection_failure(exc):
            raise Unavailable("the database is not answering; nothing was changed") from exc
        raise
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise Unavailable("the database is not answering; nothing was changed") from exc
        raise


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


@contextmanager
def _conflict_on_deadlock() -> Iterator[None]:
    # Two transactions writing rows that clash under an exclusion constraint can each find the
    # other's row and wait for it; PostgreSQL breaks the deadlock by failing one of them, which
    # the constraint would have refused anyway. Either way nothing of it was stored.
    try:
        yield
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == DEADLOCK_DETECTED:
            raise Conflict(
                "another change made at the same moment conflicts with this one; "
                "nothing was changed"
            ) from exc
        raise


def _is_connection_failure(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(
        marker in text
        for marker in ("connection", "server closed", "could not connect", "terminating")
    )


class elapsed_seconds(FunctionElement[Any]):
    """Seconds between two instants, in either database's arithmetic."""

    inherit_cache = True


@compiles(elapsed_seconds, "postgresql")
def _elapsed_seconds_postgresql(element: elapsed_seconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(elapsed_seconds, "sqlite")
def _elapsed_seconds_sqlite(element: elapsed_seconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


class bytewise(FunctionElement[Any]):
    """A text column ordered by its bytes, whatever the database's default collation."""

    inherit_cache = True


@compiles(bytewise, "postgresql")
def _bytewise_postgresql(element: bytewise, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'


@compiles(bytewise, "sqlite")
def _bytewise_sqlite(element: bytewise, compiler: Any, **kw: Any) -> str:
    sql: str = compiler.process(element.clauses, **kw)  # SQLite compares text as bytes already
    return sql
