"""Schedules: runs, the orders each run scheduled, and their operations on work centers.

A run and everything it scheduled are written in one transaction; the schedule in
force is the newest run, so a run that fails or is interrupted leaves the previous
schedule in force. A repair run (after a machine went down or a rush order came in)
names the run it repaired. Disruptions themselves are work center downtimes
(:class:`plantops.db.sites.WorkCenterDowntime`) and work orders.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import ScheduledOrderSource, ScheduleRunKind, ScheduleStatus


class ScheduleRun(Base):
    """One run of the scheduler over a horizon: settings (JSON), what the solver achieved, when and by whom.

    ``objective`` and ``bound`` are the solver's objective value and its best proven lower
    bound; ``moved_operations`` counts, for a repair, the operations that left their
    start or work center in the repaired run.
    """

    __tablename__ = "schedule_run"
    __table_args__ = (CheckConstraint("horizon_end > horizon_start", name="horizon_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[ScheduleRunKind] = mapped_column(enum_column(ScheduleRunKind, "schedule_run_kind"))
    repaired_run_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_run.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    run_by: Mapped[str] = mapped_column(String(64))
    horizon_start: Mapped[dt.datetime]
    horizon_end: Mapped[dt.datetime]
    settings: Mapped[str] = mapped_column(Text)  # JSON of the scheduling settings used
    status: Mapped[ScheduleStatus] = mapped_column(enum_column(ScheduleStatus, "schedule_status"))
    proven_optimal: Mapped[bool]
    objective: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    moved_operations: Mapped[int | None]


class ScheduledOrder(Base):
    """A work order or planned order as a run scheduled it: when it may start, when it is due,
    how much it weighs, and when it completes in the schedule (``lateness_minutes`` is
    negative when early)."""

    __tablename__ = "scheduled_order"
    __table_args__ = (
        UniqueConstraint("run_id", "source", "number"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("schedule_run.id", ondelete="CASCADE"))
    source: Mapped[ScheduledOrderSource] = mapped_column(enum_column(ScheduledOrderSource, "scheduled_order_source"))
    number: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    quantity: Mapped[Decimal]
    weight: Mapped[int]
    release_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    completion_at: Mapped[dt.datetime]
    lateness_minutes: Mapped[int]


class ScheduledOperation(Base):
    """One routing step of a scheduled order on the work center it runs on, in UTC.

    ``unit`` is which of the work center's parallel units runs it (from 0);
    ``setup_minutes`` is the sequence-dependent setup right before it on that unit;
    ``frozen`` operations had started and went on where they were; ``critical`` ones lie
    on the schedule's critical path.
    """

    __tablename__ = "scheduled_operation"
    __table_args__ = (
        UniqueConstraint("order_id", "sequence"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index("ix_scheduled_operation_run_work_center", "run_id", "work_center_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("schedule_run.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("scheduled_order.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"))
    unit: Mapped[int]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    setup_minutes: Mapped[int]
    frozen: Mapped[bool] = mapped_column(default=False)
    critical: Mapped[bool] = mapped_column(default=False)


class ScheduledWorkCenter(Base):
    """The load of a work center in a run: ``busy_minutes`` of setup and run time against the
    ``available_minutes`` of its calendar in the horizon (units x working minutes), and its
    ``utilisation`` from the horizon start to the end of the schedule's last operation."""

    __tablename__ = "scheduled_work_center"
    __table_args__ = (UniqueConstraint("run_id", "work_center_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("schedule_run.id", ondelete="CASCADE"))
    work_center_id: Mapped[int] = mapped_column(ForeignKey("work_center.id"))
    busy_minutes: Mapped[int]
    available_minutes: Mapped[int]
    utilisation: Mapped[float] = mapped_column(Float)
