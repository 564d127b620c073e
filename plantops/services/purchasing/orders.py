"""Purchase orders themselves: create one (by hand, from an award or from MRP), price its lines from
the supplier's valid price break, and read them (one with its receipts and revisions, or a page)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.catalog import Item, Unit
from plantops.db.procurement import (
    PriceBreak,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderRevision,
    PurchaseReceipt,
    Supplier,
    SupplierItem,
)
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.references import ItemRef, check_quantity, item_ref, site_id
from plantops.services.sorting import order_by
from plantops.vocabulary import PurchaseStatus

RECORD = "purchase order"
NUMBER_PREFIX = "PO-"
_NUMBER = re.compile(r"^PO-(\d+)$")
MAX_LINES = 1000


@dataclass(frozen=True)
class PurchaseLine:
    """A line of a new order: ``unit_price`` None takes the supplier's price break for the quantity."""

    item: str
    quantity: Decimal
    due_date: dt.date
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class PurchaseLineView:
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    received_quantity: Decimal
    returned_quantity: Decimal
    invoiced_quantity: Decimal
    unit_price: Decimal
    due_date: dt.date
    confirmed_date: dt.date | None

    @property
    def open_quantity(self) -> Decimal:
        """What is still to arrive (never below zero once the line is over-received)."""
        return max(self.quantity - self.received_quantity, Decimal(0))

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class ReceiptView:
    """A receipt (quantity > 0) or a return to the supplier (quantity < 0) on a line."""

    line: int
    item: str
    quantity: Decimal
    received_at: dt.datetime
    received_by: str
    posting_id: int
    reason: str
    debit_note: str | None


@dataclass(frozen=True)
class RevisionView:
    revision: int
    changed_at: dt.datetime
    changed_by: str
    reason: str


@dataclass(frozen=True)
class PurchaseOrderView:
    number: str
    supplier: str
    supplier_name: str
    site: str
    status: PurchaseStatus
    order_date: dt.date
    revision: int
    currency: str
    created_by: str
    approved_by: str | None
    sent_at: dt.datetime | None
    planned_order: str | None
    rfq: str | None
    lines: list[PurchaseLineView]
    receipts: list[ReceiptView] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class PurchaseOrderSummary:
    """An order of the list: its header and its lines' totals."""

    number: str
    supplier: str
    site: str
    status: PurchaseStatus
    order_date: dt.date
    revision: int
    currency: str
    lines: int
    total: Decimal
    next_due: dt.date | None


@dataclass(frozen=True)
class PurchaseOrderPage:
    total: int
    orders: list[PurchaseOrderSummary]


def create_purchase_order(
    uow: UnitOfWork, *, supplier: str, site: str, lines: Sequence[PurchaseLine], today: dt.date
) -> PurchaseOrderView:
    """A new draft purchase order ``PO-<nnnnnn>`` to ``supplier`` for delivery to ``site``."""
    check_lines(lines)

    def work(session: Session) -> PurchaseOrderView:
        supplier_row = supplier_of(session, supplier)
        number = insert_order(
            session,
            supplier=supplier_row,
            site=site_id(session, site),
            lines=[(item_ref(session, line.item), line.quantity, line.due_date, line.unit_price) for line in lines],
            today=today,
        )
        return order_view(session, number)

    return uow.run(work)


def check_lines(lines: Sequence[Any]) -> None:
    """Refuse an order without lines or with more than :data:`MAX_LINES`."""
    if not lines:
        raise ValidationError(RECORD, "lines", "at least one line (item, quantity, due date) is required")
    if len(lines) > MAX_LINES:
        raise ValidationError(RECORD, "lines", f"{len(lines)} lines: at most {MAX_LINES}")


def insert_order(
    session: Session,
    *,
    supplier: Supplier,
    site: int,
    lines: Sequence[tuple[ItemRef, Decimal, dt.date, Decimal | None]],
    today: dt.date,
    number: str | None = None,
    planned_order: str | None = None,
    rfq: str | None = None,
) -> str:
    """Insert a draft order in the caller's unit of work and return its number (the next
    ``PO-<nnnnnn>`` unless given). A line without a price takes the supplier's price break."""
    number = number or _next_number(session)
    if session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == number)) is not None:
        raise ValidationError(RECORD, "number", f"{number} exists already")
    priced: list[tuple[ItemRef, Decimal, dt.date, Decimal]] = []
    for item, quantity, due_date, unit_price in lines:
        check_quantity(item, quantity, record=RECORD)
        bounds.check_date(RECORD, "due_date", due_date)
        if unit_price is not None:
            bounds.check_amount(RECORD, "unit_price", unit_price)
        else:
            unit_price = break_price(session, supplier, item, quantity)
        priced.append((item, quantity, due_date, unit_price))
    order = PurchaseOrder(
        number=number,
        supplier_id=supplier.id,
        site_id=site,
        status=PurchaseStatus.DRAFT,
        order_date=today,
        revision=1,
        currency=supplier.currency,
        created_by=acting_user(session),
        planned_order=planned_order,
        rfq=rfq,
    )
    session.add(order)
    session.flush()
    session.add_all(
        PurchaseOrderLine(
            order_id=order.id,
            line=position,
            item_id=item.id,
            quantity=quantity,
            received_quantity=Decimal(0),
            returned_quantity=Decimal(0),
            invoiced_quantity=Decimal(0),
            unit_price=unit_price,
            due_date=due_date,
        )
        for position, (item, quantity, due_date, unit_price) in enumerate(priced, start=1)
    )
    session.flush()
    return number


def break_price(session: Session, supplier: Supplier, item: ItemRef, quantity: Decimal) -> Decimal:
    """The supplier's unit price for ``quantity`` of ``item``: its largest price break at or below
    the quantity (all-units discount), else its smallest (a quantity below the minimum is priced
    at the first break); refused when the supplier has no price for the item."""
    breaks = session.execute(
        select(PriceBreak.min_quantity, PriceBreak.unit_price)
        .join(SupplierItem, SupplierItem.id == PriceBreak.supplier_item_id)
        .where(SupplierItem.supplier_id == supplier.id, SupplierItem.item_id == item.id)
        .order_by(PriceBreak.min_quantity)
    ).all()
    if not breaks:
        raise ValidationError(
            RECORD, "unit_price", f"{supplier.code} has no price for {item.code}: give the unit price"
        )
    valid = [price for minimum, price in breaks if minimum <= quantity]
    return valid[-1] if valid else breaks[0].unit_price


def receipt_tolerance(session: Session, order: PurchaseOrder, line: PurchaseOrderLine) -> Decimal:
    """The over-receipt tolerance of the line's item at the order's supplier, else the supplier's."""
    own = session.scalar(
        select(SupplierItem.over_receipt_tolerance).where(
            SupplierItem.supplier_id == order.supplier_id, SupplierItem.item_id == line.item_id
        )
    )
    if own is not None:
        return own
    return session.scalar(select(Supplier.over_receipt_tolerance).where(Supplier.id == order.supplier_id)) or Decimal(0)


def supplier_of(session: Session, code: str) -> Supplier:
    found = session.scalars(select(Supplier).where(Supplier.code == code)).first()
    if found is None:
        raise NotFoundError("supplier", code)
    return found


def _next_number(session: Session) -> str:
    numbers = session.scalars(select(PurchaseOrder.number).where(PurchaseOrder.number.startswith(NUMBER_PREFIX)))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBER.match(n))), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:06d}"


def order_row(session: Session, number: str, *, lock: bool = False) -> PurchaseOrder:
    query = select(PurchaseOrder).where(PurchaseOrder.number == number).execution_options(populate_existing=True)
    order = session.scalars(query.with_for_update() if lock else query).first()
    if order is None:
        raise NotFoundError(RECORD, number)
    return order


def purchase_order(uow: UnitOfWork, number: str) -> PurchaseOrderView:
    """Purchase order ``number`` with its lines, receipts and revisions."""
    with uow:
        return order_view(uow.session, number)


def order_view(session: Session, number: str, *, history: bool = True) -> PurchaseOrderView:
    """The order with its lines; with ``history``, also every receipt, return and revision (a receipt's
    answer leaves them out: an order received in many parts would make each answer longer)."""
    row = session.execute(
        select(PurchaseOrder, Supplier.code, Supplier.name, Site.code)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Site, Site.id == PurchaseOrder.site_id)
        .where(PurchaseOrder.number == number)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFoundError(RECORD, number)
    order, supplier, supplier_name, site = row
    lines = session.execute(
        select(
            PurchaseOrderLine.line,
            Item.code,
            Item.name,
            Unit.code,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received_quantity,
            PurchaseOrderLine.returned_quantity,
            PurchaseOrderLine.invoiced_quantity,
            PurchaseOrderLine.unit_price,
            PurchaseOrderLine.due_date,
            PurchaseOrderLine.confirmed_date,
        )
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .where(PurchaseOrderLine.order_id == order.id)
        .order_by(PurchaseOrderLine.line)
        .execution_options(populate_existing=True)
    )
    if not history:
        return PurchaseOrderView(
            **_header(order, supplier, supplier_name, site), lines=[PurchaseLineView(*line) for line in lines]
        )
    receipts = session.execute(
        select(
            PurchaseOrderLine.line,
            Item.code,
            PurchaseReceipt.quantity,
            PurchaseReceipt.received_at,
            PurchaseReceipt.received_by,
            PurchaseReceipt.posting_id,
            PurchaseReceipt.reason,
            PurchaseReceipt.debit_note,
        )
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.order_line_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(PurchaseOrderLine.order_id == order.id)
        .order_by(PurchaseReceipt.id)
    )
    revisions = session.execute(
        select(
            PurchaseOrderRevision.revision,
            PurchaseOrderRevision.changed_at,
            PurchaseOrderRevision.changed_by,
            PurchaseOrderRevision.reason,
        )
        .where(PurchaseOrderRevision.order_id == order.id)
        .order_by(PurchaseOrderRevision.revision)
    )
    return PurchaseOrderView(
        **_header(order, supplier, supplier_name, site),
        lines=[PurchaseLineView(*line) for line in lines],
        receipts=[ReceiptView(*receipt) for receipt in receipts],
        revisions=[RevisionView(*revision) for revision in revisions],
    )


def _header(order: PurchaseOrder, supplier: str, supplier_name: str, site: str) -> dict[str, Any]:
    return {
        "number": order.number,
        "supplier": supplier,
        "supplier_name": supplier_name,
        "site": site,
        "status": order.status,
        "order_date": order.order_date,
        "revision": order.revision,
        "currency": order.currency,
        "created_by": order.created_by,
        "approved_by": order.approved_by,
        "sent_at": order.sent_at,
        "planned_order": order.planned_order,
        "rfq": order.rfq,
    }


_TOTALS = (
    select(
        PurchaseOrderLine.order_id,
        func.count().label("lines"),
        func.min(func.coalesce(PurchaseOrderLine.confirmed_date, PurchaseOrderLine.due_date)).label("next_due"),
    )
    .where(PurchaseOrderLine.received_quantity < PurchaseOrderLine.quantity)
    .group_by(PurchaseOrderLine.order_id)
    .subquery()
)
_COUNTS = (
    select(PurchaseOrderLine.order_id, func.count().label("lines")).group_by(PurchaseOrderLine.order_id).subquery()
)

#: What the list of purchase orders may be sorted by.
PURCHASE_SORTS: dict[str, Any] = {
    "number": PurchaseOrder.number,
    "supplier": Supplier.code,
    "site": Site.code,
    "status": PurchaseOrder.status,
    "order_date": PurchaseOrder.order_date,
    "next_due": _TOTALS.c.next_due,
}


def purchase_orders(
    uow: UnitOfWork,
    *,
    status: PurchaseStatus | None = None,
    supplier: str | None = None,
    item: str | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> PurchaseOrderPage:
    """A page of purchase orders, newest first unless ``sort`` names columns of :data:`PURCHASE_SORTS`
    (``-`` first for descending): of ``status`` and ``supplier``, with a line of ``item``, whose
    number, planned order or RFQ contains ``search``; with how many match. Totals are line amounts
    in the order's currency."""
    with uow:
        session = uow.session
        query = (
            select(
                PurchaseOrder.id,
                PurchaseOrder.number,
                Supplier.code,
                Site.code,
                PurchaseOrder.status,
                PurchaseOrder.order_date,
                PurchaseOrder.revision,
                PurchaseOrder.currency,
                func.coalesce(_COUNTS.c.lines, 0),
                _TOTALS.c.next_due,
            )
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .join(Site, Site.id == PurchaseOrder.site_id)
            .outerjoin(_COUNTS, _COUNTS.c.order_id == PurchaseOrder.id)
            .outerjoin(_TOTALS, _TOTALS.c.order_id == PurchaseOrder.id)
        )
        if status is not None:
            query = query.where(PurchaseOrder.status == status)
        if supplier is not None:
            query = query.where(PurchaseOrder.supplier_id == supplier_of(session, supplier).id)
        if item is not None:
            with_item = select(PurchaseOrderLine.order_id).where(
                PurchaseOrderLine.item_id == item_ref(session, item).id
            )
            query = query.where(PurchaseOrder.id.in_(with_item))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(
                or_(
                    PurchaseOrder.number.ilike(pattern),
                    PurchaseOrder.planned_order.ilike(pattern),
                    PurchaseOrder.rfq.ilike(pattern),
                )
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordering = order_by(sort, PURCHASE_SORTS, "purchase orders")
        rows = session.execute(query.order_by(*ordering, PurchaseOrder.id.desc()).offset(offset).limit(limit)).all()
        amounts = _amounts(session, [row[0] for row in rows])
        return PurchaseOrderPage(
            total,
            [
                PurchaseOrderSummary(
                    number, supplier_code, site_code, status_of, ordered, revision, currency, lines, total_of, due
                )
                for key, number, supplier_code, site_code, status_of, ordered, revision, currency, lines, due in rows
                for total_of in [amounts.get(key, Decimal(0))]
            ],
        )


def _amounts(session: Session, orders: list[int]) -> dict[int, Decimal]:
    """Each order's total, multiplied in Python (exact decimals cannot be multiplied in SQLite)."""
    totals: dict[int, Decimal] = {}
    for order, quantity, price in session.execute(
        select(PurchaseOrderLine.order_id, PurchaseOrderLine.quantity, PurchaseOrderLine.unit_price).where(
            PurchaseOrderLine.order_id.in_(orders)
        )
    ):
        totals[order] = totals.get(order, Decimal(0)) + quantity * price
    return totals
