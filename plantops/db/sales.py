"""Customers, sales orders, sales history and the demand forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import OrderStatus


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class SalesOrder(Base):
    __tablename__ = "sales_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"))
    order_date: Mapped[dt.date]


class SalesOrderLine(Base):
    """Demand for ``quantity - shipped_quantity`` of an item on ``due_date``.

    Lower ``priority`` numbers are served first.
    """

    __tablename__ = "sales_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0", name="shipped_nonnegative"),
        Index("ix_sales_order_line_item_due", "item_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    shipped_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    due_date: Mapped[dt.date]
    priority: Mapped[int] = mapped_column(default=5)


class SalesHistory(Base):
    """Quantity of an item shipped from a site in the week starting ``period_start``."""

    __tablename__ = "sales_history"
    __table_args__ = (
        UniqueConstraint("item_id", "site_id", "period_start"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    period_start: Mapped[dt.date]
    quantity: Mapped[Decimal]


class DemandForecast(Base):
    """Forecast demand of an item at a site for the period starting ``period_start``."""

    __tablename__ = "demand_forecast"
    __table_args__ = (
        UniqueConstraint("item_id", "site_id", "period_start"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    period_start: Mapped[dt.date]
    quantity: Mapped[Decimal]
