"""Purchasing: purchase orders from draft to closed, their PDF and CSV for the supplier, receipts and
returns against their lines, supplier invoices matched three ways, and supplier scorecards.

Under ``/purchasing`` (``/purchase-orders`` is the order sheet's generic record route). A
receipt or return sent with an ``Idempotency-Key`` header is posted at most once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from plantops.api.postings import IdempotencyKey, PostingOut, posting_out
from plantops.api.problems import problem_responses
from plantops.api.schemas import Amount, Code, Exact, ListQuery, Page, Quantity, Schema, Text
from plantops.api.security import Buyer, Caller, Reader, StockPoster
from plantops.errors import ValidationError
from plantops.services.inventory.stock import Who
from plantops.services.purchasing import documents, invoices, lifecycle, orders, receiving, scorecards, sourcing_advice
from plantops.services.purchasing.invoices import InvoiceView
from plantops.services.purchasing.orders import PurchaseOrderView
from plantops.vocabulary import InvoiceStatus, PurchaseStatus

router = APIRouter(prefix="/purchasing", tags=["purchasing"], responses=problem_responses(401, 403, 404, 422))

LineNumber = Annotated[int, Field(ge=1, le=2**31 - 1)]
Lines = Field(min_length=1, max_length=orders.MAX_LINES)


class PurchaseLineIn(Schema):
    item: Code
    quantity: Quantity
    due_date: dt.date
    unit_price: Amount | None = Field(default=None, description="Without one: the supplier's valid price break.")


class PurchaseOrderCreate(Schema):
    supplier: Code
    site: Code
    lines: list[PurchaseLineIn] = Lines


class PurchaseLineOut(BaseModel):
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Exact
    received_quantity: Exact
    returned_quantity: Exact
    invoiced_quantity: Exact
    open_quantity: Exact
    unit_price: Exact
    amount: Exact
    due_date: dt.date
    confirmed_date: dt.date | None


class ReceiptOut(BaseModel):
    line: int
    item: str
    quantity: Exact = Field(description="Negative for a return to the supplier.")
    received_at: dt.datetime
    received_by: str
    posting_id: int
    reason: str
    debit_note: str | None


class RevisionOut(BaseModel):
    revision: int
    changed_at: dt.datetime
    changed_by: str
    reason: str


class PurchaseOrderOut(BaseModel):
    number: str
    supplier: str
    supplier_name: str
    site: str
    status: PurchaseStatus
    order_date: dt.date
    revision: int
    currency: str
    total: Exact
    created_by: str
    approved_by: str | None
    sent_at: dt.datetime | None
    planned_order: str | None
    rfq: str | None
    lines: list[PurchaseLineOut]
    receipts: list[ReceiptOut]
    revisions: list[RevisionOut]
    supplier_warning: str | None = Field(
        default=None, description="The supplier's poor score of the last three months, if any (on reading an order)."
    )


class PurchaseOrderSummaryOut(BaseModel):
    number: str
    supplier: str
    site: str
    status: PurchaseStatus
    order_date: dt.date
    revision: int
    currency: str
    lines: int
    total: Exact
    next_due: dt.date | None


class PurchaseQuery(ListQuery):
    """Filters of the list; ``search`` looks in the number, the planned order and the RFQ."""

    status: PurchaseStatus | None = None
    supplier: Code | None = None
    item: Code | None = None
    search: Text | None = None


class ConfirmedLine(Schema):
    line: LineNumber
    confirmed_date: dt.date


class Confirmation(Schema):
    lines: list[ConfirmedLine] = Lines


class LineChangeIn(Schema):
    line: LineNumber | None = Field(default=None, description="Without one: a new line (item, quantity, due date).")
    item: Code | None = None
    quantity: Quantity | None = None
    due_date: dt.date | None = None
    unit_price: Amount | None = None


class Revision(Schema):
    reason: Text = Field(default="", description="Required once the order was sent.")
    changes: list[LineChangeIn] = Lines


class ArrivalIn(Schema):
    line: LineNumber | Code = Field(description="The line number, or the scanned line reference <order>/<line>.")
    quantity: Quantity
    location: Code
    lot: Code | None = None
    expiry: dt.date | None = None


class ReceiptIn(Schema):
    reason: Text = ""
    effective_at: AwareDatetime | None = Field(default=None, description="When the goods arrived (default: now).")
    lines: list[ArrivalIn] = Lines


class ReturnIn(Schema):
    line: LineNumber
    quantity: Quantity
    location: Code
    lot: Code | None = None
    reason: Text
    effective_at: AwareDatetime | None = None


class PurchasePostingOut(BaseModel):
    order: PurchaseOrderOut
    posting: PostingOut


class InvoiceLineIn(Schema):
    order: Code
    line: LineNumber
    quantity: Quantity
    unit_price: Amount


class InvoiceIn(Schema):
    supplier: Code
    number: Code
    invoice_date: dt.date
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    lines: list[InvoiceLineIn] = Lines


class InvoiceLineOut(BaseModel):
    line: int
    order: str
    order_line: int
    item: str
    quantity: Exact
    unit_price: Exact
    ordered_quantity: Exact
    received_quantity: Exact
    order_price: Exact
    price_variance: Exact
    variance_goes_to: str
    problem: str | None = Field(description="Why the line does not match; null when it does.")


class InvoiceOut(BaseModel):
    supplier: str
    number: str
    invoice_date: dt.date
    currency: str
    status: InvoiceStatus
    total: Exact
    entered_by: str
    approved_by: str | None
    lines: list[InvoiceLineOut]


class InvoiceSummaryOut(BaseModel):
    supplier: str
    number: str
    invoice_date: dt.date
    status: InvoiceStatus
    lines: int
    blocked_lines: int


class InvoiceQuery(Schema):
    supplier: Code | None = None
    status: InvoiceStatus | None = None
    order: Code | None = None


class MonthScoreOut(BaseModel):
    month: dt.date
    lines_due: int
    on_time_in_full: float | None = Field(description="Percent of the lines due; null for a month with none due.")
    receipts: int
    received_quantity: float
    lead_time_mean: float | None
    lead_time_std: float | None
    lead_time_trend: float | None = Field(description="Days per 30 days; null with fewer than 3 receipts.")
    price_variance: float
    price_variance_percent: float | None
    quality_ppm: float | None
    score: float | None = Field(description="0-100; null for a month without receipts.")
    poor: bool


class LateLineOut(BaseModel):
    order: str
    line: int
    item: str
    due: dt.date
    quantity: Exact
    received_quantity: Exact


class ScorecardOut(BaseModel):
    supplier: str
    name: str
    currency: str
    warning: str | None
    months: list[MonthScoreOut]
    overall: MonthScoreOut
    missed: list[LateLineOut]


class SupplierAdviceOut(BaseModel):
    supplier: str
    rank: int
    unit_price: float
    disruption_rate: float = Field(description="Disruptions per year.")
    recovery_rate: float = Field(description="Recoveries per year: 1 / the mean years a disruption lasts.")
    disruption_basis: str
    share: float = Field(description="The recommended share of the demand, 0 to 1.")
    order_quantity: float
    expected_cost: float
    single_sourcing_cost: float = Field(description="The expected cost per year if it were the only source.")


class SourcingAdviceOut(BaseModel):
    item: str
    demand_rate: float
    demand_basis: str
    stockout_cost: float
    ordering_cost: float
    holding_cost_rate: float
    total_cost: float
    suppliers: list[SupplierAdviceOut]


class SourcingQuery(Schema):
    stockout_cost: float = Field(gt=0, le=1e9, description="Cost per unit short per year.")
    demand_rate: float | None = Field(
        default=None, gt=0, le=1e12, description="Units per year (default: consumed over the last 365 days)."
    )
    disruption: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="SUPPLIER:RATE:RECOVERY (per year) to use instead of the rates learned from deliveries.",
    )


def _disruptions(given: list[str]) -> dict[str, sourcing_advice.Disruption]:
    found = {}
    for text in given:
        parts = text.split(":")
        try:
            supplier, rate, recovery = parts[0], float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            raise ValidationError("sourcing advice", "disruption", f"{text!r} is not SUPPLIER:RATE:RECOVERY") from None
        found[supplier] = sourcing_advice.Disruption(rate, recovery)
    return found


def _order(view: PurchaseOrderView) -> PurchaseOrderOut:
    lines = [PurchaseLineOut(**vars(line), open_quantity=line.open_quantity, amount=line.amount) for line in view.lines]
    return PurchaseOrderOut(
        **{
            **vars(view),
            "lines": lines,
            "receipts": [ReceiptOut(**vars(r)) for r in view.receipts],
            "revisions": [RevisionOut(**vars(r)) for r in view.revisions],
        },
        total=view.total,
    )


def _invoice(view: InvoiceView) -> InvoiceOut:
    lines = [
        InvoiceLineOut(**vars(line), price_variance=line.price_variance, variance_goes_to=line.variance_goes_to)
        for line in view.lines
    ]
    return InvoiceOut(**{**vars(view), "lines": lines}, total=view.total)


def _who(caller: Caller, reason: str, effective_at: dt.datetime | None, key: str | None) -> Who:
    return Who(caller.username, "", reason, effective_at, key)


@router.get("/orders", response_model=Page[PurchaseOrderSummaryOut], summary="Purchase orders with their totals")
def list_orders(query: Annotated[PurchaseQuery, Query()], caller: Reader) -> Page[PurchaseOrderSummaryOut]:
    """Newest first; sort by ``number``, ``supplier``, ``site``, ``status``, ``order_date`` or ``next_due``."""
    found = orders.purchase_orders(
        caller.uow(),
        status=query.status,
        supplier=query.supplier,
        item=query.item,
        search=query.search,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [PurchaseOrderSummaryOut(**vars(order)) for order in found.orders]
    return Page[PurchaseOrderSummaryOut](total=found.total, offset=query.offset, limit=query.limit, items=items)


@router.post(
    "/orders", response_model=PurchaseOrderOut, status_code=status.HTTP_201_CREATED, summary="Create a draft order"
)
def create(body: PurchaseOrderCreate, caller: Buyer) -> PurchaseOrderOut:
    view = orders.create_purchase_order(
        caller.uow(),
        supplier=body.supplier,
        site=body.site,
        lines=[orders.PurchaseLine(line.item, line.quantity, line.due_date, line.unit_price) for line in body.lines],
        today=dt.date.today(),
    )
    return _order(view)


@router.get("/orders/{number}", response_model=PurchaseOrderOut, summary="A purchase order with its history")
def get(number: str, caller: Reader) -> PurchaseOrderOut:
    """Its lines, receipts and returns, the revisions it went through, and the supplier's poor score if any."""
    order = _order(orders.purchase_order(caller.uow(), number))
    card = scorecards.scorecard(caller.uow(), order.supplier, today=dt.date.today(), months=3)
    return order.model_copy(update={"supplier_warning": card.warning})


@router.get("/orders/{number}/pdf", summary="The order as a PDF for the supplier", response_class=Response)
def order_pdf(number: str, caller: Reader) -> Response:
    content = documents.order_pdf(caller.uow(), number, company=caller.ops.settings.company_name)
    disposition = f'inline; filename="{number}.pdf"'
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/orders/{number}/csv", summary="The order's lines as CSV for the supplier", response_class=Response)
def order_csv(number: str, caller: Reader) -> Response:
    disposition = f'attachment; filename="{number}.csv"'
    return Response(
        documents.order_csv(caller.uow(), number), media_type="text/csv", headers={"Content-Disposition": disposition}
    )


@router.post("/orders/{number}/approve", response_model=PurchaseOrderOut, summary="Approve a draft order")
def approve(number: str, caller: Buyer) -> PurchaseOrderOut:
    """Refused (422) above the highest approval limit of the caller's roles."""
    return _order(lifecycle.approve(caller.uow(), number, caller.principal.roles))


@router.post("/orders/{number}/send", response_model=PurchaseOrderOut, summary="Mark an approved order as sent")
def send(number: str, caller: Buyer) -> PurchaseOrderOut:
    return _order(lifecycle.send(caller.uow(), number, now=dt.datetime.now(dt.UTC)))


@router.post("/orders/{number}/confirm", response_model=PurchaseOrderOut, summary="The supplier's dates per line")
def confirm(number: str, body: Confirmation, caller: Buyer) -> PurchaseOrderOut:
    dates = {line.line: line.confirmed_date for line in body.lines}
    return _order(lifecycle.confirm(caller.uow(), number, dates))


@router.post("/orders/{number}/revise", response_model=PurchaseOrderOut, summary="Change lines (a new revision)")
def revise(number: str, body: Revision, caller: Buyer) -> PurchaseOrderOut:
    """Before sending, in place; once sent, as the next revision with the reason, keeping the old lines."""
    changes = [lifecycle.LineChange(c.line, c.quantity, c.due_date, c.unit_price, c.item) for c in body.changes]
    return _order(lifecycle.revise(caller.uow(), number, changes, body.reason))


@router.post("/orders/{number}/cancel", response_model=PurchaseOrderOut, summary="Cancel an order")
def cancel(number: str, caller: Buyer) -> PurchaseOrderOut:
    """Only an order of which nothing was received; otherwise close it."""
    return _order(lifecycle.cancel(caller.uow(), number))


@router.post("/orders/{number}/close", response_model=PurchaseOrderOut, summary="Close an order")
def close(number: str, caller: Buyer) -> PurchaseOrderOut:
    """Nothing more is expected: what is still open is no longer supply for MRP."""
    return _order(lifecycle.close(caller.uow(), number))


@router.post(
    "/orders/{number}/receipts",
    response_model=PurchasePostingOut,
    status_code=status.HTTP_201_CREATED,
    summary="Receive goods against the order's lines",
    responses=problem_responses(409),
)
def receive(
    number: str, body: ReceiptIn, caller: StockPoster, response: Response, key: IdempotencyKey = None
) -> PurchasePostingOut:
    """One posting; refused (422, nothing posted) for an order not sent or cancelled, a line of another order,
    more than the line's tolerance allows, or a location of another site."""
    arrivals = [receiving.PurchaseArrival(a.line, a.quantity, a.location, a.lot, a.expiry) for a in body.lines]
    posted = receiving.receive(caller.uow(), number, arrivals, _who(caller, body.reason, body.effective_at, key))
    return PurchasePostingOut(order=_order(posted.order), posting=posting_out(posted.posting, response))


@router.post(
    "/orders/{number}/returns",
    response_model=PurchasePostingOut,
    status_code=status.HTTP_201_CREATED,
    summary="Return received goods to the supplier",
    responses=problem_responses(409),
)
def return_goods(
    number: str, body: ReturnIn, caller: StockPoster, response: Response, key: IdempotencyKey = None
) -> PurchasePostingOut:
    """A negative receipt with its reason and a debit note; the line is open again by that much."""
    posted = receiving.return_to_supplier(
        caller.uow(),
        number,
        line=body.line,
        quantity=body.quantity,
        location=body.location,
        lot=body.lot,
        reason=body.reason,
        who=_who(caller, body.reason, body.effective_at, key),
    )
    return PurchasePostingOut(order=_order(posted.order), posting=posting_out(posted.posting, response))


@router.get("/invoices", response_model=list[InvoiceSummaryOut], summary="Supplier invoices")
def list_invoices(query: Annotated[InvoiceQuery, Query()], caller: Reader) -> list[InvoiceSummaryOut]:
    found = invoices.invoices(caller.uow(), supplier=query.supplier, status=query.status, order=query.order)
    return [InvoiceSummaryOut(**vars(summary)) for summary in found]


@router.post(
    "/invoices", response_model=InvoiceOut, status_code=status.HTTP_201_CREATED, summary="Enter and match an invoice"
)
def enter_invoice(body: InvoiceIn, caller: Buyer) -> InvoiceOut:
    """Matched three ways line by line; a line that does not match blocks the invoice and says why."""
    lines = [invoices.InvoiceLine(line.order, line.line, line.quantity, line.unit_price) for line in body.lines]
    view = invoices.enter_invoice(
        caller.uow(),
        supplier=body.supplier,
        number=body.number,
        invoice_date=body.invoice_date,
        lines=lines,
        currency=body.currency,
    )
    return _invoice(view)


@router.get("/invoices/{supplier}/{number}", response_model=InvoiceOut, summary="An invoice with its match")
def get_invoice(supplier: str, number: str, caller: Reader) -> InvoiceOut:
    return _invoice(invoices.invoice(caller.uow(), supplier=supplier, number=number))


@router.post("/invoices/{supplier}/{number}/match", response_model=InvoiceOut, summary="Match an invoice again")
def match_invoice(supplier: str, number: str, caller: Buyer) -> InvoiceOut:
    return _invoice(invoices.match_again(caller.uow(), supplier=supplier, number=number))


@router.post(
    "/invoices/{supplier}/{number}/approve", response_model=InvoiceOut, summary="Approve an invoice for payment"
)
def approve_invoice(supplier: str, number: str, caller: Buyer) -> InvoiceOut:
    """Refused (422) while a line does not match, naming the line and why."""
    return _invoice(invoices.approve_for_payment(caller.uow(), supplier=supplier, number=number))


@router.get("/scorecards/{supplier}", response_model=ScorecardOut, summary="A supplier's scorecard per month")
def scorecard(
    supplier: str, caller: Reader, months: Annotated[int, Query(ge=1, le=scorecards.MAX_MONTHS)] = 12
) -> ScorecardOut:
    """On time in full, lead time, price variance, quality and score per month; null where a month has
    nothing to measure."""
    card = scorecards.scorecard(caller.uow(), supplier, today=dt.date.today(), months=months)
    return ScorecardOut(
        supplier=card.supplier,
        name=card.name,
        currency=card.currency,
        warning=card.warning,
        months=[MonthScoreOut(**vars(month)) for month in card.months],
        overall=MonthScoreOut(**vars(card.overall)),
        missed=[LateLineOut(**vars(late)) for late in card.missed],
    )


@router.get("/sourcing/{item}", response_model=SourcingAdviceOut, summary="How to source an item under disruption")
def sourcing(item: str, query: Annotated[SourcingQuery, Query()], caller: Reader) -> SourcingAdviceOut:
    """The least-cost split of the item's demand over its suppliers and each one's order quantity, by the
    EOQ with disruptions (Snyder & Shen ch. 9), with the rates learned from each supplier's deliveries."""
    advice = sourcing_advice.advise(
        caller.uow(),
        item,
        stockout_cost=query.stockout_cost,
        today=dt.date.today(),
        demand_rate=query.demand_rate,
        disruptions=_disruptions(query.disruption),
    )
    return SourcingAdviceOut(**{**vars(advice), "suppliers": [SupplierAdviceOut(**vars(s)) for s in advice.suppliers]})
