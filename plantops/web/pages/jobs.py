"""Jobs: every plan, schedule, forecast and policy run queued, where it runs, how far it has got,
cancelling it; and the recurring jobs (a nightly plan, a weekly forecast), declared here."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.jobs.kinds import KINDS
from plantops.jobs.queue import JobQueue
from plantops.services.access import Permission, job_schedules, jobs
from plantops.services.access.jobs import JobView
from plantops.services.master_data.values import INSTANT, INTEGER
from plantops.vocabulary import JobStatus
from plantops.web import forms, lists
from plantops.web.auth import CurrentUser, User, plant, require
from plantops.web.jobs import queue_of
from plantops.web.templating import render

router = APIRouter(prefix="/jobs")

SCHEDULE_LABELS = {
    "name": "Name",
    "kind": "Job",
    "cron": "Cron (minute hour day month weekday)",
    "timezone": "Time zone",
    "request": "Request (JSON)",
}
#: What the page says of each kind, by its permission.
PERMISSION_OF = {name: kind.permission.value for name, kind in KINDS.items()}


def _rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    chosen = query.filters
    total, found = jobs.list_jobs(
        uow,
        kind=chosen.get("kind"),
        status=JobStatus(chosen["status"]) if "status" in chosen else None,
        submitted_by=chosen.get("submitted_by"),
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(total, [_row(JobQueue.with_live_step(job)) for job in found])


def _row(job: JobView) -> dict[str, Any]:
    return {
        "number": job.number,
        "kind": job.kind,
        "status": job.status,
        "submitted_by": job.submitted_by,
        "submitted_at": job.submitted_at,
        "finished_at": job.finished_at,
        "worker": job.worker or "",
        "attempts": job.attempts,
        "schedule": job.schedule or "",
        "progress": job.progress_said,
        "finished": job.finished,
        "cancel_requested": job.cancel_requested,
    }


JOBS = lists.ListView(
    name="jobs",
    title="Jobs",
    path="/jobs",
    columns=(
        lists.Column("number", "Job"),
        lists.Column("kind", "Kind", shown="words"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("submitted_by", "By"),
        lists.Column("submitted_at", "Submitted (UTC)", INSTANT),
        lists.Column("finished_at", "Ended (UTC)", INSTANT),
        lists.Column("worker", "Worker", sortable=False),
        lists.Column("attempts", "Tries", INTEGER, sortable=False),
        lists.Column("schedule", "Recurring", sortable=False),
        lists.Column("progress", "Progress or reason", sortable=False),
    ),
    fetch=_rows,
    filters=(
        lists.Filter("status", "Status", choices=tuple((s.value, s.value) for s in JobStatus)),
        lists.Filter("kind", "Kind", choices=tuple((k, k.replace("_", " ")) for k in KINDS)),
        lists.Filter("submitted_by", "By"),
    ),
    searchable=False,
    key=("number",),
)


def _page(request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200, **more: Any) -> Response:
    listing = lists.fetch(request, JOBS, lists.read_query(request, JOBS))
    return render(
        request,
        "jobs/index.html",
        status,
        listing=listing,
        schedules=job_schedules.list_schedules(plant(request).uow()),
        kinds=KINDS,
        permission_of=PERMISSION_OF,
        form=form,
        errors=errors,
        labels=SCHEDULE_LABELS,
        **more,
    )


def _empty_form() -> dict[str, str]:
    return {"name": "", "kind": "plan", "cron": "0 2 * * *", "timezone": "UTC", "request": "{}"}


@router.get("")
def jobs_page(request: Request, user: CurrentUser) -> Response:
    return _page(request, _empty_form(), {})


@router.get("/export.{fmt}")
def jobs_export(request: Request, fmt: str) -> Response:
    return lists.export(request, JOBS, fmt)


@router.post("/{number}/cancel")
def cancel_job(request: Request, number: str, user: Annotated[User, Depends(require(Permission.READ))]) -> Response:
    """Cancel a job (the user's roles must allow its kind): queued, at once; running, at its next step."""
    job = queue_of(request).cancel(number, user.principal)
    said = "cancelled" if job.status is JobStatus.CANCELLED else "asked to stop at its next step; it writes nothing"
    return _page(request, _empty_form(), {}, notice=f"{job.number} {said}.")


@router.post("/schedules")
def declare_schedule(
    request: Request,
    user: Annotated[User, Depends(require(Permission.READ))],
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    cron: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    request_json: Annotated[str, Form(alias="request")] = "",
) -> Response:
    """Declare a recurring job that runs as the user; what is refused comes back beside its field."""
    typed = {
        "name": name.strip(),
        "kind": kind.strip(),
        "cron": " ".join(cron.split()),
        "timezone": timezone.strip() or "UTC",
        "request": request_json.strip() or "{}",
    }
    try:
        values = _json_object(typed["request"])
        view = queue_of(request).declare_schedule(
            name=typed["name"],
            kind=typed["kind"],
            request=values,
            cron=typed["cron"],
            timezone=typed["timezone"],
            run_as=user.username,
            principal=user.principal,
        )
    except PlantOpsError as error:
        return _page(request, typed, _placed(error, typed), 400)
    when = f"{view.next_run_at:%Y-%m-%d %H:%M} UTC"
    return _page(request, _empty_form(), {}, notice=f"{view.name} declared: its next {view.kind} job is at {when}.")


@router.post("/schedules/{name}/remove")
def remove_schedule(request: Request, name: str, user: Annotated[User, Depends(require(Permission.READ))]) -> Response:
    queue_of(request).remove_schedule(name, user.principal)
    return RedirectResponse(f"{request.scope.get('root_path', '')}/jobs", status_code=303)


def _json_object(text: str) -> dict[str, Any]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError("job schedule", "request", f"is not JSON: {error.msg}") from None
    if not isinstance(values, dict):
        raise ValidationError("job schedule", "request", 'must be a JSON object, e.g. {"weeks": 26}')
    return values


def _placed(error: PlantOpsError, typed: dict[str, str]) -> dict[str, str]:
    """The error of a field of the job's request (``weeks``) goes beside the request box, naming it."""
    if isinstance(error, ValidationError) and error.field not in typed:
        return {"request": f"{error.field}: {error.reason}"}
    return forms.place(error, typed, SCHEDULE_LABELS)
