"""Background jobs: long runs (plan, schedule, forecast, policy) users start and follow.

A job is submitted (``queued``), started (``running``), and ends ``succeeded`` with a
result or ``failed`` with the reason, with the last step it reached. Each change is a
transaction of its own, so the record tells anyone, whether or not the user who started
the job is still connected, what became of it. Running the work and following its steps
while it runs is the entrypoint's concern (a thread of the API server: the run's own
transaction may hold the database's write lock on SQLite, so steps are not written
here one by one); this module keeps the record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update

from plantops.db import audit
from plantops.db.access import BackgroundJob
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.vocabulary import AuditAction, JobStatus

MAX_PAGE = 1000
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


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
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class Output:
    """What a finished job wrote, for the audit trail: a record (table) and its key."""

    record: str
    key: str


def submit_job(
    uow: UnitOfWork, *, kind: str, request: dict[str, Any], submitted_by: str, steps_total: int | None = None
) -> JobView:
    """Record a job to run; its number is ``JOB-<n>``."""
    with uow:
        session = uow.session
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
            )
            .returning(BackgroundJob.id)
        ).scalar_one()
        number = f"JOB-{job_id:06d}"
        session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(number=number))
        uow.commit()
    return get_job(uow, number)


def start_job(uow: UnitOfWork, number: str) -> None:
    _change(uow, number, status=JobStatus.RUNNING, started_at=dt.datetime.now(dt.UTC))


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
        job.step, job.steps_done = (steps[-1][:64] if steps else ""), len(steps)
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
    _change(
        uow,
        number,
        status=JobStatus.FAILED,
        finished_at=dt.datetime.now(dt.UTC),
        error=error,
        step=steps[-1][:64] if steps else "",
        steps_done=max(len(steps) - 1, 0),
    )


def interrupt_unfinished(uow: UnitOfWork, reason: str) -> int:
    """Mark every queued or running job failed (the server that ran them stopped); how many."""
    with uow:
        result = uow.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.status.in_(UNFINISHED))
            .values(status=JobStatus.FAILED, finished_at=dt.datetime.now(dt.UTC), error=reason)
        )
        uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


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


def _change(uow: UnitOfWork, number: str, **values: Any) -> None:
    with uow:
        job = _job(uow.session, number)
        for name, value in values.items():
            setattr(job, name, value)
        uow.commit()


def _job(session: Any, number: str) -> BackgroundJob:
    job = session.scalar(select(BackgroundJob).where(BackgroundJob.number == number))
    if job is None:
        raise NotFoundError("job", number)
    return job  # type: ignore[no-any-return]


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
        request=json.loads(job.request),
        result=None if job.result is None else json.loads(job.result),
        error=job.error,
    )
