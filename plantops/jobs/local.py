"""The in-process worker of the embedded SQLite database: threads that take queued jobs from
the job table, so that jobs run with no process besides the server (or one ``plantops
worker`` beside it).

SQLite is one file on one machine, so every process using it runs on this host: a job
``running`` on a worker whose process is gone (the server was stopped or killed) is
found by its process number, not by heartbeats, and queued again or failed
(:func:`plantops.services.access.jobs.recover_job`). Jobs queued by this process wake
its threads at once; jobs queued by another process (or a recurring job that falls due)
are found within :data:`POLL_SECONDS`.

Every look at the table waits only briefly for SQLite's write lock (a running job's
transaction may hold it for minutes) and tries again later rather than queue behind it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from sqlalchemy.exc import OperationalError

from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork, make_engine, make_session_factory
from plantops.jobs import runner
from plantops.jobs.kinds import KINDS
from plantops.services.access import job_schedules, jobs

_log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
MAINTAIN_SECONDS = 15.0


class LocalWorker:
    """``threads`` threads of this process running queued jobs, one at a time each."""

    def __init__(self, ops: PlantOps, *, threads: int, name: str = "") -> None:
        self._ops = ops
        self._threads = threads
        self._name = name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._running: list[threading.Thread] = []
        engine = make_engine(ops.settings.database_url, sqlite_wait_ms=runner.REPORT_WAIT_MS)
        self._quick_engine = engine
        self._quick = make_session_factory(engine)
        self._next_maintenance = 0.0
        self._maintenance_lock = threading.Lock()

    def quick_uow(self) -> UnitOfWork:
        """A unit of work that gives up soon when the write lock is taken."""
        return UnitOfWork(self._quick)

    def start(self) -> None:
        if self._running:
            return
        for index in range(self._threads):
            thread = threading.Thread(target=self._loop, args=(index,), name=f"plantops-worker-{index}", daemon=True)
            thread.start()
            self._running.append(thread)

    def wake(self) -> None:
        self._wake.set()

    def stop(self, *, wait: bool = True) -> None:
        """Take no more jobs; with ``wait``, let the ones under way finish."""
        self._stop.set()
        self._wake.set()
        if wait:
            for thread in self._running:
                thread.join()
        self._running.clear()
        self._quick_engine.dispose()

    def run_forever(self) -> None:
        """Run in the foreground until :meth:`stop` (``plantops worker``)."""
        self.start()
        while not self._stop.wait(1.0):
            pass

    def _loop(self, index: int) -> None:
        worker = runner.worker_name(f"/{self._name or 'server'}-{index}")
        while not self._stop.is_set():
            try:
                self._maintain()
                number = jobs.next_queued(self.quick_uow())
                if number is not None:
                    runner.run_job(self._ops, number, worker, report_uow=self.quick_uow())
                    continue
            except OperationalError:  # the write lock is taken, or the file went away: look again later
                pass
            except Exception:
                _log.exception("the job worker hit an unexpected error; it goes on")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _maintain(self) -> None:
        """Queue again the jobs of dead processes on this host; submit the recurring jobs due."""
        with self._maintenance_lock:
            if time.monotonic() < self._next_maintenance:
                return
            self._next_maintenance = time.monotonic() + MAINTAIN_SECONDS
        attempts = self._ops.settings.job_attempts
        for number, worker in jobs.running_jobs(self.quick_uow()):
            if worker is not None and _process_gone(worker):
                reason = f"its worker {worker} stopped"
                status = jobs.recover_job(self.quick_uow(), number, worker, reason, attempts=attempts)
                _log.warning("job %s: %s; now %s", number, reason, status)
        steps = {name: len(kind.steps) for name, kind in KINDS.items()}
        if job_schedules.submit_due(self.quick_uow(), steps):
            self._wake.set()


def _process_gone(worker: str) -> bool:
    """Whether the process named by ``worker`` (``host:pid/thread``) has ended; a process on
    another host is not this host's to judge."""
    host, _, rest = worker.partition(":")
    pid_text = rest.split("/", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
