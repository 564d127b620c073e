"""Material requirements planning: start a plan run (a background job), read its planned
orders, MRP records, exceptions and pegging, firm and release planned orders."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.routers.jobs import JobOut, job_out
from plantops.api.schemas import Code, Exact, ListQuery, Page, Schema, page_of
from plantops.api.security import Planner, Reader, Releaser
from plantops.db.session import UnitOfWork
from plantops.services.access.jobs import Output
from plantops.services.planning import pegging as peggings
from plantops.services.planning import queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement

router = APIRouter(prefix="/plan", tags=["planning"], responses=problem_responses(401, 403, 404, 409, 422))

PLAN_STEPS = ("read", "plan", "write")


class PlanRunIn(Schema):
    start: dt.date | None = Field(default=None, description="The first week (its Monday); default: today.")
    weeks: int = Field(default=52, ge=1, le=260)
    frozen_weeks: int = Field(default=0, ge=0, le=260)
    slushy_weeks: int = Field(default=0, ge=0, le=260)
    forecast_backward: int = Field(default=1, ge=0, le=52)
    forecast_forward: int = Field(default=1, ge=0, le=52)


@router.post(
    "/runs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Plan everything in the background; follow the job at its Location",
)
def start_plan(body: PlanRunIn, caller: Planner, request: Request, response: Response) -> JobOut:
    plan_request = PlanRequest(
        start=body.start or dt.date.today(),
        weeks=body.weeks,
        frozen_weeks=body.frozen_weeks,
        slushy_weeks=body.slushy_weeks,
        forecast_backward=body.forecast_backward,
        forecast_forward=body.forecast_forward,
    )
    user = caller.username

    def work(uow: UnitOfWork, progress: Any) -> tuple[dict[str, Any], Output]:
        summary = runs.run_plan(uow, plan_request, run_by=user, progress=progress)
        return dataclasses.asdict(summary), Output("plan_run", summary.number)

    job = request.app.state.jobs.submit(
        caller, "plan", dataclasses.asdict(plan_request), work, steps_total=len(PLAN_STEPS)
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.number}"
    return job_out(job)


class OrderOut(BaseModel):
    number: str
    item: str
    site: str
    kind: Procurement
    quantity: Exact
    release_date: dt.date
    due_date: dt.date
    status: PlannedOrderStatus
    supplier: str | None
    source_site: str | None
    driver: str | None
    released_as: str | None


ORDER_FIELDS = tuple(OrderOut.model_fields)


class OrderPage(Page[OrderOut]):
    run: str


class OrderQuery(ListQuery):
    item: Code | None = None
    kind: Procurement | None = None


def _order(view: queries.OrderView) -> OrderOut:
    return OrderOut(**dataclasses.asdict(view))


@router.get("/orders", response_model=OrderPage, summary="Planned orders of the plan in force")
def planned_orders(query: Annotated[OrderQuery, Query()], caller: Reader) -> OrderPage:
    run, found = queries.planned_orders(caller.uow(), item=query.item, kind=query.kind)
    page = page_of([_order(v) for v in found], query, ORDER_FIELDS)
    return OrderPage(run=run, **page.model_dump(exclude={"items"}), items=page.items)


class ExceptionOut(BaseModel):
    kind: PlanExceptionKind
    item: str
    site: str
    date: dt.date
    document: str
    quantity: Exact
    need_date: dt.date | None
    cause: str | None
    days_late: int
    message: str


EXCEPTION_FIELDS = tuple(ExceptionOut.model_fields)


class ExceptionPage(Page[ExceptionOut]):
    run: str


class ExceptionQuery(ListQuery):
    item: Code | None = None
    kind: PlanExceptionKind | None = None


@router.get("/exceptions", response_model=ExceptionPage, summary="Exception messages of the plan in force")
def exceptions(query: Annotated[ExceptionQuery, Query()], caller: Reader) -> ExceptionPage:
    run, found = queries.plan_exceptions(caller.uow(), kind=query.kind, item=query.item)
    rows = [ExceptionOut(**dataclasses.asdict(v), message=v.message) for v in found]
    page = page_of(rows, query, EXCEPTION_FIELDS)
    return ExceptionPage(run=run, **page.model_dump(exclude={"items"}), items=page.items)


class MrpRecordOut(BaseModel):
    run: str
    item: str
    site: str
    low_level_code: int
    buckets: list[dt.date]
    rows: dict[str, list[float]]


@router.get("/records/{item:path}", response_model=list[MrpRecordOut], summary="The MRP record of an item, per site")
def mrp_records(item: str, caller: Reader, site: Annotated[Code | None, Query()] = None) -> list[MrpRecordOut]:
    return [MrpRecordOut(**dataclasses.asdict(t)) for t in queries.mrp_table(caller.uow(), item=item, site=site)]


class PegOut(BaseModel):
    kind: str
    item: str
    site: str
    week: dt.date | None
    quantity: float
    demand: str | None


class PeggingOut(BaseModel):
    order: OrderOut
    pegs: list[PegOut]


@router.get("/orders/{number}/pegging", response_model=PeggingOut, summary="The demands a planned order serves")
def pegging(number: str, caller: Reader) -> PeggingOut:
    order, pegs = peggings.pegging(caller.uow(), number)
    return PeggingOut(order=_order(order), pegs=[PegOut(**dataclasses.asdict(p)) for p in pegs])


@router.post("/orders/{number}/firm", response_model=OrderOut, summary="Firm a planned order: later runs keep it")
def firm(number: str, caller: Planner) -> OrderOut:
    return _order(queries.firm(caller.uow(), number))


class ReleaseIn(Schema):
    today: dt.date | None = Field(default=None, description="The order date of a purchase order (default: today).")


@router.post(
    "/orders/{number}/release",
    response_model=OrderOut,
    summary="Release a planned order as a purchase order (buy) or a work order (make)",
)
def release(number: str, caller: Releaser, body: ReleaseIn | None = None) -> OrderOut:
    today = body.today if body and body.today else dt.date.today()
    return _order(queries.release(caller.uow(), number, today=today))
