"""Background jobs: long runs (plan, schedule, forecast, policy) users start and follow.

A job is submitted (``queued``), claimed by one worker (``running``, the worker named
``host:pid``), and ends ``succeeded`` with a result, ``failed`` with the reason, or
``cancelled``. Every change is a transaction of its own, so the record tells any
process, whether or not the user who started the job is still connected, what became
of it; progress (the step, and the count within it) is written here too as the run
reports it.

A worker that dies leaves its job ``running``: whoever finds the worker dead
(:func:`recover_job`) queues the job again, or fails it once it has been started
``attempts`` times. The claim is a conditional update (``WHERE status = 'queued'``), so
that one worker runs a job however many ask for it. Who runs what, and when, is the job
queue's concern (:mod:`plantops.jobs`); this module keeps the record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from plantops.db import audit
from plantops.db.access import BackgroundJob
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.master_data.records import ConflictError
from plantops.vocabulary import AuditAction, JobStatus

MAX_PAGE = 1000
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
STEP_LENGTH = 64


@dataclass(frozen=True)
class JobView:
    number: str
    kind: str
    status: JobStatus
    submitted_by: str
    submitted_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    step: str
    steps_done: int
    steps_total: int | None
    step_done: int | None
    step_total: int | None
    percent: float | None
    attempts: int
    worker: str | None
    cancel_requested: bool
    schedule: str | None
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def progress_said(self) -> str:
        """How far a running job has got (``forecast 40/94, 55%``), or why an ended one did not succeed."""
        if self.status is JobStatus.RUNNING:
            within = f" {self.step_done}/{self.step_total}" if self.step_total and self.step_done is not None else ""
            said = f"{self.step or 'starting'}{within}, {self.percent or 0:.0f}%"
            return f"stopping as asked ({said})" if self.cancel_requested else said
        if self.status is JobStatus.QUEUED:
            return "waiting for a worker"
        return "" if self.status is JobStatus.SUCCEEDED else (self.error or "")


@dataclass(frozen=True)
class Output:
    """What a finished job wrote, for the audit trail: a record (table) and its key."""

    record: str
    key: str


class JobFinishedError(ConflictError):
    """A job that has already ended cannot be cancelled."""

    def __init__(self, number: str, status: JobStatus) -> None:
        super().__init__(
            f"job {number} has already {status.value if status != JobStatus.CANCELLED else 'been cancelled'}"
        )


def submit_job(
    uow: UnitOfWork,
    *,
    kind: str,
    request: dict[str, Any],
    submitted_by: str,
    steps_total: int | None = None,
    schedule: str | None = None,
) -> JobView:
    """Record a job to run; its number is ``JOB-<n>``."""
    with uow:
        number = insert_job(uow.session, kind, request, submitted_by, steps_total, schedule)
        uow.commit()
    return get_job(uow, number)


def insert_job(
    session: Session,
    kind: str,
    request: dict[str, Any],
    submitted_by: str,
    steps_total: int | None,
    schedule: str | None = None,
) -> str:
    """Insert a queued job in the caller's transaction; its number."""
    job_id = session.execute(
        insert(BackgroundJob)
        .values(
            number="pending",
            kind=kind,
            status=JobStatus.QUEUED,
            submitted_by=submitted_by,
            submitted_at=dt.datetime.now(dt.UTC),
            step="",
            steps_done=0,
            steps_total=steps_total,
            request=json.dumps(request, default=str, sort_keys=True),
            schedule=schedule,
        )
        .returning(BackgroundJob.id)
    ).scalar_one()
    number = f"JOB-{job_id:06d}"
    session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(number=number))
    return number


def claim_job(uow: UnitOfWork, number: str, worker: str) -> JobView | None:
    """Start the queued job ``number`` on ``worker``; None if it is not queued (another worker
    has it, it was cancelled, or it has ended)."""
    now = dt.datetime.now(dt.UTC)
    with uow:
        claimed = uow.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.number == number, BackgroundJob.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                worker=worker[:128],
                attempts=BackgroundJob.attempts + 1,
                started_at=now,
                reported_at=now,
                step="",
                steps_done=0,
                step_done=None,
                step_total=None,
            )
        )
        uow.commit()
    return get_job(uow, number) if _count(claimed) else None


def next_queued(uow: UnitOfWork) -> str | None:
    """The number of the job queued longest, if any."""
    with uow:
        return uow.session.scalar(
            select(BackgroundJob.number)
            .where(BackgroundJob.status == JobStatus.QUEUED)
            .order_by(BackgroundJob.id)
            .limit(1)
        )


def report_progress(
    uow: UnitOfWork,
    number: str,
    worker: str,
    *,
    step: str,
    steps_done: int,
    step_done: int | None = None,
    step_total: int | None = None,
) -> bool:
    """Record how far ``worker`` has got with job ``number``; whether it should go on (False when
    cancellation was asked, or when the job is no longer this worker's)."""
    with uow:
        go_on = uow.session.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.number == number,
                BackgroundJob.status == JobStatus.RUNNING,
                BackgroundJob.worker == worker[:128],
            )
            .values(
                step=step[:STEP_LENGTH],
                steps_done=steps_done,
                step_done=step_done,
                step_total=step_total,
                reported_at=dt.datetime.now(dt.UTC),
            )
            .returning(~BackgroundJob.cancel_requested)
        ).scalar_one_or_none()
        uow.commit()
    return bool(go_on)


def finish_job(
    uow: UnitOfWork,
    number: str,
    result: dict[str, Any],
    *,
    steps: list[str],
    output: Output | None = None,
) -> None:
    """The job succeeded with ``result`` after ``steps``; ``output`` names what it wrote, recorded in
    the audit trail as an insert by the user who submitted the job, in the same transaction."""
    with uow:
        session = uow.session
        job = _job(session, number)
        job.status = JobStatus.SUCCEEDED
        job.finished_at = dt.datetime.now(dt.UTC)
        job.step, job.steps_done = (steps[-1][:STEP_LENGTH] if steps else ""), len(steps)
        job.step_done = job.step_total = None
        job.result = json.dumps(result, default=str, sort_keys=True)
        if output is not None:
            audit.record(
                session,
                user=job.submitted_by,
                action=AuditAction.INSERT,
                record=output.record,
                key=output.key,
                after=result,
            )
        uow.commit()


def fail_job(uow: UnitOfWork, number: str, error: str, *, steps: list[str]) -> None:
    """The job failed during the last of ``steps`` because of ``error``."""
    _end(uow, number, JobStatus.FAILED, error, steps)


def mark_cancelled(uow: UnitOfWork, number: str, *, steps: list[str]) -> None:
    """The run stopped, as asked, during the last of ``steps``; it wrote nothing."""
    _end(uow, number, JobStatus.CANCELLED, "cancelled on request; nothing was written", steps)


def cancel_job(uow: UnitOfWork, number: str) -> JobView:
    """Cancel job ``number``: a queued job at once, a running one at its next step (its run
    then rolls back, so that nothing of it is written)."""
    now = dt.datetime.now(dt.UTC)
    with uow:
        session = uow.session
        job = _job(session, number)
        if job.status in FINISHED:
            raise JobFinishedError(number, job.status)
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.number == number, BackgroundJob.status == JobStatus.QUEUED)
            .values(status=JobStatus.CANCELLED, finished_at=now, error="cancelled before it started")
        )
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.number == number, BackgroundJob.status == JobStatus.RUNNING)
            .values(cancel_requested=True)
        )
        uow.commit()
    return get_job(uow, number)


def running_jobs(uow: UnitOfWork) -> list[tuple[str, str | None]]:
    """Every running job's number and worker."""
    with uow:
        rows = uow.session.execute(
            select(BackgroundJob.number, BackgroundJob.worker).where(BackgroundJob.status == JobStatus.RUNNING)
        )
        return [(number, worker) for number, worker in rows]


def recover_job(uow: UnitOfWork, number: str, worker: str | None, reason: str, *, attempts: int) -> JobStatus | None:
    """Job ``number`` lost ``worker`` (it died or stopped answering; None: whichever worker ran
    it): queue the job again, or fail it for ``reason`` once it has been started ``attempts``
    times. Its new status; None if it was no longer running on that worker."""
    query = select(BackgroundJob).where(BackgroundJob.number == number, BackgroundJob.status == JobStatus.RUNNING)
    if worker is not None:
        query = query.where(BackgroundJob.worker == worker)
    with uow:
        session = uow.session
        job = session.scalar(query)
        if job is None:
            return None
        if job.cancel_requested:
            job.status, job.finished_at = JobStatus.CANCELLED, dt.datetime.now(dt.UTC)
            job.error = f"cancelled on request; {reason}"
        elif job.attempts >= attempts:
            job.status, job.finished_at = JobStatus.FAILED, dt.datetime.now(dt.UTC)
            job.error = f"{reason}; started {job.attempts} times, it is not tried again"
        else:
            job.status, job.worker, job.error = JobStatus.QUEUED, None, f"{reason}; queued again"
        status = job.status
        uow.commit()
    return status


def get_job(uow: UnitOfWork, number: str) -> JobView:
    with uow:
        return _view(_job(uow.session, number))


def list_jobs(
    uow: UnitOfWork,
    *,
    kind: str | None = None,
    status: JobStatus | None = None,
    submitted_by: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[JobView]]:
    """Jobs matching the filters in ``sort`` order (columns of :data:`SORTABLE`, ``-`` first for
    descending; newest first where it leaves ties), and how many match in all."""
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError("jobs", "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError("jobs", "offset", f"must not be negative, not {offset}")
    query = select(BackgroundJob)
    if kind is not None:
        query = query.where(BackgroundJob.kind == kind)
    if status is not None:
        query = query.where(BackgroundJob.status == status)
    if submitted_by is not None:
        query = query.where(BackgroundJob.submitted_by == submitted_by)
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = [*_order(sort), BackgroundJob.id.desc()]
        jobs = session.scalars(query.order_by(*order).offset(offset).limit(limit))
        return total, [_view(job) for job in jobs]


SORTABLE = ("number", "kind", "status", "submitted_by", "submitted_at", "started_at", "finished_at")


def _order(sort: Sequence[str]) -> list[Any]:
    order = []
    for word in sort:
        name = word.removeprefix("-")
        if name not in SORTABLE:
            raise ValidationError("jobs", "sort", f"unknown column {name!r} (known: {', '.join(SORTABLE)})")
        column = getattr(BackgroundJob, name)
        order.append(column.desc() if word.startswith("-") else column.asc())
    return order


def _end(uow: UnitOfWork, number: str, status: JobStatus, error: str, steps: list[str]) -> None:
    with uow:
        job = _job(uow.session, number)
        job.status, job.finished_at, job.error = status, dt.datetime.now(dt.UTC), error
        job.step = steps[-1][:STEP_LENGTH] if steps else ""
        job.steps_done = max(len(steps) - 1, 0)
        uow.commit()


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _job(session: Any, number: str) -> BackgroundJob:
    job = session.scalar(select(BackgroundJob).where(BackgroundJob.number == number))
    if job is None:
        raise NotFoundError("job", number)
    return job  # type: ignore[no-any-return]


def percent_done(
    status: JobStatus, steps_done: int, steps_total: int | None, step_done: int | None, step_total: int | None
) -> float | None:
    """How far a job has got, 0 to 100: the steps done, and the share of the one under way that its
    count tells (half of it where it counts nothing); None where the number of steps is unknown."""
    if status is JobStatus.SUCCEEDED:
        return 100.0
    if not steps_total:
        return None
    within = step_done / step_total if step_done is not None and step_total else 0.5
    begun = status is JobStatus.RUNNING and steps_done < steps_total
    return round(100 * min(1.0, (steps_done + (within if begun else 0.0)) / steps_total), 1)


def _view(job: BackgroundJob) -> JobView:
    return JobView(
        number=job.number,
        kind=job.kind,
        status=job.status,
        submitted_by=job.submitted_by,
        submitted_at=job.submitted_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        step=job.step,
        steps_done=job.steps_done,
        steps_total=job.steps_total,
        step_done=job.step_done,
        step_total=job.step_total,
        percent=percent_done(job.status, job.steps_done, job.steps_total, job.step_done, job.step_total),
        attempts=job.attempts,
        worker=job.worker,
        cancel_requested=job.cancel_requested,
        schedule=job.schedule,
        request=json.loads(job.request),
        result=None if job.result is None else json.loads(job.result),
        error=job.error,
    )
