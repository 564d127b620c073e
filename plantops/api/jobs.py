"""Long runs in the background: a thread pool runs them, the job table reports on them.

An endpoint that starts a run (a plan, a schedule, a forecast, a policy) submits it
here and answers ``202 Accepted`` with the job's number at once; the run goes on in the
server whatever becomes of the client. Its record (status, result, error) is in the job
table; the step it is at while it runs is kept here, in the server that runs it (the
run's own transaction may hold SQLite's write lock, so steps are not written one by one),
and ``GET /api/v1/jobs/{number}`` shows both. One run at a time by default: they are
heavy and share the machine with the requests.

A server that stops while runs are queued or running marks them failed when it starts
again (:func:`plantops.services.access.jobs.interrupt_unfinished`): one server process
runs the jobs of a database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plantops.api.security import Caller
from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError
from plantops.services.access import jobs
from plantops.services.access.jobs import JobView, Output

_log = logging.getLogger(__name__)

Progress = Callable[[str], None]
#: The run: given a unit of work acting as the user who submitted it and a progress
#: callback, it returns its result (JSON-ready) and what it wrote, for the audit trail.
Work = Callable[[UnitOfWork, Progress], tuple[dict[str, Any], Output | None]]


class JobRunner:
    def __init__(self, ops: PlantOps, *, workers: int = 1) -> None:
        self._ops = ops
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plantops-job")
        self._steps: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def submit(
        self, caller: Caller, kind: str, request: dict[str, Any], work: Work, *, steps_total: int | None = None
    ) -> JobView:
        """Record the job and queue it; returns the job as recorded (queued)."""
        job = jobs.submit_job(
            caller.uow(), kind=kind, request=request, submitted_by=caller.username, steps_total=steps_total
        )
        self._executor.submit(self._run, job.number, caller.username, work)
        return job

    def steps(self, number: str) -> list[str] | None:
        """The steps a job running in this server has begun, the last one under way; None if it is not."""
        with self._lock:
            steps = self._steps.get(number)
            return None if steps is None else list(steps)

    def shutdown(self) -> None:
        """Wait for the runs under way, and start no more."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, number: str, user: str, work: Work) -> None:
        def uow() -> UnitOfWork:
            return self._ops.uow().acting_as(user)

        steps: list[str] = []

        def progress(step: str) -> None:
            with self._lock:
                steps.append(step)

        with self._lock:
            self._steps[number] = steps
        try:
            jobs.start_job(uow(), number)
            result, output = work(uow(), progress)
            jobs.finish_job(uow(), number, result, steps=steps, output=output)
        except PlantOpsError as error:
            jobs.fail_job(uow(), number, str(error), steps=steps)
        except Exception:
            _log.exception("job %s failed", number)
            jobs.fail_job(uow(), number, "the run failed unexpectedly; the error is in the server's log", steps=steps)
        finally:
            with self._lock:
                del self._steps[number]
