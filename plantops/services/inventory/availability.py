"""Projected stock and available-to-promise of an item, week by week.

Reads what the ledger holds now and what is open: purchase order lines and work orders
arriving, sales order lines to ship. The arithmetic is the discrete ATP with look-ahead
of :mod:`plantops.engines.atp`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.inventory import StockBalance
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine
from plantops.db.production import WorkOrder
from plantops.db.sales import SalesOrder, SalesOrderLine
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.engines.atp import AtpPeriod, Demand, Receipt, available_to_promise, weekly_boundaries
from plantops.errors import ValidationError
from plantops.services.inventory.references import item_ref, site_id
from plantops.vocabulary import OPEN_PURCHASE_STATUSES, OrderStatus, WorkOrderStatus

#: Work orders in these statuses will still deliver ``quantity - completed_quantity``.
OPEN_WORK_ORDER_STATUSES = (WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)

ZERO = Decimal(0)
#: The longest projection, in weeks (five years, as long as a plan's horizon may be).
MAX_WEEKS = 260


@dataclass(frozen=True)
class ProjectedStock:
    """The projection of ``item`` at ``site`` (None: all sites) from ``start``.

    ``on_hand`` is what the ledger holds now and starts the projection; ``reserved`` is
    the part of it set aside for documents, reported only: the open sales order lines
    those reservations serve are already counted as demand. Past-due demand and
    receipts are in the first period (and reported); those after the horizon in none.
    """

    item: str
    site: str | None
    start: dt.date
    on_hand: Decimal
    reserved: Decimal
    periods: tuple[AtpPeriod, ...]
    past_due_demand: Decimal = ZERO
    past_due_receipts: Decimal = ZERO
    beyond_horizon_demand: Decimal = ZERO
    beyond_horizon_receipts: Decimal = ZERO


def projected_stock(uow: UnitOfWork, *, item: str, site: str | None, start: dt.date, weeks: int) -> ProjectedStock:
    """Week-by-week demand, receipts, projected on-hand and ATP of ``item`` over ``weeks`` weeks.

    Raises :class:`NotFoundError` for an unknown item or site and
    :class:`ValidationError` when ``weeks`` is not 1 to :data:`MAX_WEEKS` or ``start`` lies outside the date bounds.
    """
    if weeks < 1:
        raise ValidationError("projection", "weeks", "must be at least 1")
    if weeks > MAX_WEEKS:
        raise ValidationError("projection", "weeks", f"must be at most {MAX_WEEKS}, got {weeks}")
    bounds.check_date("projection", "start", start)
    with uow:
        session = uow.session
        item_id = item_ref(session, item).id
        site_key = None if site is None else site_id(session, site)
        on_hand, reserved = _stock(session, item_id, site_key)
        receipts = _purchase_receipts(session, item_id, site_key) + _work_order_receipts(session, item_id, site_key)
        demands = _sales_demand(session, item_id, site_key)

    result = available_to_promise(on_hand, receipts, demands, weekly_boundaries(start, weeks))
    return ProjectedStock(
        item=item,
        site=site,
        start=start,
        on_hand=on_hand,
        reserved=reserved,
        periods=result.periods,
        past_due_demand=result.past_due_demand,
        past_due_receipts=result.past_due_receipts,
        beyond_horizon_demand=result.beyond_horizon_demand,
        beyond_horizon_receipts=result.beyond_horizon_receipts,
    )


def _stock(session: Session, item_id: int, site_id: int | None) -> tuple[Decimal, Decimal]:
    query = (
        select(func.coalesce(func.sum(StockBalance.on_hand), 0), func.coalesce(func.sum(StockBalance.reserved), 0))
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.item_id == item_id)
    )
    if site_id is not None:
        query = query.where(Location.site_id == site_id)
    on_hand, reserved = session.execute(query).one()
    return Decimal(on_hand), Decimal(reserved)


def _purchase_receipts(session: Session, item_id: int, site_id: int | None) -> list[Receipt]:
    query = (
        select(PurchaseOrder.number, PurchaseOrderLine.line, PurchaseOrderLine.due_date)
        .add_columns(PurchaseOrderLine.quantity, PurchaseOrderLine.received_quantity)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrderLine.item_id == item_id, PurchaseOrder.status.in_(OPEN_PURCHASE_STATUSES))
        .order_by(PurchaseOrderLine.due_date, PurchaseOrder.number, PurchaseOrderLine.line)
    )
    if site_id is not None:
        query = query.where(PurchaseOrder.site_id == site_id)
    return [
        Receipt(due, quantity - received, f"{number}/{line}")
        for number, line, due, quantity, received in session.execute(query)
        if quantity > received
    ]


def _work_order_receipts(session: Session, item_id: int, site_id: int | None) -> list[Receipt]:
    query = (
        select(WorkOrder.number, WorkOrder.due_date, WorkOrder.quantity, WorkOrder.completed_quantity)
        .where(WorkOrder.item_id == item_id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATUSES))
        .order_by(WorkOrder.due_date, WorkOrder.number)
    )
    if site_id is not None:
        query = query.where(WorkOrder.site_id == site_id)
    return [
        Receipt(due, quantity - completed, number)
        for number, due, quantity, completed in session.execute(query)
        if quantity > completed
    ]


def _sales_demand(session: Session, item_id: int, site_id: int | None) -> list[Demand]:
    query = (
        select(SalesOrder.number, SalesOrderLine.line, SalesOrderLine.due_date)
        .add_columns(SalesOrderLine.quantity, SalesOrderLine.shipped_quantity)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrderLine.item_id == item_id, SalesOrder.status == OrderStatus.OPEN)
        .order_by(SalesOrderLine.due_date, SalesOrder.number, SalesOrderLine.line)
    )
    if site_id is not None:
        query = query.where(SalesOrder.site_id == site_id)
    return [
        Demand(due, quantity - shipped, f"{number}/{line}")
        for number, line, due, quantity, shipped in session.execute(query)
        if quantity > shipped
    ]


#: How far ahead a promise looks for the quantity, in weeks.
PROMISE_WEEKS = 52


@dataclass(frozen=True)
class Promise:
    """The date a new order line of ``quantity`` can be promised, from available-to-promise.

    ``promised`` is the wanted date where the cumulative ATP of its week covers the
    quantity, else the first week after it that does; None where none does within
    :data:`PROMISE_WEEKS` weeks of stock and open receipts (a new plan or a rush order
    must make it). ``available`` is the cumulative ATP of the wanted week.
    """

    item: str
    site: str
    quantity: Decimal
    wanted: dt.date
    promised: dt.date | None
    available: Decimal


def promise(uow: UnitOfWork, *, item: str, site: str, quantity: Decimal, wanted: dt.date, today: dt.date) -> Promise:
    """The earliest date, on or after ``wanted``, that ``quantity`` of ``item`` can be promised at ``site``.

    A quantity fits a week whose cumulative ATP (CATP) covers it: the discrete ATP with
    look-ahead already keeps back what later open orders need (Vollmann et al.,
    *Manufacturing Planning and Control for Supply Chain Management*, ch. 3).
    """
    bounds.check_quantity("promise", "quantity", quantity)
    bounds.check_date("promise", "wanted", wanted)
    start = min(today, wanted)
    weeks = min(MAX_WEEKS, max(1, (wanted - start).days // 7 + PROMISE_WEEKS))
    projection = projected_stock(uow, item=item, site=site, start=start, weeks=weeks)
    wanted_week = next((p for p in projection.periods if p.start <= wanted < p.end), projection.periods[-1])
    covered = [p for p in projection.periods if p.end > wanted and p.cumulative_atp >= quantity]
    promised = None if not covered else max(wanted, covered[0].start)
    return Promise(item, site, quantity, wanted, promised, wanted_week.cumulative_atp)
