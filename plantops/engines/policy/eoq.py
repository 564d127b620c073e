"""Economic order quantity, with all-units and with incremental quantity discounts.

Notation of Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 3:
``K`` fixed cost per order, ``h`` holding cost per unit per year, ``lambda`` demand per year;
with discounts, ``i`` the holding cost rate (``h = i c``), breakpoints ``b_0 = 0 < b_1 < ...``
and unit prices ``c_j`` for orders (all-units) or for the units (incremental) in
``[b_j, b_{j+1})``.

- EOQ (Harris 1913): ``Q* = sqrt(2 K lambda / h)``,
  ``g(Q*) = sqrt(2 K lambda h)``, with ``g(Q) = K lambda / Q + h Q / 2``.
- All-units discounts: per region, ``g_j(Q) = c_j lambda + K lambda / Q + i c_j Q / 2``;
  the best order in region ``j`` is its EOQ when it lies in the region, the region's
  breakpoint ``b_j`` when the EOQ lies below it; the optimum is the cheapest of these.
- Incremental discounts: the purchase cost of ``Q`` in region ``j`` is
  ``F_j + c_j Q`` with ``F_j = sum_{k<j} c_k (b_{k+1} - b_k) - c_j b_j``; then
  ``g_j(Q) = c_j lambda + i F_j / 2 + (K + F_j) lambda / Q + i c_j Q / 2``, minimised by
  ``Q_j = sqrt(2 (K + F_j) lambda / (i c_j))``; the optimum is the cheapest ``Q_j`` that lies in
  its own region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, floats, nonnegative_number, positive_number
from plantops.errors import ValidationError


@dataclass(frozen=True)
class OrderQuantity:
    """An order quantity, the price region it falls in and the cost per year it leads to."""

    quantity: float
    region: int
    cost: float


def economic_order_quantity(fixed_cost: ArrayLike, holding_cost: ArrayLike, demand_rate: ArrayLike) -> tuple[F64, F64]:
    """``Q* = sqrt(2 K lambda / h)`` and ``g(Q*) = sqrt(2 K lambda h)`` per row."""
    k = floats(fixed_cost, "economic order quantity", "fixed_cost")
    h = floats(holding_cost, "economic order quantity", "holding_cost", positive=True)
    rate = floats(demand_rate, "economic order quantity", "demand_rate")
    return np.sqrt(2 * k * rate / h), np.sqrt(2 * k * rate * h)


def all_units_discount(
    fixed_cost: float,
    holding_cost_rate: float,
    demand_rate: float,
    breakpoints: ArrayLike,
    unit_costs: ArrayLike,
) -> OrderQuantity:
    """The optimal order quantity when the price of every unit depends on the order's size."""
    k, i, rate, b, c = _discount_inputs(fixed_cost, holding_cost_rate, demand_rate, breakpoints, unit_costs)
    best = OrderQuantity(math.nan, -1, math.inf)
    for j in range(b.size):
        eoq = math.sqrt(2 * k * rate / (i * c[j]))
        upper = b[j + 1] if j + 1 < b.size else math.inf
        if eoq >= upper:
            continue  # the region's cost falls all through it: the next region is cheaper
        quantity = max(eoq, b[j])
        cost = c[j] * rate + k * rate / quantity + i * c[j] * quantity / 2
        if cost < best.cost:
            best = OrderQuantity(float(quantity), j, float(cost))
    return best


def incremental_discount(
    fixed_cost: float,
    holding_cost_rate: float,
    demand_rate: float,
    breakpoints: ArrayLike,
    unit_costs: ArrayLike,
) -> OrderQuantity:
    """The optimal order quantity when each region's price applies to the units within it."""
    k, i, rate, b, c = _discount_inputs(fixed_cost, holding_cost_rate, demand_rate, breakpoints, unit_costs)
    paid_below = np.concatenate([[0.0], np.cumsum(c[:-1] * np.diff(b))])  # purchase cost of b_j units
    fixed_part = paid_below - c * b
    best = OrderQuantity(math.nan, -1, math.inf)
    for j in range(b.size):
        quantity = math.sqrt(2 * (k + fixed_part[j]) * rate / (i * c[j]))
        upper = b[j + 1] if j + 1 < b.size else math.inf
        if not b[j] <= quantity < upper:
            continue
        cost = c[j] * rate + i * fixed_part[j] / 2 + (k + fixed_part[j]) * rate / quantity + i * c[j] * quantity / 2
        if cost < best.cost:
            best = OrderQuantity(float(quantity), j, float(cost))
    return best


def _discount_inputs(
    fixed_cost: float, holding_cost_rate: float, demand_rate: float, breakpoints: ArrayLike, unit_costs: ArrayLike
) -> tuple[float, float, float, F64, F64]:
    record = "quantity discount"
    k = nonnegative_number(fixed_cost, record, "fixed_cost")
    i = positive_number(holding_cost_rate, record, "holding_cost_rate")
    rate = nonnegative_number(demand_rate, record, "demand_rate")
    b = floats(breakpoints, record, "breakpoints")
    c = floats(unit_costs, record, "unit_costs", positive=True)
    if b.size == 0 or b.size != c.size:
        raise ValidationError(record, "unit_costs", f"need one price per breakpoint, got {c.size} for {b.size}")
    if b[0] != 0 or (np.diff(b) <= 0).any():
        raise ValidationError(record, "breakpoints", "must start at 0 and increase")
    return k, i, rate, b, c
