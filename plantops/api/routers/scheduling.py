"""Finite-capacity scheduling: a schedule run (a background job), the schedule in force, its
operations per work center, late orders (and why they are late) and critical path, a work
center's dispatch list; disruptions (a work center down), rush orders and moves of an
operation by hand, each repairing the schedule in force as a background job, and undoing
the last move."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.routers.jobs import JobOut, submitted
from plantops.api.schemas import Code, ListQuery, Page, Quantity, Schema, Text, page_of
from plantops.api.security import DisruptionReporter, Reader, Scheduler
from plantops.jobs.kinds import DisruptionRequest, MoveRequest, RushOrderRequest
from plantops.services.scheduling import dispatch as dispatching
from plantops.services.scheduling import lateness, moves, queries, runs
from plantops.services.scheduling.dispatch import DispatchList
from plantops.services.scheduling.lateness import ExplainedLateOrder
from plantops.services.scheduling.moves import Undone
from plantops.services.scheduling.queries import OperationView, RunView
from plantops.services.scheduling.runs import MAX_WEEKS, RUSH_WEIGHT

router = APIRouter(prefix="/schedules", tags=["scheduling"], responses=problem_responses(401, 403, 404, 409, 422))

TimeLimit = Annotated[float, Field(gt=0, le=runs.MAX_TIME_LIMIT_S, description="Seconds the solver may search.")]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ScheduleRunIn(Schema):
    horizon_start: AwareDatetime | None = Field(default=None, description="Default: now.")
    weeks: int = Field(default=4, ge=1, le=MAX_WEEKS)
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0
    include_planned: bool = Field(default=True, description="Schedule the plan's make orders too.")


@router.post(
    "/runs",
    summary="Schedule in the background; follow the job at its Location",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def start_schedule(body: ScheduleRunIn, caller: Scheduler, request: Request, response: Response) -> JobOut:
    schedule = runs.ScheduleRequest(
        horizon_start=body.horizon_start or dt.datetime.now(dt.UTC),
        weeks=body.weeks,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
        include_planned=body.include_planned,
    )
    return submitted(request, response, "schedule", schedule, caller.username)


class DisruptionIn(Schema):
    work_center: Code
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Text = ""
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0


@router.post(
    "/disruptions",
    summary="A work center is down: record it and repair the schedule in the background",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def disruption(body: DisruptionIn, caller: DisruptionReporter, request: Request, response: Response) -> JobOut:
    disruption = DisruptionRequest(
        work_center=body.work_center,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
    )
    return submitted(request, response, "disruption", disruption, caller.username)


class RushOrderIn(Schema):
    item: Code
    quantity: Quantity
    due: dt.date
    number: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/\-+#]*$")] | None = (
        None
    )
    weight: int = Field(default=RUSH_WEIGHT, ge=1, le=1000, description="How much more its lateness weighs.")
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0


@router.post(
    "/rush-orders",
    summary="Release a rush work order and repair the schedule around it in the background",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def rush_order(body: RushOrderIn, caller: Scheduler, request: Request, response: Response) -> JobOut:
    rush = RushOrderRequest(
        item=body.item,
        quantity=body.quantity,
        due=body.due,
        number=body.number,
        weight=body.weight,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
    )
    return submitted(request, response, "rush_order", rush, caller.username)


@router.get("/current", response_model=RunView, summary="The schedule in force: when, by whom, how good")
def current(caller: Reader) -> RunView:
    return queries.run_in_force(caller.uow())


class WorkCenterLoad(BaseModel):
    work_center: str
    name: str
    time_zone: str
    units: int
    busy_minutes: int
    available_minutes: int
    utilisation: float | None
    load: float | None = Field(description="Busy minutes over the horizon's working minutes (none: no working time).")
    operations: int


LOAD_FIELDS = tuple(WorkCenterLoad.model_fields)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@router.get("/work-centers", response_model=Page[WorkCenterLoad], summary="Each work center's load in the schedule")
def loads(query: Annotated[ListQuery, Query()], caller: Reader) -> Page[WorkCenterLoad]:
    rows = [
        WorkCenterLoad(
            work_center=s.work_center,
            name=s.name,
            time_zone=s.time_zone,
            units=s.units,
            busy_minutes=s.busy_minutes,
            available_minutes=s.available_minutes,
            utilisation=_finite(s.utilisation),
            load=_finite(s.load),
            operations=len(s.operations),
        )
        for s in queries.sequences(caller.uow())
    ]
    return page_of(rows, query, LOAD_FIELDS)


class OperationQuery(ListQuery):
    work_center: Code | None = None
    order: Code | None = None


OPERATION_FIELDS = tuple(f.name for f in dataclasses.fields(OperationView))


@router.get("/operations", response_model=Page[OperationView], summary="Scheduled operations, by work center")
def operations(query: Annotated[OperationQuery, Query()], caller: Reader) -> Page[OperationView]:
    found = [
        operation
        for sequence in queries.sequences(caller.uow(), work_center=query.work_center)
        for operation in sequence.operations
        if query.order is None or operation.order == query.order
    ]
    return page_of(found, query, OPERATION_FIELDS)


@router.get(
    "/late-orders",
    response_model=Page[ExplainedLateOrder],
    summary="Orders the schedule completes after their due time, and why: due date past or capacity",
)
def late_orders(query: Annotated[ListQuery, Query()], caller: Reader) -> Page[ExplainedLateOrder]:
    fields = tuple(f.name for f in dataclasses.fields(ExplainedLateOrder))
    return page_of(lateness.why_late(caller.uow()), query, fields)


@router.get("/critical-path", response_model=list[OperationView], summary="The operations that set the makespan")
def critical_path(caller: Reader) -> list[OperationView]:
    return queries.critical_path(caller.uow())


@router.get(
    "/dispatch/{work_center}",
    response_model=DispatchList,
    summary="A work center's operations in sequence for a shift of a day, a whole day, or a time window",
)
def dispatch_list(
    work_center: str,
    caller: Reader,
    date: Annotated[dt.date | None, Query(description="The day, in the site's time zone.")] = None,
    shift: Annotated[str | None, Query(max_length=64, description="A shift of that day in its calendar.")] = None,
    starts_at: Annotated[AwareDatetime | None, Query(description="Or a window: from.")] = None,
    ends_at: Annotated[AwareDatetime | None, Query(description="Until.")] = None,
) -> DispatchList:
    return dispatching.dispatch_list(
        caller.uow(), work_center, day=date, shift=shift, starts_at=starts_at, ends_at=ends_at
    )


class MoveIn(Schema):
    order: Code
    step: int = Field(ge=1, le=2**31 - 1, description="The operation's step (sequence) in its routing.")
    starts_at: AwareDatetime
    unit: int | None = Field(default=None, ge=1, le=1000, description="1 for its work center's first unit.")
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0


@router.post(
    "/moves",
    summary="Pin an operation at a start and unit and repair the schedule around it in the background",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
)
def move_operation(body: MoveIn, caller: Scheduler, request: Request, response: Response) -> JobOut:
    """A move the schedule refuses (outside working time, before the step before it ends, a unit the
    work center lacks, a started operation) is answered 422 at once and starts nothing."""
    now = dt.datetime.now(dt.UTC)
    moves.check_move(
        caller.uow(),
        body.order,
        body.step,
        starts_at=body.starts_at,
        unit=body.unit,
        now=now,
        time_limit_s=body.time_limit_s,
    )
    move = MoveRequest(
        order=body.order,
        step=body.step,
        starts_at=body.starts_at,
        unit=body.unit,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
    )
    return submitted(request, response, "move", move, caller.username)


@router.post("/undo", response_model=Undone, summary="Undo the last move: the schedule before it is in force again")
def undo(caller: Scheduler) -> Undone:
    return moves.undo_move(caller.uow(), run_by=caller.username)
