"""How each node is replenished: its lead time and how it varies, order limits and price breaks.

- A bought item comes from its preferred supplier (rank 1): the supplier's quoted lead
  time, minimum, multiple and all-units price breaks, as MRP uses them. Where at least
  ``MIN_RECEIPTS`` receipts into the site's locations name a purchase order of the item
  (the posting's document is the order number, or ``number/line``), the lead time and its
  deviation are measured from them instead: receipt date less order date, in calendar
  days, scaled to the site's working days.
- A made or transferred item takes its own lead time, fixed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.procurement import PriceBreak, SupplierItem
from plantops.services.policy.network import SupplyNetwork
from plantops.services.purchasing.lead_times import MIN_RECEIPTS, purchase_lead_times
from plantops.vocabulary import LeadTimeBasis, Procurement

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Sourcing:
    """Per node of the network (in its order)."""

    lead_time_days: F64  # working days of the site
    lead_time_std_days: F64
    lead_time_basis: list[LeadTimeBasis]
    min_quantity: F64
    max_quantity: F64  # inf where there is no maximum
    multiple: F64  # 0 where there is no multiple
    price_breaks: list[list[tuple[float, float]]]  # (from quantity, unit price), ascending


def read_sourcing(session: Session, network: SupplyNetwork) -> Sourcing:
    size = len(network.nodes)
    preferred: dict[int, tuple[int, float, float | None, float | None]] = {}
    for item_id, row_id, quoted_days, moq, step_size in session.execute(
        select(
            SupplierItem.item_id,
            SupplierItem.id,
            SupplierItem.lead_time_days,
            SupplierItem.min_order_quantity,
            SupplierItem.order_multiple,
        ).order_by(SupplierItem.item_id, SupplierItem.rank, SupplierItem.id)
    ):
        if item_id not in preferred:
            preferred[item_id] = (row_id, float(quoted_days), _number(moq), _number(step_size))
    breaks: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for supplier_item, quantity, price in session.execute(
        select(PriceBreak.supplier_item_id, PriceBreak.min_quantity, PriceBreak.unit_price).order_by(
            PriceBreak.supplier_item_id, PriceBreak.min_quantity
        )
    ):
        breaks[supplier_item].append((float(quantity), float(price)))
    history = _purchase_lead_times(session)

    lead, deviation = np.zeros(size), np.zeros(size)
    basis: list[LeadTimeBasis] = []
    low, high, step = np.zeros(size), np.full(size, math.inf), np.zeros(size)
    price_breaks: list[list[tuple[float, float]]] = []
    for node, (item_id, site) in enumerate(network.nodes):
        item = network.item(node)
        bought = item.procurement is Procurement.BUY and node not in network.transfer_from
        source = preferred.get(item_id) if bought else None
        low[node] = _number(item.min_order_quantity) or 0.0
        high[node] = _number(item.max_order_quantity) or math.inf
        step[node] = _number(item.order_multiple) or 0.0
        if source is None:
            lead[node] = float(item.lead_time_days)
            basis.append(LeadTimeBasis.ITEM)
            price_breaks.append([])
            continue
        row_id, quoted, minimum, multiple = source
        low[node] = minimum or low[node]
        step[node] = multiple or step[node]
        price_breaks.append(breaks.get(row_id, []))
        observed = history.get((item_id, site), [])
        if len(observed) >= MIN_RECEIPTS:
            scale = network.working_days[site] / 7
            lead[node] = float(np.mean(observed)) * scale
            deviation[node] = float(np.std(observed, ddof=1)) * scale
            basis.append(LeadTimeBasis.PURCHASE_HISTORY)
        else:
            lead[node] = quoted
            basis.append(LeadTimeBasis.SUPPLIER)
    return Sourcing(lead, deviation, basis, low, high, step, price_breaks)


def _purchase_lead_times(session: Session) -> dict[tuple[int, int], list[float]]:
    """Calendar days from order to receipt per (item, site), over every supplier."""
    days: dict[tuple[int, int], list[float]] = defaultdict(list)
    for (_supplier, item, site), observed in purchase_lead_times(session).items():
        days[(item, site)] += observed
    return days


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
