"""Plan runs of material requirements planning, and what each run planned.

A run and everything it planned are written in one transaction; the plan in force is
the newest completed run, so a run that fails or is interrupted leaves the previous
plan in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement


class PlanRun(Base):
    """One run of the planner: its horizon, buckets and settings (JSON), when and by whom."""

    __tablename__ = "plan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    run_by: Mapped[str] = mapped_column(String(64))
    horizon_start: Mapped[dt.date]
    bucket_starts: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    settings: Mapped[str] = mapped_column(Text)  # JSON of the planning settings used


class PlannedOrder(Base):
    """A proposal to make, buy or transfer ``quantity`` of an item, due at a site.

    Planned orders, MRP records and exceptions are a run's output, written by the
    million from master data the run has just read: only their run is a foreign key
    (checking every reference of every row would multiply the write time for nothing).

    Firm orders are kept as they are by later runs; released orders became a purchase
    order, work order or transfer (``released_as``).
    """

    __tablename__ = "planned_order"
    __table_args__ = (
        UniqueConstraint("run_id", "number"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_planned_order_run_item", "run_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column()
    site_id: Mapped[int] = mapped_column()
    kind: Mapped[Procurement] = mapped_column(enum_column(Procurement, "procurement"))
    quantity: Mapped[Decimal]
    release_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    bom_id: Mapped[int | None] = mapped_column()
    supplier_id: Mapped[int | None] = mapped_column()
    source_site_id: Mapped[int | None] = mapped_column()
    driver_item_id: Mapped[int | None] = mapped_column()
    status: Mapped[PlannedOrderStatus] = mapped_column(enum_column(PlannedOrderStatus, "planned_order_status"))
    released_as: Mapped[str | None] = mapped_column(String(32))


class MrpRecord(Base):
    """The time-phased record of an item at a site in a run: the six rows of the textbook
    MRP table (gross requirements, scheduled receipts, projected on hand, net
    requirements, planned order receipts, planned order releases), one value per bucket,
    as zlib-compressed little-endian float64 (a few hundred bytes for a year of weeks)."""

    __tablename__ = "mrp_record"
    __table_args__ = (UniqueConstraint("run_id", "item_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column()
    site_id: Mapped[int] = mapped_column()
    low_level_code: Mapped[int]
    rows: Mapped[bytes] = mapped_column(LargeBinary)


class PlanException(Base):
    """A message to the planner: expedite, defer, cancel, past due, below safety stock, late demand.

    The facts only (what, where, when, how much, why); the sentence is written when read.
    """

    __tablename__ = "plan_exception"
    __table_args__ = (Index("ix_plan_exception_run_kind", "run_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_run.id", ondelete="CASCADE"))
    kind: Mapped[PlanExceptionKind] = mapped_column(enum_column(PlanExceptionKind, "plan_exception_kind"))
    item_id: Mapped[int] = mapped_column()
    site_id: Mapped[int] = mapped_column()
    date: Mapped[dt.date]
    quantity: Mapped[Decimal]
    need_date: Mapped[dt.date | None]
    cause: Mapped[str | None] = mapped_column(String(32))
    days_late: Mapped[int] = mapped_column(default=0)
    document: Mapped[str] = mapped_column(String(64), default="")
