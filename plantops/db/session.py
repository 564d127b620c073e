"""Database engines, session factories and the unit of work.

SQLite runs with foreign keys on, WAL journaling and ``BEGIN IMMEDIATE`` transactions,
so that concurrent writers queue for the write lock instead of failing half-way.

A pooled server connection (PostgreSQL) is not pinged at every checkout, as
SQLAlchemy's ``pool_pre_ping`` would (a round trip per unit of work: as many as a
single-statement posting needs for all of its work), only when there is reason to doubt it:

* when it sat in the pool for more than :data:`PING_AFTER_IDLE_SECONDS` (a firewall or
  the server may have dropped it silently), or when its socket has something to read
  while no query runs: a server that closes a connection (restart,
  ``idle_session_timeout``, ``pg_terminate_backend``) sends a FATAL message and
  end-of-file, which a zero-timeout ``poll`` sees without a round trip;
* it is replaced after :data:`POOL_RECYCLE_SECONDS` in any case;
* a connection that still dies in use fails its transaction, which
  :meth:`UnitOfWork.run` runs again when it is certain that nothing was committed
  (the failure came before ``COMMIT``); a failure during ``COMMIT`` itself, or during
  a single autocommitted statement (:meth:`UnitOfWork.run_statement`), may or may not
  have committed, and is raised rather than risk posting twice.

The trade-off against ``pool_pre_ping``: a connection lost silently (no FATAL, no
end-of-file: a network partition) less than :data:`PING_AFTER_IDLE_SECONDS` after its
last use is found by its first statement, not by a ping. A unit of work then runs
again on a new connection; a single autocommitted statement fails with the error, as
any statement does whose connection is lost while it runs.
"""

from __future__ import annotations

import logging
import random
import select
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from plantops.bounds import DEFAULT_POSTING_WINDOW, PostingWindow
from plantops.db import audit

SQLITE_BUSY_TIMEOUT_MS = 30_000
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 0.005
#: serialization_failure, deadlock_detected
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
#: A pooled connection idle for longer than this is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 1.0
#: A pooled connection older than this is replaced at checkout.
POOL_RECYCLE_SECONDS = 1800
_IDLE_SINCE = "plantops_idle_since"
_CURSOR = "plantops_cursor"
_log = logging.getLogger("sqlalchemy.engine.Engine")
T = TypeVar("T")


def make_engine(database_url: str, *, echo: bool = False, sqlite_wait_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """Create the engine for ``database_url`` with PlantOps' connection settings; on SQLite a
    transaction waits at most ``sqlite_wait_ms`` for the write lock."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": sqlite_wait_ms / 1000})
        _configure_sqlite(engine, sqlite_wait_ms)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=False, pool_recycle=POOL_RECYCLE_SECONDS)
    _ping_when_in_doubt(engine)
    return engine


def _ping_when_in_doubt(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it was idle long or the server spoke unasked."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:  # a new connection
            return
        if time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS and not _has_unread_input(dbapi_connection):
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # a no-op where the ping left no transaction open (psycopg)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError(f"pooled connection found dead: {error}") from error
            raise


def _has_unread_input(dbapi_connection: Any) -> bool:
    """Whether the server sent something while the connection sat idle (a FATAL message, end of file)."""
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # closed, or a driver without a socket: let the ping decide
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(descriptor, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    return True  # no poll() on this platform: always ping


def _configure_sqlite(engine: Engine, wait_ms: int) -> None:
    """SQLAlchemy's recipe for transactional SQLite with pysqlite ("Serializable isolation")."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


SessionFactory = Callable[[], Session]


def lock_name(session: Session, name: str) -> None:
    """Hold ``name`` until the transaction ends, so that transactions claiming the same name take turns.

    PostgreSQL: a transaction-level advisory lock on the name's 64-bit hash. SQLite needs
    none: every transaction begins ``IMMEDIATE``, so writers already take turns.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose changes are recorded in the audit trail (:mod:`plantops.db.audit`)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
    audit.install(factory)
    return factory


class UnitOfWork:
    """One transaction of a use case: ``with uow: ...; uow.commit()``.

    Leaving the block without :meth:`commit` rolls everything back, so a failure
    part-way leaves the database as it was.

    ``user`` is who acts: the audit trail records their changes under that name (see
    :mod:`plantops.db.audit`); without one, under the operating system's user.
    ``posting_window`` is how far from now a stock posting may take effect, as the
    settings say.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        user: str | None = None,
        posting_window: PostingWindow = DEFAULT_POSTING_WINDOW,
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._engine: Engine | None = None
        self.user = user
        self.posting_window = posting_window

    def acting_as(self, user: str) -> UnitOfWork:
        """A unit of work on the same database whose changes are recorded as ``user``'s."""
        return UnitOfWork(self._session_factory, user=user, posting_window=self.posting_window)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        if self.user is not None:
            self._session.info[audit.USER] = self.user
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def run(self, work: Callable[[Session], T], *, attempts: int = MAX_ATTEMPTS) -> T:
        """Run ``work`` in a transaction of its own and commit, retrying transient conflicts.

        A deadlock or serialization failure (PostgreSQL SQLSTATE 40P01 / 40001), a busy
        SQLite database, or a connection lost before ``COMMIT`` (the server rolls the
        transaction back) is retried with jittered exponential back-off, up to
        ``attempts`` times in all; any other error, a connection lost during ``COMMIT``
        (which may have committed), or the last failure, is raised.
        """
        for attempt in range(1, attempts + 1):
            committing = False
            try:
                with self:
                    result = work(self.session)
                    committing = True
                    self.commit()
                    return result
            except DBAPIError as error:
                if attempt == attempts or not is_transient(error) or (committing and error.connection_invalidated):
                    raise
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
        raise AssertionError("unreachable")

    @property
    def engine(self) -> Engine | None:
        """The engine the unit of work's sessions are bound to; None if they are bound to a connection."""
        if self._engine is None:
            bind = getattr(self._session_factory, "kw", {}).get("bind")
            if bind is None:
                with self._session_factory() as session:
                    bind = session.get_bind()
            self._engine = bind if isinstance(bind, Engine) else None
        return self._engine

    def run_statement(
        self, statement: str, parameters: Mapping[str, Any], *, attempts: int = MAX_ATTEMPTS
    ) -> tuple[Any, ...] | None:
        """Run one statement that returns rows as a transaction of its own (autocommit); its first row.

        The hot path for a use case that is a single statement: it runs on a pooled
        driver connection, without a session, a ``BEGIN`` or a ``COMMIT`` round trip.
        ``statement`` is in the driver's parameter style and ``parameters`` go to the
        driver as they are (no SQLAlchemy type processing); the driver prepares a
        statement it sees often (psycopg: after ``prepare_threshold`` executions).

        A statement is atomic, so a transient conflict is retried as in :meth:`run`.
        A lost connection is not: the statement may have committed before the
        connection broke. Errors are raised as SQLAlchemy's :class:`DBAPIError`
        subclasses; they do not pass through the engine's ``handle_error`` events.
        """
        engine = self.engine
        if engine is None:
            raise RuntimeError("run_statement needs a unit of work bound to an engine, not to a connection")
        for attempt in range(1, attempts + 1):
            try:
                return _autocommit(engine, statement, parameters)
            except DBAPIError as error:
                if attempt == attempts or not is_transient(error) or error.connection_invalidated:
                    raise
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
        raise AssertionError("unreachable")


def _autocommit(engine: Engine, statement: str, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """``statement`` on a pooled driver connection switched to autocommit, and switched back."""
    dialect = engine.dialect
    if engine.echo:
        _log.info("%s [autocommit] %r", statement, dict(parameters))
    pooled = engine.raw_connection()
    connection = pooled.dbapi_connection
    assert connection is not None  # a connection just checked out of the pool
    cursor = None
    try:
        dialect.set_isolation_level(connection, "AUTOCOMMIT")
        cursor = _cursor(pooled, connection)
        cursor.execute(statement, parameters)
        row = cursor.fetchone()
        return tuple(row) if row is not None else None
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, connection, cursor)
        if lost:
            pooled.invalidate(error)
        raise DBAPIError.instance(
            statement, dict(parameters), error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
        ) from error
    finally:
        try:
            if pooled.is_valid:
                dialect.reset_isolation_level(connection)
        except Exception as error:  # a connection that cannot be put back as it was is not put back
            pooled.invalidate(error)
        pooled.close()


def _cursor(pooled: PoolProxiedConnection, connection: Any) -> Any:
    """A cursor kept with the pooled connection for its next statement (making one costs as much as
    binding a dozen parameters)."""
    kept = pooled.info.get(_CURSOR)
    if kept is None or kept[0] is not connection:
        kept = pooled.info[_CURSOR] = (connection, connection.cursor())
    return kept[1]


def is_transient(error: DBAPIError) -> bool:
    """A failure that the same transaction, run again, may pass: a conflict, or a lost connection.

    Whether a lost connection may be run again depends on where it was lost: see
    :meth:`UnitOfWork.run`.
    """
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES or error.connection_invalidated:
        return True
    return "database is locked" in str(error.orig)
