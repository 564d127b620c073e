"""Create, upgrade and downgrade the schema through Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Numeric

from plantops.db.base import SCALE, ExactDecimal

SCRIPT_LOCATION = "plantops.db:migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    with _migration_connection(engine) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` removes every table)."""
    with _migration_connection(engine) as config:
        command.downgrade(config, revision)


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Config]:
    """An Alembic config bound to one transaction.

    On SQLite, foreign keys are switched off while tables are rebuilt (Alembic's batch
    mode copies a table and renames it) and checked before the transaction commits, as
    the SQLite documentation's "other kinds of table schema changes" procedure says.
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # must happen outside a transaction
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config = _config(engine)
                config.attributes["connection"] = connection
                yield config
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys point nowhere")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_config(engine)).get_current_head()


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """What autogenerate compares: PlantOps' own objects, not the job queue's (procrastinate
    creates and migrates its ``procrastinate_*`` tables itself, in migration 0013)."""
    return not (type_ in ("table", "index") and (name or "").startswith("procrastinate_"))


def compare_type(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic's type comparison, knowing that an exact decimal is NUMERIC in migrations.

    The migrations declare ``NUMERIC(p, 6)``; :class:`ExactDecimal` stores the same
    column (as whole millionths on SQLite). Other types use Alembic's own comparison.
    """
    if isinstance(metadata_type, ExactDecimal) and isinstance(inspected_type, Numeric):
        return context.dialect.name != "sqlite" and (inspected_type.precision, inspected_type.scale) != (
            metadata_type.precision,
            SCALE,
        )
    return None
