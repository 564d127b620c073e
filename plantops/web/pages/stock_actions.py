"""Stock postings beyond a single move: production (components consumed, main product and
co-products put away), reservations made and released, and a posting reversed.

Each form posts through the stock ledger's use cases (:mod:`plantops.services.inventory.stock`,
:mod:`plantops.services.inventory.reservations`); what they refuse is shown beside the field it
is about, and nothing is posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission
from plantops.services.inventory import reservations, stock
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.stock import StockLine, Who
from plantops.services.master_data.values import NUMBER
from plantops.web import forms, lists
from plantops.web.auth import User, require, work_as
from plantops.web.templating import render

router = APIRouter(prefix="/stock")

#: Rows of the production form: components consumed, outputs put away.
CONSUMED_ROWS = 3
PRODUCED_ROWS = 3
#: The columns of a row of the production form, and their labels.
ROW_LABELS = {"item": "Item", "location": "Location", "lot": "Lot", "quantity": "Quantity", "expiry": "Expiry"}
PRODUCE_LABELS = {"document": "Work order", "reason": "Reason"}
RESERVE_LABELS = {
    "item": "Item",
    "location": "Location",
    "quantity": "Quantity",
    "lot": "Lot (empty: first expiry first)",
    "document": "For document",
}
RELEASE_LABELS = {"reservation": "Reservation"}
#: The largest number a posting can have (the database's 64-bit key).
LAST_POSTING = 2**63 - 1
REVERSE_LABELS = {"posting": "Posting number", "reason": "Reason"}
#: The side of the production form a service's record name is about.
SIDES = {"production consumption": "in", "production output": "out"}


# --- production -------------------------------------------------------------------------


@router.get("/produce")
def produce_page(request: Request) -> Response:
    return _produce_form(request, {}, {})


@router.post("/produce")
async def post_production(request: Request, user: Annotated[User, Depends(require(Permission.POST_STOCK))]) -> Response:
    """Consume the components and put away the outputs in one posting, or post nothing."""
    form = await request.form()
    typed = _production_typed(form)
    try:
        consumed = _lines(typed, "in", CONSUMED_ROWS, user)
        produced = _lines(typed, "out", PRODUCED_ROWS, user)
        who = Who(user.username, typed["document"], typed["reason"])
        posted = stock.produce(work_as(request, user), consumed, produced, who)
    except PlantOpsError as error:
        return _produce_form(request, typed, _production_errors(error, typed), status=400)
    return _produce_form(request, {}, {}, posted=posted)


def _production_typed(form: FormData) -> dict[str, str]:
    names = [
        *(f"in-{i}-{c}" for i in range(CONSUMED_ROWS) for c in ROW_LABELS if c != "expiry"),
        *(f"out-{i}-{c}" for i in range(PRODUCED_ROWS) for c in ROW_LABELS),
        *PRODUCE_LABELS,
    ]
    return {name: str(form.get(name, "")).strip() for name in names}


def _lines(typed: Mapping[str, str], side: str, rows: int, user: User) -> list[StockLine]:
    """The rows of one side of the form that hold anything, as stock lines; an empty row is skipped."""
    found = []
    for index in range(rows):
        prefix = f"{side}-{index}-"
        if not any(value for name, value in typed.items() if name.startswith(prefix)):
            continue
        if not typed[prefix + "item"]:
            raise ValidationError("production", prefix + "item", "is required")
        found.append(
            StockLine(
                item=typed[prefix + "item"],
                location=typed[prefix + "location"],
                quantity=forms.decimal("production", prefix + "quantity", typed[prefix + "quantity"], user.locale),
                lot=forms.text(typed[prefix + "lot"]),
                expiry=forms.date("production", prefix + "expiry", typed.get(prefix + "expiry")),
            )
        )
    return found


def _production_errors(error: PlantOpsError, typed: Mapping[str, str]) -> dict[str, str]:
    """The error beside the row and field it is about: a code where it was typed; a quantity, lot or
    expiry on the first row of its side that names the item the reason names."""
    labels = {**PRODUCE_LABELS, **{name: ROW_LABELS[name.rsplit("-", 1)[1]] for name in typed if name.count("-") == 2}}
    if isinstance(error, InsufficientStockError):
        return {_row_named(typed, "in", str(error), "quantity"): str(error)}
    if isinstance(error, ValidationError) and error.record in SIDES:
        return {_row_named(typed, SIDES[error.record], error.reason, error.field): error.reason}
    if isinstance(error, ValidationError) and error.field == "produced":
        return {"out-0-item": error.reason}
    return forms.place(error, typed, labels)


def _row_named(typed: Mapping[str, str], side: str, reason: str, field: str) -> str:
    """The field ``field`` of the first filled row of ``side`` whose item (and location) the reason names."""
    filled = [
        name.removesuffix("-item")
        for name, value in typed.items()
        if name.startswith(side) and name.endswith("-item") and value
    ]
    for prefix in filled:
        item, location = typed[prefix + "-item"], typed[prefix + "-location"]
        if f"item {item} at {location}" in reason:
            return f"{prefix}-{field}"
    for prefix in filled:
        if typed[prefix + "-item"] in reason:
            return f"{prefix}-{field}"
    return f"{filled[0] if filled else side + '-0'}-{field}"


def _produce_form(
    request: Request,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    posted: stock.PostingSummary | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "stock_actions/produce.html",
        status,
        form=typed,
        errors=errors,
        consumed_rows=CONSUMED_ROWS,
        produced_rows=PRODUCED_ROWS,
        row_labels=ROW_LABELS,
        labels=PRODUCE_LABELS,
        posted=posted,
    )


# --- reservations -----------------------------------------------------------------------


def _reservation_rows(uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
    document = query.filters.get("document")
    found: list[lists.Row] = [vars(r) for r in reservations.reservations_for(uow, document)] if document else []
    return lists.Rows(len(found), found[offset : offset + limit])


RESERVATIONS = lists.ListView(
    name="reservations",
    title="Reservations of a document",
    path="/stock/reservations",
    columns=(
        lists.Column("number", "Reservation", sortable=False),
        lists.Column("document", "Document", sortable=False),
        lists.Column("item", "Item", link="items", sortable=False),
        lists.Column("location", "Location", sortable=False),
        lists.Column("lot", "Lot", sortable=False),
        lists.Column("quantity", "Reserved", NUMBER, sortable=False),
        lists.Column("reserved_quantity", "Still held", NUMBER, sortable=False),
        lists.Column("status", "Status", shown="words", sortable=False),
    ),
    fetch=_reservation_rows,
    filters=(lists.Filter("document", "Document"),),
    searchable=False,
    key=("number",),
)


@router.get("/reservations")
def reservations_page(request: Request) -> Response:
    return _reservations(request, {}, {})


@router.get("/reservations/export.{fmt}")
def reservations_export(request: Request, fmt: str) -> Response:
    return lists.export(request, RESERVATIONS, fmt)


@router.post("/reservations")
def reserve(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POST_STOCK))],
    item: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    document: Annotated[str, Form()] = "",
) -> Response:
    """Reserve stock for a document: all of it, or nothing and the error beside its field."""
    typed = {"item": item, "location": location, "quantity": quantity, "lot": lot, "document": document}
    typed = {name: value.strip() for name, value in typed.items()}
    try:
        made = reservations.reserve(
            work_as(request, user),
            item=typed["item"],
            location=typed["location"],
            quantity=forms.decimal("reservation", "quantity", typed["quantity"], user.locale),
            document=typed["document"],
            user=user.username,
            lot=forms.text(typed["lot"]),
        )
    except PlantOpsError as error:
        errors = {"quantity": str(error)} if isinstance(error, InsufficientStockError) else None
        return _reservations(request, typed, errors or forms.place(error, typed, RESERVE_LABELS), status=400)
    return _reservations(request, {}, {}, made=made)


@router.post("/reservations/release")
def release(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POST_STOCK))],
    reservation: Annotated[str, Form()] = "",
) -> Response:
    """Give back what a reservation still holds."""
    typed = {"reservation": reservation.strip()}
    try:
        if not typed["reservation"]:
            raise ValidationError("release", "reservation", "is required")
        released = reservations.release(work_as(request, user), typed["reservation"])
    except PlantOpsError as error:
        return _reservations(
            request, {}, {}, release_form=typed, release_errors=_release_error(error, typed), status=400
        )
    return _reservations(request, {}, {}, released=released)


def _release_error(error: PlantOpsError, typed: Mapping[str, str]) -> dict[str, str]:
    placed = forms.place(error, typed, RELEASE_LABELS)
    return {"reservation": placed.pop("form")} if "form" in placed else placed


def _reservations(
    request: Request,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    release_form: Mapping[str, str] | None = None,
    release_errors: Mapping[str, str] | None = None,
    status: int = 200,
    **done: Any,
) -> Response:
    listing = lists.fetch(request, RESERVATIONS, lists.read_query(request, RESERVATIONS))
    return render(
        request,
        "stock_actions/reservations.html",
        status,
        listing=listing,
        form={name: typed.get(name, "") for name in RESERVE_LABELS},
        errors=errors,
        labels=RESERVE_LABELS,
        release_form=release_form or {"reservation": ""},
        release_errors=release_errors or {},
        release_labels=RELEASE_LABELS,
        made=done.get("made"),
        released=done.get("released"),
    )


# --- reversal ---------------------------------------------------------------------------


@router.get("/reverse")
def reverse_page(request: Request, posting: str = "") -> Response:
    return _reverse_form(request, {"posting": posting.strip(), "reason": ""}, {})


@router.post("/reverse")
def reverse_posting(
    request: Request,
    user: Annotated[User, Depends(require(Permission.POST_STOCK))],
    posting: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Post the exact opposite of a posting, once, with the reason why; the original stays in the ledger."""
    typed = {"posting": posting.strip(), "reason": reason.strip()}
    try:
        number = forms.integer("reversal", "posting", typed["posting"], 0, user.locale)
        if number < 1:
            raise ValidationError("reversal", "posting", "is required: the number of the posting to reverse")
        if number > LAST_POSTING:
            raise ValidationError("reversal", "posting", f"{typed['posting']!r} is not a posting number")
        posted = stock.reverse(work_as(request, user), number, Who(user.username, reason=typed["reason"]))
    except PlantOpsError as error:
        return _reverse_form(request, typed, forms.place(error, typed, REVERSE_LABELS), status=400)
    return _reverse_form(request, {"posting": "", "reason": ""}, {}, posted=posted, reversed_posting=typed["posting"])


def _reverse_form(
    request: Request, typed: Mapping[str, str], errors: Mapping[str, str], *, status: int = 200, **done: Any
) -> Response:
    return render(
        request,
        "stock_actions/reverse.html",
        status,
        form=typed,
        errors=errors,
        labels=REVERSE_LABELS,
        posted=done.get("posted"),
        reversed_posting=done.get("reversed_posting"),
    )
