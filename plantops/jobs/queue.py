"""The job queue as the entrypoints see it: submit, follow, cancel; and this process's worker.

One :class:`JobQueue` per server or worker process. A submitted job is recorded (its
kind, its request as JSON, the user it runs as) and queued: on PostgreSQL on
procrastinate's queue (:mod:`plantops.jobs.postgres`), which any ``plantops worker``
process on any machine takes it from; on SQLite it waits in the job table, where the
in-process worker (:mod:`plantops.jobs.local`) finds it. Where ``server_runs_jobs`` is
set (the default), the server runs such a worker itself, so that a plant on SQLite
needs no other process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import procrastinate

from plantops.bootstrap import PlantOps
from plantops.jobs import postgres, runner
from plantops.jobs.kinds import kind_of
from plantops.jobs.local import LocalWorker
from plantops.services.access import job_schedules, jobs
from plantops.services.access.job_schedules import ScheduleView
from plantops.services.access.jobs import JobView
from plantops.services.access.permissions import require
from plantops.services.access.principal import Principal
from plantops.services.master_data.records import ConflictError

_log = logging.getLogger(__name__)


class QueueUnavailableError(ConflictError):
    """The queue could not take the job; the job is recorded as failed."""


class JobQueue:
    """Submit and cancel jobs; run them in this process where the settings ask for it."""

    def __init__(self, ops: PlantOps, *, runs_jobs: bool | None = None) -> None:
        self._ops = ops
        self._postgres = ops.engine.dialect.name == "postgresql"
        self._runs_jobs = ops.settings.server_runs_jobs if runs_jobs is None else runs_jobs
        self._lock = threading.Lock()
        self._local: LocalWorker | None = None
        self._deferrer: procrastinate.App | None = None
        self._worker_thread: threading.Thread | None = None
        self._worker_loop: asyncio.AbstractEventLoop | None = None
        self._worker_task: asyncio.Task[None] | None = None

    def submit(self, kind: str, request: Any, user: str) -> JobView:
        """Record a job of ``kind`` for ``request`` (the service's request) as ``user``'s, and queue it.

        The entrypoint has checked that ``user`` may (the permission of the endpoint or page)."""
        job_kind = kind_of(kind)
        view = jobs.submit_job(
            self._ops.uow().acting_as(user),
            kind=kind,
            request=job_kind.written(request),
            submitted_by=user,
            steps_total=len(job_kind.steps),
        )
        self.queue(view.number)
        return view

    def queue(self, number: str) -> None:
        """Hand the recorded job ``number`` to the workers."""
        self.start()
        if not self._postgres:
            if self._local is not None:
                self._local.wake()
            return
        try:
            postgres.queue_job(self._open_deferrer(), number)
        except Exception as error:
            _log.exception("job %s could not be queued", number)
            reason = f"the job queue could not take it ({type(error).__name__})"
            jobs.fail_job(self._ops.uow(), number, reason, steps=[])
            raise QueueUnavailableError(f"job {number}: {reason}; try again") from None

    def cancel(self, number: str, principal: Principal | None = None) -> JobView:
        """Cancel job ``number``; for a ``principal`` (an API or web user), whose roles must allow its
        kind (the console's operator, who holds the database, needs none)."""
        view = self.view(number)
        if principal is not None:
            require(principal, kind_of(view.kind).permission, f"cancelling a {view.kind} job")
        if runner.cancel_here(number) and not self._postgres:
            # its run stops at its next step; the record, behind SQLite's lock, says so when it ends
            return runner.live_view(number) or view
        return jobs.cancel_job(self._ops.uow(), number)

    def declare_schedule(
        self,
        *,
        name: str,
        kind: str,
        request: dict[str, Any],
        cron: str,
        timezone: str,
        run_as: str,
        principal: Principal | None = None,
    ) -> ScheduleView:
        """Declare (or replace) the recurring job ``name``, run as ``run_as``; ``request`` is read as
        the kind's request, the fields it leaves out filled in at each run. A ``principal`` must be
        allowed the kind."""
        job_kind = kind_of(kind)
        if principal is not None:
            require(principal, job_kind.permission, f"scheduling a {kind} job")
        job_kind.read(request, at_start=True)  # refuse a request that could never run
        return job_schedules.declare_schedule(
            self._ops.uow().acting_as(run_as),
            name=name,
            kind=kind,
            request=request,
            cron=cron,
            timezone=timezone,
            run_as=run_as,
            declared_by=principal.username if principal is not None else run_as,
        )

    def remove_schedule(self, name: str, principal: Principal | None = None) -> None:
        if principal is not None:
            schedule = job_schedules.get_schedule(self._ops.uow(), name)
            require(principal, kind_of(schedule.kind).permission, f"removing a {schedule.kind} schedule")
        job_schedules.remove_schedule(self._ops.uow(), name)

    def view(self, number: str) -> JobView:
        """Job ``number`` as recorded, or, while this process runs it, as it knows it (on SQLite the
        run holds the write lock, and a read would wait for it)."""
        return runner.live_view(number) or jobs.get_job(self._ops.uow(), number)

    @staticmethod
    def with_live_step(view: JobView) -> JobView:
        """A job read from its record, with the step it is at if this process runs it."""
        return runner.live_view(view.number) or view

    def start(self) -> None:
        """Start this process's worker, if it runs jobs and it has not started yet."""
        if not self._runs_jobs:
            return
        with self._lock:
            if self._postgres:
                if self._worker_thread is None:
                    self._worker_thread = threading.Thread(target=self._run_postgres_worker, daemon=True)
                    self._worker_thread.start()
            elif self._local is None:
                self._local = LocalWorker(self._ops, threads=self._ops.settings.worker_concurrency)
                self._local.start()

    def stop(self) -> None:
        """Stop this process's worker (jobs under way finish first) and close the queue."""
        with self._lock:
            if self._local is not None:
                self._local.stop()
                self._local = None
            if self._worker_loop is not None and self._worker_task is not None:
                self._worker_loop.call_soon_threadsafe(self._worker_task.cancel)
            if self._worker_thread is not None:
                self._worker_thread.join()
                self._worker_thread = None
            if self._deferrer is not None:
                self._deferrer.close()
                self._deferrer = None

    def _open_deferrer(self) -> procrastinate.App:
        with self._lock:
            if self._deferrer is None:
                self._deferrer = postgres.deferring_app(self._ops).open()
            return self._deferrer

    def _run_postgres_worker(self) -> None:
        loop = asyncio.new_event_loop()
        self._worker_loop = loop
        try:
            self._worker_task = loop.create_task(self._postgres_worker())
            loop.run_until_complete(self._worker_task)
        except asyncio.CancelledError:
            pass
        except Exception:
            _log.exception("the server's job worker stopped")
        finally:
            loop.close()
            self._worker_loop = self._worker_task = None

    async def _postgres_worker(self) -> None:
        app = postgres.worker_app(self._ops)
        async with app.open_async():
            options = postgres.worker_options(
                self._ops, f"server-{runner.worker_name()}", install_signal_handlers=False
            )
            await app.run_worker_async(**options)
