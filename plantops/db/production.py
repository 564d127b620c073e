"""Work orders: what is being made, so that planning counts it as a scheduled receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import WorkOrderStatus


class WorkOrder(Base):
    __tablename__ = "work_order"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("completed_quantity >= 0", name="completed_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    bom_id: Mapped[int | None] = mapped_column(ForeignKey("bom.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[WorkOrderStatus] = mapped_column(enum_column(WorkOrderStatus, "work_order_status"))
    quantity: Mapped[Decimal]
    completed_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    start_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
