"""Alembic environment: runs migrations on the connection PlantOps hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from plantops.db.migrate import compare_type, include_name
from plantops.db.models import metadata

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line: URL from alembic.ini / -x url=
        url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url", "")
        with create_engine(url).connect() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
