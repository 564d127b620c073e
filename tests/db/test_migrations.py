"""Alembic migrations build exactly the tables the models declare, and undo cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from plantops.db import migrate, revision
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
        context = MigrationContext.configure(
            connection, opts={"compare_type": migrate.compare_type, "include_name": migrate.include_name}
        )
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


def test_plan_outputs_keep_their_numbers_and_gain_positions_across_0008(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0007")  # the PostgreSQL test database is kept at the newest schema
    order = (
        "INSERT INTO planned_order (run_id, number, item_id, site_id, kind, quantity, release_date, due_date, status)"
        " VALUES (1, :number, :item, 1, 'buy', 5, '2026-11-16', '2026-11-23', :status)"
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plan_run (id, number, started_at, finished_at, run_by, horizon_start, bucket_starts,"
                " settings) VALUES (1, 'PLAN-000001', '2026-11-16 08:00:00+00', '2026-11-16 08:00:00+00', 'ann',"
                " '2026-11-16', '[]', '{}')"
            )
        )
        for number, item, status in [("P1-1", 10, "planned"), ("P1-2", 10, "firm"), ("P1-3", 11, "planned")]:
            connection.execute(text(order), {"number": number, "item": item, "status": status})
        record = "INSERT INTO mrp_record (run_id, item_id, site_id, low_level_code, rows) VALUES (1, :i, 1, 0, :b)"
        for item in (10, 11):
            connection.execute(
                text(record),
                {"i": item, "b": b""},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        positions = connection.execute(text("SELECT number, position FROM planned_order ORDER BY position")).all()
        ranges = connection.execute(
            text("SELECT item_id, first_order, order_count FROM mrp_record ORDER BY item_id")
        ).all()
    assert [tuple(row) for row in positions] == [("P1-1", 1), ("P1-2", 2), ("P1-3", 3)]
    assert [tuple(row) for row in ranges] == [(10, 1, 2), (11, 3, 1)]

    migrate.downgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(text(order), {"number": "P1-4", "item": 11, "status": "planned"})
        numbers = connection.execute(text("SELECT id, number FROM planned_order ORDER BY id")).all()
    assert [tuple(row) for row in numbers] == [(1, "P1-1"), (2, "P1-2"), (3, "P1-3"), (4, "P1-4")]
    migrate.upgrade(engine)
    engine.dispose()


def test_the_newest_migration_file_is_alembics_head_and_a_migrated_database_is_current(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert revision.stored_revision(engine) is None and not revision.schema_is_current(engine)
    migrate.upgrade(engine)
    assert revision.newest_revision() == migrate.head_revision(engine) == revision.stored_revision(engine)
    assert revision.schema_is_current(engine)
