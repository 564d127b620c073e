"""Supplier invoices and the three-way match of ordered, received and invoiced, line by line.

A line matches when everything invoiced on its order line so far is at most what was received
(net of returns), what was received is at most the ordered quantity times (1 + the receiving
tolerance), and its unit price lies within the supplier's price tolerance of the order's. A
bill for 2 against an order of 2 of which 1 arrived does not match (Odoo matched on partner and
total only: odoo/odoo#250925). An invoice with a line that does not match is blocked for
payment, each line saying why; it is matched again when goods arrive or on demand.

The price variance of a line, (invoiced - ordered price) x quantity, goes where the item's
valuation method says once the invoice is approved: for a standard-cost item to the purchase
price variance, otherwise to the value of the received stock (its receipts are valued at the
invoiced price from then on, :func:`~plantops.services.inventory.valuation.set_receipt_costs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.catalog import Item
from plantops.db.inventory import StockMove
from plantops.db.procurement import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    Supplier,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from plantops.db.session import UnitOfWork
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.ledger import quantity_text
from plantops.services.inventory.valuation import set_receipt_costs
from plantops.services.purchasing.orders import MAX_LINES, receipt_tolerance, supplier_of
from plantops.vocabulary import InvoiceStatus, ValuationMethod

RECORD = "supplier invoice"


@dataclass(frozen=True)
class InvoiceLine:
    """An invoiced quantity and unit price for line ``line`` of purchase order ``order``."""

    order: str
    line: int
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class InvoiceLineView:
    line: int
    order: str
    order_line: int
    item: str
    quantity: Decimal
    unit_price: Decimal
    ordered_quantity: Decimal
    received_quantity: Decimal
    order_price: Decimal
    problem: str | None
    valuation: ValuationMethod

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def price_variance(self) -> Decimal:
        """(invoiced - ordered unit price) x invoiced quantity."""
        return (self.unit_price - self.order_price) * self.quantity

    @property
    def variance_goes_to(self) -> str:
        """Where the price variance is booked, by the item's valuation method."""
        return "purchase price variance" if self.valuation is ValuationMethod.STANDARD else "stock value"


@dataclass(frozen=True)
class InvoiceView:
    supplier: str
    number: str
    invoice_date: dt.date
    currency: str
    status: InvoiceStatus
    entered_by: str
    approved_by: str | None
    lines: list[InvoiceLineView]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class InvoiceSummary:
    supplier: str
    number: str
    invoice_date: dt.date
    status: InvoiceStatus
    lines: int
    blocked_lines: int


def enter_invoice(
    uow: UnitOfWork,
    *,
    supplier: str,
    number: str,
    invoice_date: dt.date,
    lines: Sequence[InvoiceLine],
    currency: str | None = None,
) -> InvoiceView:
    """Record supplier ``supplier``'s invoice ``number`` and match it; refused (nothing recorded)
    when it names an order of another supplier, a line the order lacks, or exists already."""
    bounds.check_text(RECORD, "number", number, max_length=32)
    if not number.strip():
        raise ValidationError(RECORD, "number", "is required: the supplier's invoice number")
    bounds.check_date(RECORD, "invoice_date", invoice_date)
    if not lines:
        raise ValidationError(RECORD, "lines", "at least one line (order, line, quantity, unit price) is required")
    if len(lines) > MAX_LINES:
        raise ValidationError(RECORD, "lines", f"{len(lines)} lines: at most {MAX_LINES}")

    def work(session: Session) -> InvoiceView:
        vendor = supplier_of(session, supplier)
        if currency is not None and currency != vendor.currency:
            raise ValidationError(RECORD, "currency", f"{vendor.code} invoices in {vendor.currency}, not {currency}")
        exists = session.scalar(
            select(SupplierInvoice.id).where(SupplierInvoice.supplier_id == vendor.id, SupplierInvoice.number == number)
        )
        if exists is not None:
            raise ValidationError(RECORD, "number", f"{vendor.code} invoice {number} was entered already")
        invoice = SupplierInvoice(
            supplier_id=vendor.id,
            number=number.strip(),
            invoice_date=invoice_date,
            currency=vendor.currency,
            status=InvoiceStatus.MATCHED,
            entered_by=acting_user(session),
        )
        session.add(invoice)
        session.flush()
        for position, given in enumerate(lines, start=1):
            bounds.check_quantity(RECORD, "quantity", given.quantity)
            bounds.check_amount(RECORD, "unit_price", given.unit_price)
            order_line = _order_line(session, vendor, given.order, given.line)
            session.add(
                SupplierInvoiceLine(
                    invoice_id=invoice.id,
                    line=position,
                    order_line_id=order_line.id,
                    quantity=given.quantity,
                    unit_price=given.unit_price,
                )
            )
            session.execute(
                update(PurchaseOrderLine)
                .where(PurchaseOrderLine.id == order_line.id)
                .values(invoiced_quantity=PurchaseOrderLine.invoiced_quantity + given.quantity)
            )
        session.flush()
        _match(session, invoice)
        return _view(session, invoice)

    return uow.run(work)


def match_again(uow: UnitOfWork, *, supplier: str, number: str) -> InvoiceView:
    """Match invoice ``number`` again with what has been received since (a blocked invoice may clear)."""

    def work(session: Session) -> InvoiceView:
        invoice = _invoice(session, supplier, number, lock=True)
        if invoice.status is InvoiceStatus.APPROVED:
            raise ValidationError(RECORD, "status", f"{number} is approved for payment already")
        _match(session, invoice)
        return _view(session, invoice)

    return uow.run(work)


def approve_for_payment(uow: UnitOfWork, *, supplier: str, number: str) -> InvoiceView:
    """Approve a matched invoice for payment; a blocked one is refused with its first problem."""

    def work(session: Session) -> InvoiceView:
        invoice = _invoice(session, supplier, number, lock=True)
        if invoice.status is InvoiceStatus.APPROVED:
            raise ValidationError(RECORD, "status", f"{number} is approved for payment already")
        _match(session, invoice)
        problems = session.execute(
            select(SupplierInvoiceLine.line, SupplierInvoiceLine.problem)
            .where(SupplierInvoiceLine.invoice_id == invoice.id, SupplierInvoiceLine.problem.is_not(None))
            .order_by(SupplierInvoiceLine.line)
        ).all()
        if problems:
            line, problem = problems[0]
            more = f" (and {len(problems) - 1} more lines)" if len(problems) > 1 else ""
            raise ValidationError(RECORD, "status", f"{number} is blocked: line {line}: {problem}{more}")
        invoice.status = InvoiceStatus.APPROVED
        invoice.approved_by = acting_user(session)
        session.flush()
        _value_receipts_at_invoiced_prices(session, invoice)
        return _view(session, invoice)

    return uow.run(work)


def invoice(uow: UnitOfWork, *, supplier: str, number: str) -> InvoiceView:
    """Supplier ``supplier``'s invoice ``number`` with each line's match."""
    with uow:
        return _view(uow.session, _invoice(uow.session, supplier, number))


def invoices(
    uow: UnitOfWork, *, supplier: str | None = None, status: InvoiceStatus | None = None, order: str | None = None
) -> list[InvoiceSummary]:
    """Invoices, newest first: of ``supplier``, in ``status``, with a line for purchase order ``order``."""
    with uow:
        session = uow.session
        blocked = func.count(SupplierInvoiceLine.problem)
        query = (
            select(
                Supplier.code,
                SupplierInvoice.number,
                SupplierInvoice.invoice_date,
                SupplierInvoice.status,
                func.count(SupplierInvoiceLine.id),
                blocked,
            )
            .join(Supplier, Supplier.id == SupplierInvoice.supplier_id)
            .join(SupplierInvoiceLine, SupplierInvoiceLine.invoice_id == SupplierInvoice.id)
            .group_by(SupplierInvoice.id, Supplier.code)
            .order_by(SupplierInvoice.invoice_date.desc(), SupplierInvoice.id.desc())
        )
        if supplier is not None:
            query = query.where(SupplierInvoice.supplier_id == supplier_of(session, supplier).id)
        if status is not None:
            query = query.where(SupplierInvoice.status == status)
        if order is not None:
            with_order = (
                select(SupplierInvoiceLine.invoice_id)
                .join(PurchaseOrderLine, PurchaseOrderLine.id == SupplierInvoiceLine.order_line_id)
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
                .where(PurchaseOrder.number == order)
            )
            query = query.where(SupplierInvoice.id.in_(with_order))
        return [InvoiceSummary(*row) for row in session.execute(query)]


def _value_receipts_at_invoiced_prices(session: Session, invoice: SupplierInvoice) -> None:
    """Where an approved line's price differs from its order's and the item is not valued at standard
    cost, value the line's receipts at the invoiced price (at standard cost, the difference is a
    purchase price variance and the stock keeps its standard)."""
    rows = session.execute(
        select(SupplierInvoiceLine.order_line_id, SupplierInvoiceLine.unit_price, PurchaseOrderLine.item_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == SupplierInvoiceLine.order_line_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(
            SupplierInvoiceLine.invoice_id == invoice.id,
            SupplierInvoiceLine.unit_price != PurchaseOrderLine.unit_price,
            Item.valuation_method != ValuationMethod.STANDARD,
        )
    ).all()
    for order_line, price, item in rows:
        moves = session.scalars(
            select(StockMove.id)
            .join(PurchaseReceipt, PurchaseReceipt.posting_id == StockMove.posting_id)
            .where(
                PurchaseReceipt.order_line_id == order_line,
                PurchaseReceipt.quantity > 0,
                StockMove.item_id == item,
                StockMove.quantity > 0,
            )
        ).all()
        set_receipt_costs(session, list(moves), price, document=invoice.number, user=acting_user(session))


def rematch_order(session: Session, order: PurchaseOrder) -> None:
    """Match again the open invoices with a line on ``order`` (after goods arrived or went back)."""
    open_invoices = session.scalars(
        select(SupplierInvoice)
        .join(SupplierInvoiceLine, SupplierInvoiceLine.invoice_id == SupplierInvoice.id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == SupplierInvoiceLine.order_line_id)
        .where(PurchaseOrderLine.order_id == order.id, SupplierInvoice.status != InvoiceStatus.APPROVED)
        .distinct()
    ).all()
    for each in open_invoices:
        _match(session, each)


def _match(session: Session, invoice: SupplierInvoice) -> None:
    """Set each line's problem (None when it matches) and the invoice's status from them."""
    price_tolerance = session.scalar(select(Supplier.price_tolerance).where(Supplier.id == invoice.supplier_id))
    rows = session.execute(
        select(SupplierInvoiceLine, PurchaseOrderLine, PurchaseOrder)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == SupplierInvoiceLine.order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(SupplierInvoiceLine.invoice_id == invoice.id)
        .order_by(SupplierInvoiceLine.line)
        .execution_options(populate_existing=True)
    ).all()
    for invoiced, ordered, order in rows:
        invoiced.problem = _problem(
            invoiced, ordered, receipt_tolerance(session, order, ordered), price_tolerance or Decimal(0)
        )
    blocked = any(invoiced.problem is not None for invoiced, _, _ in rows)
    invoice.status = InvoiceStatus.BLOCKED if blocked else InvoiceStatus.MATCHED
    session.flush()


def _problem(
    invoiced: SupplierInvoiceLine, ordered: PurchaseOrderLine, receipt_tolerance: Decimal, price_tolerance: Decimal
) -> str | None:
    """Why an invoice line does not match its order line, or None."""
    if ordered.invoiced_quantity > ordered.received_quantity:
        return (
            f"{quantity_text(ordered.invoiced_quantity)} invoiced in all but only "
            f"{quantity_text(ordered.received_quantity)} received (ordered {quantity_text(ordered.quantity)})"
        )
    if ordered.received_quantity > ordered.quantity * (1 + receipt_tolerance):
        return (
            f"{quantity_text(ordered.received_quantity)} received, beyond the ordered "
            f"{quantity_text(ordered.quantity)} and its tolerance"
        )
    allowed = ordered.unit_price * price_tolerance
    if abs(invoiced.unit_price - ordered.unit_price) > allowed:
        direction = "above" if invoiced.unit_price > ordered.unit_price else "below"
        share = (
            f" ({abs(invoiced.unit_price - ordered.unit_price) / ordered.unit_price:.1%})" if ordered.unit_price else ""
        )
        return (
            f"unit price {invoiced.unit_price.normalize():f} is {direction} the order's "
            f"{ordered.unit_price.normalize():f}{share}, beyond the tolerance of {price_tolerance:.1%}"
        )
    return None


def _order_line(session: Session, supplier: Supplier, order: str, line: int) -> PurchaseOrderLine:
    found = session.execute(
        select(PurchaseOrder.supplier_id, PurchaseOrderLine)
        .join(PurchaseOrderLine, PurchaseOrderLine.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.number == order, PurchaseOrderLine.line == line)
    ).first()
    if found is None:
        if session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == order)) is None:
            raise ValidationError(RECORD, "order", f"no purchase order {order}")
        raise ValidationError(RECORD, "line", f"{order} has no line {line}")
    if found.supplier_id != supplier.id:
        raise ValidationError(RECORD, "order", f"{order} is an order to another supplier, not to {supplier.code}")
    line_row: PurchaseOrderLine = found[1]
    return line_row


def _invoice(session: Session, supplier: str, number: str, *, lock: bool = False) -> SupplierInvoice:
    vendor = supplier_of(session, supplier)
    query: Any = select(SupplierInvoice).where(
        SupplierInvoice.supplier_id == vendor.id, SupplierInvoice.number == number
    )
    found = session.scalars((query.with_for_update() if lock else query).execution_options(populate_existing=True))
    invoice_row: SupplierInvoice | None = found.first()
    if invoice_row is None:
        raise NotFoundError(RECORD, f"{supplier} {number}")
    return invoice_row


def _view(session: Session, invoice_row: SupplierInvoice) -> InvoiceView:
    supplier = session.scalar(select(Supplier.code).where(Supplier.id == invoice_row.supplier_id)) or ""
    lines = session.execute(
        select(
            SupplierInvoiceLine.line,
            PurchaseOrder.number,
            PurchaseOrderLine.line,
            Item.code,
            SupplierInvoiceLine.quantity,
            SupplierInvoiceLine.unit_price,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received_quantity,
            PurchaseOrderLine.unit_price,
            SupplierInvoiceLine.problem,
            Item.valuation_method,
        )
        .join(PurchaseOrderLine, PurchaseOrderLine.id == SupplierInvoiceLine.order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(SupplierInvoiceLine.invoice_id == invoice_row.id)
        .order_by(SupplierInvoiceLine.line)
    )
    return InvoiceView(
        supplier=supplier,
        number=invoice_row.number,
        invoice_date=invoice_row.invoice_date,
        currency=invoice_row.currency,
        status=invoice_row.status,
        entered_by=invoice_row.entered_by,
        approved_by=invoice_row.approved_by,
        lines=[InvoiceLineView(*line) for line in lines],
    )
