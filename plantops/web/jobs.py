"""Long runs (a plan, a schedule, a forecast) started from a page and watched while they work.

A page queues the run as a job (:class:`plantops.jobs.queue.JobQueue`, as the API does),
which a worker runs as the user who started it; the page then polls the job's record,
so that whichever server process answers the poll shows the same progress and outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from plantops.jobs.kinds import kind_of
from plantops.jobs.queue import JobQueue
from plantops.services.access.jobs import JobView
from plantops.vocabulary import JobStatus


@dataclass(frozen=True)
class Job:
    """A job as a page shows it: its title, how far it has got, and its outcome."""

    view: JobView
    title: str

    @property
    def number(self) -> str:
        return self.view.number

    @property
    def state(self) -> JobStatus:
        return self.view.status

    @property
    def finished(self) -> bool:
        return self.view.finished

    @property
    def progress(self) -> float:
        """Share of the steps begun or done, from 0 to 1."""
        return (self.view.percent or 0.0) / 100

    @property
    def doing(self) -> str:
        """The step under way, with its count where there is one: ``forecast 40/94``."""
        view = self.view
        if view.step_total and view.step_total > 1 and view.step_done is not None:
            return f"{view.step} {view.step_done}/{view.step_total}"
        if view.status is JobStatus.QUEUED:
            return "waiting for a worker"
        return view.step or view.status.value

    @property
    def seconds(self) -> float:
        view = self.view
        start = view.started_at or view.submitted_at
        return ((view.finished_at or dt.datetime.now(dt.UTC)) - start).total_seconds()

    @property
    def error(self) -> str:
        return self.view.error or ""

    @property
    def result(self) -> Any:
        """The run's summary, as its service returned it; None until it has succeeded."""
        if self.view.status is not JobStatus.SUCCEEDED or self.view.result is None:
            return None
        return kind_of(self.view.kind).summary_of(self.view.result)


def queue_of(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


def start(request: Request, kind: str, service_request: Any, user: str) -> Job:
    """Queue a job of ``kind`` for ``service_request`` as ``user``'s."""
    view = queue_of(request).submit(kind, service_request, user)
    return Job(view, kind_of(kind).title)


def get(request: Request, number: str) -> Job:
    """Job ``number`` as it is now (an unknown number is a 404)."""
    view = queue_of(request).view(number)
    return Job(view, kind_of(view.kind).title)
