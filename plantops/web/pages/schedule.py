"""Schedule: the schedule in force as an interactive Gantt chart per work center or per
order, its late orders and work center loads; run the scheduler, and repair the schedule
after a disruption (a work center down, a rush order).

Everything is read from and done through :mod:`plantops.services.scheduling`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, PlantOpsError
from plantops.services.access import Permission
from plantops.services.access.jobs import Output
from plantops.services.scheduling import queries, runs
from plantops.services.scheduling.runs import NoScheduleError, ScheduleRequest, ScheduleSummary
from plantops.web import charts, forms
from plantops.web.auth import User, plant, require
from plantops.web.jobs import Job, JobBoard, Progress
from plantops.web.templating import render

router = APIRouter(prefix="/schedule")

SCHEDULE_STEPS = ("read", "solve", "write")
VIEWS = {"resources": "per work center", "orders": "per order"}
#: The seconds a repair searches unless the form says otherwise.
DEFAULT_TIME_LIMIT = "10"
#: The scheduler form's fields (the schedule request's names for them) and their labels.
RUN_LABELS = {"weeks": "Weeks from now", "time_limit": "Search for (s)"}
#: The disruption form's fields (the service's names for them) and their labels.
DOWN_LABELS = {
    "work_center": "Work center",
    "from": "Down from (site time)",
    "to": "Until",
    "reason": "Reason",
    "time_limit": "Search for (s)",
}
#: The rush order form's fields and their labels.
RUSH_LABELS = {"item": "Item", "quantity": "Quantity", "due": "Due", "time_limit": "Search for (s)"}


def _jobs(request: Request) -> JobBoard:
    board: JobBoard = request.app.state.jobs
    return board


@router.get("")
def schedule_page(request: Request, view: str = "resources", work_center: str = "") -> Response:
    uow = plant(request).uow
    view = view if view in VIEWS else "resources"
    now = dt.datetime.now(dt.UTC)
    try:
        run = queries.run_in_force(uow())
    except NoScheduleError:
        return render(request, "schedule/index.html", run=None, now=now, centers=[], **_disruption_forms())
    every = queries.sequences(uow())
    shown = [s for s in every if s.work_center == work_center] if work_center else every
    if work_center and not shown:
        raise NotFoundError("work center", work_center)
    late = queries.late_orders(uow())
    return render(
        request,
        "schedule/index.html",
        run=run,
        now=now,
        view=view,
        views=VIEWS,
        work_center=work_center,
        centers=every,
        gantt=charts.gantt(shown, now, by_order=view == "orders"),
        load_chart=charts.work_center_load(every),
        late=late,
        operations=sum(len(s.operations) for s in shown),
        **_disruption_forms(),
    )


def _disruption_forms() -> dict[str, Any]:
    """The disruption and rush order forms as a page first shows them."""
    return {
        "run_form": {"weeks": "4", "time_limit": DEFAULT_TIME_LIMIT},
        "run_labels": RUN_LABELS,
        "down_form": dict.fromkeys(DOWN_LABELS, "") | {"time_limit": DEFAULT_TIME_LIMIT},
        "down_labels": DOWN_LABELS,
        "rush_form": dict.fromkeys(RUSH_LABELS, "") | {"time_limit": DEFAULT_TIME_LIMIT},
        "rush_labels": RUSH_LABELS,
    }


def _start(
    request: Request, user: User, title: str, form: dict[str, Any], run: Callable[..., ScheduleSummary]
) -> Response:
    """Run ``run(uow, progress=...)`` in the background as the user; the answer polls its progress."""

    def work(uow: UnitOfWork, progress: Progress) -> tuple[ScheduleSummary, Output]:
        summary = run(uow, progress=progress)
        return summary, Output("schedule_run", summary.number)

    job = _jobs(request).start("schedule", title, user.username, form, SCHEDULE_STEPS, work)
    return render(request, "schedule/run.html", job=job, summary=None)


@router.post("/runs")
def start_schedule(
    request: Request,
    user: Annotated[User, Depends(require(Permission.SCHEDULE))],
    weeks: Annotated[str, Form()] = "4",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """Schedule from now over ``weeks``, searching for ``time_limit`` seconds, in the background.

    What the schedule request's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {"weeks": weeks.strip(), "time_limit": time_limit.strip()}
    try:
        schedule_request = ScheduleRequest(
            horizon_start=dt.datetime.now(dt.UTC),
            weeks=forms.integer("schedule", "weeks", weeks, 4, user.locale),
            time_limit_s=float(forms.decimal("schedule", "time_limit", time_limit, user.locale)),
        )
        runs.check_request(schedule_request)
    except PlantOpsError as error:
        errors = forms.place(error, typed, RUN_LABELS)
        return forms.refused(request, "schedule/run_form.html", "#schedule-form", typed, errors, RUN_LABELS)
    return _start(
        request,
        user,
        f"Schedule of {schedule_request.weeks} weeks",
        asdict(schedule_request),
        lambda uow, progress: runs.schedule_work(uow, schedule_request, run_by=user.username, progress=progress),
    )


@router.post("/disruptions")
def report_disruption(
    request: Request,
    user: Annotated[User, Depends(require(Permission.REPORT_DISRUPTION))],
    work_center: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form(alias="from")] = "",
    ends_at: Annotated[str, Form(alias="to")] = "",
    reason: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """A work center down from ``starts_at`` to ``ends_at`` (its site's local time): repair the schedule.

    What the disruption's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {
        "work_center": work_center.strip(),
        "from": starts_at.strip(),
        "to": ends_at.strip(),
        "reason": reason.strip(),
        "time_limit": time_limit.strip(),
    }
    center, why = typed["work_center"], typed["reason"]
    try:
        starts = forms.moment("disruption", "from", starts_at)
        ends = forms.moment("disruption", "to", ends_at)
        limit = float(forms.decimal("disruption", "time_limit", time_limit, user.locale))
        runs.check_disruption(
            plant(request).uow(), center, starts_at=starts, ends_at=ends, reason=why, time_limit_s=limit
        )
    except PlantOpsError as error:
        errors = forms.place(error, typed, DOWN_LABELS)
        centers = queries.sequences(plant(request).uow())
        return forms.refused(
            request, "schedule/down_form.html", "#down-form", typed, errors, DOWN_LABELS, centers=centers
        )
    form = {"work_center": center, "starts_at": starts, "ends_at": ends, "reason": why, "time_limit_s": limit}
    return _start(
        request,
        user,
        f"Repair after {center} down",
        form,
        lambda uow, progress: runs.disrupt(
            uow,
            center,
            starts_at=starts,
            ends_at=ends,
            reason=why,
            now=dt.datetime.now(dt.UTC),
            time_limit_s=limit,
            run_by=user.username,
            progress=progress,
        ),
    )


@router.post("/rush-orders")
def add_rush_order(
    request: Request,
    user: Annotated[User, Depends(require(Permission.REPORT_DISRUPTION))],
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    time_limit: Annotated[str, Form()] = DEFAULT_TIME_LIMIT,
) -> Response:
    """Release a rush work order and repair the schedule around it.

    What the rush order's checks refuse brings the form back as typed, with the error beside its
    field, and starts nothing."""
    typed = {"item": item.strip(), "quantity": quantity.strip(), "due": due.strip(), "time_limit": time_limit.strip()}
    code = typed["item"]
    try:
        amount = forms.decimal("rush order", "quantity", quantity, user.locale)
        due_date = forms.required_date("rush order", "due", due)
        limit = float(forms.decimal("rush order", "time_limit", time_limit, user.locale))
        now = dt.datetime.now(dt.UTC)
        runs.check_rush_order(plant(request).uow(), code, amount, due=due_date, now=now, time_limit_s=limit)
    except PlantOpsError as error:
        errors = forms.place(error, typed, RUSH_LABELS)
        return forms.refused(request, "schedule/rush_form.html", "#rush-form", typed, errors, RUSH_LABELS)
    form = {"item": code, "quantity": amount, "due": due_date, "time_limit_s": limit}
    return _start(
        request,
        user,
        f"Repair for a rush order of {code}",
        form,
        lambda uow, progress: runs.rush_order(
            uow,
            code,
            amount,
            due=due_date,
            now=dt.datetime.now(dt.UTC),
            time_limit_s=limit,
            run_by=user.username,
            progress=progress,
        ),
    )


@router.get("/runs/{number}")
def schedule_progress(request: Request, number: str) -> Response:
    job: Job | None = _jobs(request).get(number)
    if job is None:
        raise NotFoundError("schedule run in progress", number)
    summary: ScheduleSummary | None = job.result
    response = render(request, "schedule/run.html", job=job, summary=summary)
    if job.finished:
        response.headers["HX-Trigger"] = "schedule-changed"
    return response
