"""The kinds of job a worker can run: what each one's request is, and which service it calls.

A job is stored as its kind and its request as JSON, so that any worker process, on
any machine, can run it: :data:`KINDS` maps each kind to the request's type (read back
with pydantic, which turns the stored text into dates, tuples and enumerations again)
and to the service call. Fields a request leaves out that depend on when it runs (a
plan's first week, a schedule's horizon) are filled in when the job starts, which is
what a recurring job needs: a nightly plan plans from the night it runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from plantops.bootstrap import PlantOps
from plantops.db.session import UnitOfWork
from plantops.errors import ValidationError
from plantops.services.access.permissions import Permission
from plantops.services.forecasting.runs import ForecastRequest, ForecastSummary, run_forecast
from plantops.services.forecasting.runs import check_request as check_forecast
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import PlanSummary, run_plan
from plantops.services.planning.runs import check_request as check_plan
from plantops.services.policy.runs import PolicyRequest, compute_policies
from plantops.services.policy.runs import RunSummary as PolicySummary
from plantops.services.scheduling import moves
from plantops.services.scheduling import runs as scheduling
from plantops.services.scheduling.runs import RUSH_WEIGHT, ScheduleRequest, ScheduleSummary


class Progress(Protocol):
    """Told each step as it starts and, where the service counts, how many of how many are done."""

    def __call__(self, step: str, done: int | None = None, total: int | None = None, /) -> None: ...


@dataclass(frozen=True)
class Run:
    """What a job's run is given: a unit of work acting as the user who submitted it."""

    ops: PlantOps
    uow: UnitOfWork
    user: str
    progress: Progress


@dataclass(frozen=True)
class DisruptionRequest:
    """A work center is down from ``starts_at`` to ``ends_at``: record it and repair the schedule."""

    work_center: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str = ""
    time_limit_s: float = 10.0
    seed: int = 0


@dataclass(frozen=True)
class RushOrderRequest:
    """Release a rush work order for ``quantity`` of ``item`` due on ``due`` and repair the schedule."""

    item: str
    quantity: Decimal
    due: dt.date
    number: str | None = None
    weight: int = RUSH_WEIGHT
    time_limit_s: float = 10.0
    seed: int = 0


@dataclass(frozen=True)
class MoveRequest:
    """Pin operation ``step`` of ``order`` at ``starts_at`` (on ``unit``) and repair the schedule."""

    order: str
    step: int
    starts_at: dt.datetime
    unit: int | None = None
    time_limit_s: float = 10.0
    seed: int = 0


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its request type, its steps (as its service reports them), the record its
    result is (for the audit trail), and the call that runs it, returning the service's summary."""

    name: str
    title: str
    #: Who may submit, cancel or schedule a job of this kind.
    permission: Permission
    request_type: type
    #: The service's summary of a run: the job's result is its JSON form.
    summary_type: type
    steps: tuple[str, ...]
    record: str
    run: Callable[[Run, Any], Any]
    #: Request fields filled in when the job starts, where the request leaves them out.
    at_start: Callable[[], dict[str, Any]] = dict
    #: The service's own checks of a request, run before it is queued or scheduled.
    check: Callable[[Any], None] = lambda _request: None

    def read(self, request: Mapping[str, Any], *, at_start: bool = False) -> Any:
        """The request as the service takes it, from its JSON form; a field's error names it."""
        values = {**self.at_start(), **request} if at_start else dict(request)
        known = [f.name for f in dataclasses.fields(self.request_type)]
        for name in values:
            if name not in known:
                raise ValidationError(
                    f"{self.name} job", name, f"is not a field of its request (known: {', '.join(known)})"
                )
        try:
            read = _adapter(self.request_type).validate_python(values)
        except PydanticValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "request"
            raise ValidationError(f"{self.name} job", field, first["msg"]) from None
        self.check(read)
        return read

    def summary_of(self, result: Mapping[str, Any]) -> Any:
        """The run's summary from the job's result, as the service returned it."""
        return _adapter(self.summary_type).validate_python(result)

    def written(self, request: Any) -> dict[str, Any]:
        """The request's JSON form, as the job record keeps it."""
        dumped: dict[str, Any] = _adapter(self.request_type).dump_python(request, mode="json")
        return dumped


@functools.cache
def _adapter(request_type: type) -> TypeAdapter[Any]:
    """The pydantic adapter of a request or summary type, built once per type."""
    return TypeAdapter(request_type)


def _today() -> dict[str, Any]:
    return {"today": dt.date.today()}


def _plan(run: Run, request: PlanRequest) -> Any:
    return run_plan(run.uow, request, run_by=run.user, progress=run.progress)


def _schedule(run: Run, request: ScheduleRequest) -> Any:
    return scheduling.schedule_work(run.uow, request, run_by=run.user, progress=run.progress)


def _disruption(run: Run, request: DisruptionRequest) -> Any:
    return scheduling.disrupt(
        run.uow,
        request.work_center,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        reason=request.reason,
        now=dt.datetime.now(dt.UTC),
        time_limit_s=request.time_limit_s,
        seed=request.seed,
        run_by=run.user,
        progress=run.progress,
    )


def _rush_order(run: Run, request: RushOrderRequest) -> Any:
    return scheduling.rush_order(
        run.uow,
        request.item,
        request.quantity,
        due=request.due,
        number=request.number,
        weight=request.weight,
        now=dt.datetime.now(dt.UTC),
        time_limit_s=request.time_limit_s,
        seed=request.seed,
        run_by=run.user,
        progress=run.progress,
    )


def _move(run: Run, request: MoveRequest) -> Any:
    return moves.move_operation(
        run.uow,
        request.order,
        request.step,
        starts_at=request.starts_at,
        unit=request.unit,
        now=dt.datetime.now(dt.UTC),
        time_limit_s=request.time_limit_s,
        seed=request.seed,
        run_by=run.user,
        progress=run.progress,
    )


def _forecast(run: Run, request: ForecastRequest) -> Any:
    return run_forecast(run.uow, request, run_by=run.user, progress=run.progress, map_chunks=run.ops.map_function())


def _policy(run: Run, request: PolicyRequest) -> Any:
    return compute_policies(run.uow, request, computed_by=run.user, progress=run.progress)


SCHEDULE_STEPS = ("read", "solve", "write")

KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "plan",
            "Plan run",
            Permission.PLAN,
            PlanRequest,
            PlanSummary,
            ("read", "plan", "write"),
            "plan_run",
            _plan,
            lambda: {"start": dt.date.today()},
            check_plan,
        ),
        JobKind(
            "schedule",
            "Schedule run",
            Permission.SCHEDULE,
            ScheduleRequest,
            ScheduleSummary,
            SCHEDULE_STEPS,
            "schedule_run",
            _schedule,
            lambda: {"horizon_start": dt.datetime.now(dt.UTC)},
            scheduling.check_request,
        ),
        JobKind(
            "disruption",
            "Schedule repair",
            Permission.REPORT_DISRUPTION,
            DisruptionRequest,
            ScheduleSummary,
            SCHEDULE_STEPS,
            "schedule_run",
            _disruption,
        ),
        JobKind(
            "rush_order",
            "Rush order",
            Permission.SCHEDULE,
            RushOrderRequest,
            ScheduleSummary,
            SCHEDULE_STEPS,
            "schedule_run",
            _rush_order,
        ),
        JobKind(
            "move",
            "Operation move",
            Permission.SCHEDULE,
            MoveRequest,
            ScheduleSummary,
            SCHEDULE_STEPS,
            "schedule_run",
            _move,
        ),
        JobKind(
            "forecast",
            "Forecast",
            Permission.FORECAST,
            ForecastRequest,
            ForecastSummary,
            ("read", "forecast", "write"),
            "forecast_version",
            _forecast,
            check=check_forecast,
        ),
        JobKind(
            "policy",
            "Policy run",
            Permission.POLICY,
            PolicyRequest,
            PolicySummary,
            ("read", "compute", "write"),
            "policy_run",
            _policy,
            _today,
        ),
    )
}


def kind_of(name: str) -> JobKind:
    """The kind ``name``; an error naming the known ones otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError("job", "kind", f"unknown kind {name!r} (known: {', '.join(KINDS)})") from None
