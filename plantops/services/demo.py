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
from sqlalchemy.orm import InstrumentedAttribute

from plantops.db.access import AuditEntry, User
from plantops.db.catalog import Item
from plantops.db.forecasting import ForecastOverride, ForecastVersion
from plantops.db.inventory import StockPosting, StockReservation
from plantops.db.inventory_policy import PolicyRun
from plantops.db.planning import PlanRun
from plantops.db.scheduling import ScheduleRun
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


#: Who made each kind of record a user's work may leave, for :func:`require_only_demo_work`: the demo
#: records its own as :data:`DEMO_USER`'s; a user (``None``) is always someone's. Keyed by (one, many).
AUTHORS: dict[tuple[str, str], InstrumentedAttribute[str] | None] = {
    ("user", "users"): None,
    ("stock posting", "stock postings"): StockPosting.posted_by,
    ("stock reservation", "stock reservations"): StockReservation.created_by,
    ("audit entry", "audit entries"): AuditEntry.username,
    ("forecast run", "forecast runs"): ForecastVersion.created_by,
    ("forecast override", "forecast overrides"): ForecastOverride.created_by,
    ("policy run", "policy runs"): PolicyRun.computed_by,
    ("plan run", "plan runs"): PlanRun.run_by,
    ("schedule run", "schedule runs"): ScheduleRun.run_by,
}


def seed_demo_plant(uow: UnitOfWork, *, as_of: dt.date, seed: int, progress: Progress | None = None) -> ImportReport:
    """Load the demo plant (bicycles and dairy) into an empty database, recorded as :data:`DEMO_USER`'s."""
    _require_empty(uow)
    data = build_demo_plant(as_of=as_of, seed=seed)
    return master_data.load(uow.acting_as(DEMO_USER), data, source="demo", posted_by=DEMO_USER, progress=progress)


def seed_synthetic_plant(
    uow: UnitOfWork, *, n_items: int, as_of: dt.date, seed: int, progress: Progress | None = None
) -> ImportReport:
    """Load a synthetic plant of ``n_items`` items (deep BOMs, routings, demand) into an empty database."""
    _require_empty(uow)
    if progress:
        progress("generate")
    data = build_synthetic_plant(n_items, as_of=as_of, seed=seed)
    return master_data.load(uow.acting_as(DEMO_USER), data, source="synthetic", posted_by=DEMO_USER, progress=progress)


def work_beyond_demo(uow: UnitOfWork) -> dict[str, int]:
    """What the database holds that the demo did not make: a count by kind (plural), kinds without any left out."""
    counts = {}
    with uow:
        for (_, kind), author in AUTHORS.items():
            if author is None:
                query = select(func.count()).select_from(User)
            else:
                query = select(func.count()).select_from(author.class_).where(author != DEMO_USER)
            counts[kind] = uow.session.scalar(query) or 0
    return {kind: count for kind, count in counts.items() if count}


def require_only_demo_work(uow: UnitOfWork) -> None:
    """Refuse, saying what would be lost, where the database holds anything the demo did not make."""
    beyond = work_beyond_demo(uow)
    if beyond:
        one = {many: single for single, many in AUTHORS}
        lost = ", ".join(f"{count:,} {kind if count > 1 else one[kind]}" for kind, count in beyond.items())
        raise DatabaseNotEmptyError(
            f"the database holds work the demo did not create ({lost}); replacing it would delete that work: "
            "add --force to delete it anyway, or point PLANTOPS_DATABASE_URL at another database"
        )


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
    """Forecast every item from its sales history (published to MRP), compute inventory policies and
    apply their safety stocks at each site (MRP nets against them with each site's lot-size rule; a
    site that runs on a policy of its own, as the DC's brake pads, keeps it), plan materials over
    ``plan_weeks`` from the week of ``now``, and schedule the released work and the plan's make orders
    over ``schedule_weeks`` from the first whole hour at or after ``now`` (UTC): nothing is scheduled
    to start before the moment of planning, and planning twice within an hour gives the same figures
    (the schedule's search is bounded by ``work_limit``).

    Each step commits on its own: a step that fails leaves the earlier ones in force. Every step,
    and its audit entries, are recorded as ``run_by``'s.
    """
    uow = uow.acting_as(run_by)
    today = now.astimezone(dt.UTC).date()
    tell = step or (lambda _name: None)
    tell("forecast")
    forecast = run_forecast(uow, ForecastRequest(), run_by=run_by)
    tell("policies")
    policies = compute_policies(uow, PolicyRequest(today=today), computed_by=run_by)
    _, applied = apply_policies(uow, run=policies.number, lot_sizing=False, applied_by=run_by)
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
