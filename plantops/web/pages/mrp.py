"""MRP: start a plan and watch it run, the plan's orders and exceptions, an item's
time-phased record; firm and release planned orders.

Everything is read from and done through :mod:`plantops.services.planning`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, PlantOpsError
from plantops.services.access import Permission
from plantops.services.access.jobs import Output
from plantops.services.planning import queries
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.queries import NoPlanError
from plantops.services.planning.runs import PlanSummary, check_request, run_plan
from plantops.vocabulary import PlanExceptionKind, Procurement
from plantops.web import charts, forms
from plantops.web.auth import User, plant, require, work_as
from plantops.web.jobs import Job, JobBoard, Progress
from plantops.web.templating import render

router = APIRouter(prefix="/mrp")

#: Rows of a long list shown at once; filters narrow it down.
LIST_LIMIT = 200
ROW_NAMES = {
    "gross_requirements": "Gross requirements",
    "scheduled_receipts": "Scheduled receipts",
    "projected_on_hand": "Projected on hand",
    "net_requirements": "Net requirements",
    "planned_order_receipts": "Planned order receipts",
    "planned_order_releases": "Planned order releases",
}
PLAN_STEPS = ("read", "plan", "write")
#: The plan form's fields (the plan request's own names) and their labels.
PLAN_LABELS = {
    "start": "Today of the plan",
    "weeks": "Weeks",
    "frozen_weeks": "Frozen fence (weeks)",
    "slushy_weeks": "Slushy fence (weeks)",
}


def _jobs(request: Request) -> JobBoard:
    board: JobBoard = request.app.state.jobs
    return board


@router.get("")
def mrp_page(request: Request, kind: str = "", item: str = "", exception: str = "") -> Response:
    uow = plant(request).uow
    order_kind = _choice(Procurement, kind)
    exception_kind = _choice(PlanExceptionKind, exception)
    try:
        run, orders = queries.planned_orders(uow(), kind=order_kind, item=item.strip() or None, limit=LIST_LIMIT)
        _, exceptions = queries.plan_exceptions(uow(), kind=exception_kind, item=item.strip() or None, limit=LIST_LIMIT)
        _, every = queries.plan_exceptions(uow())
    except NoPlanError:
        return render(request, "mrp/index.html", run=None, **_plan_form())
    counts = Counter(e.kind.value for e in every)
    return render(
        request,
        "mrp/index.html",
        run=run,
        orders=orders,
        exceptions=exceptions,
        exception_counts=sorted(counts.items()),
        filters={"kind": kind, "item": item.strip(), "exception": exception},
        kinds=list(Procurement),
        exception_kinds=list(PlanExceptionKind),
        limit=LIST_LIMIT,
        **_plan_form(),
    )


def _plan_form() -> dict[str, Any]:
    """The plan form as a page first shows it."""
    form = {"start": dt.date.today().isoformat(), "weeks": "52", "frozen_weeks": "0", "slushy_weeks": "0"}
    return {"plan_form": form, "plan_labels": PLAN_LABELS}


def _choice(words: Any, value: str) -> Any:
    return words(value) if value in {w.value for w in words} else None


@router.post("/runs")
def start_plan(
    request: Request,
    user: Annotated[User, Depends(require(Permission.PLAN))],
    start: Annotated[str, Form()] = "",
    weeks: Annotated[str, Form()] = "52",
    frozen_weeks: Annotated[str, Form()] = "0",
    slushy_weeks: Annotated[str, Form()] = "0",
) -> Response:
    """Start planning in the background once the plan's checks pass; the answer polls the run's progress.
    A request the checks refuse brings the form back as typed, with the error beside its field."""
    typed = {
        "start": start.strip(),
        "weeks": weeks.strip(),
        "frozen_weeks": frozen_weeks.strip(),
        "slushy_weeks": slushy_weeks.strip(),
    }
    try:
        plan_request = PlanRequest(
            start=forms.date("plan", "start", start) or dt.date.today(),
            weeks=forms.integer("plan", "weeks", weeks, 52, user.locale),
            frozen_weeks=forms.integer("plan", "frozen_weeks", frozen_weeks, 0, user.locale),
            slushy_weeks=forms.integer("plan", "slushy_weeks", slushy_weeks, 0, user.locale),
        )
        check_request(plan_request)
    except PlantOpsError as error:
        return forms.refused(
            request, "mrp/plan_form.html", "#plan-form", typed, forms.place(error, typed, PLAN_LABELS), PLAN_LABELS
        )

    def work(uow: UnitOfWork, progress: Progress) -> tuple[PlanSummary, Output]:
        summary = run_plan(uow, plan_request, run_by=user.username, progress=progress)
        return summary, Output("plan_run", summary.number)

    job = _jobs(request).start(
        "plan", f"Plan from {plan_request.start}", user.username, asdict(plan_request), PLAN_STEPS, work
    )
    return render(request, "mrp/run.html", job=job)


@router.get("/runs/{number}")
def plan_progress(request: Request, number: str) -> Response:
    job: Job | None = _jobs(request).get(number)
    if job is None:
        raise NotFoundError("plan run in progress", number)
    summary: PlanSummary | None = job.result
    response = render(request, "mrp/run.html", job=job, summary=summary)
    if job.finished:
        response.headers["HX-Trigger"] = "plan-changed"
    return response


@router.get("/items")
def open_item_record(request: Request, code: str) -> Response:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/mrp/items/{quote(code.strip())}", status_code=303)


@router.get("/items/{code}")
def item_record(request: Request, code: str, weeks: Annotated[int, Query(title="Weeks shown")] = 26) -> Response:
    uow = plant(request).uow
    tables = queries.mrp_table(uow(), item=code)
    _, orders = queries.planned_orders(uow(), item=code, limit=LIST_LIMIT)
    _, exceptions = queries.plan_exceptions(uow(), item=code, limit=LIST_LIMIT)
    weeks = max(1, min(weeks, len(tables[0].buckets)))
    return render(
        request,
        "mrp/item.html",
        code=code,
        tables=tables,
        charts=[charts.mrp_record(t, weeks) for t in tables],
        weeks=weeks,
        row_names=ROW_NAMES,
        orders=orders,
        exceptions=exceptions,
        limit=LIST_LIMIT,
    )


@router.post("/orders/{number}/firm")
def firm_order(request: Request, number: str, user: Annotated[User, Depends(require(Permission.PLAN))]) -> Response:
    order = queries.firm(work_as(request, user), number)
    return render(request, "mrp/order_row.html", order=order)


@router.post("/orders/{number}/release")
def release_order(
    request: Request, number: str, user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))]
) -> Response:
    order = queries.release(work_as(request, user), number, today=dt.date.today())
    return render(request, "mrp/order_row.html", order=order)
