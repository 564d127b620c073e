"""The stock ledger: lots, postings, append-only moves and the balances they maintain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Money, enum_column
from plantops.vocabulary import MoveType

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    on_hand: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(default=Decimal(0))
