"""How to split an item's annual demand across its suppliers, and at what order quantities, under disruption.

Model (built on Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 9, the EOQ with
disruptions of section 9.2.2, equation (9.5)): supplier ``i`` receives the share ``x_i`` of the demand rate
``lambda`` (``sum_i x_i = 1``) and that share is replenished from it alone by the EOQ-with-disruptions policy,
with its own fixed cost ``K_i``, holding cost ``h_i`` (per unit-year, or ``holding_cost_rate`` times its
unit price), disruption rate ``lambda_i`` and recovery rate ``mu_i``, and the item's stockout cost ``p``.
Expected cost per year of supplier ``i``:

    C_i(x_i) = c_i x_i lambda + g*_i(x_i lambda),    C_i(0) = 0,

with ``c_i`` the unit price and ``g*_i(d)`` the optimal cost (9.5) at demand rate ``d``. The split minimises
``sum_i C_i(x_i)`` over the shares that are multiples of ``step`` (5 % by default) and, where a supplier has
an annual capacity, ``x_i lambda <= capacity_i``. Every ``C_i`` is evaluated once per share level (all
suppliers and levels in one vectorised call) and every split is priced by indexing that table.

What the model can and cannot say: substituting ``Q = d t`` in (9.5) makes ``g`` affine in ``d`` for each
``t``, so ``g*_i`` (their minimum) is concave in ``d``, and so is ``sum_i C_i``. Its minimum over the shares
therefore lies at a corner: without capacities the split is always single sourcing from the supplier with
the lowest ``C_i(1)``, and with capacities the cheapest suppliers are filled in turn. Shares are independent
here (a disrupted supplier's share is not covered by the others), so the model does not reward diversification
for its own sake; it weighs price, ordering cost and each supplier's disruption exposure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from plantops.engines.policy._checks import F64, I64, floats, positive_number
from plantops.engines.sourcing.disruptions import eoq_with_disruptions
from plantops.errors import ValidationError

_RECORD = "sourcing split"
_MOST_SPLITS = 1_000_000  # shares on the grid for many suppliers at a fine step: refuse rather than stall


@dataclass(frozen=True)
class SupplierTerms:
    """One supplier's terms for the item: unit price, cost per order, disruption and recovery rates per year.

    ``annual_capacity`` (units per year) bounds its share; ``None`` means unlimited.
    """

    unit_price: float
    fixed_cost: float
    disruption_rate: float
    recovery_rate: float
    annual_capacity: float | None = None


@dataclass(frozen=True)
class SourcingSplit:
    """The recommended split, per supplier in the order given, and single sourcing's cost for comparison.

    ``order_quantity`` is 0 and ``expected_cost`` is 0 for a supplier with no share; ``single_sourcing_cost``
    is ``inf`` for a supplier whose capacity cannot carry the whole demand.
    """

    shares: F64
    order_quantity: F64
    expected_cost: F64
    total_cost: float
    single_sourcing_cost: F64


def _share_grid(suppliers: int, units: int) -> I64:
    """Every way to give ``units`` steps to ``suppliers`` suppliers (stars and bars), one split per row."""
    if suppliers == 1:
        return np.array([[units]], dtype=np.int64)
    bars = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations(range(units + suppliers - 1), suppliers - 1)),
        dtype=np.int64,
    ).reshape(-1, suppliers - 1)
    edges = np.hstack([np.full((bars.shape[0], 1), -1), bars, np.full((bars.shape[0], 1), units + suppliers - 1)])
    return np.asarray(np.diff(edges, axis=1) - 1, dtype=np.int64)


def _holding_costs(prices: F64, holding_cost: float | None, holding_cost_rate: float | None) -> F64:
    if holding_cost is not None and holding_cost_rate is None:
        return np.full(prices.size, positive_number(holding_cost, _RECORD, "holding_cost"))
    if holding_cost_rate is not None and holding_cost is None:
        return positive_number(holding_cost_rate, _RECORD, "holding_cost_rate") * prices
    raise ValidationError(_RECORD, "holding_cost", "give exactly one of holding_cost and holding_cost_rate")


def sourcing_split(
    suppliers: Sequence[SupplierTerms],
    demand_rate: float,
    stockout_cost: float,
    *,
    holding_cost: float | None = None,
    holding_cost_rate: float | None = None,
    step: float = 0.05,
) -> SourcingSplit:
    """The split of ``demand_rate`` over ``suppliers`` with the least expected annual cost (model above).

    ``holding_cost`` is per unit-year for every supplier; ``holding_cost_rate`` instead charges each supplier's
    units at that fraction of its unit price per year (give exactly one). ``step`` is the share granularity and
    must divide 1.
    """
    if not suppliers:
        raise ValidationError(_RECORD, "suppliers", "need at least one supplier")
    rate = positive_number(demand_rate, _RECORD, "demand_rate")
    p = positive_number(stockout_cost, _RECORD, "stockout_cost")
    units = round(1 / positive_number(step, _RECORD, "step"))
    if step > 1 or not math.isclose(units * step, 1.0, rel_tol=1e-9):
        raise ValidationError(_RECORD, "step", f"{step:g} must divide 1 (e.g. 0.05, 0.1, 0.25)")
    if math.comb(units + len(suppliers) - 1, len(suppliers) - 1) > _MOST_SPLITS:
        raise ValidationError(_RECORD, "step", f"{step:g} gives too many splits for {len(suppliers)} suppliers")
    prices = floats([s.unit_price for s in suppliers], _RECORD, "unit_price")
    fixed = floats([s.fixed_cost for s in suppliers], _RECORD, "fixed_cost")
    down = floats([s.disruption_rate for s in suppliers], _RECORD, "disruption_rate")
    up = floats([s.recovery_rate for s in suppliers], _RECORD, "recovery_rate", positive=True)
    capacity = floats(
        [math.inf if s.annual_capacity is None else s.annual_capacity for s in suppliers],
        _RECORD,
        "annual_capacity",
        finite=False,
    )
    h = _holding_costs(prices, holding_cost, holding_cost_rate)

    count = len(suppliers)
    levels = np.arange(1, units + 1, dtype=np.float64) / units  # shares above 0; row i * units + j - 1
    supplier = np.repeat(np.arange(count), units)
    share = np.tile(levels, count)
    policy = eoq_with_disruptions(fixed[supplier], h[supplier], p, share * rate, down[supplier], up[supplier])
    quantity = np.hstack([np.zeros((count, 1)), policy.quantity.reshape(count, units)])
    cost = np.hstack([np.zeros((count, 1)), (prices[supplier] * share * rate + policy.cost).reshape(count, units)])
    allowed = np.hstack([np.ones((count, 1), dtype=bool), (share * rate <= capacity[supplier]).reshape(count, units)])
    cost = np.where(allowed, cost, np.inf)

    grid = _share_grid(count, units)
    totals = cost[np.arange(count), grid].sum(axis=1)
    best = int(np.argmin(totals))
    if not np.isfinite(totals[best]):
        raise ValidationError(_RECORD, "annual_capacity", f"the suppliers together cannot supply {rate:g} a year")
    chosen = grid[best]
    picked = np.arange(count), chosen
    return SourcingSplit(
        shares=np.asarray(chosen / units, dtype=np.float64),
        order_quantity=np.asarray(quantity[picked], dtype=np.float64),
        expected_cost=np.asarray(cost[picked], dtype=np.float64),
        total_cost=float(totals[best]),
        single_sourcing_cost=np.asarray(cost[:, units], dtype=np.float64),
    )
