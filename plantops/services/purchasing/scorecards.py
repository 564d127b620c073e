"""A supplier's scorecard per month, computed from what happened: its order lines, their receipts,
returns and invoices (the engine :mod:`plantops.engines.supplier_performance` does the sums).

Lines count once sent (draft, approved and cancelled orders do not) and due before today, on the
supplier's confirmed date or else the requested one; a line whose received quantity came with an
import rather than with receipts (no dates to judge it by) does not count. Goods sent back count
as rejected in the quality
figure; the price is the invoiced price where the line was invoiced, else the order's. A month
without a line due and without a receipt has no score, not a zero (ERPNext scored such periods,
frappe/erpnext#31597).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.procurement import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    SupplierInvoiceLine,
)
from plantops.db.session import UnitOfWork
from plantops.engines.supplier_performance import (
    PurchaseLines,
    Receipts,
    ScorecardTerms,
    SupplierPeriod,
    on_time_in_full,
    supplier_scorecard,
)
from plantops.errors import ValidationError
from plantops.services.purchasing.orders import supplier_of
from plantops.vocabulary import PurchaseStatus

RECORD = "supplier scorecard"
MAX_MONTHS = 60
#: The most recent lines missed that a scorecard lists.
MAX_MISSED = 50
_NOT_SENT = (PurchaseStatus.DRAFT, PurchaseStatus.APPROVED, PurchaseStatus.CANCELLED)


@dataclass(frozen=True)
class MonthScore:
    """One month of a supplier's scorecard; None where the month has nothing to measure."""

    month: dt.date
    lines_due: int
    on_time_in_full: float | None
    receipts: int
    received_quantity: float
    lead_time_mean: float | None
    lead_time_std: float | None
    lead_time_trend: float | None
    price_variance: float
    price_variance_percent: float | None
    quality_ppm: float | None
    score: float | None
    poor: bool


@dataclass(frozen=True)
class LateLine:
    """A line due in the period that was not delivered on time in full."""

    order: str
    line: int
    item: str
    due: dt.date
    quantity: Decimal
    received_quantity: Decimal


@dataclass(frozen=True)
class SupplierScorecard:
    supplier: str
    name: str
    currency: str
    months: list[MonthScore]
    overall: MonthScore
    missed: list[LateLine]

    @property
    def latest(self) -> MonthScore | None:
        """The newest month with a score."""
        return next((month for month in reversed(self.months) if month.score is not None), None)

    @property
    def warning(self) -> str | None:
        """What a buyer should know before ordering from this supplier, if its latest score is poor."""
        latest = self.latest
        if latest is None or not latest.poor or latest.score is None:
            return None
        otif = "" if latest.on_time_in_full is None else f", on time in full {latest.on_time_in_full:.0f} %"
        return f"{self.supplier} scored {latest.score:.0f} in {latest.month:%B %Y}{otif}"


def scorecard(uow: UnitOfWork, supplier: str, *, today: dt.date, months: int = 12) -> SupplierScorecard:
    """Supplier ``supplier``'s scorecard for the ``months`` calendar months up to ``today``'s."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError(RECORD, "months", f"must be 1 to {MAX_MONTHS}, not {months}")
    with uow:
        return _scorecard(uow.session, supplier, today=today, months=months)


def _scorecard(session: Session, supplier: str, *, today: dt.date, months: int) -> SupplierScorecard:
    vendor = supplier_of(session, supplier)
    first = (np.datetime64(today, "M") - (months - 1)).astype("datetime64[D]")
    starts = np.arange(np.datetime64(first, "M"), np.datetime64(today, "M") + 1).astype("datetime64[D]")
    lines = session.execute(
        select(
            PurchaseOrderLine.id,
            PurchaseOrder.number,
            PurchaseOrderLine.line,
            Item.code,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.received_quantity,
            PurchaseOrderLine.returned_quantity,
            PurchaseOrder.order_date,
            func.coalesce(PurchaseOrderLine.confirmed_date, PurchaseOrderLine.due_date),
            PurchaseOrderLine.unit_price,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .where(PurchaseOrder.supplier_id == vendor.id, PurchaseOrder.status.not_in(_NOT_SENT))
        .order_by(PurchaseOrderLine.id)
    ).all()
    receipts = session.execute(
        select(PurchaseReceipt.order_line_id, PurchaseReceipt.received_at, PurchaseReceipt.quantity)
        .where(PurchaseReceipt.order_line_id.in_([row[0] for row in lines]), PurchaseReceipt.quantity > 0)
        .order_by(PurchaseReceipt.id)
    ).all()
    recorded: dict[int, Decimal] = defaultdict(Decimal)
    for line_id, _, quantity in receipts:
        recorded[line_id] += quantity
    lines = [row for row in lines if row[8] < today and row[5] + row[6] == recorded[row[0]]]
    index = {row[0]: position for position, row in enumerate(lines)}
    receipts = [receipt for receipt in receipts if receipt[0] in index]
    prices = _invoiced_prices(session, list(index))
    rejected = _rejected_per_receipt(lines, receipts)
    purchase_lines = PurchaseLines(
        ordered_quantity=np.array([float(row[4]) for row in lines], dtype=np.float64),
        order_date=np.array([row[7] for row in lines], dtype="datetime64[D]"),
        due_date=np.array([row[8] for row in lines], dtype="datetime64[D]"),
        agreed_price=np.array([float(row[9]) for row in lines], dtype=np.float64),
    )
    received = Receipts(
        line=np.array([index[r[0]] for r in receipts], dtype=np.int64),
        date=np.array([r[1].date() for r in receipts], dtype="datetime64[D]"),
        received_quantity=np.array([float(r[2]) for r in receipts], dtype=np.float64),
        rejected_quantity=rejected,
        unit_price=np.array([prices.get(r[0], float(lines[index[r[0]]][9])) for r in receipts], dtype=np.float64),
    )
    terms = ScorecardTerms()
    card = supplier_scorecard(purchase_lines, received, starts, terms)
    in_full = on_time_in_full(purchase_lines, received, terms)
    first_day = starts[0].astype(dt.date)
    missed = [
        LateLine(row[1], row[2], row[3], row[8], row[4], row[5])
        for position, row in enumerate(lines)
        if first_day <= row[8] and not in_full[position]
    ]
    return SupplierScorecard(
        supplier=vendor.code,
        name=vendor.name,
        currency=vendor.currency,
        months=[_month(period) for period in card.periods],
        overall=_month(card.overall),
        missed=sorted(missed, key=lambda late: (late.due, late.order, late.line))[-MAX_MISSED:],
    )


def _invoiced_prices(session: Session, lines: list[int]) -> dict[int, float]:
    """The quantity-weighted invoiced unit price per order line, where it was invoiced."""
    amounts: dict[int, float] = defaultdict(float)
    quantities: dict[int, float] = defaultdict(float)
    for line, quantity, price in session.execute(
        select(SupplierInvoiceLine.order_line_id, SupplierInvoiceLine.quantity, SupplierInvoiceLine.unit_price).where(
            SupplierInvoiceLine.order_line_id.in_(lines)
        )
    ):
        amounts[line] += float(quantity * price)
        quantities[line] += float(quantity)
    return {line: amounts[line] / quantities[line] for line in amounts if quantities[line] > 0}


def _rejected_per_receipt(lines: Sequence[Any], receipts: Sequence[Any]) -> NDArray[np.float64]:
    """Each line's returned quantity laid on its receipts, first receipt first, never above what each brought."""
    returned = {row[0]: float(row[6]) for row in lines}
    rejected = np.zeros(len(receipts))
    for position, (line, _, quantity) in enumerate(receipts):
        take = min(returned.get(line, 0.0), float(quantity))
        rejected[position] = take
        returned[line] = returned.get(line, 0.0) - take
    return rejected


def _month(period: SupplierPeriod) -> MonthScore:
    return MonthScore(
        month=period.start.astype(dt.date),
        lines_due=period.lines_due,
        on_time_in_full=period.on_time_in_full,
        receipts=period.receipts,
        received_quantity=period.received_quantity,
        lead_time_mean=period.lead_time_mean,
        lead_time_std=period.lead_time_std,
        lead_time_trend=period.lead_time_trend,
        price_variance=period.price_variance,
        price_variance_percent=period.price_variance_percent,
        quality_ppm=period.quality_ppm,
        score=period.score,
        poor=period.poor,
    )


def warning_for(session: Session, supplier: str, *, today: dt.date) -> str | None:
    """The poor-score warning for supplier code ``supplier`` over the last three months, for RFQs and orders."""
    return _scorecard(session, supplier, today=today, months=3).warning
