"""The demo plant's released work and MRP plan scheduled on its calendars, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Bom
from plantops.db.planning import PlannedOrder
from plantops.db.production import WorkOrder
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder
from plantops.db.sites import Calendar, WorkCenter, WorkCenterDowntime
from plantops.services import demo
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.runs import run_plan
from plantops.services.scheduling import runs
from plantops.services.scheduling.runs import ScheduleRequest
from plantops.vocabulary import Procurement, ScheduledOrderSource, WorkOrderStatus

TODAY = dt.date(2026, 11, 23)  # a Monday
START = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
WEEKS = 3
BERLIN = ZoneInfo("Europe/Berlin")
#: The bike plant's day shifts (BIKE-2SHIFT): 06:00-22:00 Monday to Friday less four breaks.
TWO_SHIFTS = ((dt.time(6), dt.time(9, 30)), (dt.time(9, 45), dt.time(12)), (dt.time(12, 30), dt.time(17, 30)))
TWO_SHIFTS += ((dt.time(17, 45), dt.time(19, 30)), (dt.time(20), dt.time(22)))


def _in_two_shifts(moment: dt.datetime, *, closing: bool) -> bool:
    local = (moment - dt.timedelta(minutes=1) if closing else moment).astimezone(BERLIN)
    return local.weekday() < 5 and any(a <= local.time() < b for a, b in TWO_SHIFTS)


def test_the_demo_plants_work_and_plan_are_scheduled_on_their_calendars(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=TODAY, seed=42)
    run_plan(ops.uow(), PlanRequest(start=TODAY, weeks=8), run_by="tester")

    summary = runs.schedule_work(
        ops.uow(),
        ScheduleRequest(horizon_start=START, weeks=WEEKS, time_limit_s=4.0, seed=1),
        now=START,
        run_by="tester",
    )

    horizon_end = START + dt.timedelta(weeks=WEEKS)
    with ops.uow() as uow:
        session = uow.session
        routed = {b for b, r in session.execute(select(Bom.id, Bom.routing_id)) if r is not None}
        released = {
            number
            for number, bom in session.execute(
                select(WorkOrder.number, WorkOrder.bom_id).where(
                    WorkOrder.status.in_((WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS))
                )
            )
            if bom in routed
        }
        planned = {
            number
            for number, bom, release in session.execute(
                select(PlannedOrder.number, PlannedOrder.bom_id, PlannedOrder.release_date).where(
                    PlannedOrder.kind == Procurement.MAKE
                )
            )
            if bom in routed and dt.datetime.combine(release, dt.time(0), BERLIN) < horizon_end
        }
        scheduled = defaultdict(set)
        for source, number in session.execute(select(ScheduledOrder.source, ScheduledOrder.number)):
            scheduled[source].add(number)
        operations = session.execute(
            select(
                ScheduledOrder.number,
                ScheduledOperation.sequence,
                WorkCenter.code,
                WorkCenter.parallel_units,
                Calendar.code,
                ScheduledOperation.unit,
                ScheduledOperation.starts_at,
                ScheduledOperation.ends_at,
            )
            .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
            .join(WorkCenter, WorkCenter.id == ScheduledOperation.work_center_id)
            .join(Calendar, Calendar.id == WorkCenter.calendar_id)
            .order_by(ScheduledOrder.number, ScheduledOperation.sequence)
        ).all()
        downtimes = defaultdict(list)
        for center, begins, ends in session.execute(
            select(WorkCenter.code, WorkCenterDowntime.starts_at, WorkCenterDowntime.ends_at).join(
                WorkCenter, WorkCenter.id == WorkCenterDowntime.work_center_id
            )
        ):
            downtimes[center].append((begins, ends))

    assert released and planned
    assert scheduled[ScheduledOrderSource.WORK_ORDER] == released
    assert scheduled[ScheduledOrderSource.PLANNED_ORDER] == planned
    assert summary.operations == len(operations)
    by_unit = defaultdict(list)
    by_order = defaultdict(list)
    for order, _, center, units, calendar, unit, start, end in operations:
        assert 0 <= unit < units
        by_unit[(center, unit)].append((start, end))
        by_order[order].append((start, end))
        assert start >= START and end <= START + dt.timedelta(weeks=2 * WEEKS)
        if calendar == "BIKE-2SHIFT":
            assert _in_two_shifts(start, closing=False) and _in_two_shifts(end, closing=True), (order, center, start)
        for down_from, down_to in downtimes[center]:
            assert not down_from <= start < down_to and not down_from < end <= down_to
    for spans in by_unit.values():
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(sorted(spans)))
    for spans in by_order.values():
        assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in itertools.pairwise(spans))
