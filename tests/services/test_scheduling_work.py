"""Working in the schedule: moving an operation by hand and undoing it, why late orders are late,
a work center's dispatch list and its non-working time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.scheduling import ScheduleRun
from plantops.engines.schedule.lateness import LateCause
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.scheduling import dispatch, lateness, moves, queries, runs, worktime
from plantops.services.scheduling.runs import ScheduleRequest
from tests.services.test_scheduling import BERLIN, FAST, SHOP, START

NOW = START - dt.timedelta(hours=1)
TUESDAY = dt.date(2026, 11, 24)


#: The job shop of the scheduling tests, welding in the booths only, with three panel orders due on Monday
#: (each could be painted that day, not all three) and one due before the schedule starts.
WORK = SHOP | {
    "routing_alternatives": "routing,sequence,work_center,setup_minutes,run_minutes,priority\n",
    "work_orders": "number,item,bom,site,status,quantity,completed_quantity,start_date,due_date\n"
    "WO-1,FRAME,B-FRAME,P1,released,20,0,2026-11-23,2026-11-25\n"
    "WO-2,RACK,B-RACK,P1,released,10,0,2026-11-23,2026-11-24\n"
    "WO-3,FRAME,B-FRAME,P1,released,30,0,2026-11-24,2026-11-27\n"
    "WO-4,PANEL,B-PANEL,P1,released,40,0,2026-11-23,2026-11-23\n"
    "WO-5,PANEL,B-PANEL,P1,released,25,0,2026-11-23,2026-11-23\n"
    "WO-6,PANEL,B-PANEL,P1,released,30,0,2026-11-23,2026-11-23\n"
    "WO-9,PANEL,B-PANEL,P1,released,10,0,2026-11-20,2026-11-21\n",
}


@pytest.fixture
def scheduled(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """:data:`WORK`, scheduled over a week from Monday 06:00 Berlin."""
    for name, body in WORK.items():
        (tmp_path / f"{name}.csv").write_text(body, encoding="utf-8")
    master_data.import_path(ops.uow(), tmp_path, posted_by="tester")
    runs.schedule_work(ops.uow(), ScheduleRequest(START, weeks=1, **FAST), now=NOW)  # type: ignore[arg-type]
    return ops


def _operation(ops: PlantOps, order: str, sequence: int) -> queries.OperationView:
    return next(
        op for s in queries.sequences(ops.uow()) for op in s.operations if (op.order, op.sequence) == (order, sequence)
    )


def _runs(ops: PlantOps) -> int:
    with ops.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ScheduleRun)) or 0)


def test_a_move_pins_the_operation_at_its_start_and_unit_and_a_later_repair_keeps_it(scheduled: PlantOps) -> None:
    weld = next(op for op in queries.sequences(scheduled.uow(), work_center="WELD")[0].operations)
    target = dt.datetime(2026, 11, 26, 8, 0)  # Thursday 08:00 Berlin, in the day shift

    summary = moves.move_operation(
        scheduled.uow(), weld.order, weld.sequence, starts_at=target, unit=2, now=NOW, time_limit_s=5
    )

    moved = _operation(scheduled, weld.order, weld.sequence)
    assert moved.starts_at == target.replace(tzinfo=BERLIN)
    assert (moved.work_center, moved.unit) == ("WELD", 1)
    assert summary.kind.value == "repair" and summary.moves
    runs.disrupt(
        scheduled.uow(),
        "SAW",
        starts_at=dt.datetime(2026, 11, 23, 6, 0),
        ends_at=dt.datetime(2026, 11, 23, 9, 0),
        now=NOW,
        time_limit_s=5,
    )
    kept = _operation(scheduled, weld.order, weld.sequence)
    assert (kept.starts_at, kept.unit) == (moved.starts_at, 1)


@pytest.mark.parametrize(
    ("starts_at", "unit", "field", "reason"),
    [
        (dt.datetime(2026, 11, 25, 10, 10), None, "start", "does not work at Wed 2026-11-25 10:10"),  # the break
        (dt.datetime(2026, 11, 28, 8, 0), None, "start", "does not work"),  # a Saturday
        (dt.datetime(2026, 11, 25, 8, 0), 3, "unit", "has units 1 to 2, got 3"),
        (dt.datetime(2026, 11, 1, 8, 0), None, "start", "is before the schedule can change"),
    ],
)
def test_a_move_outside_working_time_or_to_a_unit_that_does_not_exist_is_refused_and_changes_nothing(
    scheduled: PlantOps, starts_at: dt.datetime, unit: int | None, field: str, reason: str
) -> None:
    weld = next(op for op in queries.sequences(scheduled.uow(), work_center="WELD")[0].operations)
    before = _runs(scheduled)

    with pytest.raises(ValidationError, match=reason) as refused:
        moves.move_operation(
            scheduled.uow(), weld.order, weld.sequence, starts_at=starts_at, unit=unit, now=NOW, time_limit_s=5
        )

    assert refused.value.field == field
    assert _runs(scheduled) == before
    assert _operation(scheduled, weld.order, weld.sequence) == weld


def test_a_move_before_the_step_before_it_ends_is_refused_naming_that_step(scheduled: PlantOps) -> None:
    saw = _operation(scheduled, "WO-1", 10)
    weld = _operation(scheduled, "WO-1", 20)
    early = saw.starts_at.astimezone(BERLIN).replace(tzinfo=None)

    with pytest.raises(ValidationError, match="is before step 10 \\(Saw\\) of WO-1 ends"):
        moves.check_move(scheduled.uow(), "WO-1", 20, starts_at=early, now=NOW)

    assert _operation(scheduled, "WO-1", 20) == weld


def test_an_operation_that_has_started_cannot_be_moved(scheduled: PlantOps) -> None:
    saw = _operation(scheduled, "WO-2", 10)  # on the saw from Monday 06:00
    later = saw.starts_at + dt.timedelta(minutes=30)

    with pytest.raises(ValidationError, match="WO-2/10 has started") as refused:
        moves.check_move(scheduled.uow(), "WO-2", 10, starts_at=dt.datetime(2026, 11, 25, 8), now=later)

    assert refused.value.field == "operation"


def test_an_unknown_operation_cannot_be_moved(scheduled: PlantOps) -> None:
    with pytest.raises(NotFoundError, match="WO-1/99"):
        moves.check_move(scheduled.uow(), "WO-1", 99, starts_at=dt.datetime(2026, 11, 25, 8), now=NOW)


def test_undo_puts_back_the_schedule_before_the_move_and_then_has_nothing_more_to_undo(scheduled: PlantOps) -> None:
    before = {
        (op.order, op.sequence): (op.starts_at, op.unit)
        for s in queries.sequences(scheduled.uow())
        for op in s.operations
    }
    first = queries.run_in_force(scheduled.uow()).number
    weld = _operation(scheduled, "WO-2", 20)
    moves.move_operation(
        scheduled.uow(), "WO-2", 20, starts_at=dt.datetime(2026, 11, 27, 11, 0), now=NOW, time_limit_s=5
    )
    assert _operation(scheduled, "WO-2", 20) != weld

    undone = moves.undo_move(scheduled.uow(), run_by="tester")

    after = {
        (op.order, op.sequence): (op.starts_at, op.unit)
        for s in queries.sequences(scheduled.uow())
        for op in s.operations
    }
    assert after == before
    assert undone.restores == first and queries.run_in_force(scheduled.uow()).number == undone.number
    with pytest.raises(moves.NothingToUndoError, match="nothing to undo"):
        moves.undo_move(scheduled.uow(), run_by="tester")


def test_late_orders_say_whether_their_due_date_was_out_of_reach_or_they_queued(scheduled: PlantOps) -> None:
    explained = {o.number: o for o in lateness.why_late(scheduled.uow())}

    assert explained["WO-9"].cause is LateCause.DUE_DATE_PAST
    assert LateCause.CAPACITY in {explained[n].cause for n in ("WO-4", "WO-5", "WO-6") if n in explained}
    for order in explained.values():
        assert order.cause is not None and order.earliest_completion_at is not None
        if order.cause is LateCause.CAPACITY:
            assert order.earliest_completion_at <= order.due_at < order.completion_at
            assert order.queued_minutes and order.queued_minutes > 0
        else:
            assert order.due_at < order.earliest_completion_at or order.due_at <= START


def test_the_dispatch_list_of_a_shift_holds_the_operations_running_in_it_in_order(scheduled: PlantOps) -> None:
    listing = dispatch.dispatch_list(scheduled.uow(), "WELD", day=dt.date(2026, 11, 23), shift="DAY")

    assert listing.shift == "day"
    assert listing.starts_at == dt.datetime(2026, 11, 23, 6, tzinfo=BERLIN)
    starts = [line.starts_at for line in listing.lines]
    assert starts == sorted(starts) and listing.lines
    assert all(line.starts_at < listing.ends_at and line.ends_at > listing.starts_at for line in listing.lines)
    every = [op for op in queries.sequences(scheduled.uow(), work_center="WELD")[0].operations]
    inside = [op for op in every if op.starts_at < listing.ends_at and op.ends_at > listing.starts_at]
    assert len(inside) == len(listing.lines)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        (
            {"day": TUESDAY, "shift": "night"},
            "shift",
            "WELD has no shift 'night' on Tuesday 2026-11-24; its shifts: day",
        ),
        ({"starts_at": dt.datetime(2026, 11, 24, 14), "ends_at": dt.datetime(2026, 11, 24, 6)}, "to", "is not after"),
        ({"shift": "day"}, "shift", "a shift needs a date"),
    ],
)
def test_a_dispatch_list_for_a_shift_the_calendar_lacks_or_a_backward_window_is_refused(
    scheduled: PlantOps, kwargs: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        dispatch.dispatch_list(scheduled.uow(), "WELD", **kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_non_working_time_covers_nights_breaks_weekends_and_downtimes(scheduled: PlantOps) -> None:
    runs.disrupt(
        scheduled.uow(),
        "SAW",
        starts_at=dt.datetime(2026, 11, 24, 7),
        ends_at=dt.datetime(2026, 11, 24, 8),
        now=NOW,
        time_limit_s=5,
    )
    start = dt.datetime(2026, 11, 23, 0, tzinfo=BERLIN)

    spans = worktime.non_working_time(scheduled.uow(), ["SAW"], start, start + dt.timedelta(days=7))

    off = [(s.starts_at.astimezone(BERLIN), s.ends_at.astimezone(BERLIN)) for s in spans if not s.down]
    assert off[0] == (start, start.replace(hour=6))  # Monday night
    assert (start.replace(hour=10), start.replace(hour=10, minute=30)) in off  # the break
    assert off[-1] == (dt.datetime(2026, 11, 27, 14, tzinfo=BERLIN), start + dt.timedelta(days=7))  # the weekend
    down = [(s.starts_at, s.ends_at) for s in spans if s.down]
    assert down == [(dt.datetime(2026, 11, 24, 7, tzinfo=BERLIN), dt.datetime(2026, 11, 24, 8, tzinfo=BERLIN))]
