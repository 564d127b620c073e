"""What planners read and do with the plan in force: MRP tables, exceptions, planned
orders; firming and releasing planned orders into purchase and work orders. Pegging is in
:mod:`~plantops.services.planning.pegging`, changes and exception actions in
:mod:`~plantops.services.planning.actions`."""

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
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services.inventory.references import item_ref, site_id
from plantops.services.planning.runs import PLANNED_DOCUMENT, RECORD_ROWS, unpack_record
from plantops.services.sorting import order_by
from plantops.services.transfers import release_planned_transfer
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement, PurchaseStatus, WorkOrderStatus


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
    run_id: int
    position: int
    document_kind: str | None
    document_due: dt.date | None
    demand: str | None

    @property
    def number(self) -> str:
        """``E<run>-<position>``: how a planner names the message to act on it."""
        return exception_number(self.run_id, self.position)

    @property
    def actions(self) -> tuple[str, ...]:
        """What may be done about it (see :func:`actions_for`)."""
        return actions_for(self.kind, self.document_kind)

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
                demand = f"demand of {quantity}" + (f" ({self.demand})" if self.demand else "")
                return f"{demand} in the week of {self.date} cannot be met in time ({cause}){covered}"
        new = f"new planned order {self.document}".rstrip()
        return f"{new} of {quantity} due in the week of {self.date}, inside the slushy fence"


EXPEDITE, DEFER, CANCEL, FIRM, RELEASE = "expedite", "defer", "cancel", "firm", "release"
ACTIONS = (EXPEDITE, DEFER, CANCEL, FIRM, RELEASE)
RESCHEDULED = ("purchase", "work")  # the receipts an action may move or cancel: not firm planned orders


def actions_for(kind: PlanExceptionKind, document_kind: str | None) -> tuple[str, ...]:
    """The actions that fit a message of ``kind`` naming an order of ``document_kind``: firm or release
    a planned order; expedite, defer or cancel the purchase order line or work order as MRP asks."""
    if document_kind == PLANNED_DOCUMENT:
        return (FIRM, RELEASE)
    if document_kind not in RESCHEDULED:
        return ()
    match kind:
        case PlanExceptionKind.EXPEDITE:
            return (EXPEDITE,)
        case PlanExceptionKind.DEFER:
            return (DEFER, CANCEL)
        case PlanExceptionKind.CANCEL:
            return (CANCEL,)
    return ()


def exception_number(run_id: int, position: int) -> str:
    return f"E{run_id}-{position}"


def run_in_force(session: Session) -> PlanRun:
    """The plan in force (the newest run), or :class:`NoPlanError`."""
    run = session.scalars(select(PlanRun).order_by(PlanRun.id.desc()).limit(1)).first()
    if run is None:
        raise NoPlanError()
    return run


def mrp_table(uow: UnitOfWork, *, item: str, site: str | None = None) -> list[MrpTable]:
    """The time-phased record of ``item`` in the plan in force, at one site or at each it is planned at."""
    with uow:
        session = uow.session
        run = run_in_force(session)
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
        run = run_in_force(session)
        query = _exceptions_query(session, run, kind, item)
        if limit is not None:
            query = query.limit(limit)
        return run.number, [ExceptionView(*row) for row in session.execute(query)]


def exception_page(
    uow: UnitOfWork,
    *,
    kind: PlanExceptionKind | None = None,
    item: str | None = None,
    documents: list[str] | None = None,
    sort: tuple[str, ...] = (),
    offset: int = 0,
    limit: int = 100,
) -> tuple[str, int, list[ExceptionView]]:
    """A page of the plan's exception messages (of ``kind``, ``item``, naming one of ``documents``)
    in the order ``sort`` names (see :data:`EXCEPTION_SORTS`); with the plan's number and how many match."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        query = _exceptions_query(session, run, kind, item)
        if documents is not None:
            query = query.where(PlanException.document.in_(documents))
        total = _count(session, query)
        query = _sorted(query, sort, EXCEPTION_SORTS, "exceptions", PlanException.position)
        rows = session.execute(query.offset(offset).limit(limit))
        return run.number, total, [ExceptionView(*row) for row in rows]


#: What a page of exceptions may be sorted by.
EXCEPTION_SORTS: dict[str, Any] = {
    "number": PlanException.position,
    "date": PlanException.date,
    "kind": PlanException.kind,
    "item": Item.code,
    "site": Site.code,
    "document": PlanException.document,
    "quantity": PlanException.quantity,
    "need_date": PlanException.need_date,
    "days_late": PlanException.days_late,
    "demand": PlanException.demand,
}


def _sorted(query: Any, sort: tuple[str, ...], columns: dict[str, Any], record: str, last: Any) -> Any:
    """``query`` ordered by ``sort`` (names of ``columns``, ``-`` first for descending), then by ``last``."""
    order = order_by(sort, columns, record)
    return query.order_by(None).order_by(*order, last) if order else query


def exception_counts(uow: UnitOfWork) -> tuple[str, dict[str, int]]:
    """How many exception messages of each kind the plan in force has; with its number."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        counted = session.execute(
            select(PlanException.kind, func.count()).where(PlanException.run_id == run.id).group_by(PlanException.kind)
        )
        return run.number, {kind.value: count for kind, count in counted}


def count_plan_exceptions(uow: UnitOfWork, *, kind: PlanExceptionKind | None = None, item: str | None = None) -> int:
    """How many exception messages :func:`plan_exceptions` finds before its limit."""
    with uow:
        session = uow.session
        return _count(session, _exceptions_query(session, run_in_force(session), kind, item))


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
            PlanException.run_id,
            PlanException.position,
            PlanException.document_kind,
            PlanException.document_due,
            PlanException.demand,
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
        run = run_in_force(session)
        query = _orders_query(session, run, item, kind)
        if limit is not None:
            query = query.limit(limit)
        return run.number, [OrderView(*row) for row in session.execute(query)]


def planned_order_page(
    uow: UnitOfWork,
    *,
    item: str | None = None,
    kind: Procurement | None = None,
    status: PlannedOrderStatus | None = None,
    sort: tuple[str, ...] = (),
    offset: int = 0,
    limit: int = 100,
) -> tuple[str, int, list[OrderView]]:
    """A page of the plan's planned orders in the order ``sort`` names (see :data:`ORDER_SORTS`;
    by release date unless told); with the plan's number and how many match."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        query = _orders_query(session, run, item, kind)
        if status is not None:
            query = query.where(PlannedOrder.status == status)
        if item is None and kind is None and status is None and run.order_count is not None:
            total = run.order_count  # counting a plan of 7.9 million orders takes seconds
        else:  # every filter is on the planned order's own columns: the count needs no join
            counted = select(func.count()).select_from(PlannedOrder).where(query.whereclause)
            total = session.scalar(counted) or 0
        query = _sorted(query, sort, ORDER_SORTS, "planned orders", PlannedOrder.position)
        rows = session.execute(query.offset(offset).limit(limit))
        return run.number, total, [OrderView(*row) for row in rows]


#: What a page of planned orders may be sorted by.
ORDER_SORTS: dict[str, Any] = {
    "number": PlannedOrder.position,
    "item": Item.code,
    "site": Site.code,
    "kind": PlannedOrder.kind,
    "quantity": PlannedOrder.quantity,
    "release_date": PlannedOrder.release_date,
    "due_date": PlannedOrder.due_date,
    "status": PlannedOrder.status,
    "supplier": Supplier.code,
}


def count_planned_orders(uow: UnitOfWork, *, item: str | None = None, kind: Procurement | None = None) -> int:
    """How many planned orders :func:`planned_orders` finds before its limit."""
    with uow:
        session = uow.session
        return _count(session, _orders_query(session, run_in_force(session), item, kind))


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


def position_of(session: Session, run: PlanRun, number: str) -> int:
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


def order_in_force(session: Session, number: str) -> tuple[PlanRun, PlannedOrder]:
    run = run_in_force(session)
    key = {"run_id": run.id, "position": position_of(session, run, number)}
    order = session.get(PlannedOrder, key, with_for_update=True)
    assert order is not None  # just found, and planned orders are never deleted
    return run, order


def order_view(session: Session, run_id: int, position: int) -> OrderView:
    row = session.execute(_order_query().where(PlannedOrder.run_id == run_id, PlannedOrder.position == position)).one()
    return OrderView(*row)


def planned_order(uow: UnitOfWork, number: str) -> OrderView:
    """Planned order ``number`` of the plan in force."""
    with uow:
        session = uow.session
        run = run_in_force(session)
        return order_view(session, run.id, position_of(session, run, number))


def suppliers_of(uow: UnitOfWork, item: str) -> list[str]:
    """The codes of the suppliers that supply ``item``, by rank."""
    with uow:
        session = uow.session
        query = (
            select(Supplier.code)
            .join(SupplierItem, SupplierItem.supplier_id == Supplier.id)
            .where(SupplierItem.item_id == item_ref(session, item).id)
            .order_by(SupplierItem.rank, Supplier.code)
        )
        return list(session.scalars(query))


def firm(uow: UnitOfWork, number: str) -> OrderView:
    """Firm a planned order: later runs keep it as it is and plan around it."""
    return uow.run(lambda session: firm_order(session, number))


def firm_order(session: Session, number: str) -> OrderView:
    """:func:`firm` inside the caller's unit of work."""
    run, order = order_in_force(session, number)
    if order.status is not PlannedOrderStatus.PLANNED:
        raise ValidationError("firm", "order", f"{number} is already {order.status.value}")
    order.status = PlannedOrderStatus.FIRM
    session.flush()
    return order_view(session, run.id, order.position)


def release(uow: UnitOfWork, number: str, *, today: dt.date) -> OrderView:
    """Turn a planned order into a purchase order (buy), a released work order (make) or a transfer
    order (transfer, :func:`~plantops.services.transfers.release_planned_transfer`).

    The next run counts it as a scheduled receipt.
    """
    return uow.run(lambda session: release_order(session, number, today=today))


def release_order(session: Session, number: str, *, today: dt.date) -> OrderView:
    """:func:`release` inside the caller's unit of work."""
    run, order = order_in_force(session, number)
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
        document = release_planned_transfer(session, order, today=today)
    session.execute(
        update(PlannedOrder)
        .where(PlannedOrder.run_id == order.run_id, PlannedOrder.position == order.position)
        .values(status=PlannedOrderStatus.RELEASED, released_as=document)
    )
    return order_view(session, run.id, order.position)


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
            status=PurchaseStatus.DRAFT,
            order_date=today,
            currency=select(Supplier.currency).where(Supplier.id == order.supplier_id).scalar_subquery(),
            created_by="",
            planned_order=order.number,
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
