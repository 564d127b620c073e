"""Stock: balances by location, lots and their genealogy, and posting a move from a form.

The form posts through the stock ledger's use cases (:mod:`plantops.services.inventory.stock`);
whatever the ledger refuses is shown beside the field it names, and nothing is posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services import transfers
from plantops.services.access import Permission
from plantops.services.access.audit import STOCK_POSTING, audit_trail
from plantops.services.inventory import balances, genealogy, moves, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import PostingSummary, StockLine, Who
from plantops.services.master_data.values import CODE, DATE, NUMBER
from plantops.vocabulary import MoveType
from plantops.web import forms, lists
from plantops.web.auth import User, plant, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/stock")


@dataclass(frozen=True)
class Action:
    label: str
    post: Callable[..., PostingSummary]


ACTIONS = {
    "receive": Action("Receive", lambda uow, line, who, _to: stock.receive(uow, line, who)),
    "issue": Action("Issue", lambda uow, line, who, _to: stock.issue(uow, line, who)),
    "move": Action("Move to another location", lambda uow, line, who, to: stock.move(uow, line, to or "", who)),
    "adjust_up": Action("Adjust up", lambda uow, line, who, _to: stock.adjust(uow, line, who, increase=True)),
    "adjust_down": Action("Adjust down", lambda uow, line, who, _to: stock.adjust(uow, line, who, increase=False)),
    "scrap": Action("Scrap", lambda uow, line, who, _to: stock.scrap(uow, line, who)),
    "return": Action("Customer return", lambda uow, line, who, _to: stock.return_stock(uow, line, who)),
}
POSTINGS_PAGE = 25
#: The move form's fields and their labels.
LABELS = {
    "action": "Move",
    "item": "Item",
    "location": "Location",
    "to_location": "To location",
    "quantity": "Quantity",
    "lot": "Lot (tracked items)",
    "unit_cost": "Unit cost",
    "expiry": "Expiry of a new lot",
    "document": "Document",
    "reason": "Reason",
}


def _balance_rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    total, found = balances.balance_page(
        uow,
        item=query.filters.get("item"),
        location=query.filters.get("location"),
        site=query.filters.get("site"),
        sort=query.sort,
        offset=offset,
        limit=limit,
    )
    return lists.Rows(total, [{**vars(b), "available": b.available} for b in found])


#: On hand by item, location and lot: the shared list, sorted by any column and exported.
BALANCES = lists.ListView(
    name="balances",
    title="Balances",
    path="/stock",
    columns=(
        lists.Column("item", "Item", CODE, link="items"),
        lists.Column("site", "Site", CODE, link="sites"),
        lists.Column("location", "Location", CODE, link="locations"),
        lists.Column("lot", "Lot", CODE, link="lots", link_parts=("item", "lot")),
        lists.Column("expiry", "Expiry", DATE),
        lists.Column("on_hand", "On hand", NUMBER),
        lists.Column("reserved", "Reserved", NUMBER),
        lists.Column("available", "Available", NUMBER),
    ),
    fetch=_balance_rows,
    filters=(
        lists.Filter("item", "Item", lookup="items"),
        lists.Filter("location", "Location", lookup="locations"),
        lists.Filter("site", "Site", lookup="sites"),
    ),
    sort=("item", "location", "lot"),
    searchable=False,
    key=("item", "location", "lot"),
)


@router.get("")
def stock_page(request: Request) -> Response:
    listing = lists.fetch(request, BALANCES, lists.read_query(request, BALANCES))
    filters = listing.query.filters
    return render(
        request,
        "stock/index.html",
        listing=listing,
        locations=balances.balances_per_location(plant(request).uow()),
        move_actions=ACTIONS,
        labels=LABELS,
        form=dict.fromkeys(LABELS, "")
        | {"action": "receive", "item": filters.get("item", ""), "location": filters.get("location", "")},
        errors={},
        posted=None,
    )


@router.get("/balances")
def balances_list(request: Request) -> Response:
    """The balances list alone, as the stock page refreshes it after a posting."""
    listing = lists.fetch(request, BALANCES, lists.read_query(request, BALANCES))
    return render(request, "stock/balances.html", listing=listing)


@router.get("/export.{fmt}")
def balances_export(request: Request, fmt: str) -> Response:
    return lists.export(request, BALANCES, fmt)


@router.get("/postings")
def postings(
    request: Request,
    user: Annotated[str, Query(title="Posted by")] = "",
    since: Annotated[str, Query(title="From")] = "",
    until: Annotated[str, Query(title="To")] = "",
    page: forms.PageNumber = 1,
) -> Response:
    """The stock postings, newest first, with their moves: by whom and when (the audit trail of the ledger)."""
    filters = {"user": user.strip(), "since": since.strip(), "until": until.strip()}
    first, last = forms.date("postings", "since", since), forms.date("postings", "until", until)
    found = audit_trail(
        plant(request).uow(),
        record=STOCK_POSTING,
        user=filters["user"] or None,
        since=_start_of(first),
        until=_start_of(last + dt.timedelta(days=1)) if last else None,
        offset=(page - 1) * POSTINGS_PAGE,
        limit=POSTINGS_PAGE,
    )
    return render(
        request,
        "stock/postings.html",
        entries=found.entries,
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // POSTINGS_PAGE)),
        filters=filters,
        query=urlencode({name: value for name, value in filters.items() if value}),
    )


@router.get("/moves")
def ledger_moves(
    request: Request,
    item: Annotated[str, Query(title="Item")] = "",
    location: Annotated[str, Query(title="Location")] = "",
    move_type: Annotated[str, Query(title="Kind")] = "",
    page: forms.PageNumber = 1,
) -> Response:
    """The ledger's moves, newest first, by item, location and kind of move."""
    filters = {"item": item.strip(), "location": location.strip(), "move_type": move_type.strip()}
    kind = _move_type(filters["move_type"]) if filters["move_type"] else None
    wanted = moves.MoveFilter(item=filters["item"] or None, location=filters["location"] or None, move_type=kind)
    total, found = moves.list_moves(
        plant(request).uow(), wanted, offset=(page - 1) * POSTINGS_PAGE, limit=POSTINGS_PAGE
    )
    return render(
        request,
        "stock/moves.html",
        moves=found,
        total=total,
        page=page,
        pages=max(1, -(-total // POSTINGS_PAGE)),
        filters=filters,
        kinds=MoveType,
        query=urlencode({name: value for name, value in filters.items() if value}),
    )


@dataclass(frozen=True)
class TransferChoice:
    """A move between two sites: the open transfer orders it may ship on, and where to make a new one."""

    from_site: str
    to_site: str
    orders: list[str]
    new_url: str


def _transfer_choice(request: Request, line: StockLine, to_location: str) -> TransferChoice | None:
    """The transfer orders a move of ``line`` to ``to_location`` may ship on; None within one site."""
    from_site, to_site = transfers.sites_of(plant(request).uow(), line.location, to_location)
    if from_site == to_site:
        return None
    orders = transfers.open_transfer_orders(plant(request).uow(), from_site=from_site, to_site=to_site, item=line.item)
    prefill = {"from_site": from_site, "to_site": to_site, "item": line.item, "quantity": f"{line.quantity:f}"}
    return TransferChoice(from_site, to_site, orders, f"/transfers?{urlencode(prefill)}#new")


def _move_type(value: str) -> MoveType:
    try:
        return MoveType(value)
    except ValueError:
        raise ValidationError("moves", "move_type", f"no kind of move is called {value!r}") from None


def _start_of(day: dt.date | None) -> dt.datetime | None:
    """Midnight UTC of ``day``: the ledger keeps its times in UTC."""
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@router.get("/lots/{item}/{lot}")
def lot_genealogy(request: Request, item: str, lot: str) -> Response:
    uow = plant(request).uow
    backward = genealogy.trace(uow(), item=item, lot=lot, direction="backward")
    forward = genealogy.trace(uow(), item=item, lot=lot, direction="forward")
    return render(request, "stock/genealogy.html", item=item, lot=lot, backward=backward, forward=forward)


@router.post("/moves")
def post_move(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POST_STOCK))],
    action: Annotated[str, Form()] = "receive",
    item: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    to_location: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    unit_cost: Annotated[str, Form()] = "",
    expiry: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    transfer_order: Annotated[str, Form()] = "",
) -> Response:
    """Post the move; the form comes back with the posting, or with the error beside its field.

    A move to a location of another site is a shipment on a transfer order: the form offers the
    open transfer orders between the two sites (and a link to make one); with one chosen, the
    stock ships on it into the destination's in-transit location (:mod:`plantops.services.transfers`).
    """
    typed = {
        "action": action,
        "item": item.strip(),
        "location": location.strip(),
        "to_location": to_location.strip(),
        "quantity": quantity.strip(),
        "lot": lot.strip(),
        "unit_cost": unit_cost.strip(),
        "expiry": expiry.strip(),
        "document": document.strip(),
        "reason": reason.strip(),
        "transfer_order": transfer_order.strip(),
    }
    chosen = ACTIONS.get(action)
    choice: TransferChoice | None = None
    shipped_on: str | None = None
    try:
        if chosen is None:
            raise ValidationError("move", "action", f"choose one of {', '.join(ACTIONS)}")
        line = StockLine(
            item=typed["item"],
            location=typed["location"],
            quantity=forms.decimal("move", "quantity", quantity, user.locale),
            lot=forms.text(lot),
            unit_cost=forms.optional_decimal("move", "unit_cost", unit_cost, user.locale),
            expiry=forms.date("move", "expiry", expiry),
        )
        who = Who(user.username, typed["document"], typed["reason"])
        if action == "move" and typed["to_location"]:
            choice = _transfer_choice(request, line, typed["to_location"])
        if choice is not None and typed["transfer_order"]:
            shipped_on = typed["transfer_order"]
            posted = transfers.ship_item(
                work_as(request, user),
                shipped_on,
                item=line.item,
                quantity=line.quantity,
                location=line.location,
                lot=line.lot,
                who=who,
            ).posting
        elif choice is not None:
            raise ValidationError(
                "move",
                "to_location",
                f"is in site {choice.to_site}, not {choice.from_site}: stock goes there on a transfer order (below)",
            )
        else:
            posted = chosen.post(work_as(request, user), line, who, forms.text(to_location))
    except PlantOpsError as error:
        errors = {"quantity": str(error)} if isinstance(error, InsufficientStockError) else None
        return render(
            request,
            "stock/move_form.html",
            move_actions=ACTIONS,
            labels=LABELS,
            form=typed,
            errors=errors or forms.place(error, typed, LABELS),
            posted=None,
            transfer=choice,
        )
    response = render(
        request,
        "stock/move_form.html",
        move_actions=ACTIONS,
        labels=LABELS,
        form=typed
        | {
            "quantity": "",
            "lot": "",
            "document": "",
            "reason": "",
            "unit_cost": "",
            "expiry": "",
            "transfer_order": "",
        },
        errors={},
        posted=posted,
        shipped_on=shipped_on,
    )
    response.headers["HX-Trigger"] = "stock-changed"
    return response
