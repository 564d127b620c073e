"""Transfer orders: create, list and read them, ship and receive in parts, cancel, and the stock
in transit. A planned transfer becomes a transfer order through the planning router's release.

A shipment or receipt sent with an ``Idempotency-Key`` header is posted at most once, as
other stock postings (see :mod:`plantops.api.routers.stock`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from plantops.api.postings import IdempotencyKey, PostingOut, posting_out
from plantops.api.problems import problem_responses
from plantops.api.schemas import Code, Exact, ListQuery, Page, Quantity, Schema, Text, page_of
from plantops.api.security import Caller, Reader, Releaser, StockPoster
from plantops.services import transfers
from plantops.services.inventory.stock import Who
from plantops.services.transfers import Arrival, Shipment, TransferLine, TransferOrderView
from plantops.vocabulary import OrderStatus, Tracking

router = APIRouter(prefix="/transfer-orders", tags=["transfer orders"], responses=problem_responses(401, 403, 404, 422))

LineNumber = Annotated[int, Field(ge=1, le=2**31 - 1)]


class TransferLineIn(Schema):
    item: Code
    quantity: Quantity


class TransferOrderCreate(Schema):
    from_site: Code
    to_site: Code
    ship_date: dt.date
    due_date: dt.date
    lines: list[TransferLineIn] = Field(min_length=1, max_length=transfers.MAX_LINES)


class TransferLineOut(BaseModel):
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Exact
    shipped_quantity: Exact
    received_quantity: Exact
    in_transit: Exact
    tracking: Tracking = Field(description="How the item is tracked: a lot-tracked item ships and arrives by lot.")


class TransferOrderOut(BaseModel):
    number: str
    from_site: str
    to_site: str
    status: OrderStatus
    order_date: dt.date
    ship_date: dt.date
    due_date: dt.date
    planned_order: str | None
    created_by: str
    lines: list[TransferLineOut]


class TransferOrderSummaryOut(BaseModel):
    number: str
    from_site: str
    to_site: str
    status: OrderStatus
    order_date: dt.date
    ship_date: dt.date
    due_date: dt.date
    planned_order: str | None
    lines: int
    quantity: Exact
    shipped_quantity: Exact
    received_quantity: Exact


class TransferQuery(ListQuery):
    """Filters of the list: ``site`` is either end; ``search`` looks in the number and the planned order."""

    status: OrderStatus | None = None
    site: Code | None = None
    item: Code | None = None
    search: Text | None = None


class Movement(Schema):
    line: LineNumber
    quantity: Quantity
    location: Code
    lot: Code | None = Field(
        default=None, description="Without one: lots first expiry first (ship), as shipped (receive)."
    )


class Posting(Schema):
    reason: Text = ""
    effective_at: AwareDatetime | None = Field(default=None, description="When the stock moved (default: now).")


class ShipmentIn(Posting):
    lines: list[Movement] = Field(min_length=1, max_length=transfers.MAX_LINES)


class ReceiptIn(Posting):
    lines: list[Movement] = Field(min_length=1, max_length=transfers.MAX_LINES)


class TransferPostingOut(BaseModel):
    order: TransferOrderOut
    posting: PostingOut


class InTransitOut(BaseModel):
    item: str
    site: str
    order: str
    lot: str | None
    location: str
    quantity: Exact
    unit_cost: Exact
    value: Exact


class InTransitQuery(ListQuery):
    item: Code | None = None
    site: Code | None = Field(default=None, description="The destination site.")
    order: Code | None = None


IN_TRANSIT_FIELDS = ("item", "site", "order", "lot", "location", "quantity", "unit_cost", "value")


def _order(view: TransferOrderView) -> TransferOrderOut:
    lines = [TransferLineOut(**vars(line), in_transit=line.in_transit) for line in view.lines]
    return TransferOrderOut(**{**vars(view), "lines": lines})


def _who(caller: Caller, body: Posting, key: str | None) -> Who:
    return Who(caller.username, "", body.reason, body.effective_at, key)


@router.get("", response_model=Page[TransferOrderSummaryOut], summary="Transfer orders with their totals")
def list_orders(query: Annotated[TransferQuery, Query()], caller: Reader) -> Page[TransferOrderSummaryOut]:
    """Newest first; sort by any field, e.g. ``due_date``."""
    found = transfers.transfer_orders(
        caller.uow(),
        status=query.status,
        site=query.site,
        item=query.item,
        search=query.search,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [TransferOrderSummaryOut(**vars(order)) for order in found.orders]
    return Page[TransferOrderSummaryOut](total=found.total, offset=query.offset, limit=query.limit, items=items)


@router.get("/in-transit", response_model=Page[InTransitOut], summary="Stock in transit, valued")
def in_transit(query: Annotated[InTransitQuery, Query()], caller: Reader) -> Page[InTransitOut]:
    """Per item, destination site, order and lot; valued at the item's unit cost now."""
    found = transfers.in_transit(caller.uow(), item=query.item, site=query.site, order=query.order)
    return page_of([InTransitOut(**vars(row)) for row in found], query, IN_TRANSIT_FIELDS)


@router.post(
    "", response_model=TransferOrderOut, status_code=status.HTTP_201_CREATED, summary="Create a transfer order"
)
def create(body: TransferOrderCreate, caller: Releaser) -> TransferOrderOut:
    view = transfers.create_transfer_order(
        caller.uow(),
        from_site=body.from_site,
        to_site=body.to_site,
        ship_date=body.ship_date,
        due_date=body.due_date,
        lines=[TransferLine(line.item, line.quantity) for line in body.lines],
        today=dt.date.today(),
    )
    return _order(view)


@router.get("/{number}", response_model=TransferOrderOut, summary="A transfer order with its lines")
def get(number: str, caller: Reader) -> TransferOrderOut:
    return _order(transfers.transfer_order(caller.uow(), number))


@router.post(
    "/{number}/ship",
    summary="Ship from the source site into transit",
    response_model=TransferPostingOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
def ship(
    number: str, body: ShipmentIn, caller: StockPoster, response: Response, key: IdempotencyKey = None
) -> TransferPostingOut:
    """Each line ships whole or in part; refused (422) beyond what the line still has to ship."""
    shipments = [Shipment(m.line, m.quantity, m.location, m.lot) for m in body.lines]
    posted = transfers.ship(caller.uow(), number, shipments, _who(caller, body, key))
    return TransferPostingOut(order=_order(posted.order), posting=posting_out(posted.posting, response))


@router.post(
    "/{number}/receive",
    summary="Receive from transit at the destination",
    response_model=TransferPostingOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
def receive(
    number: str, body: ReceiptIn, caller: StockPoster, response: Response, key: IdempotencyKey = None
) -> TransferPostingOut:
    """Only lots and quantities this order shipped and has not received; the order closes when all arrived."""
    arrivals = [Arrival(m.line, m.quantity, m.location, m.lot) for m in body.lines]
    posted = transfers.receive(caller.uow(), number, arrivals, _who(caller, body, key))
    return TransferPostingOut(order=_order(posted.order), posting=posting_out(posted.posting, response))


@router.post("/{number}/cancel", response_model=TransferOrderOut, summary="Cancel what has not shipped")
def cancel(number: str, caller: Releaser) -> TransferOrderOut:
    """With nothing shipped, the order is cancelled; otherwise its lines are cut to what shipped and it
    stays open until that arrives."""
    return _order(transfers.cancel(caller.uow(), number))
