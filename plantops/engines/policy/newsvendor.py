"""The newsvendor problem and base-stock levels of periodic review with a lead time.

Notation of Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 4:
``h`` cost per unit left over (holding), ``p`` cost per unit short (stockout), ``D`` demand.

- Newsvendor: ``g(S) = h E[(S - D)^+] + p E[(D - S)^+] = h (S - mu) + (h + p) n(S)``,
  minimised by the critical fractile ``S* = F^-1(p / (p + h))``; for discrete demand the
  smallest ``S`` with ``F(S) >= p / (p + h)``.
- Explicit form with revenue ``r``, purchase cost ``c`` and salvage value ``v``: the same
  problem with ``h = c - v`` and ``p = r - c``; expected profit ``(r - c) mu - g(S)``.
- Base-stock level with a lead time of ``L`` periods, ordering every period: the newsvendor
  on the demand over ``L + 1`` periods, ``S* = F_{L+1}^-1(p / (p + h))`` (ch. 4, lead times).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, floats
from plantops.engines.policy.distributions import Demand


def newsvendor_cost(demand: Demand, level: ArrayLike, holding_cost: ArrayLike, stockout_cost: ArrayLike) -> F64:
    """``g(S) = h (S - mu) + (h + p) n(S)`` per row."""
    s = np.asarray(level, dtype=np.float64)
    h = floats(holding_cost, "newsvendor", "holding_cost")
    p = floats(stockout_cost, "newsvendor", "stockout_cost")
    return np.asarray(h * (s - demand.mean) + (h + p) * demand.loss(s), dtype=np.float64)


def newsvendor(demand: Demand, holding_cost: ArrayLike, stockout_cost: ArrayLike) -> tuple[F64, F64]:
    """The optimal level ``S* = F^-1(p / (p + h))`` and its expected cost ``g(S*)`` per row."""
    h = floats(holding_cost, "newsvendor", "holding_cost")
    p = floats(stockout_cost, "newsvendor", "stockout_cost", positive=True)
    level = demand.ppf(p / (p + h))
    return level, newsvendor_cost(demand, level, h, p)


def newsvendor_profit(
    demand: Demand, revenue: ArrayLike, purchase_cost: ArrayLike, salvage_value: ArrayLike
) -> tuple[F64, F64]:
    """The optimal order with revenue ``r``, cost ``c`` and salvage ``v``, and its expected profit."""
    r = floats(revenue, "newsvendor", "revenue")
    c = floats(purchase_cost, "newsvendor", "purchase_cost")
    v = floats(salvage_value, "newsvendor", "salvage_value")
    level, cost = newsvendor(demand, c - v, r - c)
    return level, (r - c) * demand.mean - cost


def base_stock_level(
    per_period: Demand, lead_time: ArrayLike, holding_cost: ArrayLike, stockout_cost: ArrayLike
) -> tuple[F64, F64]:
    """Optimal base-stock level with a lead time of ``L`` periods (newsvendor on ``L + 1`` periods)."""
    lead = floats(lead_time, "base-stock level", "lead_time")
    return newsvendor(per_period.over(lead + 1), holding_cost, stockout_cost)
