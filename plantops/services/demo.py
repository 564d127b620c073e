"""Seed a database with the demo plant or a synthetic plant of any size, and plan it end to end.

Both plants are built by pure generators (:mod:`plantops.engines.plantgen`) and loaded
through the master data import, so they pass every validation a user's file would.
:func:`plan_end_to_end` then runs the planner's chain on what is there, each step its
own use case with its own transaction: forecast, inventory policies, MRP, schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from plantops.db.catalog import Item
from plantops.db.session import UnitOfWork
from plantops.engines.plantgen.demo_plant import build_demo_plant
from plantops.engines.plantgen.synthetic import build_synthetic_plant
from plantops.errors import DatabaseNotEmptyError
from plantops.services import master_data
from plantops.services.forecasting.runs import ForecastRequest, ForecastSummary, run_forecast
from plantops.services.master_data import ImportReport, Progress
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import PlanSummary, run_plan
from plantops.services.policy.apply import apply_policies
from plantops.services.policy.runs import PolicyRequest, compute_policies
from plantops.services.policy.runs import RunSummary as PolicySummary
from plantops.services.scheduling.runs import ScheduleRequest, ScheduleSummary, schedule_work

DEMO_USER = "demo"
#: The demo's schedule searches for this much of CP-SAT's deterministic time (about 10 s of a busy
#: two-core machine) so that the same plant gives the same schedule run after run; ``DEMO_SCHEDULE_SECONDS``
#: only caps the wait on a slower machine.
DEMO_WORK_LIMIT = 1.0
DEMO_SCHEDULE_SECONDS = 60.0


def seed_demo_plant(uow: UnitOfWork, *, as_of: dt.date, seed: int, progress: Progress | None = None) -> ImportReport:
    """Load the demo plant (bicycles and dairy) into an empty database."""
    _require_empty(uow)
    data = build_demo_plant(as_of=as_of, seed=seed)
    return master_data.load(uow, data, source="demo", posted_by=DEMO_USER, progress=progress)


def seed_synthetic_plant(
    uow: UnitOfWork, *, n_items: int, as_of: dt.date, seed: int, progress: Progress | None = None
) -> ImportReport:
    """Load a synthetic plant of ``n_items`` items (deep BOMs, routings, demand) into an empty database."""
    _require_empty(uow)
    if progress:
        progress("generate")
    data = build_synthetic_plant(n_items, as_of=as_of, seed=seed)
    return master_data.load(uow, data, source="synthetic", posted_by=DEMO_USER, progress=progress)


@dataclass(frozen=True)
class EndToEndSummary:
    """What each step of :func:`plan_end_to_end` produced, and the policies it applied."""

    forecast: ForecastSummary
    policies: PolicySummary
    policies_applied: int
    plan: PlanSummary
    schedule: ScheduleSummary


def plan_end_to_end(
    uow: UnitOfWork,
    *,
    now: dt.datetime,
    run_by: str,
    plan_weeks: int = 26,
    schedule_weeks: int = 2,
    schedule_seconds: float = DEMO_SCHEDULE_SECONDS,
    work_limit: float | None = DEMO_WORK_LIMIT,
    step: Callable[[str], None] | None = None,
) -> EndToEndSummary:
    """Forecast every item from its sales history (published to MRP), compute and apply inventory
    policies, plan materials over ``plan_weeks`` from the week of ``now``, and schedule the released
    work and the plan's make orders over ``schedule_weeks`` from the first whole hour at or after
    ``now`` (UTC): nothing is scheduled to start before the moment of planning, and planning twice
    within an hour gives the same figures (the schedule's search is bounded by ``work_limit``).

    Each step commits on its own: a step that fails leaves the earlier ones in force.
    """
    today = now.astimezone(dt.UTC).date()
    tell = step or (lambda _name: None)
    tell("forecast")
    forecast = run_forecast(uow, ForecastRequest(), run_by=run_by)
    tell("policies")
    policies = compute_policies(uow, PolicyRequest(today=today), computed_by=run_by)
    _, applied = apply_policies(uow, run=policies.number, applied_by=run_by)
    tell("plan")
    plan = run_plan(uow, PlanRequest(start=today, weeks=plan_weeks), run_by=run_by)
    tell("schedule")
    hour = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    starts = hour if hour == now else hour + dt.timedelta(hours=1)
    schedule = schedule_work(
        uow,
        ScheduleRequest(
            horizon_start=starts, weeks=schedule_weeks, time_limit_s=schedule_seconds, work_limit=work_limit
        ),
        now=now,
        run_by=run_by,
    )
    return EndToEndSummary(forecast, policies, len(applied), plan, schedule)


def _require_empty(uow: UnitOfWork) -> None:
    with uow:
        items = uow.session.scalar(select(func.count()).select_from(Item)) or 0
    if items:
        raise DatabaseNotEmptyError(
            f"the database already holds {items} items; the demo seeds only an empty database "
            "(use --replace to start over, or point PLANTOPS_DATABASE_URL at another database)"
        )
