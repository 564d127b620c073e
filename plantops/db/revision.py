"""Whether a database's schema is the newest, without loading Alembic (for a command that starts fast).

Each migration file is named after its revision (``0009_sign_in_failures.py`` is
revision ``0009``) and each revises the one before, so the newest revision is the
largest such number; ``tests/db/test_migrations.py`` checks that Alembic agrees.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_REVISION = re.compile(r"^(\d{4})_\w+\.py$")


@cache
def newest_revision() -> str:
    """The revision the newest migration file brings the schema to."""
    return max(match.group(1) for path in VERSIONS.iterdir() if (match := _REVISION.match(path.name)))


def stored_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_is_current(engine: Engine) -> bool:
    return stored_revision(engine) == newest_revision()
