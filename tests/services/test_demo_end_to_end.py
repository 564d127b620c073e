"""The demo plant planned end to end: a well-run plant with a few problems that each tell a story, scheduled
from the moment of planning, with the same figures every time (SQLite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.catalog import Item
from plantops.db.procurement import PurchaseOrder, Supplier
from plantops.db.sales import SalesOrderLine
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder
from plantops.db.sites import WorkCenter, WorkCenterDowntime
from plantops.services import demo
from plantops.services.inventory import availability
from plantops.services.planning import queries as planning_queries
from plantops.vocabulary import PlanExceptionKind

NOW = dt.datetime(2026, 11, 23, 8, 21, 30, tzinfo=dt.UTC)  # a Monday, 09:21:30 in the bike plant's Berlin


@dataclass(frozen=True)
class Figures:
    """What a planner reads off a planned demo plant."""

    planned_orders: int
    exceptions: dict[str, int]
    orders: int
    late_orders: int
    objective: float
    completions: dict[str, dt.datetime]
    first_start: dt.datetime


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "first.db"


@pytest.fixture(scope="module")
def planned(first: Path) -> Figures:
    return _plan(first)


@pytest.fixture
def plant(first: Path, planned: Figures) -> Iterator[PlantOps]:
    """The planned demo plant's database."""
    ops = build(Settings(database_url=f"sqlite:///{first}"))
    yield ops
    ops.close()


def _plan(path: Path) -> Figures:
    ops: PlantOps = build(Settings(database_url=f"sqlite:///{path}"))
    try:
        ops.migrate()
        demo.seed_demo_plant(ops.uow(), as_of=NOW.date(), seed=42)
        done = demo.plan_end_to_end(ops.uow(), now=NOW, run_by="tester")
        with ops.uow() as uow:
            completions = dict(uow.session.execute(select(ScheduledOrder.number, ScheduledOrder.completion_at)).all())
            first_start = uow.session.scalar(select(func.min(ScheduledOperation.starts_at)))
    finally:
        ops.close()
    assert first_start is not None
    return Figures(
        planned_orders=done.plan.planned_orders,
        exceptions={str(kind): count for kind, count in done.plan.exceptions.items()},
        orders=done.schedule.orders,
        late_orders=done.schedule.late_orders,
        objective=done.schedule.objective,
        completions=completions,
        first_start=first_start,
    )


@pytest.mark.slow
def test_the_demo_plans_the_same_figures_twice_and_schedules_nothing_before_now(
    planned: Figures, tmp_path: Path
) -> None:
    again = _plan(tmp_path / "second.db")

    assert again == planned
    # the schedule starts at the first whole hour after the moment of planning, never before it
    assert planned.first_start >= dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.mark.slow
def test_the_demo_is_a_well_run_plant_with_a_few_problems_that_tell_a_story(planned: Figures, plant: PlantOps) -> None:
    _, past_due = planning_queries.plan_exceptions(plant.uow(), kind=PlanExceptionKind.PAST_DUE)
    _, late_demand = planning_queries.plan_exceptions(plant.uow(), kind=PlanExceptionKind.LATE_DEMAND)
    main_bike = availability.projected_stock(
        plant.uow(), item="BIKE-CITY-M", site="DC-NORTH", start=NOW.date(), weeks=12
    )
    with plant.uow() as uow:
        tube_orders = uow.session.scalars(
            select(PurchaseOrder.number).join(Supplier).where(Supplier.code == "SUP-ROHR")
        ).all()
        down = uow.session.scalars(
            select(WorkCenter.code)
            .join(WorkCenterDowntime)
            .where(WorkCenterDowntime.starts_at < NOW + dt.timedelta(weeks=2))
        ).all()
        spike = uow.session.scalar(
            select(func.max(SalesOrderLine.quantity)).where(
                SalesOrderLine.item_id == select(Item.id).where(Item.code == "BIKE-MTB-29").scalar_subquery()
            )
        )

    # at least 90% of the scheduled orders on time, and a handful of past-due messages, each with its order
    assert planned.orders >= 15 and planned.late_orders <= planned.orders // 10
    assert len(past_due) <= 8 and all(m.document for m in past_due)
    assert len(late_demand) <= 8
    assert all(period.atp >= 0 for period in main_bike.periods)
    # the stories: the tube supplier is late, the welding robot is down, a customer ordered a month of MTBs
    assert {m.document.split("/")[0] for m in past_due if m.item.startswith("TUBE-STEEL")} <= set(tube_orders)
    assert any(m.item.startswith("TUBE-STEEL") for m in past_due)
    assert "WC-WELD-ROBOT" in down
    assert spike is not None and spike >= 60
