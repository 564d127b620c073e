"""Which of an item's suppliers to buy from, in what shares and at what order quantity, when suppliers can
be disrupted: the item's data and each supplier's record fed to the engine
:func:`plantops.engines.sourcing.sourcing_split` (Snyder & Shen ch. 9, the EOQ with disruptions).

What each figure is read from, unless the buyer gives it:

- demand per year: what left the item's stock (issues and consumption by production) over the last
  365 days;
- unit price: the supplier's price break at its minimum order (the first break);
- cost per order and holding cost rate: the item's own, else the inventory policies' defaults;
- disruption and recovery rates: learned from the supplier's deliveries of any item over the last
  365 days: a disruption is an order line received in full more than :data:`DISRUPTED_AFTER_DAYS`
  days after its confirmed (or requested) date, the disruption rate is their number per year, and
  the recovery rate is one over their mean lateness in years. A supplier never late that far is taken
  as never disrupted (the classic EOQ).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.inventory import StockMove
from plantops.db.procurement import (
    PriceBreak,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    Supplier,
    SupplierItem,
)
from plantops.db.session import UnitOfWork
from plantops.engines.sourcing import SupplierTerms, sourcing_split
from plantops.errors import ValidationError
from plantops.services.inventory.references import item_ref
from plantops.services.policy.runs import PolicyRequest
from plantops.vocabulary import MoveType

RECORD = "sourcing advice"
#: A delivery later than this many days counts as a disruption of its supplier.
DISRUPTED_AFTER_DAYS = 7
_YEAR_DAYS = 365.0
_CONSUMED = (MoveType.ISSUE, MoveType.PRODUCTION_CONSUMPTION)


@dataclass(frozen=True)
class Disruption:
    """A supplier's disruptions per year and recoveries per year (1 / mean years a disruption lasts)."""

    rate: float
    recovery: float


@dataclass(frozen=True)
class SupplierAdvice:
    supplier: str
    rank: int
    unit_price: float
    disruption_rate: float
    recovery_rate: float
    disruption_basis: str
    share: float
    order_quantity: float
    expected_cost: float
    single_sourcing_cost: float


@dataclass(frozen=True)
class SourcingAdvice:
    item: str
    demand_rate: float
    demand_basis: str
    stockout_cost: float
    ordering_cost: float
    holding_cost_rate: float
    total_cost: float
    suppliers: list[SupplierAdvice]

    @property
    def recommended(self) -> list[SupplierAdvice]:
        """The suppliers with a share, largest first."""
        return sorted((s for s in self.suppliers if s.share > 0), key=lambda s: -s.share)


def advise(
    uow: UnitOfWork,
    item: str,
    *,
    stockout_cost: float,
    today: dt.date,
    demand_rate: float | None = None,
    disruptions: Mapping[str, Disruption] | None = None,
) -> SourcingAdvice:
    """The least-cost split of ``item``'s demand over its suppliers under disruption, and each supplier's
    cost if it were the only source; ``disruptions`` overrides the learned rates per supplier code."""
    given = dict(disruptions or {})
    with uow:
        session = uow.session
        ref = item_ref(session, item)
        row = session.execute(select(Item.ordering_cost, Item.holding_cost_rate).where(Item.id == ref.id)).one()
        defaults = PolicyRequest(today=today)
        ordering = float(row.ordering_cost) if row.ordering_cost is not None else defaults.ordering_cost
        holding = float(row.holding_cost_rate) if row.holding_cost_rate is not None else defaults.holding_cost_rate
        sources = _sources(session, ref.id)
        if not sources:
            raise ValidationError(RECORD, "item", f"no supplier delivers {item}: add supplier items first")
        unknown = sorted(set(given) - {code for code, _, _ in sources})
        if unknown:
            raise ValidationError(RECORD, "disruptions", f"{', '.join(unknown)} does not supply {item}")
        if demand_rate is None:
            demand_rate, basis = _consumed_per_year(session, ref.id, today), "consumed over the last 365 days"
            if demand_rate <= 0:
                raise ValidationError(
                    RECORD, "demand_rate", f"nothing of {item} was consumed in the last 365 days: give the demand"
                )
        else:
            basis = "given"
        learned = {code: _learned_disruption(session, code, today) for code, _, _ in sources if code not in given}
    rates = {code: (given[code], "given") if code in given else learned[code] for code, _, _ in sources}
    split = sourcing_split(
        [
            SupplierTerms(unit_price=price, fixed_cost=ordering, disruption_rate=r.rate, recovery_rate=r.recovery)
            for (code, _, price), (r, _) in ((s, rates[s[0]]) for s in sources)
        ],
        demand_rate,
        stockout_cost,
        holding_cost_rate=holding,
    )
    advice = [
        SupplierAdvice(
            supplier=code,
            rank=rank,
            unit_price=price,
            disruption_rate=rates[code][0].rate,
            recovery_rate=rates[code][0].recovery,
            disruption_basis=rates[code][1],
            share=float(split.shares[n]),
            order_quantity=float(split.order_quantity[n]),
            expected_cost=float(split.expected_cost[n]),
            single_sourcing_cost=float(split.single_sourcing_cost[n]),
        )
        for n, (code, rank, price) in enumerate(sources)
    ]
    return SourcingAdvice(
        item=item,
        demand_rate=demand_rate,
        demand_basis=basis,
        stockout_cost=stockout_cost,
        ordering_cost=ordering,
        holding_cost_rate=holding,
        total_cost=float(split.total_cost),
        suppliers=advice,
    )


def _sources(session: Session, item: int) -> list[tuple[str, int, float]]:
    """(supplier code, rank, unit price at its first price break) per supplier item of ``item`` with a price."""
    first_break = (
        select(PriceBreak.supplier_item_id, func.min(PriceBreak.min_quantity).label("minimum"))
        .group_by(PriceBreak.supplier_item_id)
        .subquery()
    )
    rows = session.execute(
        select(Supplier.code, SupplierItem.rank, PriceBreak.unit_price)
        .join(SupplierItem, SupplierItem.supplier_id == Supplier.id)
        .join(first_break, first_break.c.supplier_item_id == SupplierItem.id)
        .join(
            PriceBreak,
            (PriceBreak.supplier_item_id == SupplierItem.id) & (PriceBreak.min_quantity == first_break.c.minimum),
        )
        .where(SupplierItem.item_id == item)
        .order_by(SupplierItem.rank, Supplier.code)
    )
    return [(code, rank, float(price)) for code, rank, price in rows]


def _consumed_per_year(session: Session, item: int, today: dt.date) -> float:
    since = dt.datetime.combine(today - dt.timedelta(days=int(_YEAR_DAYS)), dt.time(), dt.UTC)
    out = session.scalar(
        select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
            StockMove.item_id == item,
            StockMove.move_type.in_(_CONSUMED),
            StockMove.quantity < 0,
            StockMove.effective_at >= since,
        )
    )
    return -float(out or Decimal(0))


def _learned_disruption(session: Session, supplier: str, today: dt.date) -> tuple[Disruption, str]:
    """The supplier's disruptions per year and recovery rate from its lines received in the last year."""
    since = today - dt.timedelta(days=int(_YEAR_DAYS))
    rows = session.execute(
        select(
            PurchaseOrderLine.id,
            PurchaseOrderLine.quantity,
            func.coalesce(PurchaseOrderLine.confirmed_date, PurchaseOrderLine.due_date),
            PurchaseReceipt.received_at,
            PurchaseReceipt.quantity,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(PurchaseReceipt, PurchaseReceipt.order_line_id == PurchaseOrderLine.id)
        .where(Supplier.code == supplier, PurchaseReceipt.quantity > 0)
        .order_by(PurchaseReceipt.received_at)
    ).all()
    got: dict[int, Decimal] = defaultdict(Decimal)
    completed: dict[int, int] = {}
    for line, ordered, due, received_at, quantity in rows:
        got[line] += quantity
        if line not in completed and got[line] >= ordered and due >= since:
            completed[line] = (received_at.date() - due).days
    late = [days for days in completed.values() if days > DISRUPTED_AFTER_DAYS]
    if not late:
        return Disruption(0.0, 1.0), f"never more than {DISRUPTED_AFTER_DAYS} days late in {len(completed)} lines"
    rate = len(late)  # per the last 365 days
    recovery = _YEAR_DAYS / (sum(late) / len(late))
    return Disruption(
        float(rate), recovery
    ), f"{len(late)} of {len(completed)} lines over {DISRUPTED_AFTER_DAYS} days late"
