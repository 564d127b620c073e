"""Transfer orders: stock sent from one site to another, shipped and received in parts.

A line ships from a location of the source site into the destination site's in-transit
location (``LocationKind.TRANSIT``) and is received from there into a location of the
destination, each as a stock posting whose document is the order's number, so the ledger
says which lots travel on which order. ``shipped_quantity`` and ``received_quantity``
are updated in the transaction that posts the move.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import OrderStatus


class TransferOrder(Base):
    """An order to move stock from ``from_site`` to ``to_site``: ship by ``ship_date``, receive by ``due_date``.

    ``planned_order`` is the number of the planned transfer it was released from, if any.
    """

    __tablename__ = "transfer_order"
    __table_args__ = (
        CheckConstraint("from_site_id <> to_site_id", name="sites_differ"),
        CheckConstraint("due_date >= ship_date", name="due_after_ship"),
        Index("ix_transfer_order_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    to_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"))
    order_date: Mapped[dt.date]
    ship_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    planned_order: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class TransferOrderLine(Base):
    """An item to transfer: ``quantity`` ordered, how much has left the source and how much has arrived."""

    __tablename__ = "transfer_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= shipped_quantity AND shipped_quantity <= quantity",
            name="received_within_shipped",
        ),
        Index("ix_transfer_order_line_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("transfer_order.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    shipped_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    received_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
