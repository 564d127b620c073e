"""Stock: balances by location, lots and their genealogy, and posting a move from a form.

The form posts through the stock ledger's use cases (:mod:`plantops.services.inventory.stock`);
whatever the ledger refuses is shown beside the field it names, and nothing is posted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.access.audit import STOCK_POSTING, audit_trail
from plantops.services.inventory import balances, genealogy, moves, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import PostingSummary, StockLine, Who
from plantops.vocabulary import MoveType
from plantops.web import forms
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


@router.get("")
def stock_page(request: Request, item: str = "", location: str = "", site: str = "") -> Response:
    filters = {"item": item.strip(), "location": location.strip(), "site": site.strip()}
    every = balances.on_hand(plant(request).uow())
    locations = sorted(Counter(b.location for b in every).items())
    found = _balances(request, filters)
    return render(
        request,
        "stock/index.html",
        filters=filters,
        found=found,
        locations=locations,
        lots=[b for b in every if b.lot],
        actions=ACTIONS,
        labels=LABELS,
        form=dict.fromkeys(LABELS, "") | {"action": "receive", "item": item.strip(), "location": location.strip()},
        errors={},
        posted=None,
    )


@router.get("/balances")
def balances_table(request: Request, item: str = "", location: str = "", site: str = "") -> Response:
    filters = {"item": item.strip(), "location": location.strip(), "site": site.strip()}
    return render(request, "stock/balances.html", filters=filters, found=_balances(request, filters))


def _balances(request: Request, filters: dict[str, str]) -> list[balances.Balance]:
    return balances.on_hand(
        plant(request).uow(),
        item=filters["item"] or None,
        location=filters["location"] or None,
        site=filters["site"] or None,
    )


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
) -> Response:
    """Post the move; the form comes back with the posting, or with the error beside its field."""
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
    }
    chosen = ACTIONS.get(action)
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
        posted = chosen.post(work_as(request, user), line, who, forms.text(to_location))
    except PlantOpsError as error:
        errors = {"quantity": str(error)} if isinstance(error, InsufficientStockError) else None
        return render(
            request,
            "stock/move_form.html",
            actions=ACTIONS,
            labels=LABELS,
            form=typed,
            errors=errors or forms.place(error, typed, LABELS),
            posted=None,
        )
    response = render(
        request,
        "stock/move_form.html",
        actions=ACTIONS,
        labels=LABELS,
        form=typed | {"quantity": "", "lot": "", "document": "", "reason": "", "unit_cost": "", "expiry": ""},
        errors={},
        posted=posted,
    )
    response.headers["HX-Trigger"] = "stock-changed"
    return response
