"""Alembic migrations build exactly the tables the models declare, and undo cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from plantops.db import migrate
from plantops.db.models import metadata

pytestmark = pytest.mark.filterwarnings("ignore:.*expression-based index")


def test_upgrade_creates_every_table_of_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)

    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    assert migrate.current_revision(engine) == migrate.head_revision(engine)
    engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": migrate.compare_type})
        differences = compare_metadata(context, metadata)
    engine.dispose()

    assert differences == []


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")

    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_upgrade_and_downgrade_between_revisions_keep_existing_rows(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unit (code, name, dimension, decimals) VALUES ('pcs', 'pieces', 'count', 0)")
        )
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0001")
    migrate.upgrade(engine)

    with engine.connect() as connection:
        assert connection.execute(text("SELECT code FROM unit")).scalars().all() == ["pcs"]
    engine.dispose()
