"""Purchasing: the buyer's and the receiver's pages for purchase orders, receipts, supplier invoices
and the supplier scorecard.

* ``/buy/orders``: the purchase orders (:mod:`..lists`) and a new draft order of one line;
* ``/buy/orders/<number>``: its header, lines, the actions its status allows (approve, send,
  confirm the supplier's dates, revise, cancel, close, return goods), its receipts and returns,
  revisions and invoices; ``.pdf`` and ``.csv`` are the order as the supplier gets it;
* ``/buy/receive``: receiving on a phone with a scanner acting as a keyboard: a scanned order
  number or line reference ``PO-000012/1`` and Enter, then the quantity, location, lot and expiry;
* ``/buy/invoices``: the supplier invoices and a form to enter one; ``/buy/invoices/<supplier>/<number>``:
  its three-way match line by line, matched again or approved for payment;
* ``/buy/suppliers/<code>``: the supplier's scorecard per month.

Everything goes through :mod:`plantops.services.purchasing`; whatever it refuses is shown beside
the field it names, and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel import numbers
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.inventory.stock import Who
from plantops.services.master_data.records import get_record, list_records
from plantops.services.master_data.values import CODE, DATE, INTEGER, NUMBER
from plantops.services.purchasing import documents, invoices, lifecycle, orders, receiving, scorecards
from plantops.services.purchasing.orders import PurchaseLineView, PurchaseOrderView
from plantops.services.purchasing.scorecards import SupplierScorecard
from plantops.vocabulary import InvoiceStatus, LocationKind, PurchaseStatus, Tracking
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, signed_in, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/buy")
Buyer = Annotated[User, Depends(require(Permission.PURCHASE))]
Receiver = Annotated[User, Depends(require(Permission.POST_STOCK))]

#: The new order's fields and their labels.
LABELS = {
    "supplier": "Supplier",
    "site": "Site",
    "item": "Item",
    "quantity": "Quantity",
    "due_date": "Due on",
    "unit_price": "Unit price",
}
#: The fields of the forms on an order's page, and their labels.
ORDER_LABELS = {
    "total": "Total",
    "status": "Status",
    "reason": "Reason",
    "line": "Line",
    "item": "Item",
    "quantity": "Quantity",
    "due_date": "Due on",
    "unit_price": "Unit price",
    "confirmed_date": "Confirmed date",
    "location": "Location",
    "lot": "Lot",
    "lines": "Lines",
}
#: The receiving page's fields and their labels.
RECEIVE_LABELS = {
    "scan": "Scan an order or line",
    "line": "Line",
    "quantity": "Quantity",
    "location": "Location",
    "lot": "Lot",
    "expiry": "Expiry",
}
#: The invoice form's fields and their labels.
INVOICE_LABELS = {
    "supplier": "Supplier",
    "number": "Invoice number",
    "invoice_date": "Invoice date",
    "order": "Order",
    "line": "Line",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "lines": "Lines",
    "currency": "Currency",
}
#: How many line rows the invoice form offers (empty rows are ignored).
INVOICE_ROWS = 4
#: The order actions without fields, and what each does.
STEPS = ("approve", "send", "cancel", "close")
#: A scanned line reference, as on a purchase order's label: ``PO-000012/3``.
LINE_REFERENCE = re.compile(r"^(?P<order>[^/]+)/(?P<line>\d+)$")
#: The statuses in which goods are received against an order.
RECEIVABLE = lifecycle.REVISABLE
#: The statuses from which goods may go back to the supplier.
RETURNABLE = (*lifecycle.REVISABLE, PurchaseStatus.RECEIVED, PurchaseStatus.CLOSED)
#: How many months the supplier page shows.
SCORECARD_MONTHS = 12

PURCHASE_STATUSES = tuple((s.value, s.value.replace("_", " ")) for s in PurchaseStatus)
INVOICE_STATUSES = tuple((s.value, s.value) for s in InvoiceStatus)


def _orders(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    status = query.filters.get("status")
    page = orders.purchase_orders(
        uow,
        status=PurchaseStatus(status) if status else None,
        supplier=query.filters.get("supplier"),
        item=query.filters.get("item"),
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(page.total, [vars(order) for order in page.orders])


ORDERS = lists.ListView(
    name="purchase_orders",
    title="Purchase orders",
    path="/buy/orders",
    columns=(
        lists.Column("number", "Order", link="purchase_orders"),
        lists.Column("supplier", "Supplier", CODE, link="suppliers"),
        lists.Column("site", "Site", CODE, link="sites"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("order_date", "Ordered", DATE),
        lists.Column("revision", "Revision", INTEGER, sortable=False),
        lists.Column("lines", "Lines", INTEGER, sortable=False),
        lists.Column("total", "Total", NUMBER, shown="money", sortable=False),
        lists.Column("currency", "Currency", sortable=False),
        lists.Column("next_due", "Next due", DATE),
    ),
    fetch=_orders,
    filters=(
        lists.Filter("supplier", "Supplier", lookup="suppliers"),
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("status", "Status", choices=PURCHASE_STATUSES),
    ),
    key=("number",),
)


def _invoices(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    """Invoices are read whole (the service has no pages), sorted and cut here."""
    status = query.filters.get("status")
    found: list[lists.Row] = [
        vars(row)
        for row in invoices.invoices(
            uow,
            supplier=query.filters.get("supplier"),
            status=InvoiceStatus(status) if status else None,
            order=query.filters.get("order"),
        )
    ]
    for word in reversed(query.sort):
        name = word.removeprefix("-")
        found.sort(key=lambda row: (row[name] is not None, row[name]), reverse=word.startswith("-"))
    return lists.Rows(len(found), found[offset : offset + limit])


INVOICES = lists.ListView(
    name="supplier_invoices",
    title="Supplier invoices",
    path="/buy/invoices",
    columns=(
        lists.Column("number", "Invoice", CODE),
        lists.Column("supplier", "Supplier", CODE, link="suppliers"),
        lists.Column("invoice_date", "Dated", DATE),
        lists.Column("status", "Status", shown="words"),
        lists.Column("lines", "Lines", INTEGER),
        lists.Column("blocked_lines", "Blocked lines", INTEGER),
    ),
    fetch=_invoices,
    filters=(
        lists.Filter("supplier", "Supplier", lookup="suppliers"),
        lists.Filter("status", "Status", choices=INVOICE_STATUSES),
        lists.Filter("order", "Purchase order"),
    ),
    searchable=False,
    key=("supplier", "number"),
)


# Purchase orders -----------------------------------------------------------------------------


@router.get("/orders")
def orders_page(request: Request) -> Response:
    given = {name: request.query_params.get(name, "") for name in LABELS}
    return _orders_page(request, given, {})


@router.get("/orders/export.{fmt}")
def orders_export(request: Request, fmt: str) -> Response:
    return lists.export(request, ORDERS, fmt)


@router.post("/orders")
def create(
    request: Request,
    user: Buyer,
    supplier: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    unit_price: Annotated[str, Form()] = "",
) -> Response:
    """A draft order of one line (priced from the supplier's price break unless a price is typed)."""
    typed = {
        "supplier": supplier.strip(),
        "site": site.strip(),
        "item": item.strip(),
        "quantity": quantity.strip(),
        "due_date": due_date.strip(),
        "unit_price": unit_price.strip(),
    }
    try:
        line = orders.PurchaseLine(
            typed["item"],
            forms.decimal(orders.RECORD, "quantity", quantity, user.locale),
            forms.required_date(orders.RECORD, "due_date", due_date),
            forms.optional_decimal(orders.RECORD, "unit_price", unit_price, user.locale),
        )
        made = orders.create_purchase_order(
            work_as(request, user), supplier=typed["supplier"], site=typed["site"], lines=[line], today=dt.date.today()
        )
    except PlantOpsError as error:
        return _orders_page(request, typed, forms.place(error, typed, LABELS), status=400)
    return RedirectResponse(f"{_root(request)}/buy/orders/{quote(made.number)}?done=create", status_code=303)


@router.get("/orders/{number}.pdf")
def order_pdf(request: Request, number: str) -> Response:
    ops = plant(request)
    content = documents.order_pdf(ops.uow(), number, company=ops.settings.company_name)
    disposition = f'inline; filename="{number}.pdf"'
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/orders/{number}.csv")
def order_csv(request: Request, number: str) -> Response:
    disposition = f'attachment; filename="{number}.csv"'
    text = documents.order_csv(plant(request).uow(), number)
    return Response(text, media_type="text/csv", headers={"Content-Disposition": disposition})


@router.get("/orders/{number}")
def order_page(request: Request, number: str) -> Response:
    order = orders.purchase_order(plant(request).uow(), number)
    return _order_page(request, order, None, {}, {})


@router.post("/orders/{number}/confirm")
async def confirm(request: Request, number: str, user: Buyer) -> Response:
    """The supplier's date per line (``confirmed_date-<line>``); lines left empty are not confirmed."""
    form = await request.form()
    order = orders.purchase_order(plant(request).uow(), number)
    typed = {f"confirmed_date-{line.line}": str(form.get(f"confirmed_date-{line.line}", "")) for line in order.lines}
    try:
        dates: dict[int, dt.date] = {}
        for line in order.lines:
            found = forms.date(orders.RECORD, "confirmed_date", typed[f"confirmed_date-{line.line}"])
            if found is not None:
                dates[line.line] = found
        lifecycle.confirm(work_as(request, user), number, dates)
    except PlantOpsError as error:
        return _order_page(request, order, "confirm", typed, forms.place(error, typed, ORDER_LABELS), status=400)
    return _done(request, number, "confirm")


@router.post("/orders/{number}/revise")
async def revise(request: Request, number: str, user: Buyer) -> Response:
    """Changes to the order's lines (quantity, due date, price; an empty field keeps the line's) and
    one new line; once sent, a new revision with its reason."""
    form = await request.form()
    order = orders.purchase_order(plant(request).uow(), number)
    rows = [str(line.line) for line in order.lines] + ["new"]
    names = ("item", "quantity", "due_date", "unit_price")
    typed = {f"{name}-{row}": str(form.get(f"{name}-{row}", "")).strip() for row in rows for name in names}
    typed["reason"] = str(form.get("reason", "")).strip()
    try:
        changes = [change for row in rows if (change := _change(typed, row, user)) is not None]
        if not changes:
            raise ValidationError(orders.RECORD, "lines", "change a line or add one")
        lifecycle.revise(work_as(request, user), number, changes, typed["reason"])
    except PlantOpsError as error:
        return _order_page(request, order, "revise", typed, forms.place(error, typed, ORDER_LABELS), status=400)
    return _done(request, number, "revise")


@router.post("/orders/{number}/return")
def return_goods(
    request: Request,
    number: str,
    user: Receiver,
    line: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Goods of a received line back to the supplier, with the reason and a debit note."""
    order = orders.purchase_order(plant(request).uow(), number)
    typed = {
        "line": line.strip(),
        "quantity": quantity.strip(),
        "location": location.strip(),
        "lot": lot.strip(),
        "reason": reason.strip(),
    }
    try:
        posted = receiving.return_to_supplier(
            work_as(request, user),
            number,
            line=forms.integer("return", "line", line, 0, user.locale),
            quantity=forms.decimal("return", "quantity", quantity, user.locale),
            location=typed["location"],
            lot=forms.text(lot),
            reason=typed["reason"],
            who=Who(user.username, "", typed["reason"]),
        )
    except PlantOpsError as error:
        return _order_page(request, order, "return", typed, forms.place(error, typed, ORDER_LABELS), status=400)
    return _done(request, number, "return", posting=str(posted.posting.posting_id))


@router.post("/orders/{number}/{step}")
def order_step(request: Request, number: str, step: str, user: Buyer) -> Response:
    """Approve (within the highest approval limit of the user's roles), send, cancel or close the order."""
    if step not in STEPS:
        return render(request, "error.html", 404, status=404, message=f"no action {step!r} on a purchase order")
    uow = work_as(request, user)
    try:
        if step == "approve":
            lifecycle.approve(uow, number, user.principal.roles)
        elif step == "send":
            lifecycle.send(uow, number, now=dt.datetime.now(dt.UTC))
        elif step == "cancel":
            lifecycle.cancel(uow, number)
        else:
            lifecycle.close(uow, number)
    except PlantOpsError as error:
        order = orders.purchase_order(plant(request).uow(), number)
        return _order_page(request, order, step, {}, {"form": forms.explain(error, ORDER_LABELS)}, status=400)
    return _done(request, number, step)


def _change(typed: Mapping[str, str], row: str, user: User) -> lifecycle.LineChange | None:
    """The change a row of the revise form asks for, or None where it is left empty."""
    quantity = forms.optional_decimal(orders.RECORD, f"quantity-{row}", typed[f"quantity-{row}"], user.locale)
    due_date = forms.date(orders.RECORD, f"due_date-{row}", typed[f"due_date-{row}"])
    unit_price = forms.optional_decimal(orders.RECORD, f"unit_price-{row}", typed[f"unit_price-{row}"], user.locale)
    item = forms.text(typed[f"item-{row}"])
    if quantity is None and due_date is None and unit_price is None and item is None:
        return None
    if row == "new":
        return lifecycle.LineChange(None, quantity, due_date, unit_price, item)
    return lifecycle.LineChange(int(row), quantity, due_date, unit_price)


def _done(request: Request, number: str, step: str, **more: str) -> Response:
    query = urlencode({"done": step, **more})
    return RedirectResponse(f"{_root(request)}/buy/orders/{quote(number)}?{query}", status_code=303)


def _order_page(
    request: Request,
    order: PurchaseOrderView,
    failed: str | None,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    status: int = 200,
) -> Response:
    """The order's page; ``failed`` names the form (an action) that ``typed`` and ``errors`` belong to."""
    uow = plant(request).uow
    user = signed_in(request)
    return render(
        request,
        "purchasing/order.html",
        status,
        order=order,
        warning=scorecards.scorecard(uow(), order.supplier, today=dt.date.today(), months=3).warning,
        order_invoices=invoices.invoices(uow(), order=order.number),
        steps=_steps(order.status) if user.may(Permission.PURCHASE.value) else (),
        may_revise=order.status in (PurchaseStatus.DRAFT, PurchaseStatus.APPROVED, *lifecycle.REVISABLE),
        may_confirm=order.status in lifecycle.REVISABLE,
        may_receive=order.status in RECEIVABLE,
        may_return=order.status in RETURNABLE and any(line.received_quantity > 0 for line in order.lines),
        failed=failed,
        form=typed,
        errors=errors,
        labels=ORDER_LABELS,
    )


def _steps(status: PurchaseStatus) -> tuple[str, ...]:
    """The actions without fields that an order in ``status`` allows, in the order of its life."""
    allowed = {
        PurchaseStatus.DRAFT: ("approve", "cancel"),
        PurchaseStatus.APPROVED: ("send", "cancel"),
        PurchaseStatus.SENT: ("cancel", "close"),
        PurchaseStatus.CONFIRMED: ("cancel", "close"),
        PurchaseStatus.PARTLY_RECEIVED: ("close",),
        PurchaseStatus.RECEIVED: ("close",),
    }
    return allowed.get(status, ())


def _orders_page(
    request: Request, typed: Mapping[str, Any], errors: Mapping[str, str], *, status: int = 200
) -> Response:
    listing = lists.fetch(request, ORDERS, lists.read_query(request, ORDERS))
    return render(request, "purchasing/orders.html", status, listing=listing, form=typed, errors=errors, labels=LABELS)


# Receiving -----------------------------------------------------------------------------------


@router.get("/receive")
def receive_page(request: Request, scan: str = "") -> Response:
    """What was scanned: a line reference shows that line's receipt form, an order number its open lines."""
    return _receive_page(request, scan.strip(), {}, {})


@router.get("/receive/{number}")
def receive_order_page(request: Request, number: str) -> Response:
    return _receive_page(request, number, {}, {})


@router.post("/receive/{number}")
def receive(
    request: Request,
    number: str,
    user: Receiver,
    line: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    expiry: Annotated[str, Form()] = "",
) -> Response:
    """Receive the scanned line (``line`` is its reference ``<order>/<line>``); the page again with what
    was posted, ready for the next scan, or with the refusal beside its field."""
    typed = {
        "line": line.strip(),
        "quantity": quantity.strip(),
        "location": location.strip(),
        "lot": lot.strip(),
        "expiry": expiry.strip(),
    }
    try:
        arrival = receiving.PurchaseArrival(
            typed["line"],
            forms.decimal("receipt", "quantity", quantity, user.locale),
            typed["location"],
            forms.text(lot),
            forms.date("receipt", "expiry", expiry),
        )
        posted = receiving.receive(work_as(request, user), number, [arrival], Who(user.username))
    except PlantOpsError as error:
        return _receive_page(request, typed["line"], typed, forms.place(error, typed, RECEIVE_LABELS), status=400)
    query = urlencode({"scan": number, "received": typed["line"], "posting": posted.posting.posting_id})
    return RedirectResponse(f"{_root(request)}/buy/receive?{query}", status_code=303)


def _receive_page(
    request: Request, scan: str, typed: Mapping[str, str], errors: Mapping[str, str], *, status: int = 200
) -> Response:
    """The receiving page for ``scan`` (empty, an order number or a line reference)."""
    uow = plant(request).uow
    reference = LINE_REFERENCE.match(scan)
    number = reference.group("order") if reference else scan
    order: PurchaseOrderView | None = None
    line: PurchaseLineView | None = None
    scan_error = ""
    if number:
        try:
            order = orders.purchase_order(uow(), number)
        except PlantOpsError as error:
            scan_error = str(error)
    if order is not None and reference:
        line = next((found for found in order.lines if found.line == int(reference.group("line"))), None)
        if line is None:
            scan_error = f"{order.number} has no line {reference.group('line')}"
    if order is not None and not scan_error and order.status not in RECEIVABLE:
        scan_error = f"{order.number} is {order.status.value.replace('_', ' ')}: nothing is received against it"
    shown = dict(typed)
    if order is not None and line is not None and not typed:
        shown = {
            "line": f"{order.number}/{line.line}",
            "quantity": _typed(line.open_quantity, request),
            "location": _first_storage(request, order.site),
            "lot": "",
            "expiry": "",
        }
    return render(
        request,
        "purchasing/receive.html",
        status,
        scan=scan,
        scan_error=scan_error,
        order=order,
        line=line,
        lot_tracked=line is not None and _tracking(request, line.item) is not Tracking.NONE,
        received=request.query_params.get("received", ""),
        posting=request.query_params.get("posting", ""),
        form=shown,
        errors=errors,
        labels=RECEIVE_LABELS,
    )


def _typed(quantity: Decimal, request: Request) -> str:
    """A quantity as the user types it in their locale (no grouping, the locale's decimal sign), to prefill a field."""
    return numbers.format_decimal(quantity, format="0.######", locale=signed_in(request).locale)


def _first_storage(request: Request, site: str) -> str:
    """The site's first storage location by code: where a receipt goes unless the receiver says otherwise."""
    found = list_records(
        plant(request).uow(),
        "locations",
        filters={"site": site, "kind": LocationKind.STORAGE.value},
        sort=["code"],
        limit=1,
    ).records
    return str(found[0].values["code"]) if found else ""


def _tracking(request: Request, item: str) -> Tracking:
    return Tracking(get_record(plant(request).uow(), "items", [item]).values.get("tracking") or Tracking.NONE)


# Supplier invoices ---------------------------------------------------------------------------


@router.get("/invoices")
def invoices_page(request: Request) -> Response:
    return _invoices_page(request, {"invoice_date": dt.date.today().isoformat()}, {})


@router.get("/invoices/export.{fmt}")
def invoices_export(request: Request, fmt: str) -> Response:
    return lists.export(request, INVOICES, fmt)


@router.post("/invoices")
async def enter_invoice(request: Request, user: Buyer) -> Response:
    """Enter and match an invoice; rows whose fields are all empty are ignored."""
    form = await request.form()
    names = ("order", "line", "quantity", "unit_price")
    typed = {name: str(form.get(name, "")).strip() for name in ("supplier", "number", "invoice_date")}
    for row in range(INVOICE_ROWS):
        typed.update({f"{name}-{row}": str(form.get(f"{name}-{row}", "")).strip() for name in names})
    try:
        lines = [
            invoices.InvoiceLine(
                typed[f"order-{row}"],
                forms.integer(invoices.RECORD, f"line-{row}", typed[f"line-{row}"], 0, user.locale),
                forms.decimal(invoices.RECORD, f"quantity-{row}", typed[f"quantity-{row}"], user.locale),
                forms.decimal(invoices.RECORD, f"unit_price-{row}", typed[f"unit_price-{row}"], user.locale),
            )
            for row in range(INVOICE_ROWS)
            if any(typed[f"{name}-{row}"] for name in names)
        ]
        entered = invoices.enter_invoice(
            work_as(request, user),
            supplier=typed["supplier"],
            number=typed["number"],
            invoice_date=forms.required_date(invoices.RECORD, "invoice_date", typed["invoice_date"]),
            lines=lines,
        )
    except PlantOpsError as error:
        return _invoices_page(request, typed, forms.place(error, typed, INVOICE_LABELS), status=400)
    return _invoice_done(request, entered.supplier, entered.number, "enter")


@router.get("/invoices/{supplier}/{number}")
def invoice_page(request: Request, supplier: str, number: str) -> Response:
    return _invoice_page(request, supplier, number, "")


@router.post("/invoices/{supplier}/{number}/{step}")
def invoice_step(request: Request, supplier: str, number: str, step: str, user: Buyer) -> Response:
    """Match the invoice again (``match``) or approve it for payment (``approve``)."""
    uow = work_as(request, user)
    try:
        if step == "match":
            invoices.match_again(uow, supplier=supplier, number=number)
        elif step == "approve":
            invoices.approve_for_payment(uow, supplier=supplier, number=number)
        else:
            return render(request, "error.html", 404, status=404, message=f"no action {step!r} on an invoice")
    except PlantOpsError as error:
        return _invoice_page(request, supplier, number, str(error), status=400)
    return _invoice_done(request, supplier, number, step)


def _invoice_done(request: Request, supplier: str, number: str, step: str) -> Response:
    where = f"{_root(request)}/buy/invoices/{quote(supplier, safe='')}/{quote(number, safe='')}"
    return RedirectResponse(f"{where}?done={step}", status_code=303)


def _invoice_page(request: Request, supplier: str, number: str, refused: str, *, status: int = 200) -> Response:
    found = invoices.invoice(plant(request).uow(), supplier=supplier, number=number)
    return render(request, "purchasing/invoice.html", status, invoice=found, refused=refused)


def _invoices_page(
    request: Request, typed: Mapping[str, str], errors: Mapping[str, str], *, status: int = 200
) -> Response:
    listing = lists.fetch(request, INVOICES, lists.read_query(request, INVOICES))
    return render(
        request,
        "purchasing/invoices.html",
        status,
        listing=listing,
        form=typed,
        errors=errors,
        labels=INVOICE_LABELS,
        rows=range(INVOICE_ROWS),
    )


# Supplier scorecard --------------------------------------------------------------------------


@router.get("/suppliers/{code}")
def supplier_page(request: Request, code: str) -> Response:
    card = scorecards.scorecard(plant(request).uow(), code, today=dt.date.today(), months=SCORECARD_MONTHS)
    return render(request, "purchasing/supplier.html", card=card, scores=score_chart(card), lead_times=lead_chart(card))


#: A line of the scorecard chart: a month without a value is a gap, and a month alone between gaps a dot.
LINE = {"type": "line", "connectNulls": False, "showAllSymbol": True, "symbolSize": 8}


def score_chart(card: SupplierScorecard) -> dict[str, Any]:
    """The score and the on-time-in-full percentage per month as lines; a month without one is a gap
    (``null``, not zero), so that a month with nothing to measure does not read as a failure."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m.month:%Y-%m}" for m in card.months]},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [
            {**LINE, "name": "Score", "data": [_rounded(m.score) for m in card.months]},
            {**LINE, "name": "On time in full %", "data": [_rounded(m.on_time_in_full) for m in card.months]},
        ],
    }


def lead_chart(card: SupplierScorecard) -> dict[str, Any]:
    """The mean lead time in days per month as bars (none where nothing was received)."""
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m.month:%Y-%m}" for m in card.months]},
        "yAxis": {"type": "value", "name": "days"},
        "series": [
            {"name": "Lead time (days)", "type": "bar", "data": [_rounded(m.lead_time_mean) for m in card.months]}
        ],
    }


def _rounded(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
