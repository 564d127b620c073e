"""Requisitions (requests to buy) and the purchase proposals made of them.

A requisition asks for a quantity of an item at a site by a date, from a proposed supplier:
entered by hand (the item's rank-1 supplier unless another is named) or made from MRP's
planned buys of the plan in force, which are then marked released as the requisition. Open
requisitions are grouped into proposals, one per proposed supplier, site and ISO week of the
due date, priced at the supplier's price breaks; confirming a proposal makes one draft purchase
order of it. Requisitions that are open or asked for in an RFQ are scheduled receipts for MRP
(:mod:`plantops.services.planning.problem`), so that the next run does not plan the same buy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.catalog import Item, Unit
from plantops.db.planning import PlannedOrder
from plantops.db.procurement import Requisition, Supplier, SupplierItem
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.references import ItemRef, check_quantity, item_ref, site_id
from plantops.services.planning.queries import run_in_force
from plantops.services.purchasing.orders import break_price, insert_order, supplier_of
from plantops.services.sorting import order_by
from plantops.vocabulary import PlannedOrderStatus, Procurement, RequisitionStatus

RECORD = "requisition"
PROPOSAL = "purchase proposal"
NUMBER_PREFIX = "REQ-"
_NUMBER = re.compile(r"^REQ-(\d+)$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
#: What MRP counts as a scheduled receipt: a requisition not yet ordered or cancelled.
OPEN_REQUISITION_STATUSES = (RequisitionStatus.OPEN, RequisitionStatus.IN_RFQ)


@dataclass(frozen=True)
class RequisitionView:
    number: str
    item: str
    item_name: str
    unit: str
    site: str
    quantity: Decimal
    due_date: dt.date
    supplier: str | None
    status: RequisitionStatus
    planned_order: str | None
    purchase_order: str | None
    created_by: str


@dataclass(frozen=True)
class RequisitionPage:
    total: int
    requisitions: list[RequisitionView]


@dataclass(frozen=True)
class ProposalLine:
    """A requisition of a proposal, priced at the supplier's price break for its quantity (None: no price)."""

    requisition: str
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    due_date: dt.date
    unit_price: Decimal | None

    @property
    def amount(self) -> Decimal | None:
        return None if self.unit_price is None else self.quantity * self.unit_price


@dataclass(frozen=True)
class Proposal:
    """The open requisitions of one proposed supplier and site due in one ISO week (``2026-W50``)."""

    supplier: str
    supplier_name: str
    currency: str
    site: str
    week: str
    lines: list[ProposalLine]

    @property
    def total(self) -> Decimal:
        """The priced lines' amounts (a line without a price adds nothing: see :attr:`priced`)."""
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal(0))

    @property
    def priced(self) -> bool:
        """Whether every line has a price, so that the proposal can be confirmed."""
        return all(line.unit_price is not None for line in self.lines)


@dataclass(frozen=True)
class Confirmation:
    """A confirmed proposal: the draft purchase order and the requisitions it orders."""

    purchase_order: str
    requisitions: list[str]


def iso_week(day: dt.date) -> str:
    """The ISO 8601 week of ``day`` as ``YYYY-Www`` (ISO weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def create_requisition(
    uow: UnitOfWork,
    *,
    item: str,
    site: str,
    quantity: Decimal,
    due_date: dt.date,
    supplier: str | None = None,
) -> RequisitionView:
    """A new open requisition ``REQ-<nnnnnn>``, proposed to ``supplier`` or else to the item's
    rank-1 supplier (none if no supplier supplies it)."""

    def work(session: Session) -> RequisitionView:
        ref = item_ref(session, item)
        check_quantity(ref, quantity, record=RECORD)
        bounds.check_date(RECORD, "due_date", due_date)
        proposed = supplier_of(session, supplier).id if supplier is not None else preferred_supplier(session, ref)
        number = insert_requisition(
            session,
            item=ref,
            site=site_id(session, site),
            quantity=quantity,
            due_date=due_date,
            supplier=proposed,
            planned_order=None,
        )
        return requisition_view(session, number)

    return uow.run(work)


def preferred_supplier(session: Session, item: ItemRef) -> int | None:
    """The id of the item's rank-1 supplier (by code among equals), or None if nobody supplies it."""
    return session.scalar(
        select(SupplierItem.supplier_id)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(SupplierItem.item_id == item.id)
        .order_by(SupplierItem.rank, Supplier.code)
        .limit(1)
    )


def insert_requisition(
    session: Session,
    *,
    item: ItemRef,
    site: int,
    quantity: Decimal,
    due_date: dt.date,
    supplier: int | None,
    planned_order: str | None,
) -> str:
    """Insert an open requisition in the caller's unit of work and return its number."""
    number = _next_number(session)
    session.add(
        Requisition(
            number=number,
            item_id=item.id,
            site_id=site,
            quantity=quantity,
            due_date=due_date,
            supplier_id=supplier,
            status=RequisitionStatus.OPEN,
            planned_order=planned_order,
            created_by=acting_user(session),
        )
    )
    session.flush()
    return number


def requisitions_from_plan(uow: UnitOfWork, *, due_by: dt.date, site: str | None = None) -> list[RequisitionView]:
    """One requisition per planned buy (planned or firm) of the plan in force due by ``due_by`` (at
    ``site``), proposed to the planned order's supplier, for the planned quantity rounded up to what
    the item's unit can hold; each planned order is marked released as its requisition, so that it
    is not requisitioned twice."""
    bounds.check_date(RECORD, "due_by", due_by)

    def work(session: Session) -> list[RequisitionView]:
        run = run_in_force(session)
        query = (
            select(PlannedOrder)
            .where(
                PlannedOrder.run_id == run.id,
                PlannedOrder.kind == Procurement.BUY,
                PlannedOrder.status.in_((PlannedOrderStatus.PLANNED, PlannedOrderStatus.FIRM)),
                PlannedOrder.due_date <= due_by,
            )
            .order_by(PlannedOrder.due_date, PlannedOrder.position)
            .with_for_update()
        )
        if site is not None:
            query = query.where(PlannedOrder.site_id == site_id(session, site))
        made = []
        for order in session.scalars(query).all():
            code = session.scalar(select(Item.code).where(Item.id == order.item_id))
            assert code is not None  # a planned order's item exists
            ref = item_ref(session, code)
            number = insert_requisition(
                session,
                item=ref,
                site=order.site_id,
                quantity=order.quantity.quantize(Decimal(1).scaleb(-ref.decimals), rounding=ROUND_CEILING),
                due_date=order.due_date,
                supplier=order.supplier_id,
                planned_order=order.number,
            )
            session.execute(
                update(PlannedOrder)
                .where(PlannedOrder.run_id == order.run_id, PlannedOrder.position == order.position)
                .values(status=PlannedOrderStatus.RELEASED, released_as=number)
            )
            made.append(number)
        return [requisition_view(session, number) for number in made]

    return uow.run(work)


def cancel_requisition(uow: UnitOfWork, number: str) -> RequisitionView:
    """Cancel an open requisition (one in an RFQ goes with the RFQ's cancellation)."""

    def work(session: Session) -> RequisitionView:
        row = requisition_row(session, number, lock=True)
        if row.status is not RequisitionStatus.OPEN:
            hint = ": cancel its RFQ instead" if row.status is RequisitionStatus.IN_RFQ else ""
            raise ValidationError(RECORD, "status", f"{number} is {row.status.value}, not open{hint}")
        row.status = RequisitionStatus.CANCELLED
        session.flush()
        return requisition_view(session, number)

    return uow.run(work)


def requisition_row(session: Session, number: str, *, lock: bool = False) -> Requisition:
    query = select(Requisition).where(Requisition.number == number).execution_options(populate_existing=True)
    found = session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFoundError(RECORD, number)
    return found


def requisition(uow: UnitOfWork, number: str) -> RequisitionView:
    """Requisition ``number``."""
    with uow:
        return requisition_view(uow.session, number)


def _view_query() -> Any:
    return (
        select(
            Requisition.number,
            Item.code,
            Item.name,
            Unit.code,
            Site.code,
            Requisition.quantity,
            Requisition.due_date,
            Supplier.code,
            Requisition.status,
            Requisition.planned_order,
            Requisition.purchase_order,
            Requisition.created_by,
        )
        .join(Item, Item.id == Requisition.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .join(Site, Site.id == Requisition.site_id)
        .outerjoin(Supplier, Supplier.id == Requisition.supplier_id)
    )


def requisition_view(session: Session, number: str) -> RequisitionView:
    row = session.execute(
        _view_query().where(Requisition.number == number).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFoundError(RECORD, number)
    return RequisitionView(*row)


#: What the list of requisitions may be sorted by.
REQUISITION_SORTS: dict[str, Any] = {
    "number": Requisition.number,
    "item": Item.code,
    "site": Site.code,
    "quantity": Requisition.quantity,
    "due_date": Requisition.due_date,
    "supplier": Supplier.code,
    "status": Requisition.status,
    "planned_order": Requisition.planned_order,
    "purchase_order": Requisition.purchase_order,
}


def requisitions(
    uow: UnitOfWork,
    *,
    status: RequisitionStatus | None = None,
    item: str | None = None,
    supplier: str | None = None,
    site: str | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> RequisitionPage:
    """A page of requisitions, newest first unless ``sort`` names columns of :data:`REQUISITION_SORTS`
    (``-`` first for descending): of ``status``, ``item``, proposed ``supplier`` and ``site``, whose
    number, planned order or purchase order contains ``search``; with how many match."""
    with uow:
        session = uow.session
        query = _view_query()
        if status is not None:
            query = query.where(Requisition.status == status)
        if item is not None:
            query = query.where(Requisition.item_id == item_ref(session, item).id)
        if supplier is not None:
            query = query.where(Requisition.supplier_id == supplier_of(session, supplier).id)
        if site is not None:
            query = query.where(Requisition.site_id == site_id(session, site))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(
                or_(
                    Requisition.number.ilike(pattern),
                    Requisition.planned_order.ilike(pattern),
                    Requisition.purchase_order.ilike(pattern),
                )
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordering = order_by(sort, REQUISITION_SORTS, "requisitions")
        rows = session.execute(query.order_by(*ordering, Requisition.id.desc()).offset(offset).limit(limit))
        return RequisitionPage(total, [RequisitionView(*row) for row in rows])


def proposals(uow: UnitOfWork, *, site: str | None = None, supplier: str | None = None) -> list[Proposal]:
    """The open requisitions with a proposed supplier, grouped by supplier, site and ISO week of the
    due date (earliest week first), each line priced at the supplier's price break for its quantity."""
    with uow:
        session = uow.session
        return _proposals(session, site=site_id(session, site) if site else None, supplier=supplier)


def _proposals(session: Session, *, site: int | None, supplier: str | None, lock: bool = False) -> list[Proposal]:
    query = (
        select(Requisition, Supplier, Item.code, Item.name, Unit.code, Site.code)
        .join(Supplier, Supplier.id == Requisition.supplier_id)
        .join(Item, Item.id == Requisition.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .join(Site, Site.id == Requisition.site_id)
        .where(Requisition.status == RequisitionStatus.OPEN)
        .order_by(Requisition.due_date, Supplier.code, Requisition.number)
        .execution_options(populate_existing=True)
    )
    if site is not None:
        query = query.where(Requisition.site_id == site)
    if supplier is not None:
        query = query.where(Requisition.supplier_id == supplier_of(session, supplier).id)
    if lock:
        query = query.with_for_update(of=Requisition)
    groups: dict[tuple[str, str, str], tuple[Supplier, list[ProposalLine]]] = {}
    for row, vendor, item, item_name, unit, site_code in session.execute(query):
        key = (vendor.code, site_code, iso_week(row.due_date))
        price = _price(session, vendor, item, row.quantity)
        line = ProposalLine(row.number, item, item_name, unit, row.quantity, row.due_date, price)
        groups.setdefault(key, (vendor, []))[1].append(line)
    found = [
        Proposal(code, vendor.name, vendor.currency, site_code, week, lines)
        for (code, site_code, week), (vendor, lines) in groups.items()
    ]
    return sorted(found, key=lambda p: (p.week, p.supplier, p.site))


def _price(session: Session, supplier: Supplier, item: str, quantity: Decimal) -> Decimal | None:
    try:
        return break_price(session, supplier, item_ref(session, item), quantity)
    except ValidationError:
        return None


def confirm_proposal(uow: UnitOfWork, *, supplier: str, site: str, week: str, today: dt.date) -> Confirmation:
    """Order proposal (``supplier``, ``site``, ``week``): one draft purchase order with a line per open
    requisition, priced at the supplier's price breaks; the requisitions become ordered on it."""
    if not _WEEK.match(week):
        raise ValidationError(PROPOSAL, "week", f"{week!r} is not an ISO week such as 2026-W50")

    def work(session: Session) -> Confirmation:
        vendor = supplier_of(session, supplier)
        found = [
            p for p in _proposals(session, site=site_id(session, site), supplier=supplier, lock=True) if p.week == week
        ]
        if not found:
            raise ValidationError(
                PROPOSAL, "week", f"no open requisitions for {supplier} at {site} due in {week}: nothing to confirm"
            )
        proposal = found[0]
        unpriced = [line for line in proposal.lines if line.unit_price is None]
        if unpriced:
            raise ValidationError(
                PROPOSAL,
                "unit_price",
                f"{supplier} has no price for {unpriced[0].item} ({unpriced[0].requisition}): add its price "
                "breaks, or ask for quotations in an RFQ",
            )
        number = insert_order(
            session,
            supplier=vendor,
            site=site_id(session, site),
            lines=[
                (item_ref(session, line.item), line.quantity, line.due_date, line.unit_price) for line in proposal.lines
            ],
            today=today,
        )
        numbers = [line.requisition for line in proposal.lines]
        mark_ordered(session, numbers, number)
        return Confirmation(number, numbers)

    return uow.run(work)


def mark_ordered(session: Session, numbers: Sequence[str], purchase_order: str) -> None:
    """Requisitions ``numbers`` are ordered on ``purchase_order`` (in the caller's unit of work)."""
    session.execute(
        update(Requisition)
        .where(Requisition.number.in_(numbers))
        .values(status=RequisitionStatus.ORDERED, purchase_order=purchase_order)
    )


def _next_number(session: Session) -> str:
    numbers = session.scalars(select(Requisition.number).where(Requisition.number.startswith(NUMBER_PREFIX)))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBER.match(n))), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:06d}"
