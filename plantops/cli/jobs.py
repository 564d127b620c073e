"""``plantops jobs``: the background jobs (plan, schedule, forecast and policy runs queued from
the web app, the API or a recurring schedule): list, show, cancel; declare recurring jobs."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from plantops.cli.common import Format, FormatOption, Listing, console, plantops, print_listing, reports_errors
from plantops.errors import ValidationError
from plantops.jobs.kinds import KINDS
from plantops.jobs.queue import JobQueue
from plantops.services.access import job_schedules, jobs
from plantops.vocabulary import JobStatus

app = typer.Typer()
schedules = typer.Typer(help="Recurring jobs: a nightly plan, a weekly forecast.")
app.add_typer(schedules, name="schedule")


@app.command(name="list")
@reports_errors
def list_jobs(
    status: Annotated[JobStatus | None, typer.Option(help="Only jobs in this status.")] = None,
    kind: Annotated[str | None, typer.Option(help=f"Only jobs of this kind ({', '.join(KINDS)}).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=jobs.MAX_PAGE, help="How many, newest first.")] = 20,
    output: FormatOption = Format.TABLE,
) -> None:
    """The jobs, newest first: what they run, for whom, how far they have got."""
    with plantops() as ops:
        total, found = jobs.list_jobs(ops.uow(), kind=kind, status=status, limit=limit)
    listing = Listing("Jobs", ["Job", "Kind", "Status", "By", "Submitted", "Worker", "Tries", "Progress"], total=total)
    for job in found:
        listing.add(
            job.number,
            job.kind,
            job.status.value,
            job.submitted_by,
            job.submitted_at,
            job.worker or "",
            job.attempts,
            job.progress_said,
        )
    print_listing(listing, output)


@app.command()
@reports_errors
def show(number: Annotated[str, typer.Argument(help="The job's number, e.g. JOB-000012.")]) -> None:
    """A job: its request, where it runs, its progress and its outcome."""
    with plantops() as ops:
        job = jobs.get_job(ops.uow(), number)
    console.print(f"{job.number}: {job.kind} by {job.submitted_by}, {job.status.value}")
    console.print(f"Request: {json.dumps(job.request, sort_keys=True)}")
    if job.worker:
        console.print(f"Worker: {job.worker} (started {job.attempts} time{'s' if job.attempts != 1 else ''})")
    console.print(f"Progress: {job.progress_said}")
    if job.result is not None:
        console.print(f"Result: {json.dumps(job.result, sort_keys=True)}")


@app.command()
@reports_errors
def cancel(number: Annotated[str, typer.Argument(help="The job's number.")]) -> None:
    """Cancel a job: a queued one at once, a running one at its next step (it then writes nothing)."""
    with plantops() as ops:
        job = JobQueue(ops, runs_jobs=False).cancel(number)
    said = "cancelled" if job.status is JobStatus.CANCELLED else "asked to stop at its next step"
    console.print(f"{job.number} {said}.")


@schedules.command(name="set")
@reports_errors
def declare(
    name: Annotated[str, typer.Argument(help="The schedule's name, e.g. nightly-plan.")],
    kind: Annotated[str, typer.Option(help=f"The job to run: {', '.join(KINDS)}.")],
    cron: Annotated[str, typer.Option(help="Five cron fields: minute hour day month weekday, e.g. '0 2 * * *'.")],
    timezone: Annotated[str, typer.Option(help="The zone the cron times are read in.")] = "UTC",
    request: Annotated[
        str, typer.Option(help="The job's request as JSON, e.g. '{\"weeks\": 26}'; dates left out are the run's day.")
    ] = "{}",
    run_as: Annotated[str | None, typer.Option(help="The user the job runs as (default: you).")] = None,
) -> None:
    """Declare a recurring job, or change one: the workers submit it at each time of ``cron``."""
    try:
        values = json.loads(request)
    except json.JSONDecodeError as error:
        raise ValidationError("job schedule", "request", f"is not JSON: {error.msg}") from None
    if not isinstance(values, dict):
        raise ValidationError("job schedule", "request", "must be a JSON object")
    with plantops() as ops:
        view = JobQueue(ops, runs_jobs=False).declare_schedule(
            name=name, kind=kind, request=values, cron=cron, timezone=timezone, run_as=run_as or getpass.getuser()
        )
    console.print(
        f"{view.name}: {view.kind} at '{view.cron}' ({view.timezone}), next at {view.next_run_at:%Y-%m-%d %H:%M} UTC."
    )


@schedules.command(name="list")
@reports_errors
def list_schedules(output: FormatOption = Format.TABLE) -> None:
    """The recurring jobs and when each runs next."""
    with plantops() as ops:
        found = job_schedules.list_schedules(ops.uow())
    listing = Listing("Recurring jobs", ["Name", "Kind", "Cron", "Zone", "Next run (UTC)", "Last job", "Runs as"])
    for s in found:
        listing.add(s.name, s.kind, s.cron, s.timezone, s.next_run_at, s.last_job or "", s.run_as)
    print_listing(listing, output)


@schedules.command(name="remove")
@reports_errors
def remove(name: Annotated[str, typer.Argument(help="The schedule's name.")]) -> None:
    """Stop a recurring job (the jobs it submitted stay)."""
    with plantops() as ops:
        JobQueue(ops, runs_jobs=False).remove_schedule(name)
    console.print(f"{name} removed.")
