"""Plan runs of material requirements planning, and what each run planned.

A run and everything it planned are written in one transaction; the plan in force is
the newest completed run, so a run that fails or is interrupted leaves the previous
plan in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
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
    #: How many planned orders the run wrote, firm orders it carried included (None: runs before it was kept).
    order_count: Mapped[int | None]


class PlannedOrder(Base):
    """A proposal to make, buy or transfer ``quantity`` of an item, due at a site.

    Planned orders, MRP records and exceptions are a run's output, written by the
    million from master data the run has just read. They are keyed by their run and
    their position in it, and carry no foreign-key constraints: at three million planned
    orders, checking each row's run, drawing ids from a sequence and keeping an index on
    items cost four fifths of the write. The run row is written first, in the same
    transaction. An item's planned orders in a run are the contiguous positions its MRP
    record names (``MrpRecord.first_order``, ``order_count``); orders a planner firmed or
    released are indexed on their own (few, and looked up by number).

    A planned order's number is ``P<run>-<position>``; firm orders are kept as they are
    by later runs, which carry them with their number unchanged. Released orders became
    a purchase order or work order (``released_as``).
    """

    __tablename__ = "planned_order"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index(
            "ix_planned_order_kept",
            "run_id",
            "item_id",
            postgresql_where=text("status <> 'planned'"),
            sqlite_where=text("status <> 'planned'"),
        ),
    )

    run_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
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
    first_order: Mapped[int] = mapped_column(default=0)  # position of its first planned order in the run
    order_count: Mapped[int] = mapped_column(default=0)  # how many planned orders the run made for it


class PlanException(Base):
    """A message to the planner: expedite, defer, cancel, past due, below safety stock, late demand.

    The facts only (what, where, when, how much, why); the sentence is written when read.
    An exception is numbered ``E<run>-<position>``.
    """

    __tablename__ = "plan_exception"
    __table_args__ = (Index("ix_plan_exception_run_kind", "run_id", "kind"),)

    run_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # no constraint: see PlannedOrder
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[PlanExceptionKind] = mapped_column(enum_column(PlanExceptionKind, "plan_exception_kind"))
    item_id: Mapped[int] = mapped_column()
    site_id: Mapped[int] = mapped_column()
    date: Mapped[dt.date]
    quantity: Mapped[Decimal]
    need_date: Mapped[dt.date | None]
    cause: Mapped[str | None] = mapped_column(String(32))
    days_late: Mapped[int] = mapped_column(default=0)
    document: Mapped[str] = mapped_column(String(64), default="")
    # what ``document`` is: a purchase order line, a work order, a firm planned order (scheduled receipts)
    # or a planned order of the run; and a scheduled receipt's due date as the run saw it
    document_kind: Mapped[str | None] = mapped_column(String(16))
    document_due: Mapped[dt.date | None]
    demand: Mapped[str | None] = mapped_column(String(64))  # the sales order line or forecast made late
