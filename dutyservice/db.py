"""Persistence plumbing: the declarative base, the UTC instant type, engines and transactions."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    DateTime,
    Engine,
    Index,
    MetaData,
    create_engine,
    event,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, Date, TypeDecorator

from .errors import Conflict, DomainError, RaceLost, Unavailable
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


def _render_per_dialect(
    function: type[FunctionElement[Any]], **sql_by_dialect: Callable[..., str]
) -> None:
    """Compile an SQL function as each database (named by dialect) writes it: each of
    `sql_by_dialect` is given the SQL of the function's arguments, in order."""
    for dialect, sql_of in sql_by_dialect.items():
        compiles(function, dialect)(_compiler(sql_of))


def _compiler(sql_of: Callable[..., str]) -> Callable[..., str]:
    def compile_function(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
        return sql_of(*(compiler.process(argument, **kw) for argument in element.clauses))

    return compile_function


class next_day(FunctionElement[Any]):
    """The calendar day after a date column, in either database's date arithmetic."""

    type = Date()
    inherit_cache = True


_render_per_dialect(
    next_day,
    postgresql=lambda day: f"({day} + 1)",
    sqlite=lambda day: f"date({day}, '+1 day')",
)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows for which `where` holds, on both databases."""
    return Index(
        name, *columns, unique=unique, postgresql_where=text(where), sqlite_where=text(where)
    )


def no_overlap_per_officer(
    name: str, starts: str, ends: str, *, where: str | None = None
) -> ExcludeConstraint:
    """PostgreSQL: no two rows of one officer (of those `where` holds) overlap in
    [starts, ends); touching ends are fine. SQLite has none: its IMMEDIATE write transactions
    serialise the check each service makes."""
    constraint = ExcludeConstraint(
        ("officer_id", "="),
        (text(f"tstzrange({starts}, {ends}, '[)')"), "&&"),
        name=name,
        using="gist",
        where=text(where) if where is not None else None,
    )
    return constraint.ddl_if(dialect="postgresql")


def violated_constraint(error: DBAPIError) -> str | None:
    """The name of the constraint a PostgreSQL error reports, if it reports one."""
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def flush_or_conflict(session: Session, message: str) -> None:
    """Write what the session holds; a constraint it breaks (a duplicate, an overlap) is 409.

    On PostgreSQL a unique index or exclusion constraint makes a second writer wait for the
    first to commit and then refuses it, so this is what holds "at most one" under concurrency.
    """
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc


#: Whether a write that ends a live record is conditional on the record still being live. It
#: always is in service; the negative controls of tests/e2e/test_end_races.py serve the app with
#: it switched off, to show that their race is real.
ENDS_ARE_CONDITIONAL = True


def end_live(
    session: Session, record: Any, still_live: ColumnElement[bool], refusal: str, **values: Any
) -> None:
    """End a live record (withdraw a grant, revoke a unit, an officer leaving): `UPDATE ... SET
    values WHERE id = record.id AND still_live`, and 409 `refusal` when it matched nothing. The
    record in the session takes the values written.

    Two requests ending one record at the same moment both read it live. On PostgreSQL the
    second UPDATE waits for the first to commit, then finds the condition false and changes
    nothing, so it stores no second date and writes no second audit entry. (On SQLite the
    write transactions are serialised and the second request's read already sees it ended.)
    """
    model = type(record)
    condition = still_live if ENDS_ARE_CONDITIONAL else true()
    ended = session.execute(update(model).where(model.id == record.id, condition).values(**values))
    if cast("CursorResult[Any]", ended).rowcount != 1:
        raise Conflict(refusal)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # No JIT: every statement the service runs takes milliseconds, but a national answer's
    # estimated cost passes jit_above_cost, and compiling it took longer (40-70 ms) than
    # running it, on every execution (a prepared statement's plan keeps no compiled code).
    # Last in, first out: a request gets the connection used most recently, whose statements
    # are prepared (psycopg prepares one after its fifth run on a connection); handed out in
    # turn, each of the pool's connections would plan the deployable question afresh for its
    # first runs, and a quiet hour's requests would never settle any of them.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_use_lifo=True,
        connect_args={"options": "-c jit=off"},
    )


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
        """A write transaction: committed when the block ends, rolled back if it raises.

        One that lost a race to another transaction (a stale row version, a deadlock, a
        serialisation failure) raises RaceLost, a Conflict that `retry_lost_races` answers by
        running the use case again.
        """
        with (
            _unavailable_on_disconnect(),
            _race_lost_on_concurrent_write(),
            self._writer() as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; what it loaded stays readable after.

        It ends with COMMIT, not ROLLBACK, also when the block refuses the request (a domain
        error: nothing read was wrong): psycopg forgets a connection's prepared statements on
        every rollback, and a prepared deployable query skips planning that costs more than
        running it.
        """
        with _unavailable_on_disconnect(), self._reader() as session:
            try:
                yield session
            except DomainError:
                session.commit()
                raise
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


# PostgreSQL's SQLSTATEs for a transaction it failed because of another one at the same moment.
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
LOST_RACE_STATES = {DEADLOCK_DETECTED, SERIALIZATION_FAILURE}
_RACE_LOST = "another change made at the same moment conflicts with this one; nothing was changed"


@contextmanager
def _race_lost_on_concurrent_write() -> Iterator[None]:
    # A transaction loses a race in three ways, and each rolls all of it back:
    # - a versioned row (officers, duties) was changed and committed by another transaction
    #   since this one read it: the UPDATE ... WHERE version = n matches nothing;
    # - PostgreSQL breaks a deadlock by failing one of the transactions (two clashing writes
    #   under an exclusion constraint can each find the other's row and wait for it);
    # - a serialisation failure, should a transaction run at a stricter isolation level.
    # The use case may simply be run again (see `retry_lost_races`).
    try:
        yield
    except StaleDataError as exc:
        raise RaceLost(_RACE_LOST) from exc
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) in LOST_RACE_STATES:
            raise RaceLost(_RACE_LOST) from exc
        raise


MAX_ATTEMPTS = 50

P = ParamSpec("P")
R = TypeVar("R")


def retry_lost_races(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run a use case again when its transaction lost a race, up to MAX_ATTEMPTS times.

    Safe because a lost race rolled the whole transaction back: the next run reads what the
    winner committed and decides afresh. A client that sent `If-Match` with the version it
    read gets 409 from that second run (the version has moved on); one that did not gets its
    change applied on top of the winner's. Each loss means another transaction committed, so
    the attempts always make progress.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for _ in range(MAX_ATTEMPTS - 1):
            try:
                return use_case(*args, **kwargs)
            except RaceLost:
                continue
        return use_case(*args, **kwargs)

    return run


def _is_connection_failure(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(
        marker in text
        for marker in ("connection", "server closed", "could not connect", "terminating")
    )


class elapsed_seconds(FunctionElement[Any]):
    """Seconds between two instants, in either database's arithmetic."""

    inherit_cache = True


_render_per_dialect(
    elapsed_seconds,
    postgresql=lambda start, end: f"EXTRACT(EPOCH FROM ({end} - {start}))",
    sqlite=lambda start, end: f"((julianday({end}) - julianday({start})) * 86400.0)",
)


class later_unestimated(FunctionElement[Any]):
    """`later > earlier` for two instants, written on PostgreSQL as their difference against
    zero so that its planner takes the default guess for it instead of one from the column's
    statistics. For "the duties of a window" (starts within a day of it and ends after it
    begins), multiplying the two columns' guesses as if unrelated gave a handful of rows where
    there are hundreds, the fewer the longer the history, and plans that compare every officer
    with every one of them."""

    type = Boolean()
    inherit_cache = True


_render_per_dialect(
    later_unestimated,
    postgresql=lambda later, earlier: (
        f"({later} - CAST({earlier} AS TIMESTAMP WITH TIME ZONE)) > INTERVAL '0'"
    ),
    sqlite=lambda later, earlier: f"{later} > {earlier}",
)


class bytewise(FunctionElement[Any]):
    """A text column ordered by its bytes, whatever the database's default collation."""

    inherit_cache = True


_render_per_dialect(
    bytewise,
    postgresql=lambda column: f'({column} COLLATE "C")',
    sqlite=lambda column: column,  # SQLite compares text as bytes already
)
