"""Move an operation by hand, and undo the move.

A move pins one operation of the schedule in force at a start and on a unit of its own
work center, and repairs the rest of the schedule around it through the same path as a
disruption (:func:`~plantops.services.scheduling.runs.prepare_repair`): the pin is kept
by the repairs that follow. A move is refused, changing nothing, when the operation has
started, when its work center does not work at that start (outside its shifts, in a
break, on a holiday, down), when it would start before the step before it in its order
ends (less what transfer batches let the two overlap), or when the start lies outside
the schedule.

An undo puts back the schedule the newest move repaired: schedule runs are kept, so it
writes a copy of that run as the newest run, which makes it the schedule in force again
(its pins as they were). Undoing again goes back through the moves before it, one at a
time, as far as the last run that was not a move.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, insert, literal, select
from sqlalchemy.orm import Session, aliased

from plantops import bounds
from plantops.db.base import table_of
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder, ScheduledWorkCenter, ScheduleRun
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site, WorkCenter
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services.scheduling import runs
from plantops.services.scheduling.problem import LoadedSchedule, Pin, StepKey
from plantops.services.scheduling.runs import Disruption, NoScheduleError, Progress, ScheduleSummary
from plantops.vocabulary import ScheduleRunKind

RECORD = "move"
#: The largest step number a routing may have (the database's integer).
MAX_STEP = 2**31 - 1


class NothingToUndoError(PlantOpsError):
    def __init__(self, number: str) -> None:
        super().__init__(f"the schedule in force ({number}) is not the result of a move: there is nothing to undo")


@dataclass(frozen=True)
class Undone:
    """What an undo did: ``number`` is the new run, a copy of ``restores``, which ``undid`` had repaired."""

    number: str
    restores: str
    undid: str
    reason: str


def move_operation(
    uow: UnitOfWork,
    order: str,
    sequence: int,
    *,
    starts_at: dt.datetime,
    unit: int | None = None,
    now: dt.datetime,
    time_limit_s: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    run_by: str | None = None,
    progress: Progress | None = None,
) -> ScheduleSummary:
    """Pin step ``sequence`` of ``order`` at ``starts_at`` on ``unit`` (1 for the first; default: the unit it
    is on) of its work center, and repair the schedule in force around it.

    A time without a zone is read in the work center's site's time zone.
    """
    change = _move(order, sequence, starts_at, unit, now)
    return runs.repair(uow, change, now, time_limit_s, seed, workers, run_by, progress)


def check_move(
    uow: UnitOfWork,
    order: str,
    sequence: int,
    *,
    starts_at: dt.datetime,
    unit: int | None = None,
    now: dt.datetime,
    time_limit_s: float = 10.0,
) -> None:
    """What :func:`move_operation` would refuse, found without changing anything (so that a page can
    refuse a move before starting its repair in the background)."""
    runs.check_time_limit("repair", time_limit_s)
    with uow:
        session = uow.session
        change = _move(order, sequence, starts_at, unit, now)
        runs.prepare_repair(session, runs.schedule_in_force(session), change, now, time_limit_s=time_limit_s)


@dataclass(frozen=True)
class _Target:
    """The operation to move, as the schedule in force has it."""

    key: StepKey
    work_center_id: int
    work_center: str
    units: int
    unit: int
    zone: str
    frozen: bool
    starts_at: dt.datetime


def _move(
    order: str, sequence: int, starts_at: dt.datetime, unit: int | None, now: dt.datetime
) -> Callable[[Session, ScheduleRun], Disruption]:
    def change(session: Session, in_force: ScheduleRun) -> Disruption:
        if not 1 <= sequence <= MAX_STEP:
            raise ValidationError(RECORD, "step", f"must be 1 to {MAX_STEP}, got {sequence}")
        target = _target(session, in_force, order, sequence)
        earliest = max(runs.next_minute(now), in_force.horizon_start)
        if target.frozen or target.starts_at < earliest:
            raise ValidationError(RECORD, "operation", f"{order}/{sequence} has started: it goes on where it is")
        if unit is not None and not 1 <= unit <= target.units:
            raise ValidationError(RECORD, "unit", f"{target.work_center} has units 1 to {target.units}, got {unit}")
        bounds.check_date(RECORD, "start", starts_at)
        zone = ZoneInfo(target.zone)
        start = runs.aware(starts_at, target.zone).astimezone(dt.UTC).replace(second=0, microsecond=0)
        if start < earliest:
            raise ValidationError(
                RECORD, "start", f"{_local(start, zone)} is before the schedule can change ({_local(earliest, zone)})"
            )
        if start >= in_force.horizon_end:
            raise ValidationError(
                RECORD,
                "start",
                f"{_local(start, zone)} is after the schedule's horizon ({_local(in_force.horizon_end, zone)})",
            )
        pin = Pin(target.work_center_id, start, target.unit if unit is None else unit - 1)
        unit_text = f" unit {pin.unit + 1}" if target.units > 1 else ""
        reason = f"move {order}/{sequence} to {target.work_center}{unit_text} at {_local(start, zone)} ({target.zone})"

        def check(loaded: LoadedSchedule) -> None:
            _check_pinned(session, in_force, loaded, target, start, zone)

        return Disruption(reason[:200], pin=(target.key, pin), check=check)

    return change


def _target(session: Session, in_force: ScheduleRun, order: str, sequence: int) -> _Target:
    row = session.execute(
        select(
            ScheduledOrder.source,
            ScheduledOperation.work_center_id,
            WorkCenter.code,
            WorkCenter.parallel_units,
            ScheduledOperation.unit,
            Site.time_zone,
            ScheduledOperation.frozen,
            ScheduledOperation.starts_at,
        )
        .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
        .join(WorkCenter, WorkCenter.id == ScheduledOperation.work_center_id)
        .join(Site, Site.id == WorkCenter.site_id)
        .where(
            ScheduledOperation.run_id == in_force.id,
            ScheduledOrder.number == order,
            ScheduledOperation.sequence == sequence,
        )
        .order_by(ScheduledOrder.source.desc())  # a work order before a planned order of the same number
    ).first()
    if row is None:
        raise NotFoundError("scheduled operation", f"{order}/{sequence}", of=in_force.number)
    source, center_id, code, units, on_unit, zone, frozen, starts_at = row
    return _Target((source, order, sequence), center_id, code, units, on_unit, zone, frozen, starts_at)


def _check_pinned(
    session: Session, in_force: ScheduleRun, loaded: LoadedSchedule, target: _Target, start: dt.datetime, zone: ZoneInfo
) -> None:
    """Refuse the move if the pin did not hold (its work center does not work then) or it would start
    before the step before it ends."""
    index = loaded.pinned.get(target.key)
    if index is None:
        raise ValidationError(
            RECORD,
            "start",
            f"{target.work_center} does not work at {_local(start, zone)}: outside its shifts, in a break, "
            "on a holiday or down",
        )
    source, order, _ = target.key
    for precedence in loaded.problem.precedences:
        if precedence.after != index:
            continue
        before = loaded.operations[precedence.before]
        ends_at = session.scalar(
            select(ScheduledOperation.ends_at)
            .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
            .where(
                ScheduledOperation.run_id == in_force.id,
                ScheduledOrder.source == source,
                ScheduledOrder.number == order,
                ScheduledOperation.sequence == before.sequence,
            )
        )
        if ends_at is None:
            continue
        ready = ends_at + dt.timedelta(minutes=precedence.min_lag)
        if start < ready:
            overlap = " less the overlap its transfer batches allow" if precedence.min_lag < 0 else ""
            raise ValidationError(
                RECORD,
                "start",
                f"{_local(start, zone)} is before step {before.sequence} ({before.name}) of {order} ends "
                f"({_local(ends_at, zone)}{overlap}): it may start at {_local(ready, zone)} at the earliest",
            )


def undo_move(uow: UnitOfWork, *, run_by: str) -> Undone:
    """Make the schedule the newest move repaired the schedule in force again (see the module)."""
    with uow:
        session = uow.session
        in_force = runs.schedule_in_force(session)
        if in_force is None:
            raise NoScheduleError()
        restored = json.loads(in_force.settings).get("restores")
        effective = in_force if restored is None else _run_numbered(session, restored)
        if "move" not in json.loads(effective.settings) or effective.repaired_run_id is None:
            raise NothingToUndoError(in_force.number)
        target = session.get(ScheduleRun, effective.repaired_run_id)
        if target is None:
            raise NothingToUndoError(in_force.number)
        number = _copy_run(session, target, in_force, run_by, f"undo {effective.reason}")
        uow.commit()
        return Undone(number, target.number, effective.number, effective.reason)


def _run_numbered(session: Session, number: str) -> ScheduleRun:
    run = session.scalars(select(ScheduleRun).where(ScheduleRun.number == number)).first()
    if run is None:
        raise NotFoundError("schedule run", number)
    return run


def _copy_run(session: Session, source: ScheduleRun, in_force: ScheduleRun, run_by: str, reason: str) -> str:
    """Write a copy of ``source`` (its orders, operations and loads) as the newest run; its number."""
    now = dt.datetime.now(dt.UTC)
    settings = json.loads(source.settings) | {"restores": json.loads(source.settings).get("restores", source.number)}
    run_id = session.execute(
        insert(ScheduleRun)
        .values(
            number=f"pending-{in_force.id}",
            kind=ScheduleRunKind.REPAIR,
            repaired_run_id=in_force.id,
            reason=reason[:200],
            started_at=now,
            finished_at=now,
            run_by=run_by,
            horizon_start=source.horizon_start,
            horizon_end=source.horizon_end,
            settings=json.dumps(settings),
            status=source.status,
            proven_optimal=source.proven_optimal,
            objective=source.objective,
            bound=source.bound,
            moved_operations=None,
        )
        .returning(ScheduleRun.id)
    ).scalar_one()
    number = f"SCH-{run_id:06d}"
    runs_table = table_of(ScheduleRun)
    session.execute(runs_table.update().where(runs_table.c.id == run_id).values(number=number))
    new_run = literal(run_id, Integer)
    order_columns = [
        "source", "number", "item_id", "site_id", "quantity", "weight", "release_at", "due_at", "completion_at",
        "lateness_minutes",
    ]  # fmt: skip
    orders = table_of(ScheduledOrder)
    session.execute(
        insert(orders).from_select(
            ["run_id", *order_columns],
            select(new_run, *(orders.c[name] for name in order_columns)).where(orders.c.run_id == source.id),
        )
    )
    old, new = aliased(ScheduledOrder), aliased(ScheduledOrder)
    operations = table_of(ScheduledOperation)
    copied = [
        "sequence",
        "name",
        "work_center_id",
        "unit",
        "starts_at",
        "ends_at",
        "setup_minutes",
        "frozen",
        "critical",
    ]
    session.execute(
        insert(operations).from_select(
            ["run_id", "order_id", *copied],
            select(new_run, new.id, *(operations.c[name] for name in copied))
            .join(old, old.id == operations.c.order_id)
            .join(new, (new.run_id == run_id) & (new.source == old.source) & (new.number == old.number))
            .where(operations.c.run_id == source.id),
        )
    )
    loads = table_of(ScheduledWorkCenter)
    load_columns = ("work_center_id", "busy_minutes", "available_minutes", "utilisation")
    session.execute(
        insert(loads).from_select(
            ["run_id", *load_columns],
            select(new_run, *(loads.c[name] for name in load_columns)).where(loads.c.run_id == source.id),
        )
    )
    return number


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M}"
