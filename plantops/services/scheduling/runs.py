"""Schedule the plant's work on finite capacity, and repair the schedule after a disruption.

A run reads the work (:mod:`.problem`), schedules it with
:mod:`plantops.engines.schedule` (CP-SAT) and writes the run, its orders, operations
and work center loads in one transaction: a run that fails (no schedule found, bad
data, an interruption) leaves the previous schedule in force.

A repair (:func:`disrupt`, :func:`rush_order`) records the disruption (a work center
downtime, a new work order) and schedules again from now to the end of the horizon of
the schedule in force, with that schedule as the reference and the engine's stability
term: an operation moves only where it must (it no longer fits) or where that saves
more than :data:`REPAIR_STABILITY_WEIGHT` is worth. The disruption and the repaired
schedule are written together, or not at all.

Operations the planner pinned (:mod:`.moves`) are recorded with each run (its settings'
``pins``) and stay pinned through the repairs that follow, where they still fit; a new
schedule of all the work (:func:`schedule_work`) starts without pins.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert
from plantops.db.catalog import Bom, RoutingOperation
from plantops.db.production import WorkOrder
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder, ScheduledWorkCenter, ScheduleRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site, WorkCenter, WorkCenterDowntime
from plantops.engines.schedule import ScheduleResult, SolveSettings, solve, tabu
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services.inventory.references import check_quantity, item_ref
from plantops.services.scheduling.problem import (
    LoadedSchedule,
    OrderKey,
    Pin,
    StepKey,
    load_schedule,
    reference_by_step,
)
from plantops.vocabulary import ScheduledOrderSource, ScheduleRunKind, ScheduleStatus, WorkOrderStatus

Progress = Callable[[str], None]
"""Told the name of each step as it starts: read, solve, write."""

MAX_WEEKS = 26
#: The longest a solve may search, in seconds (the time limit is the time a user waits).
MAX_TIME_LIMIT_S = 600.0
#: Work released within the horizon may run on past its end, by this many horizon lengths.
OVERFLOW = 1
#: What moving one operation costs in a repair, in the objective's units: the engine weighs a
#: minute of weighted lateness 100, so a repair moves an operation to save an hour of lateness.
REPAIR_STABILITY_WEIGHT = 100 * 60
RUSH_WEIGHT = 10
#: Compiling the search's kernels is reported apart from the solve where it takes this long or longer.
SHOWN_COMPILE_SECONDS = 0.1


class NoScheduleError(PlantOpsError):
    def __init__(self) -> None:
        super().__init__("there is no schedule yet: run `plantops schedule` first")


class ScheduleFailedError(PlantOpsError):
    """The engine found no schedule; nothing was written."""

    def __init__(self, status: ScheduleStatus, explanation: str) -> None:
        self.status = status
        super().__init__(
            f"no schedule ({status.value}): {explanation or 'no reason given'}; the schedule in force is unchanged"
        )


@dataclass(frozen=True)
class ScheduleRequest:
    """What the planner asks for: a horizon of ``weeks`` from ``horizon_start``, and how long to search.

    With a ``work_limit`` (CP-SAT's deterministic time, see
    :class:`~plantops.engines.schedule.SolveSettings`) the run is repeatable: the same plant,
    horizon, seed and workers give the same schedule, as long as the run ends by the work limit
    (or by proving optimality) before ``time_limit_s``.
    """

    horizon_start: dt.datetime
    weeks: int = 4
    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 2
    include_planned: bool = True
    work_limit: float | None = None


@dataclass(frozen=True)
class Disruption:
    """What a repair answers: why (``reason``), orders that weigh other than their weight in force, and
    an operation the planner pins (``pin``), which ``check`` accepts or refuses once the work is read."""

    reason: str
    weights: dict[OrderKey, int] = field(default_factory=dict)
    pin: tuple[StepKey, Pin] | None = None
    check: Callable[[LoadedSchedule], None] | None = None


@dataclass(frozen=True)
class Move:
    """An operation a repair moved: where it was and where it is now."""

    order: str
    sequence: int
    work_center_before: str
    work_center_after: str
    starts_before: dt.datetime
    starts_after: dt.datetime


@dataclass(frozen=True)
class ScheduleSummary:
    number: str
    kind: ScheduleRunKind
    status: ScheduleStatus
    proven_optimal: bool
    objective: float
    bound: float
    orders: int
    operations: int
    late_orders: int
    weighted_tardiness: int
    finishes_at: dt.datetime
    without_routing: list[str]
    moves: list[Move] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def schedule_work(
    uow: UnitOfWork,
    request: ScheduleRequest,
    *,
    now: dt.datetime | None = None,
    run_by: str | None = None,
    progress: Progress | None = None,
) -> ScheduleSummary:
    """Schedule every released work order (and planned make order) and make it the schedule in force.

    Nothing new starts before ``now``, the moment of scheduling (default: the clock): a horizon
    that starts earlier starts at ``now``'s next whole minute instead, and operations of the
    schedule in force that started before then go on from where they are.
    """
    check_request(request)
    horizon_start = max(_to_minute(request.horizon_start), next_minute(now or dt.datetime.now(dt.UTC)))

    def prepare(session: Session, in_force: ScheduleRun | None) -> _Run:
        loaded = load_schedule(
            session,
            horizon_start=horizon_start,
            horizon_end=horizon_start + dt.timedelta(weeks=request.weeks),
            until=horizon_start + dt.timedelta(weeks=request.weeks * (1 + OVERFLOW)),
            include_planned=request.include_planned,
            reference=reference_by_step(session, in_force.id) if in_force else {},
            weights=_weights(session, in_force),
        )
        settings = SolveSettings(
            time_limit_s=request.time_limit_s,
            workers=request.workers,
            seed=request.seed,
            work_limit=request.work_limit,
        )
        recorded = {**asdict(request), "horizon_start": horizon_start.isoformat()}
        return _Run(loaded, settings, ScheduleRunKind.SCHEDULE, recorded)

    return _run(uow, prepare, run_by, progress)


def disrupt(
    uow: UnitOfWork,
    work_center: str,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str = "",
    now: dt.datetime,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    run_by: str | None = None,
    progress: Progress | None = None,
) -> ScheduleSummary:
    """Record that ``work_center`` is down from ``starts_at`` to ``ends_at`` and repair the schedule in force.

    Times without a zone are read in the work center's site's time zone.
    """

    def record_downtime(session: Session, _in_force: ScheduleRun) -> Disruption:
        center_id, starts, ends = _downtime(session, work_center, starts_at, ends_at, reason)
        session.add(
            WorkCenterDowntime(work_center_id=center_id, starts_at=starts, ends_at=ends, reason=reason or "down")
        )
        session.flush()
        span = f"{starts.astimezone(dt.UTC):%Y-%m-%d %H:%M} to {ends.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        return Disruption(f"{work_center} down {span}" + (f": {reason}" if reason else ""))

    return repair(uow, record_downtime, now, time_limit_s, seed, workers, run_by, progress)


def rush_order(
    uow: UnitOfWork,
    item: str,
    quantity: Decimal,
    *,
    due: dt.date,
    number: str | None = None,
    weight: int = RUSH_WEIGHT,
    now: dt.datetime,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    run_by: str | None = None,
    progress: Progress | None = None,
) -> ScheduleSummary:
    """Release a work order for ``quantity`` of ``item`` due on ``due`` and repair the schedule in force around it.

    Its lateness weighs ``weight`` times an ordinary order's, here and in later runs.
    """

    def release_work_order(session: Session, _in_force: ScheduleRun) -> Disruption:
        order = _rush_work_order(session, item, quantity, due=due, number=number, weight=weight, now=now)
        session.add(order)
        session.flush()
        return Disruption(
            f"rush order {order.number}: {quantity.normalize():f} {item} due {due}",
            {(ScheduledOrderSource.WORK_ORDER, order.number): weight},
        )

    return repair(uow, release_work_order, now, time_limit_s, seed, workers, run_by, progress)


def prepare_search() -> float:
    """Make the scheduler's compiled search ready (compiled, or loaded from Numba's cache on disk) so that
    a first schedule waits only for its time limit; the seconds it took."""
    return tabu.prepare()


def check_disruption(
    uow: UnitOfWork,
    work_center: str,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str = "",
    time_limit_s: float = 10.0,
) -> None:
    """What :func:`disrupt` would refuse in what it is given, found without changing anything (so that a
    page can refuse a disruption before starting its repair in the background)."""
    check_time_limit("repair", time_limit_s)
    with uow:
        if schedule_in_force(uow.session) is None:
            raise NoScheduleError()
        _downtime(uow.session, work_center, starts_at, ends_at, reason)


def check_rush_order(
    uow: UnitOfWork,
    item: str,
    quantity: Decimal,
    *,
    due: dt.date,
    now: dt.datetime,
    number: str | None = None,
    weight: int = RUSH_WEIGHT,
    time_limit_s: float = 10.0,
) -> None:
    """What :func:`rush_order` would refuse in what it is given, found without changing anything."""
    check_time_limit("repair", time_limit_s)
    with uow:
        if schedule_in_force(uow.session) is None:
            raise NoScheduleError()
        _rush_work_order(uow.session, item, quantity, due=due, number=number, weight=weight, now=now)


def _downtime(
    session: Session, work_center: str, starts_at: dt.datetime, ends_at: dt.datetime, reason: str
) -> tuple[int, dt.datetime, dt.datetime]:
    """The work center's id and the downtime's start and end in its site's time zone, or what refuses them."""
    record = "disruption"
    if len(reason) > 200:
        raise ValidationError(record, "reason", "at most 200 characters")
    center = session.execute(
        select(WorkCenter.id, Site.time_zone)
        .join(Site, Site.id == WorkCenter.site_id)
        .where(WorkCenter.code == work_center)
    ).first()
    if center is None:
        raise NotFoundError("work center", work_center)
    starts_at, ends_at = (aware(moment, center.time_zone) for moment in (starts_at, ends_at))
    if ends_at <= starts_at:
        raise ValidationError(record, "to", f"{ends_at.isoformat()} is not after from ({starts_at.isoformat()})")
    clash = session.scalar(
        select(WorkCenterDowntime.id).where(
            WorkCenterDowntime.work_center_id == center.id, WorkCenterDowntime.starts_at == starts_at
        )
    )
    if clash is not None:
        raise ValidationError(record, "from", f"{work_center} already has a downtime starting {starts_at}")
    return center.id, starts_at, ends_at


def _rush_work_order(
    session: Session, item: str, quantity: Decimal, *, due: dt.date, number: str | None, weight: int, now: dt.datetime
) -> WorkOrder:
    """The released work order a rush order adds (not yet added to the session), or what refuses it."""
    record = "rush order"
    if weight < 1:
        raise ValidationError(record, "weight", f"must be at least 1, got {weight}")
    if number is not None and not 0 < len(number) <= 32:
        raise ValidationError(record, "number", "must have 1 to 32 characters")
    ref = item_ref(session, item)
    check_quantity(ref, quantity, record=record)
    made = session.execute(
        select(Bom.id, WorkCenter.site_id)
        .join(RoutingOperation, RoutingOperation.routing_id == Bom.routing_id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(Bom.item_id == ref.id)
        .order_by(Bom.priority, Bom.id, RoutingOperation.sequence)
    ).first()
    if made is None:
        raise ValidationError(record, "item", f"{item} has no BOM with a routing: it cannot be made")
    today = now.astimezone(dt.UTC).date()
    if due < today:
        raise ValidationError(record, "due", f"{due} is in the past")
    name = number or _next_rush_number(session)
    if session.scalar(select(WorkOrder.id).where(WorkOrder.number == name)) is not None:
        raise ValidationError(record, "number", f"work order {name} already exists")
    return WorkOrder(
        number=name,
        item_id=ref.id,
        bom_id=made.id,
        site_id=made.site_id,
        status=WorkOrderStatus.RELEASED,
        quantity=quantity,
        completed_quantity=Decimal(0),
        start_date=today,
        due_date=due,
    )


def schedule_in_force(session: Session) -> ScheduleRun | None:
    """The newest run: the schedule that counts."""
    return session.scalars(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1)).first()


def repair(
    uow: UnitOfWork,
    change: Callable[[Session, ScheduleRun], Disruption],
    now: dt.datetime,
    time_limit_s: float,
    seed: int,
    workers: int,
    run_by: str | None,
    progress: Progress | None,
) -> ScheduleSummary:
    """Apply ``change`` and repair the schedule in force, in one transaction.

    ``change`` records what happened and says why, which orders weigh other than their weight in
    force, and which operation the planner pins.
    """
    check_time_limit("repair", time_limit_s)

    def prepare(session: Session, in_force: ScheduleRun | None) -> _Run:
        return prepare_repair(session, in_force, change, now, time_limit_s=time_limit_s, seed=seed, workers=workers)

    return _run(uow, prepare, run_by, progress)


def prepare_repair(
    session: Session,
    in_force: ScheduleRun | None,
    change: Callable[[Session, ScheduleRun], Disruption],
    now: dt.datetime,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
) -> _Run:
    """Record ``change`` and read the work to repair the schedule in force around it (not yet solved)."""
    if in_force is None:
        raise NoScheduleError()
    disruption = change(session, in_force)
    horizon_start = max(next_minute(now), in_force.horizon_start)
    if horizon_start >= in_force.horizon_end - dt.timedelta(minutes=1):
        raise ValidationError("repair", "now", f"the schedule in force ended at {in_force.horizon_end}")
    recorded_in_force = json.loads(in_force.settings)
    include_planned = bool(recorded_in_force.get("include_planned", True))
    pins = pins_of(recorded_in_force) | dict([disruption.pin] if disruption.pin else [])
    loaded = load_schedule(
        session,
        horizon_start=horizon_start,
        horizon_end=in_force.horizon_end,
        until=in_force.horizon_end + (in_force.horizon_end - in_force.horizon_start) * OVERFLOW,
        include_planned=include_planned,
        reference=reference_by_step(session, in_force.id),
        weights=_weights(session, in_force) | disruption.weights,
        pins=pins,
    )
    if disruption.check is not None:
        disruption.check(loaded)
    settings = SolveSettings(
        time_limit_s=time_limit_s,
        workers=workers,
        seed=seed,
        stability_weight=REPAIR_STABILITY_WEIGHT,
        reference=loaded.reference,
    )
    recorded = {
        "include_planned": include_planned,
        "time_limit_s": time_limit_s,
        "seed": seed,
        "workers": workers,
        "stability_weight": REPAIR_STABILITY_WEIGHT,
        "pins": [_pin_record(key, pins[key]) for key in loaded.pinned],
    }
    if disruption.pin is not None:
        recorded["move"] = _pin_record(*disruption.pin)
    return _Run(loaded, settings, ScheduleRunKind.REPAIR, recorded, in_force, disruption.reason)


def pins_of(recorded: dict[str, Any]) -> dict[StepKey, Pin]:
    """The pins a run's settings record."""
    return {
        (ScheduledOrderSource(row["source"]), row["order"], int(row["sequence"])): Pin(
            int(row["work_center_id"]), dt.datetime.fromisoformat(row["starts_at"]), int(row["unit"])
        )
        for row in recorded.get("pins", [])
    }


def _pin_record(key: StepKey, pin: Pin) -> dict[str, Any]:
    source, order, sequence = key
    return {
        "source": source.value,
        "order": order,
        "sequence": sequence,
        "work_center_id": pin.work_center_id,
        "starts_at": pin.starts_at.isoformat(),
        "unit": pin.unit,
    }


@dataclass(frozen=True)
class _Run:
    """A run ready to solve: the problem, how to solve it, and what to record about it."""

    loaded: LoadedSchedule
    settings: SolveSettings
    kind: ScheduleRunKind
    recorded: dict[str, Any]
    repaired: ScheduleRun | None = None
    reason: str = ""


def _run(
    uow: UnitOfWork,
    prepare: Callable[[Session, ScheduleRun | None], _Run],
    run_by: str | None,
    progress: Progress | None,
) -> ScheduleSummary:
    """Read (``prepare``), solve and write a run in one transaction; the new run is in force once committed."""
    step = progress or (lambda _name: None)
    started_at = dt.datetime.now(dt.UTC)
    with uow:
        session = uow.session
        clock = time.perf_counter()
        step("read")
        run = prepare(session, schedule_in_force(session))
        seconds = {"read": time.perf_counter() - clock}
        if not run.loaded.problem.operations:
            raise PlantOpsError(
                "nothing to schedule: no released work order or planned make order with a routing is released "
                f"before {run.loaded.horizon_end:%Y-%m-%d %H:%M} UTC"
            )
        clock = time.perf_counter()
        step("solve")
        result = solve(run.loaded.problem, run.settings)
        if result.compile_time_s >= SHOWN_COMPILE_SECONDS:  # a first search on a fresh install
            seconds["compile"] = result.compile_time_s
        seconds["solve"] = time.perf_counter() - clock - result.compile_time_s
        if not result.has_schedule:
            raise ScheduleFailedError(result.status, result.explanation)
        clock = time.perf_counter()
        step("write")
        summary = _write(session, run, result, started_at=started_at, run_by=run_by or getpass.getuser())
        uow.commit()
        seconds["write"] = time.perf_counter() - clock
    return dataclasses.replace(summary, seconds=seconds)


def check_request(request: ScheduleRequest) -> None:
    """What :func:`schedule_work` refuses in ``request``, raised before any work (so that a page can refuse
    a schedule before starting it in the background)."""
    record = "schedule"
    start = request.horizon_start
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValidationError(record, "horizon_start", f"{start.isoformat()} needs a time zone")
    bounds.check_date(record, "horizon_start", start)
    if not 1 <= request.weeks <= MAX_WEEKS:
        raise ValidationError(record, "weeks", f"must be 1 to {MAX_WEEKS}, got {request.weeks}")
    check_time_limit(record, request.time_limit_s)
    if request.workers < 1:
        raise ValidationError(record, "workers", f"must be at least 1, got {request.workers}")
    if request.seed < 0:
        raise ValidationError(record, "seed", f"must not be negative, got {request.seed}")
    if request.work_limit is not None and not request.work_limit > 0:
        raise ValidationError(record, "work_limit", f"must be positive, got {request.work_limit}")


def check_time_limit(record: str, seconds: float) -> None:
    """Refuse a time limit outside (0, :data:`MAX_TIME_LIMIT_S`] seconds."""
    if not 0 < seconds <= MAX_TIME_LIMIT_S:  # NaN fails both comparisons
        raise ValidationError(
            record, "time_limit", f"must be more than 0 and at most {MAX_TIME_LIMIT_S:g} seconds, got {seconds}"
        )


def aware(moment: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` as it is when it has a zone, else read in ``zone``."""
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=ZoneInfo(zone))


def _to_minute(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(second=0, microsecond=0)


def next_minute(moment: dt.datetime) -> dt.datetime:
    """The first whole minute at or after ``moment``, in UTC."""
    whole = _to_minute(moment)
    return whole if whole == moment else whole + dt.timedelta(minutes=1)


def _minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return int((end - start).total_seconds() // 60)


def _weights(session: Session, run: ScheduleRun | None) -> dict[OrderKey, int]:
    """Weights other than 1 that orders had in the schedule in force (rush orders keep theirs)."""
    if run is None:
        return {}
    rows = session.execute(
        select(ScheduledOrder.source, ScheduledOrder.number, ScheduledOrder.weight).where(
            ScheduledOrder.run_id == run.id, ScheduledOrder.weight != 1
        )
    )
    return {(source, number): weight for source, number, weight in rows}


def _next_rush_number(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.number.like("RUSH-%"))) or 0
    return f"RUSH-{count + 1:04d}"


def _write(
    session: Session, run: _Run, result: ScheduleResult, *, started_at: dt.datetime, run_by: str
) -> ScheduleSummary:
    """The run, its orders, operations and work center loads."""
    loaded, repaired = run.loaded, run.repaired
    origin = loaded.horizon_start

    def at(minute: int) -> dt.datetime:
        return origin + dt.timedelta(minutes=int(minute))

    run_id = session.execute(
        insert(ScheduleRun)
        .values(
            number="pending",
            kind=run.kind,
            repaired_run_id=repaired.id if repaired else None,
            reason=run.reason,
            started_at=started_at,
            finished_at=started_at,
            run_by=run_by,
            horizon_start=loaded.horizon_start,
            horizon_end=loaded.horizon_end,
            settings=json.dumps(run.recorded),
            status=result.status,
            proven_optimal=result.proven_optimal,
            objective=float(result.objective),
            bound=float(result.best_bound),
            moved_operations=int(result.moved) if repaired else None,
        )
        .returning(ScheduleRun.id)
    ).scalar_one()
    number = f"SCH-{run_id:06d}"
    session.execute(
        table_of(ScheduleRun)
        .update()
        .where(table_of(ScheduleRun).c.id == run_id)
        .values(number=number, finished_at=dt.datetime.now(dt.UTC))
    )
    order_ids = (
        session.execute(
            insert(ScheduledOrder).returning(ScheduledOrder.id, sort_by_parameter_order=True),
            [
                {
                    "run_id": run_id,
                    "source": o.source,
                    "number": o.number,
                    "item_id": o.item_id,
                    "site_id": o.site_id,
                    "quantity": o.quantity,
                    "weight": o.weight,
                    "release_at": o.release_at,
                    "due_at": o.due_at,
                    "completion_at": at(result.completion[j]),
                    "lateness_minutes": _minutes_between(o.due_at, at(result.completion[j])),
                }
                for j, o in enumerate(loaded.orders)
            ],
        )
        .scalars()
        .all()
    )
    critical = set(result.critical_path.tolist())
    operations = loaded.operations
    bulk_insert(
        session.connection(),
        table_of(ScheduledOperation),
        {
            "run_id": [run_id] * len(operations),
            "order_id": [order_ids[op.order] for op in operations],
            "sequence": [op.sequence for op in operations],
            "name": [op.name for op in operations],
            "work_center_id": [op.work_centers[result.mode[i]] for i, op in enumerate(operations)],
            "unit": [int(u) for u in result.unit],
            "starts_at": [op.started_at or at(result.start[i]) for i, op in enumerate(operations)],
            "ends_at": [at(result.end[i]) for i in range(len(operations))],
            "setup_minutes": [int(s) for s in result.setup],
            "frozen": [op.frozen for op in operations],
            "critical": [i in critical for i in range(len(operations))],
        },
    )
    busy = [0] * len(loaded.work_centers)
    for i, _ in enumerate(operations):
        resource = int(result.resource[i])
        busy[resource] += loaded.problem.operations[i].modes[result.mode[i]].minutes + int(result.setup[i])
    bulk_insert(
        session.connection(),
        table_of(ScheduledWorkCenter),
        {
            "run_id": [run_id] * len(loaded.work_centers),
            "work_center_id": loaded.work_centers,
            "busy_minutes": busy,
            "available_minutes": loaded.available_minutes,
            "utilisation": [float(u) for u in result.utilisation],
        },
    )
    return ScheduleSummary(
        number=number,
        kind=run.kind,
        status=result.status,
        proven_optimal=result.proven_optimal,
        objective=float(result.objective),
        bound=float(result.best_bound),
        orders=len(loaded.orders),
        operations=len(operations),
        late_orders=int((result.tardiness > 0).sum()),
        weighted_tardiness=int(result.weighted_tardiness),
        finishes_at=at(result.makespan),
        without_routing=loaded.without_routing,
        moves=_moves(session, loaded, result, at) if repaired else [],
    )


def _moves(
    session: Session, loaded: LoadedSchedule, result: ScheduleResult, at: Callable[[int], dt.datetime]
) -> list[Move]:
    """The operations whose start or work center differs from the repaired schedule."""
    reference = loaded.reference
    if reference is None:
        return []
    codes = dict(session.execute(select(WorkCenter.id, WorkCenter.code)).all())
    moves = []
    for i, op in enumerate(loaded.operations):
        before_start, before_mode = int(reference.start[i]), int(reference.mode[i])
        if before_start < 0 or (before_start == result.start[i] and before_mode == result.mode[i]):
            continue
        moves.append(
            Move(
                order=loaded.orders[op.order].number,
                sequence=op.sequence,
                work_center_before=codes[op.work_centers[before_mode]] if before_mode >= 0 else "",
                work_center_after=codes[op.work_centers[result.mode[i]]],
                starts_before=at(before_start),
                starts_after=at(result.start[i]),
            )
        )
    return moves
