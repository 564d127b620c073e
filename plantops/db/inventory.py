"""The stock ledger: lots, postings, append-only moves and the balances they maintain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Money, enum_column
from plantops.vocabulary import CountStatus, MoveType, ReservationStatus

#: Ledger rows grow without bound: 64-bit keys (SQLite's rowid is already 64-bit).
LedgerId = BigInteger().with_variant(Integer(), "sqlite")


class Lot(Base):
    """A lot or serial number of an item, unique per item."""

    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("item_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    code: Mapped[str] = mapped_column(String(64))
    expiry_date: Mapped[dt.date | None]


class StockPosting(Base):
    """One business event that moved stock (a receipt, a transfer, an import).

    A posting carrying an ``idempotency_key`` is posted at most once.
    """

    __tablename__ = "stock_posting"

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    posted_at: Mapped[dt.datetime]
    posted_by: Mapped[str] = mapped_column(String(64))
    source_document: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    reverses_posting_id: Mapped[int | None] = mapped_column(ForeignKey("stock_posting.id"), unique=True)


class StockMove(Base):
    """A signed change of on-hand at one (item, location, lot). Never updated or deleted.

    ``effective_at`` is when the stock physically moved (it may be in the past);
    ``unit_cost`` values the move.
    """

    __tablename__ = "stock_move"
    __table_args__ = (Index("ix_stock_move_item_effective", "item_id", "effective_at"),)

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("stock_posting.id"), index=True)
    move_type: Mapped[MoveType] = mapped_column(enum_column(MoveType, "move_type"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    quantity: Mapped[Decimal]
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    effective_at: Mapped[dt.datetime]


class StockMoveCost(Base):
    """The cost a receipt turned out to have (the supplier's invoiced price), which valuation reads
    instead of the move's own ``unit_cost``; the move itself is never changed."""

    __tablename__ = "stock_move_cost"
    __table_args__ = (CheckConstraint("unit_cost >= 0", name="cost_nonnegative"),)

    move_id: Mapped[int] = mapped_column(LedgerId, ForeignKey("stock_move.id"), primary_key=True)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    document: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime]
    set_by: Mapped[str] = mapped_column(String(64))


class StockBalance(Base):
    """On-hand and reserved per (item, location, lot), kept in step with the moves."""

    __tablename__ = "stock_balance"
    __table_args__ = (
        Index(
            "uq_stock_balance_item_location_lot",
            "item_id",
            "location_id",
            text("coalesce(lot_id, 0)"),
            unique=True,
        ),
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    on_hand: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(default=Decimal(0))


class StockReservation(Base):
    """Stock set aside at one balance (item, location, lot) for a document (sales order, work order).

    ``quantity`` was reserved; ``reserved_quantity`` is what is still set aside after
    the issues against the reservation.
    """

    __tablename__ = "stock_reservation"
    __table_args__ = (
        CheckConstraint("reserved_quantity >= 0 AND reserved_quantity <= quantity", name="reserved_range"),
        Index("ix_stock_reservation_document", "document"),
    )

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    balance_id: Mapped[int] = mapped_column(ForeignKey("stock_balance.id"), index=True)
    document: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal]
    reserved_quantity: Mapped[Decimal]
    status: Mapped[ReservationStatus] = mapped_column(enum_column(ReservationStatus, "reservation_status"))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class LotLink(Base):
    """Genealogy: ``quantity`` of ``consumed_lot`` went into ``produced_lot`` in a posting."""

    __tablename__ = "lot_link"
    __table_args__ = (UniqueConstraint("posting_id", "consumed_lot_id", "produced_lot_id"),)

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("stock_posting.id"))
    consumed_lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    produced_lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    quantity: Mapped[Decimal]


class CycleCount(Base):
    """A count list: which balances to count, what the ledger expected, what was found."""

    __tablename__ = "cycle_count"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[CountStatus] = mapped_column(enum_column(CountStatus, "count_status"))
    created_at: Mapped[dt.datetime]
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("stock_posting.id"))


class CycleCountLine(Base):
    __tablename__ = "cycle_count_line"
    __table_args__ = (UniqueConstraint("count_id", "item_id", "location_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("cycle_count.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    expected_quantity: Mapped[Decimal]
    counted_quantity: Mapped[Decimal | None]
