"""Orders: the purchase and sales order books with what is still open, a promise for a new
sales order line from available-to-promise, and the cancellation of a sales order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from plantops.api.problems import problem_responses
from plantops.api.schemas import Code, ListQuery, Page, Quantity, Schema
from plantops.api.security import OrderTaker, Reader
from plantops.services import order_book
from plantops.services.inventory.availability import promise
from plantops.services.sales.orders import cancel_sales_order
from plantops.vocabulary import OrderStatus

router = APIRouter(tags=["orders"], responses=problem_responses(401, 403, 404, 422))


class OrderSummaryOut(Schema):
    number: str
    partner: str
    partner_name: str
    site: str
    status: str
    order_date: dt.date
    due_date: dt.date | None
    lines: int
    open_quantity: Decimal
    open_value: Decimal | None


class BookQuery(ListQuery):
    """Filters of an order book; ``search`` looks in the number and the partner's code and name."""

    partner: Code | None = None
    site: Code | None = None
    status: str | None = Field(default=None, max_length=32, description="one of the book's statuses")
    search: str | None = None


class PromiseOut(Schema):
    item: str
    site: str
    quantity: Decimal
    wanted: dt.date
    promised: dt.date | None
    available: Decimal


class PromiseQuery(Schema):
    item: Code
    site: Code
    quantity: Quantity
    wanted: dt.date


class CancelledOut(Schema):
    number: str
    status: OrderStatus


@router.get("/order-book/{book}", response_model=Page[OrderSummaryOut], summary="An order book with what is open")
def orders(book: order_book.Book, query: Annotated[BookQuery, Query()], caller: Reader) -> Page[OrderSummaryOut]:
    """The ``purchase`` or ``sales`` orders; ``partner`` is the supplier or the customer; sort by any
    field, e.g. ``due_date`` (the next open line's due date)."""
    found = order_book.orders(
        caller.uow(),
        book,
        partner=query.partner,
        site=query.site,
        status=query.status,
        search=query.search,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [OrderSummaryOut(**vars(order)) for order in found.orders]
    return Page[OrderSummaryOut](total=found.total, offset=query.offset, limit=query.limit, items=items)


@router.get("/promise", response_model=PromiseOut, summary="When a new sales order line can be promised (ATP)")
def promise_date(query: Annotated[PromiseQuery, Query()], caller: Reader) -> PromiseOut:
    found = promise(
        caller.uow(),
        item=query.item,
        site=query.site,
        quantity=query.quantity,
        wanted=query.wanted,
        today=dt.date.today(),
    )
    return PromiseOut(**vars(found))


@router.post("/sales-orders/{number}/cancel", response_model=CancelledOut, summary="Cancel a sales order")
def cancel(number: str, caller: OrderTaker) -> CancelledOut:
    """Refused (422) once a line has shipped, or for an order that is closed or cancelled."""
    return CancelledOut(number=number, status=cancel_sales_order(caller.uow(), number))
