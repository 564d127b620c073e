"""Suppliers, what they supply at which price, and the purchasing cycle.

Requisitions (requests to buy, from MRP's planned buys or by hand) are asked of several
suppliers in an RFQ, whose quotations are compared and awarded into purchase orders. A
purchase order is approved, sent, confirmed and received in parts against its lines, each
receipt a stock posting made in the same transaction that updates the line; supplier
invoices are matched three ways (ordered, received, invoiced) before they may be paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Fraction, Money, enum_column
from plantops.vocabulary import InvoiceStatus, PurchaseStatus, RequisitionStatus, RfqStatus, Role


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: How much more than ordered may be received, as a fraction of the ordered quantity (0.05 = 5 %).
    over_receipt_tolerance: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(0))
    #: How far an invoiced unit price may lie from the order's, as a fraction of the order's price.
    price_tolerance: Mapped[Decimal] = mapped_column(Fraction, default=Decimal(0))


class SupplierItem(Base):
    """An item a supplier delivers: its part code, lead time and order rules.

    ``rank`` 1 is the preferred source; higher ranks are fall-backs. Where the item's supplier
    items have a ``quota_share``, MRP splits its purchases between them by share instead.
    """

    __tablename__ = "supplier_item"
    __table_args__ = (
        UniqueConstraint("supplier_id", "item_id"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    supplier_part_code: Mapped[str | None] = mapped_column(String(64))
    lead_time_days: Mapped[Decimal]
    min_order_quantity: Mapped[Decimal | None]
    order_multiple: Mapped[Decimal | None]
    rank: Mapped[int] = mapped_column(default=1)
    #: The item's own over-receipt tolerance at this supplier, instead of the supplier's.
    over_receipt_tolerance: Mapped[Decimal | None] = mapped_column(Fraction)
    #: Whether MRP plans with the lead time learned from this supplier's receipts of the item.
    learned_lead_time: Mapped[bool] = mapped_column(default=False)
    #: The item's share of purchases from this supplier under a quota arrangement (the item's shares sum to 1).
    quota_share: Mapped[Decimal | None] = mapped_column(Fraction)


class PriceBreak(Base):
    """From ``min_quantity`` on, the supplier charges ``unit_price`` (all-units)."""

    __tablename__ = "price_break"
    __table_args__ = (
        UniqueConstraint("supplier_item_id", "min_quantity"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_item_id: Mapped[int] = mapped_column(ForeignKey("supplier_item.id", ondelete="CASCADE"))
    min_quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal] = mapped_column(Money)


class PurchaseOrder(Base):
    """An order to a supplier, at ``revision`` (1 until it is changed after sending).

    ``planned_order`` is the MRP planned buy it was released from, ``rfq`` the request for
    quotation it was awarded from, if any.
    """

    __tablename__ = "purchase_order"
    __table_args__ = (
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_purchase_order_supplier", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[PurchaseStatus] = mapped_column(enum_column(PurchaseStatus, "purchase_status"))
    order_date: Mapped[dt.date]
    revision: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    planned_order: Mapped[str | None] = mapped_column(String(32))
    rfq: Mapped[str | None] = mapped_column(String(32))


class PurchaseOrderLine(Base):
    """An open line is a scheduled receipt of ``quantity - received_quantity``.

    ``received_quantity`` is net of returns (``returned_quantity`` counts those);
    ``confirmed_date`` is the supplier's date for the line, against which it is on time.
    """

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received_quantity >= 0", name="received_nonnegative"),
        CheckConstraint("invoiced_quantity >= 0", name="invoiced_nonnegative"),
        CheckConstraint("returned_quantity >= 0", name="returned_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    received_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    due_date: Mapped[dt.date]
    confirmed_date: Mapped[dt.date | None]
    invoiced_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    returned_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))


class PurchaseOrderRevision(Base):
    """The order as it was before a change after sending: ``lines`` is its lines as JSON."""

    __tablename__ = "purchase_order_revision"
    __table_args__ = (UniqueConstraint("order_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"))
    revision: Mapped[int]
    changed_at: Mapped[dt.datetime]
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))
    lines: Mapped[str] = mapped_column(Text)


class PurchaseReceipt(Base):
    """A receipt against a purchase order line (``quantity`` > 0) or a return to the supplier
    (``quantity`` < 0, with its reason and debit note), and the stock posting that moved it."""

    __tablename__ = "purchase_receipt"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        Index("ix_purchase_receipt_order_line", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("stock_posting.id"))
    quantity: Mapped[Decimal]
    received_at: Mapped[dt.datetime]
    received_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    debit_note: Mapped[str | None] = mapped_column(String(32))


class PurchaseApprovalLimit(Base):
    """Up to which order value (in the order's currency) a role may approve purchase orders."""

    __tablename__ = "purchase_approval_limit"
    __table_args__ = (CheckConstraint("max_amount >= 0", name="max_amount_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), unique=True)
    max_amount: Mapped[Decimal] = mapped_column(Money)


class SupplierInvoice(Base):
    """A supplier's invoice (its own ``number``), matched line by line to purchase order lines."""

    __tablename__ = "supplier_invoice"
    __table_args__ = (UniqueConstraint("supplier_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    number: Mapped[str] = mapped_column(String(32))
    invoice_date: Mapped[dt.date]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus, "invoice_status"))
    entered_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))


class SupplierInvoiceLine(Base):
    """An invoiced quantity and price for a purchase order line; ``problem`` says why it does not match."""

    __tablename__ = "supplier_invoice_line"
    __table_args__ = (
        UniqueConstraint("invoice_id", "line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
        Index("ix_supplier_invoice_line_order_line", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id", ondelete="CASCADE"))
    line: Mapped[int]
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id"))
    quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal] = mapped_column(Money)
    problem: Mapped[str | None] = mapped_column(String(300))


class Requisition(Base):
    """A request to buy ``quantity`` of an item at a site by ``due_date``, from a proposed supplier.

    ``planned_order`` is the MRP planned buy it came from; ``purchase_order`` the order it became.
    """

    __tablename__ = "requisition"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_requisition_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    quantity: Mapped[Decimal]
    due_date: Mapped[dt.date]
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    status: Mapped[RequisitionStatus] = mapped_column(enum_column(RequisitionStatus, "requisition_status"))
    planned_order: Mapped[str | None] = mapped_column(String(32))
    purchase_order: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class Rfq(Base):
    """A request for quotation: lines asked of several suppliers, quoted by ``respond_by``."""

    __tablename__ = "rfq"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[RfqStatus] = mapped_column(enum_column(RfqStatus, "rfq_status"))
    created_on: Mapped[dt.date]
    respond_by: Mapped[dt.date | None]
    created_by: Mapped[str] = mapped_column(String(64))


class RfqLine(Base):
    """A quantity of an item asked for by ``due_date``, for the requisition it came from, if any."""

    __tablename__ = "rfq_line"
    __table_args__ = (UniqueConstraint("rfq_id", "line"), CheckConstraint("quantity > 0", name="quantity_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfq.id", ondelete="CASCADE"))
    line: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal]
    due_date: Mapped[dt.date]
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisition.id"))


class RfqSupplier(Base):
    """A supplier invited to quote on an RFQ."""

    __tablename__ = "rfq_supplier"
    __table_args__ = (UniqueConstraint("rfq_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfq.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))


class Quotation(Base):
    """A supplier's answer to an RFQ: valid until ``valid_until``, with a freight charge for the whole."""

    __tablename__ = "quotation"
    __table_args__ = (
        UniqueConstraint("rfq_id", "supplier_id"),
        CheckConstraint("freight >= 0", name="freight_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rfq_id: Mapped[int] = mapped_column(ForeignKey("rfq.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    received_on: Mapped[dt.date]
    valid_until: Mapped[dt.date]
    currency: Mapped[str] = mapped_column(String(3))
    freight: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))


class QuotationPrice(Base):
    """A quoted price break for an RFQ line: from ``min_quantity`` on, ``unit_price`` (all units),
    delivered ``lead_time_days`` after ordering. The smallest ``min_quantity`` is the supplier's minimum."""

    __tablename__ = "quotation_price"
    __table_args__ = (
        UniqueConstraint("quotation_id", "rfq_line_id", "min_quantity"),
        CheckConstraint("min_quantity >= 0", name="min_quantity_nonnegative"),
        CheckConstraint("unit_price >= 0", name="price_nonnegative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quotation_id: Mapped[int] = mapped_column(ForeignKey("quotation.id", ondelete="CASCADE"))
    rfq_line_id: Mapped[int] = mapped_column(ForeignKey("rfq_line.id", ondelete="CASCADE"))
    min_quantity: Mapped[Decimal]
    unit_price: Mapped[Decimal] = mapped_column(Money)
    lead_time_days: Mapped[Decimal]
