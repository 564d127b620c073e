"""Sourcing: requisitions (by hand or from MRP's planned buys), purchase proposals confirmed into
draft purchase orders, and RFQs: their quotations (as JSON or a CSV upload), the side-by-side
comparison and the award into draft purchase orders.

Reads need ``read``; every write needs ``purchase`` (buyers). Records are named by their
numbers (``REQ-000001``, ``RFQ-000001``), suppliers, items and sites by their codes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile, status
from pydantic import BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.schemas import Amount, Code, Exact, ListQuery, Page, Quantity, QuantityOrZero, Schema, Text
from plantops.api.security import Buyer, Reader
from plantops.services.purchasing import requisitions as reqs
from plantops.services.purchasing import rfqs
from plantops.services.purchasing.requisitions import Proposal, RequisitionView
from plantops.services.purchasing.rfqs import Comparison, QuotationIn, QuotedPrice, RfqLineIn, RfqView
from plantops.vocabulary import RequisitionStatus, RfqStatus

RESPONSES = problem_responses(401, 403, 404, 422)
requisitions_router = APIRouter(prefix="/requisitions", tags=["sourcing"], responses=RESPONSES)
proposals_router = APIRouter(prefix="/purchase-proposals", tags=["sourcing"], responses=RESPONSES)
rfqs_router = APIRouter(prefix="/rfqs", tags=["sourcing"], responses=RESPONSES)
ROUTERS = (requisitions_router, proposals_router, rfqs_router)

LineNumber = Annotated[int, Field(ge=1, le=rfqs.MAX_LINES)]
Week = Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$", description="An ISO week, e.g. 2026-W50.")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="A three-letter currency code.")]
Days = Annotated[QuantityOrZero, Field(le=rfqs.MAX_LEAD_TIME_DAYS)]


class RequisitionCreate(Schema):
    item: Code
    site: Code
    quantity: Quantity
    due_date: dt.date
    supplier: Code | None = Field(default=None, description="Without one: the item's rank-1 supplier.")


class FromPlan(Schema):
    due_by: dt.date = Field(description="Requisition the planned buys due on or before this day.")
    site: Code | None = None


class RequisitionOut(BaseModel):
    number: str
    item: str
    item_name: str
    unit: str
    site: str
    quantity: Exact
    due_date: dt.date
    supplier: str | None
    status: RequisitionStatus
    planned_order: str | None
    purchase_order: str | None
    created_by: str


class RequisitionQuery(ListQuery):
    status: RequisitionStatus | None = None
    item: Code | None = None
    supplier: Code | None = None
    site: Code | None = None
    search: Text | None = None


class ProposalLineOut(BaseModel):
    requisition: str
    item: str
    item_name: str
    unit: str
    quantity: Exact
    due_date: dt.date
    unit_price: Exact | None = Field(description="The supplier's price break for the quantity; null: no price.")
    amount: Exact | None


class ProposalOut(BaseModel):
    supplier: str
    supplier_name: str
    currency: str
    site: str
    week: str
    total: Exact
    priced: bool = Field(description="Whether every line has a price (else it cannot be confirmed).")
    lines: list[ProposalLineOut]


class ProposalQuery(Schema):
    site: Code | None = None
    supplier: Code | None = None


class ProposalConfirm(Schema):
    supplier: Code
    site: Code
    week: Week


class ConfirmationOut(BaseModel):
    purchase_order: str
    requisitions: list[str]


class RfqLineCreate(Schema):
    item: Code
    quantity: Quantity
    due_date: dt.date


class RfqCreate(Schema):
    suppliers: list[Code] = Field(min_length=2, max_length=rfqs.MAX_SUPPLIERS)
    requisitions: list[Code] = Field(default_factory=list, max_length=rfqs.MAX_LINES)
    lines: list[RfqLineCreate] = Field(default_factory=list, max_length=rfqs.MAX_LINES)
    site: Code | None = Field(default=None, description="Without one: the requisitions' site.")
    respond_by: dt.date | None = None


class PriceIn(Schema):
    line: LineNumber
    min_quantity: QuantityOrZero = Field(description="From this quantity on, the unit price applies to all units.")
    unit_price: Amount
    lead_time_days: Days


class QuotationCreate(Schema):
    supplier: Code
    valid_until: dt.date
    prices: list[PriceIn] = Field(min_length=1, max_length=10 * rfqs.MAX_LINES)
    freight: Amount = Field(default=Decimal(0))
    currency: Currency | None = Field(default=None, description="Without one: the supplier's currency.")
    received_on: dt.date | None = Field(default=None, description="Without one: today.")


class PriceOut(BaseModel):
    line: int
    min_quantity: Exact
    unit_price: Exact
    lead_time_days: Exact


class QuotationOut(BaseModel):
    supplier: str
    received_on: dt.date
    valid_until: dt.date
    currency: str
    freight: Exact
    prices: list[PriceOut]


class RfqLineOut(BaseModel):
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Exact
    due_date: dt.date
    requisition: str | None


class RfqOut(BaseModel):
    number: str
    site: str
    status: RfqStatus
    created_on: dt.date
    respond_by: dt.date | None
    created_by: str
    suppliers: list[str]
    lines: list[RfqLineOut]
    quotations: list[QuotationOut]
    purchase_orders: list[str]


class RfqSummaryOut(BaseModel):
    number: str
    site: str
    status: RfqStatus
    created_on: dt.date
    respond_by: dt.date | None
    lines: int
    suppliers: int
    quotations: int


class RfqQuery(ListQuery):
    status: RfqStatus | None = None
    site: Code | None = None
    supplier: Code | None = None
    item: Code | None = None
    search: Text | None = None


class CellOut(BaseModel):
    supplier: str
    quoted: bool = Field(description="False: no quote for this line (the rest is null).")
    unit_price: Exact | None
    bought_quantity: Exact | None = Field(description="The asked quantity, or the supplier's minimum above it.")
    below_minimum: bool
    amount: Exact | None
    lead_time_days: Exact | None
    arrives_on: dt.date | None = Field(description="The quotation's date plus the lead time.")
    on_time: bool | None = Field(description="Whether it arrives by the line's due date.")
    cheapest: bool


class RowOut(BaseModel):
    line: RfqLineOut
    cells: list[CellOut]


class ComparedSupplierOut(BaseModel):
    code: str
    name: str
    quoted: bool
    currency: str | None
    received_on: dt.date | None
    valid_until: dt.date | None
    expired: bool = Field(description="Valid until before today: shown, but it cannot be awarded.")
    freight: Exact | None
    landed_cost: Exact | None = Field(description="The quoted lines' amounts plus freight.")
    complete: bool = Field(description="Whether it quoted every line.")
    cheapest: bool
    warning: str | None = Field(description="The supplier's poor score of the last three months, if any.")


class ComparisonOut(BaseModel):
    rfq: str
    today: dt.date
    ranked: bool = Field(description="False when valid quotations are in several currencies: none is marked.")
    suppliers: list[ComparedSupplierOut]
    rows: list[RowOut]


class AwardIn(Schema):
    """The whole RFQ to ``supplier``, or each line to the supplier ``lines`` names."""

    supplier: Code | None = None
    lines: dict[LineNumber, Code] | None = Field(default=None, max_length=rfqs.MAX_LINES)


class AwardOut(BaseModel):
    rfq: RfqOut
    purchase_orders: list[str]


def _requisition(view: RequisitionView) -> RequisitionOut:
    return RequisitionOut(**vars(view))


def _proposal(found: Proposal) -> ProposalOut:
    lines = [ProposalLineOut(**vars(line), amount=line.amount) for line in found.lines]
    return ProposalOut(**{**vars(found), "lines": lines}, total=found.total, priced=found.priced)


def _rfq(view: RfqView) -> RfqOut:
    quotations = [
        QuotationOut(**{**vars(q), "prices": [PriceOut(**vars(p)) for p in q.prices]}) for q in view.quotations
    ]
    lines = [RfqLineOut(**vars(line)) for line in view.lines]
    return RfqOut(**{**vars(view), "lines": lines, "quotations": quotations})


def _comparison(found: Comparison) -> ComparisonOut:
    return ComparisonOut(
        rfq=found.rfq.number,
        today=found.today,
        ranked=found.ranked,
        suppliers=[ComparedSupplierOut(**vars(s)) for s in found.suppliers],
        rows=[
            RowOut(line=RfqLineOut(**vars(row.line)), cells=[CellOut(**vars(c)) for c in row.cells])
            for row in found.rows
        ],
    )


@requisitions_router.get("", response_model=Page[RequisitionOut], summary="Requisitions")
def list_requisitions(query: Annotated[RequisitionQuery, Query()], caller: Reader) -> Page[RequisitionOut]:
    """Newest first; sort by any field, e.g. ``due_date``."""
    found = reqs.requisitions(
        caller.uow(),
        status=query.status,
        item=query.item,
        supplier=query.supplier,
        site=query.site,
        search=query.search,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [_requisition(r) for r in found.requisitions]
    return Page[RequisitionOut](total=found.total, offset=query.offset, limit=query.limit, items=items)


@requisitions_router.post(
    "", response_model=RequisitionOut, status_code=status.HTTP_201_CREATED, summary="Create a requisition"
)
def create_requisition(body: RequisitionCreate, caller: Buyer) -> RequisitionOut:
    view = reqs.create_requisition(
        caller.uow(),
        item=body.item,
        site=body.site,
        quantity=body.quantity,
        due_date=body.due_date,
        supplier=body.supplier,
    )
    return _requisition(view)


@requisitions_router.post(
    "/from-plan",
    response_model=list[RequisitionOut],
    status_code=status.HTTP_201_CREATED,
    summary="Requisition the plan's buys",
)
def from_plan(body: FromPlan, caller: Buyer) -> list[RequisitionOut]:
    """One requisition per planned buy (planned or firm) of the plan in force due by ``due_by``; the
    planned orders are marked released as them."""
    return [_requisition(r) for r in reqs.requisitions_from_plan(caller.uow(), due_by=body.due_by, site=body.site)]


@requisitions_router.get("/{number}", response_model=RequisitionOut, summary="A requisition")
def get_requisition(number: str, caller: Reader) -> RequisitionOut:
    return _requisition(reqs.requisition(caller.uow(), number))


@requisitions_router.post("/{number}/cancel", response_model=RequisitionOut, summary="Cancel an open requisition")
def cancel_requisition(number: str, caller: Buyer) -> RequisitionOut:
    return _requisition(reqs.cancel_requisition(caller.uow(), number))


@proposals_router.get("", response_model=list[ProposalOut], summary="Purchase proposals")
def list_proposals(query: Annotated[ProposalQuery, Query()], caller: Reader) -> list[ProposalOut]:
    """Open requisitions grouped by proposed supplier, site and ISO week of the due date, priced at
    the supplier's price breaks."""
    return [_proposal(p) for p in reqs.proposals(caller.uow(), site=query.site, supplier=query.supplier)]


@proposals_router.post(
    "/confirm",
    response_model=ConfirmationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Confirm a proposal as a draft purchase order",
)
def confirm_proposal(body: ProposalConfirm, caller: Buyer) -> ConfirmationOut:
    done = reqs.confirm_proposal(
        caller.uow(), supplier=body.supplier, site=body.site, week=body.week, today=dt.date.today()
    )
    return ConfirmationOut(purchase_order=done.purchase_order, requisitions=done.requisitions)


@rfqs_router.get("", response_model=Page[RfqSummaryOut], summary="Requests for quotation")
def list_rfqs(query: Annotated[RfqQuery, Query()], caller: Reader) -> Page[RfqSummaryOut]:
    found = rfqs.rfqs(
        caller.uow(),
        status=query.status,
        site=query.site,
        supplier=query.supplier,
        item=query.item,
        search=query.search,
        sort=query.sort_columns(),
        offset=query.offset,
        limit=query.limit,
    )
    items = [RfqSummaryOut(**vars(r)) for r in found.rfqs]
    return Page[RfqSummaryOut](total=found.total, offset=query.offset, limit=query.limit, items=items)


@rfqs_router.post("", response_model=RfqOut, status_code=status.HTTP_201_CREATED, summary="Create an RFQ")
def create_rfq(body: RfqCreate, caller: Buyer) -> RfqOut:
    """From open requisitions (which go ``in_rfq``) and lines given here, inviting two suppliers or more."""
    view = rfqs.create_rfq(
        caller.uow(),
        suppliers=body.suppliers,
        requisitions=body.requisitions,
        lines=[RfqLineIn(line.item, line.quantity, line.due_date) for line in body.lines],
        site=body.site,
        respond_by=body.respond_by,
        today=dt.date.today(),
    )
    return _rfq(view)


@rfqs_router.get("/{number}", response_model=RfqOut, summary="An RFQ with its lines and quotations")
def get_rfq(number: str, caller: Reader) -> RfqOut:
    return _rfq(rfqs.rfq(caller.uow(), number))


@rfqs_router.get("/{number}/comparison", response_model=ComparisonOut, summary="The quotations side by side")
def comparison(number: str, caller: Reader) -> ComparisonOut:
    """A column per invited supplier, a row per line; the cheapest per line and overall marked."""
    return _comparison(rfqs.comparison(caller.uow(), number, today=dt.date.today()))


@rfqs_router.post("/{number}/quotations", response_model=RfqOut, summary="Enter or replace a quotation")
def enter_quotation(number: str, body: QuotationCreate, caller: Buyer) -> RfqOut:
    quotation = QuotationIn(
        body.supplier,
        body.valid_until,
        [QuotedPrice(p.line, p.min_quantity, p.unit_price, p.lead_time_days) for p in body.prices],
        freight=body.freight,
        currency=body.currency,
        received_on=body.received_on,
    )
    return _rfq(rfqs.enter_quotation(caller.uow(), number, quotation, today=dt.date.today()))


@rfqs_router.post("/{number}/quotations/csv", response_model=RfqOut, summary="Enter quotations from a CSV file")
def import_quotations(number: str, file: Annotated[UploadFile, File()], caller: Buyer) -> RfqOut:
    """Columns supplier, line, min_quantity, unit_price, lead_time_days, valid_until, freight; one row
    per price break. All or nothing: a bad row rejects the file, each problem naming its row and field."""
    text = rfqs.csv_text(file.file.read(rfqs.MAX_CSV_BYTES + 1))
    view = rfqs.import_quotations(caller.uow(), number, text, today=dt.date.today(), source=file.filename or "csv")
    return _rfq(view)


@rfqs_router.post("/{number}/award", response_model=AwardOut, summary="Award into draft purchase orders")
def award(number: str, body: AwardIn, caller: Buyer) -> AwardOut:
    """One draft purchase order per awarded supplier, priced from its quotation."""
    done = rfqs.award(caller.uow(), number, supplier=body.supplier, lines=body.lines, today=dt.date.today())
    return AwardOut(rfq=_rfq(done.rfq), purchase_orders=done.purchase_orders)


@rfqs_router.post("/{number}/cancel", response_model=RfqOut, summary="Cancel an open RFQ")
def cancel_rfq(number: str, caller: Buyer) -> RfqOut:
    """Its requisitions are open again."""
    return _rfq(rfqs.cancel_rfq(caller.uow(), number))
