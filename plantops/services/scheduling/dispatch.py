"""A work center's dispatch list: its operations in the schedule in force, in the order they start, for
one shift of a day (from its calendar), a whole day, or a time window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.catalog import Item
from plantops.db.scheduling import ScheduledOperation, ScheduledOrder
from plantops.db.session import UnitOfWork
from plantops.db.sites import CalendarShift, Site, WorkCenter
from plantops.errors import NotFoundError, ValidationError
from plantops.services.scheduling.runs import NoScheduleError, aware, schedule_in_force
from plantops.vocabulary import ScheduledOrderSource, ShiftKind

RECORD = "dispatch list"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DispatchLine:
    """One operation to run: ``unit`` counts from 1, ``started`` ones go on where they are."""

    order: str
    source: ScheduledOrderSource
    item: str
    sequence: int
    operation: str
    quantity: Decimal
    unit: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    setup_minutes: int
    started: bool


@dataclass(frozen=True)
class DispatchList:
    """The operations of ``work_center`` that run within ``[starts_at, ends_at)`` (its site's ``time_zone``)."""

    work_center: str
    name: str
    time_zone: str
    units: int
    schedule: str
    shift: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    lines: list[DispatchLine]


def dispatch_list(
    uow: UnitOfWork,
    work_center: str,
    *,
    day: dt.date | None = None,
    shift: str | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> DispatchList:
    """The dispatch list of ``work_center`` for ``shift`` (its name in the calendar, any case) of ``day``, all
    of ``day``, or from ``starts_at`` to ``ends_at`` (without a zone: the site's local time)."""
    with uow:
        session = uow.session
        run = schedule_in_force(session)
        if run is None:
            raise NoScheduleError()
        center = session.execute(
            select(WorkCenter.id, WorkCenter.name, WorkCenter.calendar_id, WorkCenter.parallel_units, Site.time_zone)
            .join(Site, Site.id == WorkCenter.site_id)
            .where(WorkCenter.code == work_center)
        ).first()
        if center is None:
            raise NotFoundError("work center", work_center)
        zone = ZoneInfo(center.time_zone)
        shift_name = ""
        if day is not None:
            if starts_at is not None or ends_at is not None:
                raise ValidationError(RECORD, "date", "give a date (and shift) or a time window, not both")
            bounds.check_date(RECORD, "date", day)
            if shift:
                shift_name, start, end = _shift(session, center.calendar_id, work_center, day, shift, zone)
            else:
                start = dt.datetime.combine(day, dt.time(0), zone)
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)
        else:
            if shift:
                raise ValidationError(RECORD, "shift", "a shift needs a date")
            if starts_at is None or ends_at is None:
                raise ValidationError(RECORD, "date", "give a date (and shift) or a time window (from and to)")
            start, end = aware(starts_at, center.time_zone), aware(ends_at, center.time_zone)
            for name, moment in (("from", start), ("to", end)):
                bounds.check_date(RECORD, name, moment)
            if end <= start:
                raise ValidationError(RECORD, "to", f"{end.isoformat()} is not after from ({start.isoformat()})")
        lines = [
            DispatchLine(*row[:6], row.unit + 1, *row[7:])
            for row in session.execute(
                select(
                    ScheduledOrder.number,
                    ScheduledOrder.source,
                    Item.code,
                    ScheduledOperation.sequence,
                    ScheduledOperation.name,
                    ScheduledOrder.quantity,
                    ScheduledOperation.unit,
                    ScheduledOperation.starts_at,
                    ScheduledOperation.ends_at,
                    ScheduledOperation.setup_minutes,
                    ScheduledOperation.frozen,
                )
                .join(ScheduledOrder, ScheduledOrder.id == ScheduledOperation.order_id)
                .join(Item, Item.id == ScheduledOrder.item_id)
                .where(
                    ScheduledOperation.run_id == run.id,
                    ScheduledOperation.work_center_id == center.id,
                    ScheduledOperation.starts_at < end,
                    ScheduledOperation.ends_at > start,
                )
                .order_by(ScheduledOperation.starts_at, ScheduledOperation.unit, ScheduledOrder.number)
            )
        ]
        return DispatchList(
            work_center, center.name, center.time_zone, center.parallel_units, run.number, shift_name, start, end, lines
        )


def shift_names(uow: UnitOfWork, work_center: str) -> list[str]:
    """The names of the shifts in ``work_center``'s calendar, on any weekday, in the order they start."""
    with uow:
        rows = uow.session.execute(
            select(CalendarShift.name, CalendarShift.start_time)
            .join(WorkCenter, WorkCenter.calendar_id == CalendarShift.calendar_id)
            .where(WorkCenter.code == work_center, CalendarShift.kind == ShiftKind.SHIFT, CalendarShift.name != "")
            .order_by(CalendarShift.start_time)
        )
        return list(dict.fromkeys(name for name, _ in rows))


def _shift(
    session: Session, calendar: int, work_center: str, day: dt.date, shift: str, zone: ZoneInfo
) -> tuple[str, dt.datetime, dt.datetime]:
    """The name, start and end of the shift named ``shift`` on ``day`` in the calendar, or what refuses it."""
    shifts = session.execute(
        select(CalendarShift.name, CalendarShift.start_time, CalendarShift.end_time)
        .where(
            CalendarShift.calendar_id == calendar,
            CalendarShift.weekday == day.weekday(),
            CalendarShift.kind == ShiftKind.SHIFT,
        )
        .order_by(CalendarShift.start_time)
    ).all()
    for name, begins, ends in shifts:
        if name.casefold() == shift.strip().casefold():
            ends_on = day + dt.timedelta(days=1) if ends <= begins else day
            return name, dt.datetime.combine(day, begins, zone), dt.datetime.combine(ends_on, ends, zone)
    known = ", ".join(name or f"{begins:%H:%M}" for name, begins, _ in shifts) or "none"
    raise ValidationError(
        RECORD, "shift", f"{work_center} has no shift {shift!r} on {WEEKDAYS[day.weekday()]} {day}; its shifts: {known}"
    )
