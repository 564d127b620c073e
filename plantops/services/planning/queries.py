"""What planners read and do with the plan in force: MRP tables, exceptions, planned
orders, pegging; firming and releasing planned orders into purchase and work orders."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from plantops.db.catalog import Item
from plantops.db.planning import MrpRecord, PlanException, PlannedOrder, PlanRun
from plantops.db.procurement import PriceBreak, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierItem
from plantops.db.production import WorkOrder
from plantops.db.sales import DemandForecast, SalesOrder, SalesOrderLine
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.engines.mrp import peg, plan
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services.inventory.references import item_ref, site_id
from plantops.services.planning.problem import LoadedProblem, PlanRequest, load_problem
from plantops.services.planning.runs import RECORD_ROWS, unpack_record
from plantops.vocabulary import OrderStatus, PlanExceptionKind, PlannedOrderStatus, Procurement, WorkOrderStatus


class NoPlanError(PlantOpsError):
    def __init__(self) -> None:
        super().__init__("there is no plan yet: run `plantops plan` first")


@dataclass(frozen=True)
class MrpTable:
    """The textbook MRP record of an item at a site: one row per line, one value per week."""

    run: str
    item: str
    site: str
    low_level_code: int
    buckets: list[dt.date]
    rows: dict[str, list[float]]


@dataclass(frozen=True)
class OrderView:
    number: str
    item: str
    site: str
    kind: Procurement
    quantity: Decimal
    release_date: dt.date
    due_date: dt.date
    status: PlannedOrderStatus
    supplier: str | None
    source_site: str | None
    driver: str | None
    released_as: str | None


@dataclass(frozen=True)
class ExceptionView:
    kind: PlanExceptionKind
    item: str
    site: str
    date: dt.date
    document: str
    quantity: Decimal
    need_date: dt.date | None
    cause: str | None
    days_late: int

    @property
    def message(self) -> str:
        """The message in a planner's words."""
        quantity, what = f"{self.quantity.normalize():f}", self.document or "the receipt"
        match self.kind:
            case PlanExceptionKind.EXPEDITE:
                return f"expedite {what} ({quantity}) from the week of {self.date} to the week of {self.need_date}"
            case PlanExceptionKind.DEFER:
                return f"defer {what} ({quantity}) from the week of {self.date} to the week of {self.need_date}"
            case PlanExceptionKind.CANCEL:
                return f"cancel {what} ({quantity}): not needed within the horizon"
            case PlanExceptionKind.PAST_DUE:
                return f"{self.document or 'a planned order'} ({quantity}) is past due by {self.days_late} days"
            case PlanExceptionKind.BELOW_SAFETY_STOCK:
                return f"projected stock below safety stock by {quantity} in the week of {self.date}"
            case PlanExceptionKind.LATE_DEMAND:
                cause = (self.cause or "shortage").replace("_", " ")
                covered = f": {self.document}, which covers it, is past due" if self.document else ""
                return f"demand of {quantity} in the week of {self.date} cannot be met in time ({cause}){covered}"
        new = f"new planned order {self.document}".rstrip()
        return f"{new} of {quantity} due in the week of {self.date}, inside the slushy fence"


@dataclass(frozen=True)
class PegView:
    """Part of a planned order that serves an end demand (sales order line or forecast), or excess."""

    kind: str
    item: str
    site: str
    week: dt.date | None
    quantity: float
    demand: str | None


def _run(session: Session) -> PlanRun:
    run = session.scalars(select(PlanRun).order_by(PlanRun.id.desc()).limit(1)).first()
    if run is None:
        raise NoPlanError()
    return run


def mrp_table(uow: UnitOfWork, *, item: str, site: str | None = None) -> list[MrpTable]:
    """The time-phased record of ``item`` in the plan in force, at one site or at each it is planned at."""
    with uow:
        session = uow.session
        run = _run(session)
        ref = item_ref(session, item)
        buckets = [dt.date.fromisoformat(d) for d in json.loads(run.bucket_starts)]
        query = (
            select(Site.code, MrpRecord.low_level_code, MrpRecord.rows)
            .join(Site, Site.id == MrpRecord.site_id)
            .where(MrpRecord.run_id == run.id, MrpRecord.item_id == ref.id)
            .order_by(Site.code)
        )
        if site is not None:
            query = query.where(MrpRecord.site_id == site_id(session, site))
        tables = []
        for site_code, level, blob in session.execute(query):
            rows = unpack_record(blob, len(buckets))
            tables.append(
                MrpTable(
                    run.number,
                    item,
                    site_code,
                    level,
                    buckets,
                    {name: rows[i].tolist() for i, name in enumerate(RECORD_ROWS)},
                )
            )
        if not tables:
            raise ValidationError("plan", "item", f"{item} is not planned in {run.number} (no demand reaches it)")
        return tables


def plan_exceptions(
    uow: UnitOfWork, *, kind: PlanExceptionKind | None = None, item: str | None = None, limit: int | None = None
) -> tuple[str, list[ExceptionView]]:
    with uow:
        session = uow.session
        run = _run(session)
        query = _exceptions_query(session, run, kind, item)
        if limit is not None:
            query = query.limit(limit)
        return run.number, [ExceptionView(*row) for row in session.execute(query)]


def count_plan_exceptions(uow: UnitOfWork, *, kind: PlanExceptionKind | None = None, item: str | None = None) -> int:
    """How many exception messages :func:`plan_exceptions` finds before its limit."""
    with uow:
        session = uow.session
        return _count(session, _exceptions_query(session, _run(session), kind, item))


def _count(session: Session, query: Any) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _exceptions_query(session: Session, run: PlanRun, kind: PlanExceptionKind | None, item: str | None) -> Any:
    query = (
        select(
            PlanException.kind,
            Item.code,
            Site.code,
            PlanException.date,
            PlanException.document,
            PlanException.quantity,
            PlanException.need_date,
            PlanException.cause,
            PlanException.days_late,
        )
        .join(Item, Item.id == PlanException.item_id)
        .join(Site, Site.id == PlanException.site_id)
        .where(PlanException.run_id == run.id)
        .order_by(PlanException.date, Item.code, PlanException.kind)
    )
    if kind is not None:
        query = query.where(PlanException.kind == kind)
    if item is not None:
        query = query.where(PlanException.item_id == item_ref(session, item).id)
    return query


def _order_query() -> Any:
    """One row shape for every planned order view (:class:`OrderView`)."""
    source = aliased(Site)
    driver = aliased(Item)
    query = (
        select(
            PlannedOrder.number,
            Item.code,
            Site.code,
            PlannedOrder.kind,
            PlannedOrder.quantity,
            PlannedOrder.release_date,
            PlannedOrder.due_date,
            PlannedOrder.status,
            Supplier.code,
            source.code,
            driver.code,
            PlannedOrder.released_as,
        )
        .join(Item, Item.id == PlannedOrder.item_id)
        .join(Site, Site.id == PlannedOrder.site_id)
        .outerjoin(Supplier, Supplier.id == PlannedOrder.supplier_id)
        .outerjoin(source, source.id == PlannedOrder.source_site_id)
        .outerjoin(driver, driver.id == PlannedOrder.driver_item_id)
    )
    return query


def planned_orders(
    uow: UnitOfWork, *, item: str | None = None, kind: Procurement | None = None, limit: int | None = None
) -> tuple[str, list[OrderView]]:
    with uow:
        session = uow.session
        run = _run(session)
        query = _orders_query(session, run, item, kind)
        if limit is not None:
            query = query.limit(limit)
        return run.number, [OrderView(*row) for row in session.execute(query)]


def count_planned_orders(uow: UnitOfWork, *, item: str | None = None, kind: Procurement | None = None) -> int:
    """How many planned orders :func:`planned_orders` finds before its limit."""
    with uow:
        session = uow.session
        return _count(session, _orders_query(session, _run(session), item, kind))


def _orders_query(session: Session, run: PlanRun, item: str | None, kind: Procurement | None) -> Any:
    query = _order_query().where(PlannedOrder.run_id == run.id).order_by(PlannedOrder.release_date, Item.code)
    if item is not None:
        positions = _positions_of_item(session, run.id, item_ref(session, item).id)
        query = query.where(PlannedOrder.position.in_(positions))
    if kind is not None:
        query = query.where(PlannedOrder.kind == kind)
    return query


def _positions_of_item(session: Session, run_id: int, item_id: int) -> list[int]:
    """Where an item's planned orders lie in a run: the ranges its MRP records name, and the
    orders a planner firmed or released (firm orders carried from earlier runs among them)."""
    positions: list[int] = []
    for first, count in session.execute(
        select(MrpRecord.first_order, MrpRecord.order_count).where(
            MrpRecord.run_id == run_id, MrpRecord.item_id == item_id
        )
    ):
        positions.extend(range(first, first + count))
    kept = session.scalars(
        select(PlannedOrder.position).where(
            PlannedOrder.run_id == run_id,
            PlannedOrder.item_id == item_id,
            PlannedOrder.status != PlannedOrderStatus.PLANNED,
        )
    )
    return sorted({*positions, *kept})


def _position_of(session: Session, run: PlanRun, number: str) -> int:
    """The position of planned order ``number`` in ``run``: ``P<run>-<position>``, or, for a firm
    order carried from an earlier run under its old number, found among the kept orders."""
    prefix = f"P{run.id}-"
    query = select(PlannedOrder.position).where(PlannedOrder.run_id == run.id, PlannedOrder.number == number)
    if number.startswith(prefix) and number[len(prefix) :].isdigit():
        query = query.where(PlannedOrder.position == int(number[len(prefix) :]))
    else:
        query = query.where(PlannedOrder.status != PlannedOrderStatus.PLANNED)
    position = session.scalar(query)
    if position is None:
        raise NotFoundError("planned order", number, of=f"plan {run.number}")
    return position


def _order_in_force(session: Session, number: str) -> tuple[PlanRun, PlannedOrder]:
    run = _run(session)
    key = {"run_id": run.id, "position": _position_of(session, run, number)}
    order = session.get(PlannedOrder, key, with_for_update=True)
    assert order is not None  # just found, and planned orders are never deleted
    return run, order


def _view(session: Session, run_id: int, position: int) -> OrderView:
    row = session.execute(_order_query().where(PlannedOrder.run_id == run_id, PlannedOrder.position == position)).one()
    return OrderView(*row)


def firm(uow: UnitOfWork, number: str) -> OrderView:
    """Firm a planned order: later runs keep it as it is and plan around it."""

    def work(session: Session) -> OrderView:
        run, order = _order_in_force(session, number)
        if order.status is not PlannedOrderStatus.PLANNED:
            raise ValidationError("firm", "order", f"{number} is already {order.status.value}")
        order.status = PlannedOrderStatus.FIRM
        session.flush()
        return _view(session, run.id, order.position)

    return uow.run(work)


def release(uow: UnitOfWork, number: str, *, today: dt.date) -> OrderView:
    """Turn a planned order into a purchase order (buy) or a released work order (make).

    The next run counts it as a scheduled receipt.
    """

    def work(session: Session) -> OrderView:
        run, order = _order_in_force(session, number)
        if order.status is PlannedOrderStatus.RELEASED:
            raise ValidationError("release", "order", f"{number} was already released as {order.released_as}")
        if order.kind is Procurement.BUY:
            document = _purchase_order(session, order, today)
        elif order.kind is Procurement.MAKE:
            document = f"WO-{order.number}"
            session.execute(
                insert(WorkOrder).values(
                    number=document,
                    item_id=order.item_id,
                    bom_id=order.bom_id,
                    site_id=order.site_id,
                    status=WorkOrderStatus.RELEASED,
                    quantity=order.quantity,
                    completed_quantity=0,
                    start_date=order.release_date,
                    due_date=order.due_date,
                )
            )
        else:
            raise ValidationError(
                "release",
                "order",
                f"{number} is a transfer between sites: transfer orders "
                "are not kept by PlantOps yet; move the stock with `plantops stock move "
                "--transfer-order` when it ships",
            )
        session.execute(
            update(PlannedOrder)
            .where(PlannedOrder.run_id == order.run_id, PlannedOrder.position == order.position)
            .values(status=PlannedOrderStatus.RELEASED, released_as=document)
        )
        return _view(session, run.id, order.position)

    return uow.run(work)


def _purchase_order(session: Session, order: PlannedOrder, today: dt.date) -> str:
    if order.supplier_id is None:
        item = session.scalar(select(Item.code).where(Item.id == order.item_id))
        raise ValidationError("release", "supplier", f"no supplier delivers {item}: add a supplier item first")
    price = session.scalar(
        select(PriceBreak.unit_price)
        .join(SupplierItem, SupplierItem.id == PriceBreak.supplier_item_id)
        .where(
            SupplierItem.supplier_id == order.supplier_id,
            SupplierItem.item_id == order.item_id,
            PriceBreak.min_quantity <= order.quantity,
        )
        .order_by(PriceBreak.min_quantity.desc())
        .limit(1)
    )
    document = f"PO-{order.number}"
    order_id = session.execute(
        insert(PurchaseOrder)
        .values(
            number=document,
            supplier_id=order.supplier_id,
            site_id=order.site_id,
            status=OrderStatus.OPEN,
            order_date=today,
        )
        .returning(PurchaseOrder.id)
    ).scalar_one()
    session.execute(
        insert(PurchaseOrderLine).values(
            order_id=order_id,
            line=1,
            item_id=order.item_id,
            quantity=order.quantity,
            received_quantity=0,
            unit_price=price or 0,
            due_date=order.due_date,
        )
    )
    return f"{document}/1"


def pegging(uow: UnitOfWork, number: str) -> tuple[OrderView, list[PegView]]:
    """The end demands a planned order of the plan in force serves, through every BOM level.

    Pegging is worked out by planning again from the same settings: if the plant changed
    since the run (new orders, stock moved), the error says so and asks for a new run.
    """
    with uow:
        session = uow.session
        run = _run(session)
        view = _view(session, run.id, _position_of(session, run, number))
        if not number.startswith(f"P{run.id}-"):
            raise ValidationError(
                "peg",
                "order",
                f"{number} is a firm order carried from an earlier run; pegging covers the orders this run planned",
            )
        settings = json.loads(run.settings)
        request = PlanRequest(
            start=dt.date.fromisoformat(settings["start"]),
            weeks=int(settings["weeks"]),
            frozen_weeks=int(settings["frozen_weeks"]),
            slushy_weeks=int(settings["slushy_weeks"]),
            forecast_backward=int(settings["forecast_backward"]),
            forecast_forward=int(settings["forecast_forward"]),
        )
        previous = session.scalar(select(PlanRun.id).where(PlanRun.id < run.id).order_by(PlanRun.id.desc()).limit(1))
        loaded = load_problem(session, request, firm_from_run=previous)
        again = plan(loaded.problem)
        position = int(number.split("-", 1)[1]) - 1
        orders = again.orders
        if position >= len(orders) or Decimal(repr(round(float(orders.quantity[position]), 6))) != view.quantity:
            raise ValidationError("peg", "order", f"the plant changed since {run.number}: run `plantops plan` again")
        lines = peg(again, position)
        buckets = loaded.problem.settings.buckets.astype("datetime64[D]").astype(dt.date).tolist()
        codes = dict(session.execute(select(Item.id, Item.code)).all())
        sites = dict(session.execute(select(Site.id, Site.code)).all())
        demands = _demand_names(session, loaded)
        result = []
        for line in lines:
            item, site = int(loaded.node_item[line.node]), int(loaded.node_site[line.node])
            week = buckets[line.bucket] if 0 <= line.bucket < len(buckets) else None
            result.append(
                PegView(
                    line.kind.value,
                    codes[item],
                    sites[site],
                    week,
                    line.quantity,
                    demands[line.demand] if line.demand is not None else None,
                )
            )
        return view, result


def _demand_names(session: Session, loaded: LoadedProblem) -> list[str]:
    """How each demand line of the problem is named to a planner: SO-12/3, or a forecast's week."""
    sales = {
        line_id: f"{order}/{line}"
        for line_id, order, line in session.execute(
            select(SalesOrderLine.id, SalesOrder.number, SalesOrderLine.line).join(
                SalesOrder, SalesOrder.id == SalesOrderLine.order_id
            )
        )
    }
    forecasts = dict(session.execute(select(DemandForecast.id, DemandForecast.period_start)).all())
    return [
        sales.get(ref, "") if kind == "sales" else f"forecast of the week of {forecasts.get(ref)}"
        for kind, ref in zip(loaded.demands.kind.tolist(), loaded.demands.id.tolist(), strict=True)
    ]
