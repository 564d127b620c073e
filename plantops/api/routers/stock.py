"""Stock: post moves (receipts, issues, moves, adjustments, production...), read balances,
reservations, available-to-promise, lot genealogy and valuation.

A posting sent with an ``Idempotency-Key`` header is posted at most once: sent again
(a scanner retrying after a timeout), it answers the first posting again, with status
200 instead of 201 and ``replayed`` true.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from plantops.api.postings import IdempotencyKey, PostingOut, posting_out
from plantops.api.problems import problem_responses
from plantops.api.schemas import Amount, Code, Exact, ListQuery, Page, Quantity, Schema, Text, page_of
from plantops.api.security import Caller, Reader, StockPoster
from plantops.errors import ValidationError
from plantops.services.inventory import availability, balances, genealogy, moves, reservations, stock, valuation
from plantops.services.inventory.stock import StockLine, Who
from plantops.vocabulary import MoveType

router = APIRouter(prefix="/stock", tags=["stock"], responses=problem_responses(401, 403, 404, 409, 422))


class Line(Schema):
    item: Code
    location: Code
    quantity: Quantity
    lot: Code | None = None


class IncomingLine(Line):
    unit_cost: Amount | None = None
    expiry: dt.date | None = None


class Why(Schema):
    document: Text = ""
    reason: Text = ""
    effective_at: AwareDatetime | None = Field(default=None, description="When the stock moved (default: now).")


class Receipt(IncomingLine, Why):
    pass


class Issue(Line, Why):
    reservation: Code | None = Field(default=None, description="The reservation the issue consumes.")


class Scrap(Line, Why):
    pass


class Adjustment(IncomingLine, Why):
    increase: bool = Field(description="True to raise on-hand by the quantity, false to lower it.")


class Move(Line, Why):
    to_location: Code


class Production(Why):
    consumed: list[Line] = Field(default_factory=list, max_length=1000)
    produced: list[IncomingLine] = Field(max_length=1000)


class Reversal(Schema):
    reason: Text


def _who(caller: Caller, why: Why, key: str | None) -> Who:
    return Who(caller.username, why.document, why.reason, why.effective_at, key)


def _line(line: Line) -> StockLine:
    return StockLine(
        line.item,
        line.location,
        line.quantity,
        line.lot,
        getattr(line, "unit_cost", None),
        getattr(line, "expiry", None),
    )


POSTED = {
    "response_model": PostingOut,
    "status_code": status.HTTP_201_CREATED,
    "responses": {200: {"model": PostingOut, "description": "Posted before under this Idempotency-Key"}},
}


@router.post("/receipts", summary="Receive goods (a new lot with its expiry)", **POSTED)  # type: ignore[arg-type]
def receive(body: Receipt, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    return posting_out(stock.receive(caller.uow(), _line(body), _who(caller, body, key)), response)


@router.post("/returns", summary="Take back goods (a customer return)", **POSTED)  # type: ignore[arg-type]
def return_stock(body: Receipt, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    return posting_out(stock.return_stock(caller.uow(), _line(body), _who(caller, body, key)), response)


@router.post("/issues", summary="Issue goods (to an order, to production)", **POSTED)  # type: ignore[arg-type]
def issue(body: Issue, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    summary = stock.issue(caller.uow(), _line(body), _who(caller, body, key), reservation=body.reservation)
    return posting_out(summary, response)


@router.post("/scraps", summary="Scrap goods", **POSTED)  # type: ignore[arg-type]
def scrap(body: Scrap, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    return posting_out(stock.scrap(caller.uow(), _line(body), _who(caller, body, key)), response)


@router.post("/adjustments", summary="Correct on-hand up or down (a reason is required)", **POSTED)  # type: ignore[arg-type]
def adjust(body: Adjustment, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    summary = stock.adjust(caller.uow(), _line(body), _who(caller, body, key), increase=body.increase)
    return posting_out(summary, response)


@router.post("/moves", summary="Move stock between locations of a site (to another site: a transfer order)", **POSTED)  # type: ignore[arg-type]
def move(body: Move, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    summary = stock.move(caller.uow(), _line(body), body.to_location, _who(caller, body, key))
    return posting_out(summary, response)


@router.post("/productions", summary="Consume components and put away outputs (co-products too)", **POSTED)  # type: ignore[arg-type]
def produce(body: Production, caller: StockPoster, response: Response, key: IdempotencyKey = None) -> PostingOut:
    summary = stock.produce(
        caller.uow(),
        [_line(line) for line in body.consumed],
        [_line(line) for line in body.produced],
        _who(caller, body, key),
    )
    return posting_out(summary, response)


@router.post("/postings/{posting_id}/reversal", summary="Post the exact opposite of a posting", **POSTED)  # type: ignore[arg-type]
def reverse(
    posting_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: Reversal,
    caller: StockPoster,
    response: Response,
    key: IdempotencyKey = None,
) -> PostingOut:
    summary = stock.reverse(caller.uow(), posting_id, Who(caller.username, "", body.reason, None, key))
    return posting_out(summary, response)


class BalanceOut(BaseModel):
    item: str
    site: str
    location: str
    lot: str | None
    expiry: dt.date | None
    on_hand: Exact
    reserved: Exact
    available: Exact


class BalanceQuery(ListQuery):
    item: Code | None = None
    location: Code | None = None
    site: Code | None = None
    include_zero: bool = False


BALANCE_FIELDS = ("item", "site", "location", "lot", "expiry", "on_hand", "reserved", "available")


@router.get(
    "/balances", response_model=Page[BalanceOut], summary="On hand, reserved and available per location and lot"
)
def on_hand(query: Annotated[BalanceQuery, Query()], caller: Reader) -> Page[BalanceOut]:
    found = balances.on_hand(
        caller.uow(), item=query.item, location=query.location, site=query.site, include_zero=query.include_zero
    )
    rows = [BalanceOut(**{name: getattr(b, name) for name in BALANCE_FIELDS}) for b in found]
    return page_of(rows, query, BALANCE_FIELDS)


class MoveQuery(ListQuery):
    item: Code | None = None
    location: Code | None = None
    lot: Code | None = None
    move_type: MoveType | None = None
    document: Text | None = Field(default=None, description="The posting's source document.")
    since: AwareDatetime | None = Field(default=None, description="Effective at or after.")
    until: AwareDatetime | None = Field(default=None, description="Effective before.")


class MoveOut(BaseModel):
    move: int
    posting: int
    move_type: MoveType
    item: str
    location: str
    lot: str | None
    quantity: Exact = Field(description="Signed: negative takes stock out.")
    unit_cost: Exact
    effective_at: dt.datetime
    posted_at: dt.datetime
    posted_by: str
    document: str
    reason: str


@router.get("/moves", response_model=Page[MoveOut], summary="The ledger's moves, newest first")
def ledger_moves(query: Annotated[MoveQuery, Query()], caller: Reader) -> Page[MoveOut]:
    if query.sort_columns():
        raise ValidationError("stock moves", "sort", "moves are listed newest first only")
    wanted = moves.MoveFilter(
        item=query.item,
        location=query.location,
        lot=query.lot,
        move_type=query.move_type,
        document=query.document,
        since=query.since,
        until=query.until,
    )
    total, found = moves.list_moves(caller.uow(), wanted, offset=query.offset, limit=query.limit)
    items = [MoveOut(**dataclasses.asdict(m)) for m in found]
    return Page(total=total, offset=query.offset, limit=query.limit, items=items)


class ReservationIn(Schema):
    item: Code
    location: Code
    quantity: Quantity
    document: Text = Field(description="The sales order, work order or transfer the stock is for.")
    lot: Code | None = Field(default=None, description="A given lot; without one, lots first-expiry-first-out.")


class ReservationOut(BaseModel):
    number: str
    document: str
    item: str
    location: str
    lot: str | None
    quantity: Exact
    reserved_quantity: Exact
    status: str


def _reservation(r: reservations.Reservation) -> ReservationOut:
    return ReservationOut(
        number=r.number,
        document=r.document,
        item=r.item,
        location=r.location,
        lot=r.lot,
        quantity=r.quantity,
        reserved_quantity=r.reserved_quantity,
        status=r.status.value,
    )


@router.post(
    "/reservations",
    response_model=list[ReservationOut],
    status_code=status.HTTP_201_CREATED,
    summary="Reserve stock for a document (all or nothing)",
)
def reserve(body: ReservationIn, caller: StockPoster) -> list[ReservationOut]:
    made = reservations.reserve(
        caller.uow(),
        item=body.item,
        location=body.location,
        quantity=body.quantity,
        document=body.document,
        user=caller.username,
        lot=body.lot,
    )
    return [_reservation(r) for r in made]


class ReservationQuery(ListQuery):
    document: Text


RESERVATION_FIELDS = ("number", "item", "location", "lot", "quantity", "reserved_quantity", "status")


@router.get("/reservations", response_model=Page[ReservationOut], summary="The reservations of a document")
def reservations_of(query: Annotated[ReservationQuery, Query()], caller: Reader) -> Page[ReservationOut]:
    found = [_reservation(r) for r in reservations.reservations_for(caller.uow(), query.document)]
    return page_of(found, query, RESERVATION_FIELDS)


@router.post(
    "/reservations/{number}/release", response_model=ReservationOut, summary="Give back what a reservation holds"
)
def release(number: str, caller: StockPoster) -> ReservationOut:
    return _reservation(reservations.release(caller.uow(), number))


class AtpPeriodOut(BaseModel):
    start: dt.date
    end: dt.date
    demand: Exact
    receipts: Exact
    projected_on_hand: Exact
    atp: Exact
    cumulative_atp: Exact
    demand_labels: list[str]
    receipt_sources: list[str]


class ProjectionOut(BaseModel):
    item: str
    site: str | None
    start: dt.date
    on_hand: Exact
    reserved: Exact
    periods: list[AtpPeriodOut]
    past_due_demand: Exact
    past_due_receipts: Exact
    beyond_horizon_demand: Exact
    beyond_horizon_receipts: Exact


class AtpQuery(Schema):
    site: Code | None = None
    start: dt.date | None = Field(default=None, description="The first week (default: today).")
    weeks: int = Field(default=12, ge=1, le=260)


@router.get(
    "/atp/{item:path}", response_model=ProjectionOut, summary="Projected stock and available-to-promise by week"
)
def atp(item: str, query: Annotated[AtpQuery, Query()], caller: Reader) -> ProjectionOut:
    found = availability.projected_stock(
        caller.uow(), item=item, site=query.site, start=query.start or dt.date.today(), weeks=query.weeks
    )
    return ProjectionOut(
        item=found.item,
        site=found.site,
        start=found.start,
        on_hand=found.on_hand,
        reserved=found.reserved,
        periods=[
            AtpPeriodOut(
                start=p.start,
                end=p.end,
                demand=p.demand,
                receipts=p.receipts,
                projected_on_hand=p.projected_on_hand,
                atp=p.atp,
                cumulative_atp=p.cumulative_atp,
                demand_labels=list(p.demand_labels),
                receipt_sources=list(p.receipt_sources),
            )
            for p in found.periods
        ],
        past_due_demand=found.past_due_demand,
        past_due_receipts=found.past_due_receipts,
        beyond_horizon_demand=found.beyond_horizon_demand,
        beyond_horizon_receipts=found.beyond_horizon_receipts,
    )


class LotNodeOut(BaseModel):
    item: str
    lot: str
    quantity: Exact | None
    links: list[LotNodeOut]


class TraceQuery(Schema):
    item: Code
    lot: Code
    direction: Literal["backward", "forward"] = "backward"
    depth: int = Field(default=20, ge=1, le=100)


def _node(node: genealogy.LotNode) -> LotNodeOut:
    return LotNodeOut(item=node.item, lot=node.lot, quantity=node.quantity, links=[_node(n) for n in node.links])


@router.get(
    "/genealogy",
    response_model=LotNodeOut,
    summary="Lot genealogy: what went into a lot (backward) or where it went (forward)",
)
def trace(query: Annotated[TraceQuery, Query()], caller: Reader) -> LotNodeOut:
    root = genealogy.trace(caller.uow(), item=query.item, lot=query.lot, direction=query.direction, depth=query.depth)
    return _node(root)


class ItemValueOut(BaseModel):
    item: str
    method: str
    quantity: Exact
    unit_cost: Exact
    value: Exact


class ValuationOut(BaseModel):
    as_of: dt.datetime
    total_value: Exact
    items: Page[ItemValueOut]


class ValuationQuery(ListQuery):
    as_of: AwareDatetime | None = Field(default=None, description="Any past instant (default: now).")
    item: Code | None = None


VALUE_FIELDS = ("item", "method", "quantity", "unit_cost", "value")


@router.get("/valuation", response_model=ValuationOut, summary="What the stock is worth at any instant")
def value(query: Annotated[ValuationQuery, Query()], caller: Reader) -> ValuationOut:
    found = valuation.value_inventory(caller.uow(), as_of=query.as_of or dt.datetime.now(dt.UTC), item=query.item)
    rows = [
        ItemValueOut(item=v.item, method=v.method.value, quantity=v.quantity, unit_cost=v.unit_cost, value=v.value)
        for v in found.items.values()
    ]
    return ValuationOut(as_of=found.as_of, total_value=found.total_value, items=page_of(rows, query, VALUE_FIELDS))
