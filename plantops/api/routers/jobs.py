"""Background jobs: how far a plan, schedule, forecast or policy run has got, its outcome,
cancelling it; and the recurring jobs (a nightly plan, a weekly forecast)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import Field

from plantops.api.problems import problem_responses
from plantops.api.schemas import Code, ListQuery, Page, Schema, page_of
from plantops.api.security import Authenticated, Reader
from plantops.jobs.queue import JobQueue
from plantops.services.access import job_schedules, jobs
from plantops.services.access.job_schedules import ScheduleView
from plantops.services.access.jobs import JobView
from plantops.vocabulary import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=problem_responses(401, 403, 422))

JobOut = JobView
"""A job as the API answers it: the service's view of it, as it is."""


def queue_of(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


def submitted(request: Request, response: Response, kind: str, body: Any, user: str) -> JobOut:
    """Queue a job of ``kind`` for the service request ``body``; the answer points at the job."""
    job = queue_of(request).submit(kind, body, user)
    response.headers["Location"] = f"/api/v1/jobs/{job.number}"
    return job


class JobQuery(ListQuery):
    kind: Code | None = None
    status: JobStatus | None = None
    submitted_by: Code | None = None


@router.get("", response_model=Page[JobOut], summary="Jobs, newest first")
def list_jobs(query: Annotated[JobQuery, Query()], caller: Reader, request: Request) -> Page[JobOut]:
    total, found = jobs.list_jobs(
        caller.uow(),
        kind=query.kind,
        status=query.status,
        submitted_by=query.submitted_by,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [JobQueue.with_live_step(j) for j in found]
    return Page(total=total, offset=query.offset, limit=query.limit, items=items)


class ScheduleIn(Schema):
    kind: Code = Field(description="plan, schedule, disruption, rush_order, forecast or policy.")
    cron: str = Field(min_length=9, max_length=120, description="Five cron fields: minute hour day month weekday.")
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description="An IANA zone, e.g. Europe/Berlin.")
    request: dict[str, Any] = Field(
        default_factory=dict, description="The job's request; a plan's start or a policy's date is the day it runs."
    )


ScheduleOut = ScheduleView
"""A recurring job as the API answers it: the service's view of it."""


@router.get("/schedules", response_model=Page[ScheduleOut], summary="Recurring jobs, by name")
def list_schedules(query: Annotated[ListQuery, Query()], caller: Reader) -> Page[ScheduleOut]:
    found = job_schedules.list_schedules(caller.uow())
    return page_of(found, query, tuple(f.name for f in dataclasses.fields(ScheduleView)))


@router.put(
    "/schedules/{name}",
    response_model=ScheduleOut,
    summary="Declare a recurring job (or change it); it runs as you",
    responses=problem_responses(404),
)
def declare_schedule(name: str, body: ScheduleIn, caller: Authenticated, request: Request) -> ScheduleOut:
    return queue_of(request).declare_schedule(
        name=name,
        kind=body.kind,
        request=body.request,
        cron=body.cron,
        timezone=body.timezone,
        run_as=caller.username,
        principal=caller.principal,
    )


@router.delete(
    "/schedules/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a recurring job",
    responses=problem_responses(404),
)
def remove_schedule(name: str, caller: Authenticated, request: Request) -> Response:
    queue_of(request).remove_schedule(name, caller.principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{number}", response_model=JobOut, summary="A job: its status, step and outcome", responses=problem_responses(404)
)
def read_job(number: str, caller: Reader, request: Request) -> JobOut:
    return queue_of(request).view(number)


@router.post(
    "/{number}/cancel",
    response_model=JobOut,
    summary="Cancel a job: a queued one at once, a running one at its next step (it then writes nothing)",
    responses=problem_responses(404, 409),
)
def cancel_job(number: str, caller: Authenticated, request: Request) -> JobOut:
    return queue_of(request).cancel(number, caller.principal)
