"""Material requirements planning: start a plan run (a background job), read its planned
orders, MRP records, exceptions and pegging (up from an order, down from a sales order);
change, firm and release planned orders, one or many; act on exception messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from plantops.api.problems import problem_responses
from plantops.api.routers.jobs import JobOut, submitted
from plantops.api.schemas import Code, Exact, ListQuery, Page, Quantity, Schema, page_of
from plantops.api.security import Planner, Reader, Releaser
from plantops.services.planning import actions, pegging, queries
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement

router = APIRouter(prefix="/plan", tags=["planning"], responses=problem_responses(401, 403, 404, 409, 422))


class PlanRunIn(Schema):
    start: dt.date | None = Field(default=None, description="The first week (its Monday); default: today.")
    weeks: int = Field(default=52, ge=1, le=260)
    frozen_weeks: int = Field(default=0, ge=0, le=260)
    slushy_weeks: int = Field(default=0, ge=0, le=260)
    forecast_backward: int = Field(default=1, ge=0, le=52)
    forecast_forward: int = Field(default=1, ge=0, le=52)


@router.post(
    "/runs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Plan everything in the background; follow the job at its Location",
)
def start_plan(body: PlanRunIn, caller: Planner, request: Request, response: Response) -> JobOut:
    plan_request = PlanRequest(
        start=body.start or dt.date.today(),
        weeks=body.weeks,
        frozen_weeks=body.frozen_weeks,
        slushy_weeks=body.slushy_weeks,
        forecast_backward=body.forecast_backward,
        forecast_forward=body.forecast_forward,
    )
    return submitted(request, response, "plan", plan_request, caller.username)


class OrderOut(BaseModel):
    number: str
    item: str
    site: str
    kind: Procurement
    quantity: Exact
    release_date: dt.date
    due_date: dt.date
    status: PlannedOrderStatus
    supplier: str | None
    source_site: str | None
    driver: str | None
    released_as: str | None


ORDER_FIELDS = tuple(OrderOut.model_fields)


class OrderPage(Page[OrderOut]):
    run: str


class OrderQuery(ListQuery):
    item: Code | None = None
    kind: Procurement | None = None


def _order(view: queries.OrderView) -> OrderOut:
    return OrderOut(**dataclasses.asdict(view))


@router.get("/orders", response_model=OrderPage, summary="Planned orders of the plan in force")
def planned_orders(query: Annotated[OrderQuery, Query()], caller: Reader) -> OrderPage:
    run, found = queries.planned_orders(caller.uow(), item=query.item, kind=query.kind)
    page = page_of([_order(v) for v in found], query, ORDER_FIELDS)
    return OrderPage(run=run, **page.model_dump(exclude={"items"}), items=page.items)


class ExceptionOut(BaseModel):
    number: str = Field(description="E<run>-<position>: how to name it to act on it.")
    kind: PlanExceptionKind
    item: str
    site: str
    date: dt.date
    document: str
    quantity: Exact
    need_date: dt.date | None
    cause: str | None
    days_late: int
    document_kind: str | None = Field(description="purchase, work, firm (scheduled receipts) or planned.")
    demand: str | None = Field(description="The sales order line or forecast a late demand message concerns.")
    actions: list[str] = Field(description="What may be done about it: expedite, defer, cancel, firm, release.")
    message: str


EXCEPTION_FIELDS = tuple(ExceptionOut.model_fields)


class ExceptionPage(Page[ExceptionOut]):
    run: str


class ExceptionQuery(ListQuery):
    item: Code | None = None
    kind: PlanExceptionKind | None = None


@router.get("/exceptions", response_model=ExceptionPage, summary="Exception messages of the plan in force")
def exceptions(query: Annotated[ExceptionQuery, Query()], caller: Reader) -> ExceptionPage:
    run, found = queries.plan_exceptions(caller.uow(), kind=query.kind, item=query.item)
    rows = [_exception(v) for v in found]
    page = page_of(rows, query, EXCEPTION_FIELDS)
    return ExceptionPage(run=run, **page.model_dump(exclude={"items"}), items=page.items)


def _exception(view: queries.ExceptionView) -> ExceptionOut:
    fields = {name: getattr(view, name) for name in EXCEPTION_FIELDS if name != "actions"}
    return ExceptionOut(**fields, actions=list(view.actions))


class MrpRecordOut(BaseModel):
    run: str
    item: str
    site: str
    low_level_code: int
    buckets: list[dt.date]
    rows: dict[str, list[float]]


@router.get("/records/{item:path}", response_model=list[MrpRecordOut], summary="The MRP record of an item, per site")
def mrp_records(item: str, caller: Reader, site: Annotated[Code | None, Query()] = None) -> list[MrpRecordOut]:
    return [MrpRecordOut(**dataclasses.asdict(t)) for t in queries.mrp_table(caller.uow(), item=item, site=site)]


class PegOut(BaseModel):
    kind: str
    item: str
    site: str
    week: dt.date | None
    quantity: float
    demand: str | None


class PeggingOut(BaseModel):
    order: OrderOut
    pegs: list[PegOut]


@router.get("/orders/{number}/pegging", response_model=PeggingOut, summary="The demands a planned order serves")
def order_pegging(number: str, caller: Reader) -> PeggingOut:
    order, pegs = pegging.pegging(caller.uow(), number)
    return PeggingOut(order=_order(order), pegs=[PegOut(**dataclasses.asdict(p)) for p in pegs])


@router.post("/orders/{number}/firm", response_model=OrderOut, summary="Firm a planned order: later runs keep it")
def firm(number: str, caller: Planner) -> OrderOut:
    return _order(queries.firm(caller.uow(), number))


class ReleaseIn(Schema):
    today: dt.date | None = Field(default=None, description="The order date of a purchase order (default: today).")


@router.post(
    "/orders/{number}/release",
    response_model=OrderOut,
    summary="Release a planned order as a purchase order (buy) or a work order (make)",
)
def release(number: str, caller: Releaser, body: ReleaseIn | None = None) -> OrderOut:
    today = body.today if body and body.today else dt.date.today()
    return _order(queries.release(caller.uow(), number, today=today))


class ReceiptOut(BaseModel):
    document: str
    kind: str
    item: str
    site: str
    quantity: float
    due_date: dt.date


class ReceiptPeggingOut(BaseModel):
    receipt: ReceiptOut
    pegs: list[PegOut]


@router.get(
    "/receipts/{document:path}/pegging",
    response_model=ReceiptPeggingOut,
    summary="The demands an open purchase order line (PO-12/1) or work order serves",
)
def receipt_pegging(document: str, caller: Reader) -> ReceiptPeggingOut:
    receipt, pegs = pegging.receipt_pegging(caller.uow(), document)
    return ReceiptPeggingOut(
        receipt=ReceiptOut(**dataclasses.asdict(receipt)), pegs=[PegOut(**dataclasses.asdict(p)) for p in pegs]
    )


class SupplyOut(BaseModel):
    level: int = Field(description="BOM levels (and transfers) below the demand: 0 at its own item and site.")
    parent: int = Field(description="The index of the line this one serves in the list; -1: the demand.")
    item: str
    site: str
    kind: str = Field(description="on_hand, receipt, planned_order, co_product, blow_through or shortage.")
    document: str | None
    quantity: float
    date: dt.date | None
    need_date: dt.date | None
    late: str | None = Field(description="Why it comes after it is needed: lead time or material.")
    days_late: int
    lead_time: int | None = Field(description="A planned order's lead time in working days.")
    receipt_kind: str | None = Field(description="A scheduled receipt's kind: purchase, work or firm.")


class LimitOut(BaseModel):
    cause: str = Field(description="material or lead time")
    item: str
    site: str
    explanation: str


class DemandPeggingOut(BaseModel):
    demand: str
    item: str
    site: str
    due_date: dt.date
    quantity: float
    supply: list[SupplyOut]
    limit: LimitOut | None


class DemandPeggingPage(BaseModel):
    run: str
    lines: list[DemandPeggingOut]


@router.get(
    "/demands/{demand:path}/pegging",
    response_model=DemandPeggingPage,
    summary="The orders serving a sales order line (SO-12/3) or each line of a sales order (SO-12), at every level",
)
def demand_pegging(demand: str, caller: Reader) -> DemandPeggingPage:
    run, lines = pegging.demand_pegging(caller.uow(), demand)
    return DemandPeggingPage(run=run, lines=[DemandPeggingOut(**dataclasses.asdict(line)) for line in lines])


class OrderChangeIn(Schema):
    quantity: Quantity | None = None
    due: dt.date | None = Field(
        default=None, description="The new due date; the release date follows from the lead time."
    )
    supplier: Code | None = Field(default=None, description="A supplier of the item (bought items only).")


@router.patch(
    "/orders/{number}",
    response_model=OrderOut,
    summary="Change a planned order's quantity, due date or supplier; the change makes it firm",
)
def change_order(number: str, body: OrderChangeIn, caller: Planner) -> OrderOut:
    changed = actions.change(caller.uow(), number, quantity=body.quantity, due=body.due, supplier=body.supplier)
    return _order(changed)


class OrdersIn(Schema):
    orders: list[Code] = Field(min_length=1, max_length=1000, description="Planned order numbers.")


class OrdersReleaseIn(OrdersIn):
    today: dt.date | None = Field(default=None, description="The order date of purchase orders (default: today).")


@router.post("/orders/firm", response_model=list[OrderOut], summary="Firm planned orders: all of them or none")
def firm_orders(body: OrdersIn, caller: Planner) -> list[OrderOut]:
    return [_order(o) for o in actions.firm_all(caller.uow(), body.orders)]


@router.post("/orders/release", response_model=list[OrderOut], summary="Release planned orders: all of them or none")
def release_orders(body: OrdersReleaseIn, caller: Releaser) -> list[OrderOut]:
    today = body.today or dt.date.today()
    return [_order(o) for o in actions.release_all(caller.uow(), body.orders, today=today)]


class ActionOut(BaseModel):
    exception: str
    action: str
    document: str
    message: str


class ActionIn(Schema):
    today: dt.date | None = Field(default=None, description="The order date of a purchase order (default: today).")


@router.post(
    "/exceptions/{number}/firm",
    response_model=ActionOut,
    summary="Firm the planned order an exception message names",
)
def firm_from_exception(number: str, caller: Planner) -> ActionOut:
    return ActionOut(**dataclasses.asdict(actions.act(caller.uow(), number, queries.FIRM, today=dt.date.today())))


class ReleasingAction(StrEnum):
    RELEASE = queries.RELEASE
    EXPEDITE = queries.EXPEDITE
    DEFER = queries.DEFER
    CANCEL = queries.CANCEL


@router.post(
    "/exceptions/{number}/{action}",
    response_model=ActionOut,
    summary="Do what an exception message asks: expedite, defer or cancel its order, or release its planned order",
)
def act_on_exception(number: str, action: ReleasingAction, caller: Releaser, body: ActionIn | None = None) -> ActionOut:
    today = body.today if body and body.today else dt.date.today()
    return ActionOut(**dataclasses.asdict(actions.act(caller.uow(), number, action.value, today=today)))
