"""The composition root: settings -> engine -> session factory -> units of work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from plantops.bounds import PostingWindow
from plantops.config import Settings
from plantops.db.session import UnitOfWork, make_engine, make_session_factory


@dataclass
class PlantOps:
    """What an entrypoint needs: the database and a way to open units of work."""

    settings: Settings
    engine: Engine

    def __post_init__(self) -> None:
        self._session_factory = make_session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        window = PostingWindow(self.settings.posting_days_back, self.settings.posting_days_ahead)
        return UnitOfWork(self._session_factory, posting_window=window)

    def migrate(self) -> tuple[str | None, str | None]:
        """Upgrade the schema to the newest revision; returns (before, after)."""
        from plantops.db import migrate  # Alembic, loaded only by the commands that migrate

        before = migrate.current_revision(self.engine)
        migrate.upgrade(self.engine)
        return before, migrate.current_revision(self.engine)

    def reset(self) -> None:
        """Remove every table and create the schema anew: all data is deleted."""
        from plantops.db import migrate

        migrate.downgrade(self.engine, "base")
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None) -> PlantOps:
    """Build PlantOps from ``settings`` (read from the environment when not given)."""
    settings = settings or Settings()
    return PlantOps(settings, make_engine(settings.database_url, echo=settings.echo_sql))
