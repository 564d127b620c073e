"""Database engines, session factories and the unit of work.

SQLite runs with foreign keys on, WAL journaling and ``BEGIN IMMEDIATE`` transactions,
so that concurrent writers queue for the write lock instead of failing half-way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = 0.005
#: serialization_failure, deadlock_detected
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
T = TypeVar("T")


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``database_url`` with PlantOps' connection settings."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    """SQLAlchemy's recipe for transactional SQLite with pysqlite ("Serializable isolation")."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


SessionFactory = Callable[[], Session]


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """One transaction of a use case: ``with uow: ...; uow.commit()``.

    Leaving the block without :meth:`commit` rolls everything back, so a failure
    part-way leaves the database as it was.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
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

        A deadlock or serialization failure (PostgreSQL SQLSTATE 40P01 / 40001) or a
        busy SQLite database is retried with jittered exponential back-off, up to
        ``attempts`` times in all; any other error, or the last failure, is raised with
        nothing committed.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self:
                    result = work(self.session)
                    self.commit()
                    return result
            except DBAPIError as error:
                if attempt == attempts or not is_transient(error):
                    raise
            time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
        raise AssertionError("unreachable")


def is_transient(error: DBAPIError) -> bool:
    """A conflict that the same transaction, run again, may pass."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)
