"""Background jobs: how far a plan, schedule, forecast or policy run has got, and its outcome."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request

from plantops.api.problems import problem_responses
from plantops.api.schemas import Code, ListQuery, Page
from plantops.api.security import Reader
from plantops.services.access import jobs
from plantops.services.access.jobs import JobView
from plantops.vocabulary import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=problem_responses(401, 403, 422))


JobOut = JobView
"""A job as the API answers it: the service's view of it, as it is."""


def job_out(job: JobView, live_steps: list[str] | None = None) -> JobOut:
    """The job as recorded, with the step it is at if it is running in this server."""
    if live_steps:
        return replace(job, step=live_steps[-1], steps_done=len(live_steps) - 1)
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
    live = request.app.state.jobs
    items = [job_out(j, live.steps(j.number)) for j in found]
    return Page(total=total, offset=query.offset, limit=query.limit, items=items)


@router.get(
    "/{number}", response_model=JobOut, summary="A job: its status, step and outcome", responses=problem_responses(404)
)
def read_job(number: str, caller: Reader, request: Request) -> JobOut:
    return job_out(jobs.get_job(caller.uow(), number), request.app.state.jobs.steps(number))
