"""Where the independent pieces of an engine's work run: on Dask distributed.

The engines take a :class:`~plantops.engines.fanout.MapFunction`; this module gives them
one that runs the pieces on a Dask cluster (https://distributed.dask.org):

- with ``PLANTOPS_DASK_SCHEDULER`` set (``tcp://host:8786``), on that existing cluster, as a
  ``distributed.Client`` of its scheduler; its workers must run the same PlantOps;
- otherwise on a ``LocalCluster`` of ``PLANTOPS_DASK_WORKERS`` worker processes of one
  thread each (statsforecast's fits hold the GIL: processes, not threads), no dashboard.

The client (and the local cluster) start at the first work of more than one piece, not
when PlantOps is built: commands that never fan out pay nothing, and a single piece runs
in this process. A local cluster takes seconds to start (3 to 7 s for two workers on the
benchmark machine, "Forecasting on Dask" in BENCHMARKS.md), as long as a small plant's
whole forecast; the forecast engine likewise keeps a batch of no more than one chunk's
series in this process, so that tests and small plants never start one. One
:class:`DaskMap` serves every run of the process, from whatever thread;
:meth:`DaskMap.close` (called by ``PlantOps.close()``) shuts it down. Dask is imported
only when a cluster is needed (it would slow every command's start).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from plantops.engines.fanout import Finished, Outcome, Piece, serial_map
from plantops.errors import ValidationError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

#: Seconds to wait for the configured scheduler to answer.
CONNECT_TIMEOUT = 30


class DaskMap:
    """A :class:`~plantops.engines.fanout.MapFunction` on Dask: the scheduler at ``scheduler``, or a local
    cluster of ``workers`` processes when it is empty."""

    def __init__(self, scheduler: str, workers: int) -> None:
        self.scheduler, self.workers = scheduler, workers
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._lock = threading.Lock()

    def __call__(
        self, function: Callable[[Piece], Outcome], pieces: Sequence[Piece], finished: Finished | None = None
    ) -> list[Outcome]:
        """The outcomes of ``function`` on each piece, in the pieces' order; a single piece runs here."""
        if len(pieces) <= 1:
            return serial_map(function, pieces, finished)
        from distributed import as_completed

        client = self.client()
        futures = client.map(function, list(pieces), pure=False)
        position = {future.key: index for index, future in enumerate(futures)}
        try:
            for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                if future.status == "error":
                    future.result()  # raises the piece's error here
                if finished is not None:
                    finished(position[future.key])
            outcomes: list[Outcome] = client.gather(futures)  # type: ignore[no-untyped-call]
            return outcomes
        finally:
            client.cancel(futures)  # type: ignore[no-untyped-call]

    def client(self) -> Client:
        """The client of the cluster, connected (and the local cluster started) on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Client:
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                return Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as error:
                raise ValidationError(
                    "settings", "PLANTOPS_DASK_SCHEDULER", f"no Dask scheduler answers at {self.scheduler} ({error})"
                ) from None
        self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return Client(self._cluster, set_as_default=False)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Disconnect from the cluster, and stop it if this process started it."""
        with self._lock:
            if self._client is not None:
                self._client.close()  # type: ignore[no-untyped-call]
                self._client = None
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None
