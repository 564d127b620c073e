"""Schedule runs, repairs and their queries through the scheduling service, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.production import WorkOrder
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder, ScheduleRun
from plantops.db.sites import WorkCenter, WorkCenterDowntime
from plantops.engines.schedule import ScheduleResult
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.scheduling import queries, runs
from plantops.services.scheduling.runs import ScheduleFailedError, ScheduleRequest
from plantops.vocabulary import ScheduleRunKind, ScheduleStatus

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)  # Monday 06:00 in Berlin
FAST = {"time_limit_s": 5.0, "seed": 1}

#: A job shop on one day shift (06:00-14:00 Berlin, break 10:00-10:30, Monday to Friday): frames are
#: sawn (batches move on to welding five at a time) and welded by hand (two booths) or by the robot;
#: panels are painted on a line that runs at half the standard speed.
SHOP: dict[str, str] = {
    "units": "code,name,dimension,decimals\npcs,pieces,count,0\n",
    "sites": "code,name,kind,time_zone\nP1,Plant one,plant,Europe/Berlin\n",
    "calendars": "code,name\nDAY,Day shift\n",
    "calendar_shifts": "calendar,weekday,kind,start_time,end_time,name\n"
    + "".join(f"DAY,{d},shift,06:00,14:00,day\nDAY,{d},break,10:00,10:30,break\n" for d in range(5)),
    "work_centers": "code,name,site,calendar,parallel_units,efficiency,cost_per_hour\n"
    "SAW,Saw,P1,DAY,1,1,40\nWELD,Welding booths,P1,DAY,2,1,50\nROBOT,Welding robot,P1,DAY,1,1,80\n"
    "PAINT,Paint line,P1,DAY,1,0.5,60\n",
    "items": "code,name,item_type,unit,procurement,family\n"
    "FRAME,Frame,finished_good,pcs,make,frames\nRACK,Rack,finished_good,pcs,make,frames\n"
    "PANEL,Panel,finished_good,pcs,make,\nSTEEL,Steel,raw_material,pcs,buy,\n",
    "routings": "code,name,production_type\nR-FRAME,Frame,job_shop\nR-PAINT,Paint,batch\n",
    "routing_operations": "routing,sequence,name,work_center,setup_minutes,run_minutes,batch_size,transfer_quantity\n"
    "R-FRAME,10,Saw,SAW,20,6,,5\nR-FRAME,20,Weld,WELD,15,12,,\nR-PAINT,10,Paint,PAINT,10,3,,\n",
    "routing_alternatives": "routing,sequence,work_center,setup_minutes,run_minutes,priority\n"
    "R-FRAME,20,ROBOT,30,6,2\n",
    "boms": "code,item,quantity,routing,priority\nB-FRAME,FRAME,1,R-FRAME,1\nB-RACK,RACK,1,R-FRAME,1\n"
    "B-PANEL,PANEL,1,R-PAINT,1\n",
    "bom_components": "bom,line,item,quantity\nB-FRAME,1,STEEL,1\nB-RACK,1,STEEL,2\nB-PANEL,1,STEEL,1\n",
    "work_orders": "number,item,bom,site,status,quantity,completed_quantity,start_date,due_date\n"
    "WO-1,FRAME,B-FRAME,P1,released,20,0,2026-11-23,2026-11-25\n"
    "WO-2,RACK,B-RACK,P1,released,10,0,2026-11-23,2026-11-24\n"
    "WO-3,FRAME,B-FRAME,P1,in_progress,34,4,2026-11-24,2026-11-27\n"
    "WO-4,PANEL,B-PANEL,P1,released,40,0,2026-11-23,2026-11-26\n"
    "WO-5,PANEL,B-PANEL,P1,released,25,0,2026-11-23,2026-11-27\n"
    "WO-6,FRAME,B-FRAME,P1,planned,15,0,2026-11-23,2026-11-27\n"
    "WO-7,FRAME,B-FRAME,P1,completed,5,5,2026-11-20,2026-11-21\n",
}


@pytest.fixture
def shop(ops: PlantOps, tmp_path: Path) -> PlantOps:
    for name, body in SHOP.items():
        (tmp_path / f"{name}.csv").write_text(body, encoding="utf-8")
    master_data.import_path(ops.uow(), tmp_path, posted_by="tester")
    return ops


def _operations(ops: PlantOps) -> list[tuple[str, int, str, int, dt.datetime, dt.datetime, bool]]:
    """(order, sequence, work center, unit, start, end, frozen) of the schedule in force."""
    with ops.uow() as uow:
        run = uow.session.scalar(select(func.max(ScheduleRun.id)))
        return [
            tuple(row)  # type: ignore[misc]
            for row in uow.session.execute(
                select(
                    ScheduledOrder.number,
                    ScheduledOperation.sequence,
                    WorkCenter.code,
                    ScheduledOperation.unit,
                    ScheduledOperation.starts_at,
                    ScheduledOperation.ends_at,
                    ScheduledOperation.frozen,
                )
                .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
                .join(WorkCenter, WorkCenter.id == ScheduledOperation.work_center_id)
                .where(ScheduledOperation.run_id == run)
                .order_by(ScheduledOrder.number, ScheduledOperation.sequence)
            )
        ]


def _working(moment: dt.datetime, *, closing: bool = False) -> bool:
    """Whether the day shift works at ``moment`` (just before it, for an end)."""
    local = (moment - dt.timedelta(minutes=1) if closing else moment).astimezone(BERLIN)
    clock = local.time()
    return local.weekday() < 5 and (dt.time(6) <= clock < dt.time(10) or dt.time(10, 30) <= clock < dt.time(14))


def _working_minutes(start: dt.datetime, end: dt.datetime) -> int:
    minutes = int((end - start).total_seconds() // 60)
    return sum(_working(start + dt.timedelta(minutes=m)) for m in range(minutes))


def _assert_feasible(ops: PlantOps, units: dict[str, int]) -> None:
    """No unit runs two operations at once, every operation starts and ends in working time, steps follow each other."""
    found = _operations(ops)
    by_unit: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for _, _, center, unit, start, end, _ in found:
        assert 0 <= unit < units[center]
        by_unit[(center, unit)].append((start, end))
    for spans in by_unit.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    for order, sequence, _, _, start, end, frozen in found:
        assert frozen or _working(start), f"{order}/{sequence} starts outside working time at {start}"
        assert _working(end, closing=True), f"{order}/{sequence} ends outside working time at {end}"
    steps = defaultdict(list)
    for order, _, _, _, start, end, _ in found:
        steps[order].append((start, end))
    for spans in steps.values():
        for before, after in itertools.pairwise(spans):
            assert after[0] >= before[0] and after[1] >= before[1]


SHOP_UNITS = {"SAW": 1, "WELD": 2, "ROBOT": 1, "PAINT": 1}
FRAMES_LEFT = {"WO-1": 20, "WO-2": 10, "WO-3": 30}


def test_released_work_is_scheduled_on_the_calendar_within_capacity(shop: PlantOps) -> None:
    summary = runs.schedule_work(
        shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester"
    )

    found = _operations(shop)
    assert summary.number == "SCH-000001"
    assert summary.status in (ScheduleStatus.OPTIMAL, ScheduleStatus.FEASIBLE)
    # planned and completed work orders are not scheduled; each frame has two steps, a panel one
    assert sorted({order for order, *_ in found}) == ["WO-1", "WO-2", "WO-3", "WO-4", "WO-5"]
    assert (summary.orders, summary.operations) == (5, 8)
    _assert_feasible(shop, SHOP_UNITS)
    by_step = {(order, sequence): (center, start, end) for order, sequence, center, _, start, end, _ in found}
    # sawing 30 frames left of WO-3 takes 30 x 6 working minutes (its setup comes before it)
    _, start, end = by_step[("WO-3", 10)]
    assert _working_minutes(start, end) == 180
    # 40 panels x 3 minutes on a line at half speed
    _, start, end = by_step[("WO-4", 10)]
    assert _working_minutes(start, end) == 240
    # WO-3 is released on Tuesday (local midnight)
    assert by_step[("WO-3", 10)][1] >= dt.datetime(2026, 11, 24, tzinfo=BERLIN)


def test_welding_may_start_once_the_first_transfer_batch_is_sawn(shop: PlantOps) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")

    by_step = {(order, sequence): (start, end) for order, sequence, _, _, start, end, _ in _operations(shop)}
    for order in ("WO-1", "WO-2", "WO-3"):
        (saw_start, saw_end), (weld_start, weld_end) = by_step[(order, 10)], by_step[(order, 20)]
        # frames move on five at a time: welding starts after the first five are sawn (30 minutes),
        # no earlier than the last 15 frames' sawing time before the sawing ends, and ends after it
        assert weld_start >= saw_start + dt.timedelta(minutes=30)
        assert weld_start >= saw_end - dt.timedelta(minutes=(FRAMES_LEFT[order] - 5) * 6)
        assert weld_end >= saw_end


def test_queries_give_sequences_late_orders_loads_and_a_gantt_chart(shop: PlantOps) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")

    run = queries.run_in_force(shop.uow())
    [paint] = queries.sequences(shop.uow(), work_center="PAINT")
    everything = queries.sequences(shop.uow())
    late = queries.late_orders(shop.uow())
    critical = queries.critical_path(shop.uow())
    chart = queries.gantt(paint, start=START, end=START + dt.timedelta(days=2), width=48)

    assert (run.number, run.kind, run.run_by) == ("SCH-000001", ScheduleRunKind.SCHEDULE, "tester")
    assert [op.order for op in paint.operations] == sorted(
        (op.order for op in paint.operations), key=lambda o: next(p.starts_at for p in paint.operations if p.order == o)
    )
    assert {op.order for op in paint.operations} == {"WO-4", "WO-5"}
    # 65 panels x 6 minutes and the setup of the second panel order, if any, of 450 x 5 working days
    assert paint.busy_minutes >= 390 and paint.available_minutes == 5 * 450
    assert 0 < paint.load < 1
    assert {s.work_center for s in everything} <= set(SHOP_UNITS)
    assert all(order.lateness_minutes > 0 for order in late)
    assert critical and all(op.critical for op in critical)
    assert len(chart.rows) == 1 and len(chart.rows[0]) == 48
    assert {op.order for op in chart.legend.values()} == {"WO-4", "WO-5"}
    assert chart.rows[0][0] != "."  # the line starts painting at 06:00 on Monday


def test_a_failed_run_leaves_the_previous_schedule_in_force(shop: PlantOps, monkeypatch: pytest.MonkeyPatch) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")
    before = _operations(shop)

    def no_schedule(problem, settings):  # type: ignore[no-untyped-def]
        return ScheduleResult.without_schedule(
            ScheduleStatus.UNKNOWN,
            "no schedule found within the time limit",
            operations=len(problem.operations),
            jobs=len(problem.jobs),
            resources=len(problem.resources),
            wall_time_s=0.0,
        )

    monkeypatch.setattr(runs, "solve", no_schedule)
    with pytest.raises(ScheduleFailedError, match="within the time limit"):
        runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)
    with pytest.raises(ScheduleFailedError):
        runs.disrupt(shop.uow(), "SAW", starts_at=START, ends_at=START + dt.timedelta(hours=2), now=START, **FAST)
    monkeypatch.undo()

    def broken_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "bulk_insert", broken_write)
    with pytest.raises(RuntimeError):
        runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)

    assert queries.run_in_force(shop.uow()).number == "SCH-000001"
    assert _operations(shop) == before
    with shop.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ScheduleRun)) == 1
        assert uow.session.scalar(select(func.count()).select_from(WorkCenterDowntime)) == 0


def test_a_machine_down_moves_what_it_must_and_keeps_the_rest_in_place(shop: PlantOps) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")
    before = {(order, sequence): (center, start) for order, sequence, center, _, start, _, _ in _operations(shop)}
    first_saw = min(start for center, start in before.values() if center == "SAW")
    down_from, down_to = first_saw, first_saw + dt.timedelta(hours=3)

    summary = runs.disrupt(
        shop.uow(), "SAW", starts_at=down_from, ends_at=down_to, reason="blade broke", now=START, **FAST
    )

    after = {(order, sequence): (center, start) for order, sequence, center, _, start, _, _ in _operations(shop)}
    moved = {key for key in before if before[key] != after[key]}
    assert summary.kind == ScheduleRunKind.REPAIR and summary.number == "SCH-000002"
    assert len(summary.moves) == len(moved) >= 1
    assert {(m.order, m.sequence) for m in summary.moves} == moved
    # nothing starts on the saw while it is down, and the paint line (no link to the saw) is untouched
    assert not any(center == "SAW" and down_from <= start < down_to for center, start in after.values())
    assert all(before[key] == after[key] for key in before if before[key][0] == "PAINT")
    _assert_feasible(shop, SHOP_UNITS)
    run = queries.run_in_force(shop.uow())
    assert run.moved_operations == len(moved) and "SAW down" in run.reason and "blade broke" in run.reason
    with shop.uow() as uow:
        assert uow.session.scalar(select(WorkCenterDowntime.reason)) == "blade broke"


def test_a_rush_order_is_released_weighted_and_scheduled_around(shop: PlantOps) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")

    summary = runs.rush_order(
        shop.uow(), "PANEL", Decimal(10), due=dt.date(2026, 11, 23), number="WO-RUSH", now=START, **FAST
    )
    again = runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)

    found = _operations(shop)
    assert summary.kind == ScheduleRunKind.REPAIR
    assert [o for o, *_ in found].count("WO-RUSH") == 1
    with shop.uow() as uow:
        wo = uow.session.execute(select(WorkOrder.quantity, WorkOrder.due_date).where(WorkOrder.number == "WO-RUSH"))
        assert wo.one() == (Decimal(10), dt.date(2026, 11, 23))
        weights = dict(
            uow.session.execute(
                select(ScheduledOrder.number, ScheduledOrder.weight)
                .join(ScheduleRun, ScheduleRun.id == ScheduledOrder.run_id)
                .where(ScheduleRun.number == again.number)
            ).all()
        )
    assert weights["WO-RUSH"] == runs.RUSH_WEIGHT and weights["WO-4"] == 1  # later runs keep its weight
    _assert_feasible(shop, SHOP_UNITS)


def test_started_operations_go_on_where_they_are_and_finished_ones_drop_out(shop: PlantOps) -> None:
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START, run_by="tester")
    first = {(o, s): (c, start, end) for o, s, c, _, start, end, _ in _operations(shop)}
    running = min(
        ((key, value) for key, value in first.items() if value[2] - value[1] > dt.timedelta(hours=1)),
        key=lambda kv: kv[1][1],
    )
    (order, sequence), (center, started, _) = running
    later = started + dt.timedelta(minutes=30)

    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=later, weeks=1, **FAST), now=later)

    second = {(o, s): (c, start, end, frozen) for o, s, c, _, start, end, frozen in _operations(shop)}
    assert second[(order, sequence)][:2] == (center, started) and second[(order, sequence)][3]
    done = {key for key, (_, _, end) in first.items() if end <= later}
    assert not done & set(second)
    assert all(start >= later for key, (_, start, _, frozen) in second.items() if not frozen)


def test_nothing_new_starts_before_the_moment_of_scheduling(shop: PlantOps) -> None:
    midnight = dt.datetime(2026, 11, 23, tzinfo=BERLIN)
    mid_morning = dt.datetime(2026, 11, 23, 9, 21, 30, tzinfo=BERLIN)
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)
    first = {(o, s): (start, end) for o, s, _, _, start, end, _ in _operations(shop)}
    started = {key for key, (start, end) in first.items() if start < mid_morning < end}

    summary = runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=midnight, weeks=1, **FAST), now=mid_morning)

    second = {(o, s): (start, frozen) for o, s, _, _, start, _, frozen in _operations(shop)}
    run = queries.run_in_force(shop.uow())
    assert started, "the first schedule has an operation running at 09:21"
    assert run.horizon_start == dt.datetime(2026, 11, 23, 9, 22, tzinfo=BERLIN)
    # what was running at 09:21 keeps its actual start; nothing else starts before 09:22
    assert all(second[key] == (first[key][0], True) for key in started)
    assert all(start >= run.horizon_start for key, (start, frozen) in second.items() if key not in started)
    assert summary.operations == len(second)


def test_bad_input_names_the_field_and_changes_nothing(shop: PlantOps) -> None:
    with pytest.raises(runs.NoScheduleError):
        runs.disrupt(shop.uow(), "SAW", starts_at=START, ends_at=START + dt.timedelta(hours=1), now=START)
    with pytest.raises(ValidationError, match="weeks"):
        runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=0))
    with pytest.raises(ValidationError, match="horizon_start"):
        runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START.replace(tzinfo=None)))
    runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)
    with pytest.raises(NotFoundError, match="work center 'LASER'"):
        runs.disrupt(shop.uow(), "LASER", starts_at=START, ends_at=START + dt.timedelta(hours=1), now=START)
    with pytest.raises(ValidationError, match="disruption: to"):
        runs.disrupt(shop.uow(), "SAW", starts_at=START, ends_at=START, now=START)
    with pytest.raises(ValidationError, match="rush order: item: STEEL has no BOM"):
        runs.rush_order(shop.uow(), "STEEL", Decimal(1), due=dt.date(2026, 11, 30), now=START)
    with pytest.raises(ValidationError, match="rush order: number: work order WO-1 already exists"):
        runs.rush_order(shop.uow(), "PANEL", Decimal(1), due=dt.date(2026, 11, 30), number="WO-1", now=START)
    with pytest.raises(NotFoundError, match="work center 'LASER'"):
        queries.sequences(shop.uow(), work_center="LASER")

    with shop.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ScheduleRun)) == 1
        assert uow.session.scalar(select(func.count()).select_from(WorkCenterDowntime)) == 0
        assert uow.session.scalar(select(func.count()).select_from(WorkOrder)) == 7


def test_work_that_does_not_fit_the_horizon_is_refused_with_the_reason(shop: PlantOps) -> None:
    with shop.uow() as uow:
        uow.session.add(
            WorkOrder(
                number="WO-BIG",
                item_id=uow.session.scalar(select(Item.id).where(Item.code == "PANEL")),
                bom_id=None,
                site_id=1,
                status="released",
                quantity=Decimal(5000),
                completed_quantity=Decimal(0),
                start_date=dt.date(2026, 11, 23),
                due_date=dt.date(2026, 11, 30),
            )
        )
        uow.commit()

    with pytest.raises(ValidationError, match=r"WO-BIG.*: 30000 minutes .*exceed the horizon") as refused:
        runs.schedule_work(shop.uow(), ScheduleRequest(horizon_start=START, weeks=1, **FAST), now=START)
    assert "WO-BIG" in refused.value.record  # 5,000 panels take 30,000 minutes: the order named, not a solver status
    with shop.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ScheduleRun)) == 0
