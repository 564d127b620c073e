"""Long runs (a plan, a schedule) started from a page and watched while they work.

A run is recorded in the job table (:mod:`plantops.services.access.jobs`, as runs
started over the API are), goes to a small thread pool and acts as the user who started
it (the audit trail names them). The page polls its :class:`Job` here, in the server's
memory, for the step the service last reported and, once finished, for its result or
its error: the steps are not written to the database one by one, since the run's own
transaction may hold SQLite's write lock.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError
from plantops.services.access import jobs
from plantops.services.access.jobs import Output
from plantops.vocabulary import JobStatus

_log = logging.getLogger(__name__)

#: Finished jobs are forgotten by the pages after this long (the job table keeps them).
KEEP_SECONDS = 3600


class Progress(Protocol):
    """Told each step as it starts and, where the service counts, how many of how many are done."""

    def __call__(self, step: str, done: int | None = None, total: int | None = None, /) -> None: ...


#: The run: given a unit of work acting as the user and a progress callback, its summary
#: (a dataclass, shown by the page and kept as the job's result) and what it wrote.
Work = Callable[[UnitOfWork, Progress], tuple[Any, Output | None]]


@dataclass
class Job:
    number: str
    title: str
    started_by: str
    steps: tuple[str, ...]
    state: JobStatus = JobStatus.QUEUED
    step: str = ""
    done: int | None = None
    total: int | None = None
    result: Any = None
    error: str = ""
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.state in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def progress(self) -> float:
        """Share of the steps begun or done, from 0 to 1."""
        if self.state is JobStatus.SUCCEEDED:
            return 1.0
        if self.step not in self.steps:
            return 0.0
        within = self.done / self.total if self.done is not None and self.total else 0.5
        return (self.steps.index(self.step) + within) / len(self.steps)

    @property
    def doing(self) -> str:
        """The step under way, with its count where there is one: ``forecast 40/94``."""
        if self.total and self.total > 1 and self.done is not None:
            return f"{self.step} {self.done}/{self.total}"
        return self.step or self.state.value

    @property
    def seconds(self) -> float:
        return (self.finished_at or time.time()) - self.started_at


class JobBoard:
    """Runs jobs in ``workers`` threads and keeps their state for the pages to read."""

    def __init__(self, ops: PlantOps, workers: int = 1) -> None:
        self._ops = ops
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plantops-web-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(
        self, kind: str, title: str, user: str, request: dict[str, Any], steps: tuple[str, ...], work: Work
    ) -> Job:
        """Record the job and run ``work`` in the background as ``user``."""
        view = jobs.submit_job(
            self._ops.uow().acting_as(user),
            kind=kind,
            request=request,
            submitted_by=user,
            steps_total=len(steps),
        )
        job = Job(view.number, title, user, steps)
        with self._lock:
            self._forget_old()
            self._jobs[job.number] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, number: str) -> Job | None:
        with self._lock:
            return self._jobs.get(number)

    def _run(self, job: Job, work: Work) -> None:
        def uow() -> UnitOfWork:
            return self._ops.uow().acting_as(job.started_by)

        done: list[str] = []

        def progress(step: str, count: int | None = None, total: int | None = None, /) -> None:
            if step != job.step:
                done.append(step)
            job.step, job.done, job.total = step, count, total

        try:
            jobs.start_job(uow(), job.number)
            job.state = JobStatus.RUNNING
            summary, output = work(uow(), progress)
            jobs.finish_job(uow(), job.number, dataclasses.asdict(summary), steps=done, output=output)
            job.result, job.state = summary, JobStatus.SUCCEEDED
        except PlantOpsError as error:
            job.error, job.state = str(error), JobStatus.FAILED
            jobs.fail_job(uow(), job.number, job.error, steps=done)
        except Exception as error:  # a crash is logged and shown, never lost in a thread
            _log.exception("%s (%s) failed", job.title, job.number)
            job.error = f"the run stopped unexpectedly ({type(error).__name__}): see the server log"
            job.state = JobStatus.FAILED
            jobs.fail_job(uow(), job.number, job.error, steps=done)
        finally:
            job.finished_at = time.time()

    def _forget_old(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for number in [j.number for j in self._jobs.values() if j.finished_at and j.finished_at < cutoff]:
            del self._jobs[number]
