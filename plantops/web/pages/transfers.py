"""Transfer orders: the list and the form that makes one, an order's page with a ship and a
receive form per line and its cancellation, and the stock in transit.

* ``/transfers``: the transfer orders (:mod:`..lists`), and a new order (``release_orders``);
* ``/transfers/in-transit``: stock on its way, per item, destination, order and lot, valued;
* ``/transfers/<number>``: its lines; ship part of a line from the source site, receive part of
  what is in transit at the destination (``post_stock``); cancel what has not shipped.

Everything goes through :mod:`plantops.services.transfers`; whatever it refuses is shown
beside the field it names, and nothing is posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError
from plantops.services import transfers
from plantops.services.access import Permission
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import Who
from plantops.services.master_data.values import CODE, DATE, INTEGER, NUMBER
from plantops.services.transfers import Arrival, Shipment, TransferLine, TransferOrderView
from plantops.vocabulary import OrderStatus
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/transfers")

STATUSES = tuple((s.value, s.value) for s in OrderStatus)
#: The new order's fields and their labels.
LABELS = {
    "from_site": "From site",
    "to_site": "To site",
    "ship_date": "Ship on",
    "due_date": "Due on",
    "item": "Item",
    "quantity": "Quantity",
}
#: A ship or receive form's fields and their labels.
MOVE_LABELS = {"quantity": "Quantity", "location": "Location", "lot": "Lot", "line": "Line"}
KINDS = ("ship", "receive")


def _fetch(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    status = query.filters.get("status")
    page = transfers.transfer_orders(
        uow,
        status=OrderStatus(status) if status else None,
        site=query.filters.get("site"),
        item=query.filters.get("item"),
        search=query.search or None,
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(page.total, [vars(order) for order in page.orders])


VIEW = lists.ListView(
    name="transfer_orders",
    title="Transfer orders",
    path="/transfers",
    columns=(
        lists.Column("number", "Order", link="transfer_orders"),
        lists.Column("from_site", "From", CODE, link="sites"),
        lists.Column("to_site", "To", CODE, link="sites"),
        lists.Column("status", "Status", shown="words"),
        lists.Column("ship_date", "Ship", DATE),
        lists.Column("due_date", "Due", DATE),
        lists.Column("lines", "Lines", INTEGER),
        lists.Column("quantity", "Quantity", NUMBER),
        lists.Column("shipped_quantity", "Shipped", NUMBER),
        lists.Column("received_quantity", "Received", NUMBER),
        lists.Column("planned_order", "Planned order", link="planned_orders"),
    ),
    fetch=_fetch,
    filters=(
        lists.Filter("site", "Site (from or to)", lookup="sites"),
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("status", "Status", choices=STATUSES),
    ),
    key=("number",),
)


def _in_transit(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    """Stock in transit is short (what is on the road): read whole, sorted and cut here."""
    found: list[lists.Row] = [
        vars(row)
        for row in transfers.in_transit(
            uow, item=query.filters.get("item"), site=query.filters.get("site"), order=query.filters.get("order")
        )
    ]
    for word in reversed(query.sort):
        name = word.removeprefix("-")
        found.sort(key=lambda row: (row[name] is not None, row[name]), reverse=word.startswith("-"))
    return lists.Rows(len(found), found[offset : offset + limit])


IN_TRANSIT = lists.ListView(
    name="in_transit",
    title="Stock in transit",
    path="/transfers/in-transit",
    columns=(
        lists.Column("item", "Item", CODE, link="items"),
        lists.Column("site", "To site", CODE, link="sites"),
        lists.Column("order", "Transfer order", CODE, link="transfer_orders"),
        lists.Column("lot", "Lot", CODE, link="lots", link_parts=("item", "lot")),
        lists.Column("location", "Location", CODE),
        lists.Column("quantity", "Quantity", NUMBER),
        lists.Column("unit_cost", "Unit cost", NUMBER, shown="money"),
        lists.Column("value", "Value", NUMBER, shown="money"),
    ),
    fetch=_in_transit,
    filters=(
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("site", "To site", lookup="sites"),
        lists.Filter("order", "Transfer order"),
    ),
    sort=("site", "item", "order", "lot"),
    searchable=False,
    key=("item", "order", "lot"),
)


@router.get("")
def transfers_page(request: Request) -> Response:
    given = {name: request.query_params.get(name, "") for name in LABELS}
    return _list_page(request, given, {})


@router.get("/export.{fmt}")
def transfers_export(request: Request, fmt: str) -> Response:
    return lists.export(request, VIEW, fmt)


@router.get("/in-transit")
def in_transit_page(request: Request) -> Response:
    intro = (
        "Goods shipped on a transfer order and not yet received, in the in-transit location of the site they "
        "go to; valued at the item's unit cost (a transfer does not change it)."
    )
    return lists.show(request, IN_TRANSIT, intro=intro)


@router.get("/in-transit/export.{fmt}")
def in_transit_export(request: Request, fmt: str) -> Response:
    return lists.export(request, IN_TRANSIT, fmt)


@router.post("")
def create(
    request: Request,
    user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))],
    from_site: Annotated[str, Form()] = "",
    to_site: Annotated[str, Form()] = "",
    ship_date: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
) -> Response:
    """Make a transfer order of one line; the form again with the error beside its field."""
    typed = {
        "from_site": from_site.strip(),
        "to_site": to_site.strip(),
        "ship_date": ship_date.strip(),
        "due_date": due_date.strip(),
        "item": item.strip(),
        "quantity": quantity.strip(),
    }
    try:
        line = TransferLine(typed["item"], forms.decimal("transfer order", "quantity", quantity, user.locale))
        made = transfers.create_transfer_order(
            work_as(request, user),
            from_site=typed["from_site"],
            to_site=typed["to_site"],
            ship_date=forms.required_date("transfer order", "ship_date", ship_date),
            due_date=forms.required_date("transfer order", "due_date", due_date),
            lines=[line],
            today=dt.date.today(),
        )
    except PlantOpsError as error:
        return _list_page(request, typed, _place(error, typed, LABELS), status=400)
    return RedirectResponse(f"{_root(request)}/transfers/{quote(made.number)}?created=1", status_code=303)


@router.get("/{number}")
def order_page(request: Request, number: str) -> Response:
    order = transfers.transfer_order(plant(request).uow(), number)
    return _order_page(request, order, None, {}, {})


@router.post("/{number}/cancel")
def cancel(
    request: Request, number: str, user: Annotated[User, Depends(require(Permission.RELEASE_ORDERS))]
) -> Response:
    try:
        transfers.cancel(work_as(request, user), number)
    except PlantOpsError as error:
        order = transfers.transfer_order(plant(request).uow(), number)
        return _order_page(request, order, None, {}, {"form": str(error)}, status=400)
    return RedirectResponse(f"{_root(request)}/transfers/{quote(number)}?done=cancel", status_code=303)


@router.post("/{number}/{kind}")
def ship_or_receive(
    request: Request,
    number: str,
    kind: str,
    user: Annotated[User, Depends(require(Permission.POST_STOCK))],
    line: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
) -> Response:
    """Ship part of a line (``kind`` ship) or receive part of what is in transit (``kind`` receive);
    the page again with what was posted, or with the error beside its field of that line's form."""
    order = transfers.transfer_order(plant(request).uow(), number)
    if kind not in KINDS:
        return render(request, "error.html", 404, status=404, message=f"no action {kind!r} on a transfer order")
    typed = {"line": line.strip(), "quantity": quantity.strip(), "location": location.strip(), "lot": lot.strip()}
    try:
        line_number = forms.integer(f"transfer order {number}", "line", line, 0, user.locale)
        amount = forms.decimal(kind, "quantity", quantity, user.locale)
        who = Who(user.username)
        uow = work_as(request, user)
        if kind == "ship":
            shipment = Shipment(line_number, amount, typed["location"], forms.text(lot))
            posted = transfers.ship(uow, number, [shipment], who)
        else:
            arrival = Arrival(line_number, amount, typed["location"], forms.text(lot))
            posted = transfers.receive(uow, number, [arrival], who)
    except PlantOpsError as error:
        errors = _place(error, typed, MOVE_LABELS)
        return _order_page(request, order, (kind, typed["line"]), typed, errors, status=400)
    done = urlencode({"done": kind, "posting": posted.posting.posting_id})
    return RedirectResponse(f"{_root(request)}/transfers/{quote(number)}?{done}", status_code=303)


def _place(error: PlantOpsError, typed: Mapping[str, str], labels: Mapping[str, str]) -> dict[str, str]:
    """Where the form shows ``error``: short stock beside the quantity, the rest as :func:`forms.place` does."""
    if isinstance(error, InsufficientStockError):
        return {"quantity": str(error)}
    return forms.place(error, typed, labels)


def _order_page(
    request: Request,
    order: TransferOrderView,
    failed: tuple[str, str] | None,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    status: int = 200,
) -> Response:
    """The order's page; ``failed`` names the form (ship or receive, and its line) that ``typed``
    and ``errors`` belong to."""
    in_transit = transfers.in_transit(plant(request).uow(), order=order.number) if order.lines else []
    return render(
        request,
        "transfers/order.html",
        status,
        order=order,
        failed=failed,
        form=typed,
        errors=errors,
        labels=MOVE_LABELS,
        in_transit=in_transit,
        lots_in_transit={
            item: sorted({row.lot for row in in_transit if row.item == item and row.lot})
            for item in {row.item for row in in_transit}
        },
    )


def _list_page(request: Request, typed: Mapping[str, Any], errors: Mapping[str, str], *, status: int = 200) -> Response:
    listing = lists.fetch(request, VIEW, lists.read_query(request, VIEW))
    return render(request, "transfers/index.html", status, listing=listing, form=typed, errors=errors, labels=LABELS)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")
