"""The order book: purchase and sales orders a page at a time, each with what is still open.

A buyer looks for a supplier's open orders by the date the next line is due; a customer
service clerk for a customer's. Each order is listed with its earliest open due date,
its number of lines, the quantity still to receive or ship and (purchases) its open value,
summed in the database, sorted by any of them, and paged with the total count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal_column, null, or_, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute

from plantops.db.base import Money
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, Supplier
from plantops.db.sales import Customer, SalesOrder, SalesOrderLine
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import ValidationError
from plantops.vocabulary import OrderStatus, PurchaseStatus

MAX_PAGE = 1000
MAX_SEARCH = 100


@dataclass(frozen=True)
class OrderSummary:
    """An order of the book: its header and what its lines still hold open."""

    number: str
    partner: str
    partner_name: str
    site: str
    status: OrderStatus | PurchaseStatus
    order_date: dt.date
    due_date: dt.date | None
    lines: int
    open_quantity: Decimal
    open_value: Decimal | None


@dataclass(frozen=True)
class OrderPage:
    total: int
    orders: list[OrderSummary]


class Book(StrEnum):
    """The order books: what is bought, and what is sold."""

    PURCHASE = "purchase"
    SALES = "sales"


@dataclass(frozen=True)
class _Book:
    """Where one kind of order keeps its parts."""

    record: str
    header: Any
    line: Any
    partner: Any
    partner_key: InstrumentedAttribute[int]
    done: InstrumentedAttribute[Decimal]
    priced: bool
    statuses: type[OrderStatus] | type[PurchaseStatus]


PURCHASES = _Book(
    "purchase_orders",
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    PurchaseOrder.supplier_id,
    PurchaseOrderLine.received_quantity,
    priced=True,
    statuses=PurchaseStatus,
)
SALES = _Book(
    "sales_orders",
    SalesOrder,
    SalesOrderLine,
    Customer,
    SalesOrder.customer_id,
    SalesOrderLine.shipped_quantity,
    priced=False,
    statuses=OrderStatus,
)
BOOKS = {Book.PURCHASE: PURCHASES, Book.SALES: SALES}
#: The columns an order book may be sorted by.
SORTABLE = (
    "number",
    "partner",
    "partner_name",
    "site",
    "status",
    "order_date",
    "due_date",
    "lines",
    "open_quantity",
    "open_value",
)


def orders(
    uow: UnitOfWork,
    book: Book,
    *,
    partner: str | None = None,
    site: str | None = None,
    status: str | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 50,
) -> OrderPage:
    """The orders of ``book`` matching every filter (``partner``: the supplier of a purchase, the
    customer of a sale; ``status`` one of the book's statuses), in ``sort`` order (column names,
    ``-`` for descending)."""
    kind = BOOKS[book]
    statuses = [member.value for member in kind.statuses]
    if status is not None and status not in statuses:
        raise ValidationError(kind.record, "status", f"{status!r} is not one of: {', '.join(statuses)}")
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError(kind.record, "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError(kind.record, "offset", f"must not be negative, not {offset}")
    if search is not None and len(search) > MAX_SEARCH:
        raise ValidationError(kind.record, "search", f"at most {MAX_SEARCH} characters")
    conditions = _conditions(kind, partner, site, status, search)
    for word in sort:
        if word.removeprefix("-") not in SORTABLE:
            known = ", ".join(SORTABLE)
            raise ValidationError(kind.record, "sort", f"unknown column {word.removeprefix('-')!r} (known: {known})")
    with uow:
        session = uow.session
        query, columns = _query(kind, session.get_bind().dialect.name)
        order = [columns[w.removeprefix("-")].desc() if w.startswith("-") else columns[w].asc() for w in sort]
        counted = select(func.count()).select_from(kind.header).join(kind.partner).join(Site).where(*conditions)
        total = session.scalar(counted) or 0
        found = query.where(*conditions).order_by(*order, kind.header.number).offset(offset).limit(limit)
        rows = session.execute(found)
        return OrderPage(total, [OrderSummary(**row._mapping) for row in rows])


def _query(kind: _Book, dialect: str) -> tuple[Select[Any], dict[str, ColumnElement[Any]]]:
    """The book's orders with their open lines summed (a correlated subquery per figure).

    SQLite keeps exact decimals as whole millionths, so a product of two of them is
    scaled back by a million there (:class:`plantops.db.base.ExactDecimal`)."""
    header, line = kind.header, kind.line
    open_quantity = line.quantity - kind.done

    def summed(expression: Any, *where: Any) -> ColumnElement[Any]:
        return select(expression).where(line.order_id == header.id, *where).scalar_subquery()

    columns: dict[str, ColumnElement[Any]] = {
        "number": header.number,
        "partner": kind.partner.code,
        "partner_name": kind.partner.name,
        "site": Site.__table__.c.code,
        "status": header.status,
        "order_date": header.order_date,
        "due_date": summed(func.min(line.due_date), open_quantity > 0),
        "lines": summed(func.count()),
        "open_quantity": func.coalesce(summed(func.sum(case((open_quantity > 0, open_quantity), else_=0))), 0),
        "open_value": (
            type_coerce(
                func.coalesce(summed(func.sum(case((open_quantity > 0, open_quantity * line.unit_price), else_=0))), 0)
                / literal_column("1000000" if dialect == "sqlite" else "1"),
                Money,
            )
            if kind.priced
            else null()
        ),
    }
    query = select(*(column.label(name) for name, column in columns.items()))
    return query.select_from(header).join(kind.partner).join(Site), columns


def _conditions(
    kind: _Book, partner: str | None, site: str | None, status: str | None, search: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if partner:
        conditions.append(kind.partner.code == partner)
    if site:
        conditions.append(Site.code == site)
    if status is not None:
        conditions.append(kind.header.status == status)
    if search and search.strip():
        pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                func.lower(kind.header.number).like(pattern, escape="\\"),
                func.lower(kind.partner.code).like(pattern, escape="\\"),
                func.lower(kind.partner.name).like(pattern, escape="\\"),
            )
        )
    return conditions
