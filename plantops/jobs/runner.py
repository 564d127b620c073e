"""Running one job: claim it, run its service as the user who submitted it, report, finish.

Whichever worker runs a job (a ``plantops worker`` process taking it from the queue, or
a server's in-process worker), it runs it here, so that every job is claimed, followed
and ended the same way:

* the claim is the record's conditional update: a job already claimed, cancelled or
  ended is left alone;
* each step, and each count within a step (no more often than every
  :data:`REPORT_SECONDS`), is written to the job's record, where any server process
  reads it; the answer says whether to go on, and a cancelled run raises
  :class:`JobCancelled` from the service's own progress call, so that its unit of work
  rolls back and nothing of it is written;
* the run ends succeeded (with the service's summary as its result), failed (with the
  reason a user can read; an unexpected error is logged with its traceback and named,
  never shown), or cancelled.

On SQLite a run's transaction holds the database's write lock (every transaction there
begins ``IMMEDIATE``, reads included), so a report may find it taken and is then skipped
until the next one gets through; meanwhile this process answers for the jobs it runs
from memory (:func:`live_view`, :func:`cancel_here`), without waiting for the lock.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
from typing import Any

from sqlalchemy.exc import OperationalError

from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork, make_engine, make_session_factory
from plantops.errors import PlantOpsError
from plantops.jobs.kinds import Run, kind_of
from plantops.services.access import jobs
from plantops.services.access.jobs import JobView, Output

_log = logging.getLogger(__name__)

REPORT_SECONDS = 0.5
#: How long a progress report waits for SQLite's write lock (the run itself may hold it).
REPORT_WAIT_MS = 200


class JobCancelled(Exception):
    """Raised inside a run whose job was cancelled, to roll its unit of work back."""


@dataclasses.dataclass
class _Live:
    """A job running in this process: as it was claimed, the step it last reported, and whether
    it was asked here to stop."""

    claimed: JobView
    step: str = ""
    steps_done: int = 0
    step_done: int | None = None
    step_total: int | None = None
    cancel: bool = False


_LIVE: dict[str, _Live] = {}
_LIVE_LOCK = threading.Lock()


def worker_name(suffix: str = "") -> str:
    """This process's name as a worker: ``host:pid`` (and a suffix for one of its threads)."""
    return f"{socket.gethostname()}:{os.getpid()}{suffix}"


def live_view(number: str) -> JobView | None:
    """Job ``number`` as this process knows it while running it (its last step), or None."""
    with _LIVE_LOCK:
        live = _LIVE.get(number)
        if live is None:
            return None
        view = live.claimed
        return dataclasses.replace(
            view,
            step=live.step,
            steps_done=live.steps_done,
            step_done=live.step_done,
            step_total=live.step_total,
            percent=jobs.percent_done(view.status, live.steps_done, view.steps_total, live.step_done, live.step_total),
            cancel_requested=view.cancel_requested or live.cancel,
        )


def cancel_here(number: str) -> bool:
    """Ask job ``number`` to stop at its next step, if this process runs it; whether it does."""
    with _LIVE_LOCK:
        live = _LIVE.get(number)
        if live is not None:
            live.cancel = True
        return live is not None


def run_job(ops: PlantOps, number: str, worker: str, *, report_uow: UnitOfWork | None = None) -> bool:
    """Claim and run job ``number`` as ``worker``; whether this worker ran it.

    ``report_uow`` is the unit of work progress reports are written in; by default one
    that, on SQLite, waits at most :data:`REPORT_WAIT_MS` for the write lock."""
    if report_uow is None:
        engine = make_engine(ops.settings.database_url, sqlite_wait_ms=REPORT_WAIT_MS)
        try:
            return run_job(ops, number, worker, report_uow=UnitOfWork(make_session_factory(engine)))
        finally:
            engine.dispose()
    view = jobs.claim_job(ops.uow(), number, worker)
    if view is None:
        return False
    with _LIVE_LOCK:
        _LIVE[number] = _Live(view)
    _log.info("job %s (%s, attempt %d) starts on %s: %s", number, view.kind, view.attempts, worker, view.request)
    reporter = _Reporter(number, worker, report_uow)
    try:
        kind = kind_of(view.kind)
        request = kind.read(view.request, at_start=True)
        run = Run(ops, ops.uow().acting_as(view.submitted_by), view.submitted_by, reporter.progress(kind.steps))
        summary = kind.run(run, request)
        result = dataclasses.asdict(summary)
        jobs.finish_job(ops.uow(), number, result, steps=reporter.begun, output=Output(kind.record, summary.number))
    except JobCancelled:
        jobs.mark_cancelled(ops.uow(), number, steps=reporter.begun)
    except PlantOpsError as error:
        jobs.fail_job(ops.uow(), number, str(error), steps=reporter.begun)
    except Exception as error:  # a crash is logged and recorded, never lost in a thread
        _log.exception("job %s failed", number)
        reason = f"the run stopped unexpectedly ({type(error).__name__}): see the worker's log"
        jobs.fail_job(ops.uow(), number, reason, steps=reporter.begun)
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(number, None)
    return True


class _Reporter:
    """Writes a run's progress to its job's record and stops the run when it is cancelled."""

    def __init__(self, number: str, worker: str, report_uow: UnitOfWork) -> None:
        self._uow = report_uow
        self._number, self._worker = number, worker
        self.begun: list[str] = []
        self._last = 0.0

    def progress(self, steps: tuple[str, ...]) -> Any:
        def tell(step: str, done: int | None = None, total: int | None = None, /) -> None:
            new_step = not self.begun or self.begun[-1] != step
            if new_step:
                self.begun.append(step)
            steps_done = steps.index(step) if step in steps else len(self.begun) - 1
            with _LIVE_LOCK:
                live = _LIVE[self._number]
                live.step, live.steps_done, live.step_done, live.step_total = step, steps_done, done, total
                cancelled = live.cancel
            if cancelled:
                raise JobCancelled(self._number)
            now = time.monotonic()
            if not new_step and now - self._last < REPORT_SECONDS:
                return
            self._last = now
            self._report(step, steps_done, done, total)

        return tell

    def _report(self, step: str, steps_done: int, done: int | None, total: int | None) -> None:
        try:
            go_on = jobs.report_progress(
                self._uow,
                self._number,
                self._worker,
                step=step,
                steps_done=steps_done,
                step_done=done,
                step_total=total,
            )
        except OperationalError:  # SQLite's write lock, held by the run itself: report next time
            return
        if not go_on:
            raise JobCancelled(self._number)
