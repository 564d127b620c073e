"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at ``PLANTOPS_TEST_POSTGRES_URL`` (default: the local
``test`` database). Each test process gets a database of its own, created once and
emptied between tests. Where the server is absent the PostgreSQL variants skip, unless
``PLANTOPS_REQUIRE_POSTGRES=1`` (as in CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Rich sizes the CLI's console when plantops.cli is first imported, by whichever test module
# imports it first: wide enough for whole table rows in every captured output.
os.environ["COLUMNS"] = "200"

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.models import metadata

POSTGRES_URL = os.environ.get("PLANTOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


#: The job queue's tables (procrastinate's, created by migration 0013), emptied with PlantOps' own.
QUEUE_TABLES = ("procrastinate_jobs", "procrastinate_workers", "procrastinate_events", "procrastinate_periodic_defers")


def _postgres_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        with create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} is not reachable: {error.orig}"
    return None


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test process, migrated to head."""
    reason = _postgres_available()
    if reason:
        if os.environ.get("PLANTOPS_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"plantops_test_{worker_id}_{os.getpid()}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database at the newest schema, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'plantops.db'}"
    return str(request.getfixturevalue("empty_postgres_url"))


#: PlantOps' tables and the queue's, emptied between tests.
TABLES = [*(t.name for t in metadata.sorted_tables), *QUEUE_TABLES]
#: Those of :data:`TABLES` holding a row.
FILLED_TABLES = text(" UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in TABLES))
#: The sequences owned by a column of one of ``:tables`` that have handed out a number since they (re)started.
USED_SEQUENCES = text(
    """SELECT format('%I.%I', s.schemaname, s.sequencename) FROM pg_sequences s
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass
        AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    WHERE s.last_value IS NOT NULL AND t.relname = ANY(:tables)"""
)


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> str:
    """This test process's PostgreSQL database with every table emptied and their id sequences restarted.

    Only the tables holding rows are truncated and only the sequences that were used are restarted:
    the same end as truncating all of them with RESTART IDENTITY, which took half a second a test.
    """
    url = postgres_url
    engine = create_engine(url)
    with engine.begin() as connection:
        exists = connection.execute(text("select to_regclass('public.item')")).scalar()
        if exists:
            filled = connection.execute(FILLED_TABLES).scalars().all()
            if filled:
                connection.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in filled) + " CASCADE"))
            for sequence in connection.execute(USED_SEQUENCES, {"tables": TABLES}).scalars().all():
                connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest schema, to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "plantops.db"
    ops = build(Settings(database_url=f"sqlite:///{path}"))
    ops.migrate()
    ops.close()
    return path


@pytest.fixture
def ops(database_url: str, request: pytest.FixtureRequest) -> Iterator[PlantOps]:
    """PlantOps on an empty, migrated database.

    On SQLite the database starts as a copy of :func:`migrated_sqlite` (migrating each test's
    own from nothing took most of a second); the migration then finds nothing to do.
    """
    path = make_url(database_url).database
    if database_url.startswith("sqlite") and path:
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    plant = build(Settings(database_url=database_url))
    plant.migrate()
    yield plant
    plant.close()


@pytest.fixture
def postgres_ops(empty_postgres_url: str) -> Iterator[PlantOps]:
    """PlantOps on an empty, migrated PostgreSQL database, for what only PostgreSQL does."""
    plant = build(Settings(database_url=empty_postgres_url))
    plant.migrate()
    yield plant
    plant.close()
