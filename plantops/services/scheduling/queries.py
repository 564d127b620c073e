"""What planners read from the schedule in force: the run, each work center's sequence and load,
late orders, the critical path, and a text Gantt chart of a work center."""

from __future__ import annotations

import datetime as dt
import math
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder, ScheduledWorkCenter, ScheduleRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site, WorkCenter
from plantops.errors import NotFoundError
from plantops.services.scheduling.runs import NoScheduleError, schedule_in_force
from plantops.vocabulary import ScheduledOrderSource, ScheduleRunKind, ScheduleStatus

GANTT_SYMBOLS = string.ascii_uppercase + string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class RunView:
    number: str
    kind: ScheduleRunKind
    reason: str
    run_by: str
    finished_at: dt.datetime
    horizon_start: dt.datetime
    horizon_end: dt.datetime
    status: ScheduleStatus
    proven_optimal: bool
    objective: float
    bound: float
    moved_operations: int | None


@dataclass(frozen=True)
class OperationView:
    order: str
    source: ScheduledOrderSource
    item: str
    sequence: int
    name: str
    work_center: str
    unit: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    setup_minutes: int
    frozen: bool
    critical: bool
    late: bool


@dataclass(frozen=True)
class WorkCenterSequence:
    """The operations of a work center in the order they start, and its load over the horizon."""

    work_center: str
    name: str
    time_zone: str  # of its site: where its shifts are read
    units: int
    busy_minutes: int
    available_minutes: int
    utilisation: float  # from the horizon start to the schedule's last operation
    operations: list[OperationView]

    @property
    def load(self) -> float:
        """Busy minutes over the working minutes of the horizon."""
        return self.busy_minutes / self.available_minutes if self.available_minutes else math.inf


@dataclass(frozen=True)
class LateOrder:
    number: str
    source: ScheduledOrderSource
    item: str
    time_zone: str  # of its site
    weight: int
    due_at: dt.datetime
    completion_at: dt.datetime
    lateness_minutes: int


@dataclass(frozen=True)
class GanttChart:
    """One text row per unit; each character stands for ``minutes_per_column`` minutes from ``start``.

    ``legend`` maps each symbol in the rows to its operation; ``.`` is idle time.
    """

    start: dt.datetime
    minutes_per_column: float
    rows: list[str]
    legend: dict[str, OperationView]


def run_in_force(uow: UnitOfWork) -> RunView:
    """The schedule in force: when, by whom, over which horizon, and how good."""
    with uow:
        return _view(_run(uow.session))


def sequences(uow: UnitOfWork, *, work_center: str | None = None) -> list[WorkCenterSequence]:
    """Each work center's operations (or one work center's) in the schedule in force, in start order."""
    with uow:
        session = uow.session
        run = _run(session)
        loads = select(
            WorkCenter.id,
            WorkCenter.code,
            WorkCenter.name,
            Site.time_zone,
            WorkCenter.parallel_units,
            ScheduledWorkCenter.busy_minutes,
            ScheduledWorkCenter.available_minutes,
            ScheduledWorkCenter.utilisation,
        ).join(ScheduledWorkCenter, ScheduledWorkCenter.work_center_id == WorkCenter.id)
        loads = loads.join(Site, Site.id == WorkCenter.site_id)
        loads = loads.where(ScheduledWorkCenter.run_id == run.id).order_by(WorkCenter.code)
        if work_center is not None:
            if session.scalar(select(WorkCenter.id).where(WorkCenter.code == work_center)) is None:
                raise NotFoundError("work center", work_center)
            loads = loads.where(WorkCenter.code == work_center)
        operations = _operations(session, _operation_query(run.id))
        found = []
        for center_id, code, name, zone, units, busy, available, utilisation in session.execute(loads):
            own = [op for wc, op in operations if wc == center_id]
            found.append(WorkCenterSequence(code, name, zone, units, busy, available, utilisation, own))
        return found


def late_orders(uow: UnitOfWork) -> list[LateOrder]:
    """Orders that complete after they are due in the schedule in force, latest first."""
    with uow:
        session = uow.session
        return late_orders_of(session, _run(session))


def late_orders_of(session: Session, run: ScheduleRun) -> list[LateOrder]:
    """Orders that complete after they are due in ``run``, latest first."""
    rows = session.execute(
        select(
            ScheduledOrder.number,
            ScheduledOrder.source,
            Item.code,
            Site.time_zone,
            ScheduledOrder.weight,
            ScheduledOrder.due_at,
            ScheduledOrder.completion_at,
            ScheduledOrder.lateness_minutes,
        )
        .join(Item, Item.id == ScheduledOrder.item_id)
        .join(Site, Site.id == ScheduledOrder.site_id)
        .where(ScheduledOrder.run_id == run.id, ScheduledOrder.lateness_minutes > 0)
        .order_by(ScheduledOrder.lateness_minutes.desc(), ScheduledOrder.number)
    )
    return [LateOrder(*row) for row in rows]


def critical_path(uow: UnitOfWork) -> list[OperationView]:
    """The chain of operations without slack that ends last, first to last."""
    with uow:
        session = uow.session
        run = _run(session)
        query = _operation_query(run.id).where(ScheduledOperation.critical.is_(True))
        return [op for _, op in _operations(session, query)]


def gantt(sequence: WorkCenterSequence, *, start: dt.datetime, end: dt.datetime, width: int = 96) -> GanttChart:
    """A text Gantt chart of ``sequence`` between ``start`` and ``end`` in ``width`` columns.

    A column shows the operation that covers most of its minutes on that unit.
    """
    span = max(1.0, (end - start).total_seconds() / 60)
    per_column = span / width
    legend: dict[str, OperationView] = {}
    rows = []
    cover = [[0.0] * width for _ in range(sequence.units)]
    symbols = [["."] * width for _ in range(sequence.units)]
    for n, op in enumerate(sequence.operations):
        symbol = GANTT_SYMBOLS[n % len(GANTT_SYMBOLS)]
        first = (op.starts_at - start).total_seconds() / 60 / per_column
        last = (op.ends_at - start).total_seconds() / 60 / per_column
        if last <= 0 or first >= width:
            continue
        legend[symbol] = op
        unit = min(op.unit, sequence.units - 1)
        for column in range(max(0, math.floor(first)), min(width, math.ceil(last))):
            covered = min(last, column + 1) - max(first, column)
            if covered > cover[unit][column]:
                cover[unit][column], symbols[unit][column] = covered, symbol
    rows = ["".join(row) for row in symbols]
    return GanttChart(start, per_column, rows, legend)


def _run(session: Session) -> ScheduleRun:
    run = schedule_in_force(session)
    if run is None:
        raise NoScheduleError()
    return run


def _view(run: ScheduleRun) -> RunView:
    return RunView(
        run.number,
        run.kind,
        run.reason,
        run.run_by,
        run.finished_at,
        run.horizon_start,
        run.horizon_end,
        run.status,
        run.proven_optimal,
        run.objective,
        run.bound,
        run.moved_operations,
    )


def _operation_query(run_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select(
            ScheduledOperation.work_center_id,
            ScheduledOrder.number,
            ScheduledOrder.source,
            Item.code,
            ScheduledOperation.sequence,
            ScheduledOperation.name,
            WorkCenter.code,
            ScheduledOperation.unit,
            ScheduledOperation.starts_at,
            ScheduledOperation.ends_at,
            ScheduledOperation.setup_minutes,
            ScheduledOperation.frozen,
            ScheduledOperation.critical,
            ScheduledOrder.lateness_minutes > 0,
        )
        .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
        .join(Item, Item.id == ScheduledOrder.item_id)
        .join(WorkCenter, WorkCenter.id == ScheduledOperation.work_center_id)
        .where(ScheduledOperation.run_id == run_id)
        .order_by(ScheduledOperation.starts_at, WorkCenter.code, ScheduledOperation.unit, ScheduledOrder.number)
    )


def _operations(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[int, OperationView]]:
    return [(int(row[0]), OperationView(*row[1:])) for row in session.execute(query)]
