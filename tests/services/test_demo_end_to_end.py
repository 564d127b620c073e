"""The demo plant planned end to end: from the moment of planning, the same figures every time (SQLite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps, build
from plantops.config import Settings
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder
from plantops.services import demo

NOW = dt.datetime(2026, 11, 23, 8, 21, 30, tzinfo=dt.UTC)  # a Monday, 09:21:30 in the bike plant's Berlin


@dataclass(frozen=True)
class Figures:
    """What a planner reads off a planned demo plant."""

    planned_orders: int
    exceptions: dict[str, int]
    late_orders: int
    objective: float
    completions: dict[str, dt.datetime]
    first_start: dt.datetime


@pytest.fixture
def planned(tmp_path: Path) -> Iterator[Figures]:
    yield _plan(tmp_path / "first.db")


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
