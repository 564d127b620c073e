"""Build the scheduling engine's problem from the plant, and remember what its indexes mean.

The work to schedule is every released (or started) work order and, if asked, every
make order of the plan in force that is released within the horizon. Each becomes a
job whose operations are the steps of its BOM's routing:

* an operation runs on its work center or on any alternative one (a mode each), for
  ``(batches - 1) x setup + quantity x run`` minutes divided by the work center's
  efficiency; the first setup is sequence dependent: each work center's setup matrix
  charges it when the family changes and not between two operations of the same setup
  family (the item's family, else the item) on a unit; the first operation on a unit
  is charged none;
* consecutive steps overlap where the routing sends transfer batches (or batches)
  ahead (an "overlapped schedule" in the APICS dictionary's words): the next step may
  start once the first batch is through and must not run dry, which the end-to-start
  lag ``-(quantity - transfer) x`` the shorter run time per unit of the two steps (on
  any of their work centers) ensures;
* a job is released at the local midnight starting its order's start date and is due
  at the local midnight ending its due date, in its site's time zone (materials are
  not checked); a job due before the horizon starts is due at its start (the engine
  knows no earlier minute), and late however soon it completes.

Work released before the horizon end is scheduled; it may run on past the end until
``until``, so that work released late in the horizon is not refused for want of the
days after it.

Operations of the schedule in force that started before the horizon start and have
not ended keep their work center and go on at the first working minute with the work
they have left; those that ended before it count as done and are not scheduled again.

An operation the planner pinned (:class:`Pin`) keeps its start, work center and unit,
as long as it has not started and the start still lies in the work center's working
time (a pin that a downtime overlaps is let go).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.catalog import Bom, Item, RoutingAlternative, RoutingOperation
from plantops.db.planning import PlannedOrder
from plantops.db.production import WorkOrder
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder
from plantops.db.sites import CalendarHoliday, CalendarShift, Site, WorkCenter, WorkCenterDowntime
from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    ReferenceSchedule,
    Resource,
    ScheduleProblem,
    SetupMatrix,
)
from plantops.services.planning.runs import plan_in_force
from plantops.services.scheduling.calendars import PatternEntry, Window, working_windows
from plantops.vocabulary import PlannedOrderStatus, Procurement, ScheduledOrderSource, WorkOrderStatus

SCHEDULED_WORK_ORDERS = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
SCHEDULED_PLANNED_ORDERS = (PlannedOrderStatus.PLANNED, PlannedOrderStatus.FIRM)
OrderKey = tuple[ScheduledOrderSource, str]  # (source, number)
StepKey = tuple[ScheduledOrderSource, str, int]  # (source, number, sequence)


@dataclass(frozen=True)
class OrderRef:
    """The order behind an engine job."""

    source: ScheduledOrderSource
    number: str
    item_id: int
    site_id: int
    quantity: Decimal
    weight: int
    release_at: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class OperationRef:
    """The routing step behind an engine operation; ``work_centers`` are its modes' work centers.

    A ``frozen`` operation had started at ``started_at`` and goes on where it is.
    """

    order: int
    sequence: int
    name: str
    work_centers: tuple[int, ...]
    frozen: bool
    started_at: dt.datetime | None = None


@dataclass(frozen=True)
class Pin:
    """Where the planner pinned an operation: its start, work center and unit (from 0)."""

    work_center_id: int
    starts_at: dt.datetime
    unit: int


@dataclass(frozen=True)
class ReferenceOperation:
    """Where the schedule in force put an operation."""

    work_center_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass
class LoadedSchedule:
    """The engine's problem and, for every index in it, the rows it stands for."""

    problem: ScheduleProblem
    horizon_start: dt.datetime
    horizon_end: dt.datetime  # work released before it is scheduled
    until: dt.datetime  # the schedule's operations end by then
    orders: list[OrderRef]
    operations: list[OperationRef]
    work_centers: list[int]  # resource index -> work center id
    available_minutes: list[int]  # per resource: units x working minutes before the horizon end
    reference: ReferenceSchedule | None
    without_routing: list[str]  # order numbers that have no routing to schedule
    pinned: dict[StepKey, int]  # the pins kept, and the operation index each holds


@dataclass(frozen=True)
class _Step:
    sequence: int
    name: str
    modes: tuple[tuple[int, Decimal, Decimal], ...]  # (work center id, setup, run) primary first
    batch_size: Decimal | None
    transfer_quantity: Decimal | None


@dataclass(frozen=True)
class _Center:
    code: str
    units: int
    efficiency: float
    calendar_id: int
    zone: str


@dataclass
class _Draft:
    """An engine operation being built."""

    job: int
    modes: list[tuple[int, int]]  # (work center id, working minutes)
    family: int
    reference_start: int = -1
    reference_mode: int = -1
    frozen_start: int | None = None
    frozen_mode: int | None = None
    frozen_unit: int | None = None
    pinned: bool = False


def load_schedule(
    session: Session,
    *,
    horizon_start: dt.datetime,
    horizon_end: dt.datetime,
    until: dt.datetime,
    include_planned: bool,
    reference: dict[StepKey, ReferenceOperation],
    weights: dict[OrderKey, int] | None = None,
    pins: dict[StepKey, Pin] | None = None,
) -> LoadedSchedule:
    """Read the work, routings and calendars in a few queries and build the engine's problem.

    ``reference`` is the schedule in force by (source, order number, sequence): where it
    has an operation, the new problem keeps started work in place and states where the
    operation was (a repair stays close to it). ``weights`` override an order's weight of 1;
    ``pins`` are the operations the planner pinned (kept where they still fit, see the module).
    """
    orders, boms = _orders(session, horizon_start, horizon_end, include_planned, weights or {})
    routing_of = dict(session.execute(select(Bom.id, Bom.routing_id).where(Bom.id.in_(set(boms.values())))).all())
    steps = _steps(session, {r for r in routing_of.values() if r is not None})
    families = _families(session, {o.item_id for o in orders})
    centers = _centers(session)
    horizon, selected = _minutes(until, horizon_start), _minutes(horizon_end, horizon_start)

    jobs: list[Job] = []
    kept: list[OrderRef] = []
    without_routing: list[str] = []
    operations: list[OperationRef] = []
    drafts: list[_Draft] = []
    precedences: list[Precedence] = []
    first_setup: dict[tuple[int, int], int] = {}  # (work center, family) -> minutes
    started: list[tuple[int, ReferenceOperation]] = []
    pinned: dict[StepKey, int] = {}
    for order in orders:
        bom = boms[(order.source, order.number)]
        routing = routing_of.get(bom) if bom is not None else None
        if routing is None or not steps.get(routing):
            without_routing.append(order.number)
            continue
        job = len(jobs)
        previous: tuple[int, _Step] | None = None
        for step in steps[routing]:
            ref = reference.get((order.source, order.number, step.sequence))
            if ref is not None and ref.ends_at <= horizon_start:
                previous = None  # done: what follows waits for nothing in the horizon
                continue
            draft = _Draft(job, [], families[order.item_id])
            for work_center, setup, run in step.modes:
                efficiency = centers[work_center].efficiency
                batches = math.ceil(order.quantity / step.batch_size) if step.batch_size else 1
                working = float((batches - 1) * setup + order.quantity * run) / efficiency
                draft.modes.append((work_center, max(1, _whole(working))))
                key = (work_center, draft.family)
                first_setup[key] = max(first_setup.get(key, 0), _whole(float(setup) / efficiency))
            index = len(drafts)
            is_started = ref is not None and ref.starts_at < horizon_start
            if is_started:
                started.append((index, ref))  # type: ignore[arg-type]
            elif ref is not None:
                draft.reference_start = _minutes(ref.starts_at, horizon_start)
                draft.reference_mode = next((m for m, (w, _) in enumerate(draft.modes) if w == ref.work_center_id), -1)
            if not is_started and (order.source, order.number, step.sequence) in (pins or {}):
                pinned[(order.source, order.number, step.sequence)] = index
            if previous is not None and not is_started:
                lag = -_overlap(previous[1], step, order.quantity, centers)
                precedences.append(Precedence(previous[0], index, min_lag=lag))
            drafts.append(draft)
            operations.append(
                OperationRef(job, step.sequence, step.name, (), is_started, ref.starts_at if ref else None)
            )
            previous = (index, step)
        if drafts and drafts[-1].job == job:
            release = min(max(0, _minutes(order.release_at, horizon_start)), horizon)
            jobs.append(
                Job(
                    order.number,
                    release=release,
                    due=max(0, _minutes(order.due_at, horizon_start)),
                    weight=order.weight,
                )
            )
            kept.append(order)

    used = sorted({w for d in drafts for w, _ in d.modes})
    windows = _calendar_windows(session, {w: centers[w] for w in used}, horizon_start, until)
    _resume_started(session, started, drafts, windows, centers, horizon_start)
    pinned = _pin(pinned, pins or {}, drafts, windows, horizon_start)
    resource_of = {w: r for r, w in enumerate(used)}
    problem = ScheduleProblem(
        resources=tuple(Resource(centers[w].code, centers[w].units, tuple(windows[w])) for w in used),
        jobs=tuple(jobs),
        operations=tuple(
            Operation(
                d.job,
                tuple(Mode(resource_of[w], minutes) for w, minutes in d.modes),
                code=f"{kept[d.job].number}/{op.sequence}",
                family=d.family,
                frozen_start=d.frozen_start,
                frozen_mode=d.frozen_mode,
                frozen_unit=d.frozen_unit,
            )
            for d, op in zip(drafts, operations, strict=True)
        ),
        precedences=tuple(precedences),
        setups=_setup_matrices(first_setup, resource_of, len(set(families.values()))),
        horizon=horizon,
    )
    return LoadedSchedule(
        problem=problem,
        horizon_start=horizon_start,
        horizon_end=horizon_end,
        until=until,
        orders=kept,
        operations=[
            OperationRef(
                op.order,
                op.sequence,
                op.name,
                tuple(w for w, _ in d.modes),
                d.frozen_start is not None and not d.pinned,
                op.started_at if d.frozen_start is not None and not d.pinned else None,
            )
            for d, op in zip(drafts, operations, strict=True)
        ],
        work_centers=used,
        available_minutes=[centers[w].units * sum(max(0, min(b, selected) - a) for a, b in windows[w]) for w in used],
        reference=(
            ReferenceSchedule.of([d.reference_start for d in drafts], [d.reference_mode for d in drafts])
            if reference
            else None
        ),
        without_routing=without_routing,
        pinned=pinned,
    )


def _pin(
    found: dict[StepKey, int],
    pins: dict[StepKey, Pin],
    drafts: list[_Draft],
    windows: dict[int, list[Window]],
    horizon_start: dt.datetime,
) -> dict[StepKey, int]:
    """Pin the operations ``found`` (step -> index) where their pins say, if their work center is
    still eligible and works at the pinned start; the pins kept."""
    kept = {}
    for key, index in found.items():
        pin, draft = pins[key], drafts[index]
        mode = next((m for m, (w, _) in enumerate(draft.modes) if w == pin.work_center_id), None)
        start = _minutes(pin.starts_at, horizon_start)
        if mode is None or not any(a <= start < b for a, b in windows.get(pin.work_center_id, [])):
            continue
        draft.frozen_start, draft.frozen_mode, draft.frozen_unit, draft.pinned = start, mode, pin.unit, True
        kept[key] = index
    return kept


def _whole(minutes: float) -> int:
    """Whole minutes, rounded up (a hair of float error does not add a minute)."""
    return math.ceil(minutes - 1e-9)


def _minutes(moment: dt.datetime, origin: dt.datetime) -> int:
    return math.floor((moment - origin).total_seconds() / 60)


def _orders(
    session: Session,
    horizon_start: dt.datetime,
    horizon_end: dt.datetime,
    include_planned: bool,
    weights: dict[OrderKey, int],
) -> tuple[list[OrderRef], dict[OrderKey, int | None]]:
    """The orders to schedule, by release, and the BOM each is made by."""
    zones = dict(session.execute(select(Site.id, Site.time_zone)).all())
    primary_bom: dict[int, int] = {}
    for item_id, bom_id in session.execute(
        select(Bom.item_id, Bom.id).order_by(Bom.item_id, Bom.priority.desc(), Bom.id.desc())
    ):
        primary_bom[item_id] = bom_id  # the last one read: the lowest priority number
    rows: list[tuple[ScheduledOrderSource, str, int, int, int | None, Decimal, dt.date, dt.date]] = [
        (ScheduledOrderSource.WORK_ORDER, *row)
        for row in session.execute(
            select(
                WorkOrder.number,
                WorkOrder.item_id,
                WorkOrder.site_id,
                WorkOrder.bom_id,
                WorkOrder.quantity - WorkOrder.completed_quantity,
                WorkOrder.start_date,
                WorkOrder.due_date,
            ).where(WorkOrder.status.in_(SCHEDULED_WORK_ORDERS), WorkOrder.quantity > WorkOrder.completed_quantity)
        )
    ]
    plan = plan_in_force(session) if include_planned else None
    if plan is not None:
        rows += [
            (ScheduledOrderSource.PLANNED_ORDER, *row)
            for row in session.execute(
                select(
                    PlannedOrder.number,
                    PlannedOrder.item_id,
                    PlannedOrder.site_id,
                    PlannedOrder.bom_id,
                    PlannedOrder.quantity,
                    PlannedOrder.release_date,
                    PlannedOrder.due_date,
                ).where(
                    PlannedOrder.run_id == plan,
                    PlannedOrder.kind == Procurement.MAKE,
                    PlannedOrder.status.in_(SCHEDULED_PLANNED_ORDERS),
                )
            )
        ]
    orders: list[OrderRef] = []
    boms: dict[OrderKey, int | None] = {}
    for source, number, item, site, bom, quantity, first_day, due in rows:
        zone = ZoneInfo(zones[site])
        release_at = dt.datetime.combine(first_day, dt.time(0), zone)
        if release_at >= horizon_end:
            continue
        due_at = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), zone)
        weight = weights.get((source, number), 1)
        orders.append(OrderRef(source, number, item, site, quantity, weight, release_at, due_at))
        boms[(source, number)] = bom if bom is not None else primary_bom.get(item)
    orders.sort(key=lambda o: (o.release_at, o.due_at, o.source, o.number))
    return orders, boms


def _steps(session: Session, routings: set[int]) -> dict[int, list[_Step]]:
    """Each routing's steps in sequence, with their work centers (primary first, then alternatives by priority)."""
    alternatives: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for operation, work_center, setup, run in session.execute(
        select(
            RoutingAlternative.operation_id,
            RoutingAlternative.work_center_id,
            RoutingAlternative.setup_minutes,
            RoutingAlternative.run_minutes,
        )
        .join(RoutingOperation, RoutingOperation.id == RoutingAlternative.operation_id)
        .where(RoutingOperation.routing_id.in_(routings))
        .order_by(RoutingAlternative.priority, RoutingAlternative.id)
    ):
        alternatives[operation].append((work_center, setup, run))
    steps: dict[int, list[_Step]] = defaultdict(list)
    for row in session.execute(
        select(
            RoutingOperation.id,
            RoutingOperation.routing_id,
            RoutingOperation.sequence,
            RoutingOperation.name,
            RoutingOperation.work_center_id,
            RoutingOperation.setup_minutes,
            RoutingOperation.run_minutes,
            RoutingOperation.batch_size,
            RoutingOperation.transfer_quantity,
        )
        .where(RoutingOperation.routing_id.in_(routings))
        .order_by(RoutingOperation.routing_id, RoutingOperation.sequence)
    ):
        primary = (row.work_center_id, row.setup_minutes, row.run_minutes)
        others = tuple(a for a in alternatives[row.id] if a[0] != row.work_center_id)
        steps[row.routing_id].append(
            _Step(row.sequence, row.name, (primary, *others), row.batch_size, row.transfer_quantity)
        )
    return steps


def _families(session: Session, items: set[int]) -> dict[int, int]:
    """A setup family number per item: items of one family share it; an item without one is its own."""
    names = {
        item: family or f"item {code}"
        for item, code, family in session.execute(select(Item.id, Item.code, Item.family).where(Item.id.in_(items)))
    }
    numbers = {name: n for n, name in enumerate(sorted(set(names.values())))}
    return {item: numbers[name] for item, name in names.items()}


def _centers(session: Session) -> dict[int, _Center]:
    return {
        row.id: _Center(row.code, row.parallel_units, float(row.efficiency), row.calendar_id, row.time_zone)
        for row in session.execute(
            select(
                WorkCenter.id,
                WorkCenter.code,
                WorkCenter.parallel_units,
                WorkCenter.efficiency,
                WorkCenter.calendar_id,
                Site.time_zone,
            ).join(Site, Site.id == WorkCenter.site_id)
        )
    }


def _overlap(before: _Step, after: _Step, quantity: Decimal, centers: dict[int, _Center]) -> int:
    """How many minutes ``after`` may start before ``before`` ends when batches move ahead."""
    transfer = before.transfer_quantity or before.batch_size
    if transfer is None or transfer >= quantity:
        return 0
    rates = [float(run) / centers[w].efficiency for step in (before, after) for w, _, run in step.modes]
    return math.floor(float(quantity - transfer) * min(rates))


def work_center_windows(
    session: Session, work_centers: Sequence[int], start: dt.datetime, end: dt.datetime, *, with_downtimes: bool = True
) -> dict[int, list[Window]]:
    """Per work center (id), its working windows in minutes from ``start`` until ``end``: its calendar's
    shifts less breaks and holidays, and less its downtimes unless ``with_downtimes`` is false."""
    centers = _centers(session)
    return _calendar_windows(session, {w: centers[w] for w in work_centers}, start, end, with_downtimes)


def _calendar_windows(
    session: Session,
    centers: dict[int, _Center],
    start: dt.datetime,
    end: dt.datetime,
    with_downtimes: bool = True,
) -> dict[int, list[Window]]:
    calendars = {c.calendar_id for c in centers.values()}
    patterns: dict[int, list[PatternEntry]] = defaultdict(list)
    for calendar, weekday, kind, begins, ends in session.execute(
        select(
            CalendarShift.calendar_id,
            CalendarShift.weekday,
            CalendarShift.kind,
            CalendarShift.start_time,
            CalendarShift.end_time,
        ).where(CalendarShift.calendar_id.in_(calendars))
    ):
        patterns[calendar].append(PatternEntry(weekday, kind, begins, ends))
    holidays: dict[int, list[dt.date]] = defaultdict(list)
    for calendar, day in session.execute(
        select(CalendarHoliday.calendar_id, CalendarHoliday.day).where(CalendarHoliday.calendar_id.in_(calendars))
    ):
        holidays[calendar].append(day)
    downtimes = downtimes_of(session, list(centers), start, end) if with_downtimes else defaultdict(list)
    return {
        w: working_windows(
            patterns[c.calendar_id],
            holidays[c.calendar_id],
            downtimes[w],
            zone=c.zone,
            horizon_start=start,
            horizon_end=end,
        )
        for w, c in centers.items()
    }


def downtimes_of(
    session: Session, work_centers: Sequence[int], start: dt.datetime, end: dt.datetime
) -> defaultdict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Per work center (id), its downtimes that overlap ``[start, end)``, as (from, to) instants."""
    downtimes: defaultdict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for work_center, down_from, down_to in session.execute(
        select(WorkCenterDowntime.work_center_id, WorkCenterDowntime.starts_at, WorkCenterDowntime.ends_at)
        .where(
            WorkCenterDowntime.work_center_id.in_(list(work_centers)),
            WorkCenterDowntime.ends_at > start,
            WorkCenterDowntime.starts_at < end,
        )
        .order_by(WorkCenterDowntime.starts_at)
    ):
        downtimes[work_center].append((down_from, down_to))
    return downtimes


def _resume_started(
    session: Session,
    started: Sequence[tuple[int, ReferenceOperation]],
    drafts: list[_Draft],
    windows: dict[int, list[Window]],
    centers: dict[int, _Center],
    horizon_start: dt.datetime,
) -> None:
    """Started operations go on where they are: on their work center, from its first working minute,
    for the working minutes they have left (those of its calendar since they started are done)."""
    if not started:
        return
    earliest = min(ref.starts_at for _, ref in started)
    past = _calendar_windows(
        session, {ref.work_center_id: centers[ref.work_center_id] for _, ref in started}, earliest, horizon_start
    )
    for index, ref in started:
        draft = drafts[index]
        minutes = dict(draft.modes).get(ref.work_center_id)
        ahead = windows.get(ref.work_center_id)
        if minutes is None or not ahead:
            continue  # its work center is no longer eligible, or does not work again: schedule it afresh
        begun = _minutes(ref.starts_at, earliest)
        done = sum(max(0, b - max(a, begun)) for a, b in past[ref.work_center_id])
        draft.modes = [(ref.work_center_id, max(1, minutes - done))]
        draft.frozen_start, draft.frozen_mode = ahead[0][0], 0


def _setup_matrices(
    setup_minutes: dict[tuple[int, int], int], resource_of: dict[int, int], families: int
) -> tuple[SetupMatrix, ...]:
    """Per work center, ``minutes[a, b]``: the setup of family ``b`` there after another family, none after itself."""
    size = families
    tables: dict[int, np.ndarray] = {}
    for (work_center, family), minutes in setup_minutes.items():
        if work_center not in resource_of or not minutes:
            continue
        table = tables.setdefault(work_center, np.zeros((size, size), dtype=np.int64))
        table[:, family] = minutes
        table[family, family] = 0
    return tuple(SetupMatrix.of(table, resource_of[w]) for w, table in sorted(tables.items()))


def reference_by_step(session: Session, run_id: int) -> dict[StepKey, ReferenceOperation]:
    """The operations of a run by (source, order number, sequence)."""
    return {
        (source, number, sequence): ReferenceOperation(work_center, starts, ends)
        for source, number, sequence, work_center, starts, ends in session.execute(
            select(
                ScheduledOrder.source,
                ScheduledOrder.number,
                ScheduledOperation.sequence,
                ScheduledOperation.work_center_id,
                ScheduledOperation.starts_at,
                ScheduledOperation.ends_at,
            )
            .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
            .where(ScheduledOperation.run_id == run_id)
        )
    }
