"""Sales orders: the number of a new line, and cancelling an order that nothing has shipped from.

A cancelled order is kept (its lines, its history) and stops being demand: MRP, ATP and
the plan count open orders only.
"""

from __future__ import annotations

from sqlalchemy import func, select

from plantops.db.sales import SalesOrder, SalesOrderLine
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.vocabulary import OrderStatus

#: The statuses an order may be cancelled from.
CANCELLABLE = (OrderStatus.DRAFT, OrderStatus.OPEN)


def cancel_sales_order(uow: UnitOfWork, number: str) -> OrderStatus:
    """Cancel the sales order ``number``: refused once anything was shipped, or when it is closed."""
    with uow:
        session = uow.session
        order = session.scalar(select(SalesOrder).where(SalesOrder.number == number).with_for_update())
        if order is None:
            raise NotFoundError("sales order", number)
        if order.status not in CANCELLABLE:
            raise ValidationError(
                "sales_order",
                "status",
                f"{number} is {order.status.value}: only a draft or open order can be cancelled",
            )
        shipped = session.scalar(
            select(func.count())
            .select_from(SalesOrderLine)
            .where(SalesOrderLine.order_id == order.id, SalesOrderLine.shipped_quantity > 0)
        )
        if shipped:
            raise ValidationError(
                "sales_order", "status", f"{number} has shipped lines: ship or return the rest instead of cancelling"
            )
        order.status = OrderStatus.CANCELLED
        uow.commit()
        return order.status


def next_line_number(uow: UnitOfWork, number: str) -> int:
    """The number a new line of the sales order ``number`` takes: one after its last."""
    with uow:
        session = uow.session
        order_id = session.scalar(select(SalesOrder.id).where(SalesOrder.number == number))
        if order_id is None:
            raise NotFoundError("sales order", number)
        last = session.scalar(select(func.max(SalesOrderLine.line)).where(SalesOrderLine.order_id == order_id))
        return (last or 0) + 1
