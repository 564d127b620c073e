"""The job queue on PostgreSQL: procrastinate, in the same database as the job records.

procrastinate (https://procrastinate.readthedocs.io) keeps its queue in PostgreSQL
tables (created by migration 0013), hands each queued job to one worker with ``SELECT
... FOR UPDATE SKIP LOCKED``, wakes workers with ``LISTEN/NOTIFY``, and has each worker
write a heartbeat; it needs no server besides the database. A job's queue entry carries
only the job's number: the job itself (kind, request, progress, outcome) stays in
PlantOps' ``background_job`` record, which :func:`plantops.jobs.runner.run_job` claims
and ends.

Every :data:`MAINTENANCE_CRON` one worker (procrastinate defers a periodic task once,
however many workers run) runs :func:`maintain`:

* a job whose worker stopped writing heartbeats for ``worker_stall_seconds`` (killed,
  its machine lost) is queued again, or failed once it has been started
  ``job_attempts`` times (procrastinate's "stalled jobs" recipe);
* every recurring job that is due is submitted and queued.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate
from procrastinate.jobs import Status
from sqlalchemy.engine import make_url

from plantops.bootstrap import PlantOps
from plantops.jobs import runner
from plantops.jobs.kinds import KINDS
from plantops.services.access import job_schedules, jobs
from plantops.vocabulary import JobStatus

_log = logging.getLogger(__name__)

RUN_JOB = "plantops.run_job"
MAINTAIN = "plantops.maintain"
#: Every 15 seconds (procrastinate reads a sixth field as seconds).
MAINTENANCE_CRON = "* * * * * */15"


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def deferring_app(ops: PlantOps) -> procrastinate.App:
    """An app that only queues jobs (from a server): synchronous, opened by the caller."""
    return procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(ops.settings.database_url)))


def queue_job(app: procrastinate.App, number: str) -> None:
    """Put job ``number`` on the queue for a worker to run."""
    app.configure_task(RUN_JOB).defer(number=number)


def worker_app(ops: PlantOps) -> procrastinate.App:
    """The app a worker runs: the task that runs a job, and the periodic maintenance."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(ops.settings.database_url)))

    @app.task(name=RUN_JOB, pass_context=True)
    def run_job(context: procrastinate.JobContext, number: str) -> None:
        runner.run_job(ops, number, runner.worker_name(f"/{context.worker_name or 'worker'}"))

    @app.periodic(cron=MAINTENANCE_CRON)
    @app.task(name=MAINTAIN, queueing_lock=MAINTAIN, pass_context=True)
    async def maintain_task(context: procrastinate.JobContext, timestamp: int) -> None:
        await maintain(app, ops)

    return app


async def maintain(app: procrastinate.App, ops: PlantOps) -> None:
    """Queue again (or fail) the jobs of dead workers; submit and queue the recurring jobs due."""
    settings = ops.settings
    stalled = await app.job_manager.get_stalled_jobs(
        task_name=RUN_JOB, seconds_since_heartbeat=settings.worker_stall_seconds
    )
    for job in stalled:
        number = str(job.task_kwargs["number"])
        reason = f"its worker stopped answering for {settings.worker_stall_seconds:g} s"
        status = await asyncio.to_thread(
            jobs.recover_job, ops.uow(), number, None, reason, attempts=settings.job_attempts
        )
        if status is JobStatus.QUEUED:
            await app.job_manager.retry_job(job)
        else:
            await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        _log.warning("job %s: %s; now %s", number, reason, status or "no longer running")
    steps = {name: len(kind.steps) for name, kind in KINDS.items()}
    for due in await asyncio.to_thread(job_schedules.submit_due, ops.uow(), steps):
        await app.configure_task(RUN_JOB).defer_async(number=due.number)


def worker_options(ops: PlantOps, name: str, *, install_signal_handlers: bool) -> dict[str, Any]:
    """How a worker runs: its concurrency, its heartbeat (four per stall time), and procrastinate's
    queue entries of succeeded jobs deleted (the job's record is PlantOps' own)."""
    settings = ops.settings
    return {
        "name": name,
        "concurrency": settings.worker_concurrency,
        "update_heartbeat_interval": settings.worker_stall_seconds / 4,
        "stalled_worker_timeout": settings.worker_stall_seconds,
        "install_signal_handlers": install_signal_handlers,
        "delete_jobs": "successful",
    }


def run_worker(ops: PlantOps, *, name: str) -> None:
    """Run a worker in the foreground until SIGINT or SIGTERM (jobs under way finish first)."""
    worker_app(ops).run_worker(**worker_options(ops, name, install_signal_handlers=True))
