"""Orders: the purchase, sales and work order books as lists a buyer, a clerk and a planner
work from; a sales order's promise from available-to-promise, and its cancellation.

Each order's own page is the record page of its sheet (:mod:`.records`): details, lines,
history and related records; a sales order's adds the promise and the cancellation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, PlantOpsError
from plantops.services import order_book
from plantops.services.access import Permission
from plantops.services.inventory.availability import promise
from plantops.services.master_data import records as record_service
from plantops.services.master_data.values import DATE, INTEGER, NUMBER
from plantops.services.sales.orders import cancel_sales_order, next_line_number
from plantops.vocabulary import OrderStatus, PurchaseStatus
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, signed_in, work_as
from plantops.web.links import sheet_link
from plantops.web.templating import render

router = APIRouter(prefix="/orders")

#: The promise form's fields and their labels.
PROMISE_LABELS = {"item": "Item", "quantity": "Quantity", "wanted": "Wanted on"}


def _book_columns(sheet: str, partner: str, partner_sheet: str, priced: bool) -> tuple[lists.Column, ...]:
    columns = (
        lists.Column("number", "Order", link=sheet),
        lists.Column("partner", partner, link=partner_sheet),
        lists.Column("partner_name", "Name"),
        lists.Column("site", "Site", link="sites"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("order_date", "Ordered", DATE),
        lists.Column("due_date", "Next due", DATE),
        lists.Column("lines", "Lines", INTEGER),
        lists.Column("open_quantity", "Open quantity", NUMBER),
    )
    return (*columns, lists.Column("open_value", "Open value", NUMBER, shown="money")) if priced else columns


def _book_fetch(book: order_book.Book, partner: str) -> lists.Fetch:
    def fetch_rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
        status = query.filters.get("status")
        page = order_book.orders(
            uow,
            book,
            partner=query.filters.get(partner),
            site=query.filters.get("site"),
            status=status or None,
            search=query.search or None,
            sort=query.sort,
            offset=offset,
            limit=limit,
        )
        return lists.Rows(page.total, [vars(order) for order in page.orders])

    return fetch_rows


def _book(book: order_book.Book, title: str, partner: str, partner_label: str, priced: bool) -> lists.ListView:
    statuses = PurchaseStatus if book is order_book.Book.PURCHASE else OrderStatus
    name = book.value
    sheet = f"{name}_orders"
    return lists.ListView(
        name=sheet,
        title=title,
        path=f"/orders/{name}",
        columns=_book_columns(sheet, partner_label, f"{partner}s", priced),
        fetch=_book_fetch(book, partner),
        filters=(
            lists.Filter(partner, partner_label, lookup=f"{partner}s"),
            lists.Filter("site", "Site", lookup="sites"),
            lists.Filter("status", "Status", choices=tuple((s.value, s.value) for s in statuses)),
        ),
        sort=("due_date",),
        sheet=None,
        key=("number",),
    )


PURCHASE_ORDERS = _book(order_book.Book.PURCHASE, "Purchase orders", "supplier", "Supplier", priced=True)
SALES_ORDERS = _book(order_book.Book.SALES, "Sales orders", "customer", "Customer", priced=False)
WORK_ORDERS = lists.sheet_view(
    "work_orders", path="/orders/work", title="Work orders", filters=("item", "site", "status"), sort=("due_date",)
)
BOOKS = {"purchase": PURCHASE_ORDERS, "sales": SALES_ORDERS, "work": WORK_ORDERS}
INTROS = {
    "purchase": "Every purchase order with what it still has to deliver, by the date the next line is due.",
    "sales": "Every sales order with what it still has to ship; open one to promise a new line.",
    "work": "Work orders released from the plan, by due date.",
}


@router.get("/{book}")
def orders_page(request: Request, book: str) -> Response:
    view = _view(book)
    new = (
        "/records/sales_orders/new"
        if book == "sales" and signed_in(request).may(Permission.TAKE_ORDERS.value)
        else None
    )
    return lists.show(request, view, intro=INTROS[book], new_url=new)


@router.get("/{book}/export.{fmt}")
def orders_export(request: Request, book: str, fmt: str) -> Response:
    return lists.export(request, _view(book), fmt)


@router.post("/sales/{number}/promise")
def promise_line(
    request: Request,
    number: str,
    user: Annotated[User, Depends(require(Permission.READ))],
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    wanted: Annotated[str, Form()] = "",
) -> Response:
    """When a new line of the order could be promised: ATP at the order's site from the wanted date."""
    order = record_service.get_record(plant(request).uow(), "sales_orders", [number])
    typed = {"item": item.strip(), "quantity": quantity.strip(), "wanted": wanted.strip()}
    context: dict[str, Any] = {"order": order, "form": typed, "labels": PROMISE_LABELS}
    try:
        found = promise(
            plant(request).uow(),
            item=typed["item"],
            site=str(order.values["site"]),
            quantity=forms.decimal("promise", "quantity", quantity, user.locale),
            wanted=forms.required_date("promise", "wanted", wanted),
            today=dt.date.today(),
        )
    except PlantOpsError as error:
        errors = forms.place(error, typed, PROMISE_LABELS)
        return render(request, "orders/promise.html", 400, errors=errors, found=None, **context)
    next_line = next_line_number(plant(request).uow(), number)
    return render(request, "orders/promise.html", errors={}, found=found, next_line=next_line, **context)


@router.post("/sales/{number}/cancel")
def cancel(request: Request, number: str, user: Annotated[User, Depends(require(Permission.TAKE_ORDERS))]) -> Response:
    target = sheet_link("sales_orders", number)
    try:
        cancel_sales_order(work_as(request, user), number)
    except PlantOpsError as error:
        order = record_service.get_record(plant(request).uow(), "sales_orders", [number])
        return render(request, "error.html", 400, status=400, message=f"{error} ({order.values['number']})")
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return RedirectResponse(f"{root}{target}?saved=1", status_code=303)


def _view(book: str) -> lists.ListView:
    view = BOOKS.get(book)
    if view is None:
        raise NotFoundError("order book", book)
    return view
