"""The composition root: settings -> engine -> session factory -> units of work."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from plantops.bounds import PostingWindow
from plantops.config import Settings
from plantops.db.session import UnitOfWork, make_engine, make_session_factory

if TYPE_CHECKING:  # the fan-out and the engines load with the first work that needs them, not with every command
    from plantops.engines.fanout import MapFunction
    from plantops.fanout import DaskMap


@dataclass
class PlantOps:
    """What an entrypoint needs: the database, a way to open units of work, and where engines fan out."""

    settings: Settings
    engine: Engine

    def __post_init__(self) -> None:
        self._session_factory = make_session_factory(self.engine)
        self._dask: DaskMap | None = None
        self._dask_lock = threading.Lock()

    def uow(self) -> UnitOfWork:
        window = PostingWindow(self.settings.posting_days_back, self.settings.posting_days_ahead)
        return UnitOfWork(self._session_factory, posting_window=window)

    def map_function(self) -> MapFunction:
        """Where engines run their independent pieces of work: on Dask (:mod:`plantops.fanout`; the cluster
        starts at the first work of more than one piece), or in this process when ``fan_out`` is off."""
        from plantops.engines.fanout import serial_map
        from plantops.fanout import DaskMap

        settings = self.settings
        if not settings.fan_out:
            return serial_map
        with self._dask_lock:  # two jobs' threads asking at once start one cluster
            if self._dask is None:
                self._dask = DaskMap(settings.dask_scheduler, settings.dask_workers)
            return self._dask

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
        """Stop the Dask client (and the local cluster, if one was started) and the database connections."""
        if self._dask is not None:
            self._dask.close()
        self.engine.dispose()


def build(settings: Settings | None = None) -> PlantOps:
    """Build PlantOps from ``settings`` (read from the environment when not given)."""
    settings = settings or Settings()
    return PlantOps(settings, make_engine(settings.database_url, echo=settings.echo_sql))
