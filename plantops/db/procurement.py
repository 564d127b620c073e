"""Suppliers, what they supply at which price, and open purchase orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Money, enum_column
from plantops.vocabulary import OrderStatus


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")


class SupplierItem(Base):
    """An item a supplier delivers: its part code, lead time and order rules.

    ``rank`` 1 is the preferred source; higher ranks are fall-backs.
    """

    __tablename__ = "supplier_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    supplier_part_code: Mapped[str | None] = mapped_column(String(64))
    lead_time_days: Mapped[Decimal]
    min_order_quantity: Mapped[Decimal | None]
    order_multiple: Mapped[Decimal | None]
    rank: Mapped[int] = mapped_column(default=1)


class PriceBreak(Base):
    """From ``min_quantity`` on, the supplier charges ``unit_price`` (all-units)."""

    __tablename__ = "price_break"
    __table_args__ = (
        UniqueConstraint("supplier_item_id", "min_quantity"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_item_id: Mapped[int] = mapped_column(ForeignKey("supplier_item.id", ondelete="CASCADE"))
    min_quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal] = mapped_column(Money)


class PurchaseOrder(Base):
    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"))
    order_date: Mapped[dt.date]


class PurchaseOrderLine(Base):
    """An open line is a scheduled receipt of ``quantity - received_quantity``."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received_quantity >= 0", name="received_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    received_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    due_date: Mapped[dt.date]
