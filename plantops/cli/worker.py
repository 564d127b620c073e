"""``plantops worker``: run queued jobs until stopped, in a process of their own.

Start as many as the work needs, on any machine that reaches the database. On
PostgreSQL each is a procrastinate worker (jobs reach it at once through
``LISTEN/NOTIFY``; a worker that dies is found by its missing heartbeats); on SQLite,
threads that take jobs from the job table, on the machine that holds the file.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer

from plantops.cli.common import console, plantops, reports_errors
from plantops.jobs import postgres
from plantops.jobs.local import LocalWorker
from plantops.jobs.runner import worker_name

app = typer.Typer()


@app.command()
@reports_errors
def worker(
    name: Annotated[str, typer.Option(help="A name for this worker in the job records and logs.")] = "worker",
) -> None:
    """Run queued jobs (plans, schedules, forecasts, policies) until interrupted (Ctrl+C or SIGTERM)."""
    with plantops() as ops:
        settings = ops.settings
        console.print(
            f"Worker {worker_name('/' + name)} on {ops.engine.url.render_as_string()}: "
            f"{settings.worker_concurrency} job(s) at a time; Ctrl+C stops it once its jobs are done."
        )
        if ops.engine.dialect.name == "postgresql":
            postgres.run_worker(ops, name=name)
            return
        local = LocalWorker(ops, threads=settings.worker_concurrency, name=name)

        def stop(_signal: int, _frame: FrameType | None) -> None:
            local.stop(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        local.run_forever()
        local.stop()
