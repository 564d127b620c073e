"""Continuous-review (r, Q) policies: exact costs, the cost-optimal policy, and the least-cost
policy that meets a service target.

Notation of Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 5:
order ``Q`` whenever the inventory position falls to the reorder point ``r``; ``lambda``
demand per year, ``K`` cost per order, ``h`` holding and ``p`` backorder cost per unit per
year, ``D_L`` lead-time demand with loss functions ``n`` and ``n2``. The inventory position
is uniform on ``(r, r + Q]`` (on ``r + 1, ..., r + Q`` for discrete demand), so

- expected backorders ``B(r, Q) = [n2(r) - n2(r + Q)] / Q``,
- expected on-hand ``I(r, Q) = r + Q / 2 - E[D_L] + B(r, Q)`` (``(Q + 1) / 2`` when discrete),
- expected cost per year ``g(r, Q) = K lambda / Q + h I(r, Q) + p B(r, Q)``, which is the
  book's ``(K lambda + integral_r^{r+Q} G(y) dy) / Q`` with ``G(y) = h (y - E[D_L]) + (h + p) n(y)``.

Cost-optimal policy with a backorder cost:

- Poisson demand: Federgruen & Zheng, "An efficient algorithm for computing an optimal
  (r, Q) policy in continuous review stochastic inventory systems", *Operations Research*
  40(4), 1992: the best window ``{r + 1, ..., r + Q}`` of ``Q + 1`` points is the best window
  of ``Q`` points plus the cheaper of its two neighbours (``G`` is convex); stop as soon as
  that neighbour costs no less than the current average ``g(r, Q)``.
- Continuous demand (normal, gamma): for each ``Q`` the best ``r`` has ``G(r) = G(r + Q)``,
  and at the optimum also ``g(r, Q) = G(r + Q)`` (the first-order conditions of the exact
  cost, Snyder & Shen ch. 5); both are solved by bracketed root finding (Brent).

Least-cost policy meeting a service target (the planner's problem, with no backorder
cost): for each ``Q`` the smallest reorder point meeting the cycle service level or fill
rate (:mod:`~plantops.engines.policy.service_levels`), then the ``Q`` minimising
``K lambda / Q + h I(r(Q), Q)``, by golden-section search on ``log Q`` for all rows at once
within the order's bounds, then rounded to the order multiple (Yano, "New algorithms for
(Q, r) systems with complete backordering using a fill-rate criterion", *Naval Research
Logistics Quarterly* 32(4), 1985, for the fill-rate problem).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from plantops.engines.policy._checks import F64, floats, positive_number, probabilities, same_length
from plantops.engines.policy.distributions import Demand
from plantops.engines.policy.service_levels import cycle_service_level, fill_rate, reorder_point_for_target
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure

GOLDEN = (math.sqrt(5) - 1) / 2
GOLDEN_STEPS = 60


@dataclass(frozen=True)
class ReorderPolicy:
    """(r, Q) per row, with its expected cost per year and service."""

    reorder_point: F64
    order_quantity: F64
    cost: F64
    on_hand: F64
    backorders: F64
    cycle_service_level: F64
    fill_rate: F64


def expected_backorders(lead_time_demand: Demand, reorder_point: ArrayLike, order_quantity: ArrayLike) -> F64:
    """``B(r, Q) = [n2(r) - n2(r + Q)] / Q``."""
    r = np.asarray(reorder_point, dtype=np.float64)
    q = np.asarray(order_quantity, dtype=np.float64)
    return np.asarray((lead_time_demand.second_loss(r) - lead_time_demand.second_loss(r + q)) / q, dtype=np.float64)


def expected_on_hand(lead_time_demand: Demand, reorder_point: ArrayLike, order_quantity: ArrayLike) -> F64:
    """``I(r, Q) = r + Q / 2 - E[D_L] + B(r, Q)`` (``(Q + 1) / 2`` for discrete demand)."""
    r = np.asarray(reorder_point, dtype=np.float64)
    q = np.asarray(order_quantity, dtype=np.float64)
    half = (q + 1) / 2 if lead_time_demand.discrete else q / 2
    backorders = expected_backorders(lead_time_demand, r, q)
    return np.asarray(r + half - lead_time_demand.mean + backorders, dtype=np.float64)


def rq_cost(
    lead_time_demand: Demand,
    reorder_point: ArrayLike,
    order_quantity: ArrayLike,
    *,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_rate: ArrayLike,
) -> F64:
    """``g(r, Q) = K lambda / Q + h I(r, Q) + p B(r, Q)`` per row."""
    q = floats(order_quantity, "(r, Q) policy", "order_quantity", positive=True)
    h = floats(holding_cost, "(r, Q) policy", "holding_cost")
    p = floats(stockout_cost, "(r, Q) policy", "stockout_cost")
    k = floats(fixed_cost, "(r, Q) policy", "fixed_cost")
    rate = floats(demand_rate, "(r, Q) policy", "demand_rate")
    on_hand = expected_on_hand(lead_time_demand, reorder_point, q)
    backorders = expected_backorders(lead_time_demand, reorder_point, q)
    return np.asarray(k * rate / q + h * on_hand + p * backorders, dtype=np.float64)


def optimal_rq(
    lead_time_demand: Demand, *, holding_cost: float, stockout_cost: float, fixed_cost: float, demand_rate: float
) -> ReorderPolicy:
    """The (r, Q) policy of least expected cost with a backorder cost, for the first row's demand."""
    record = "(r, Q) policy"
    h = positive_number(holding_cost, record, "holding_cost")
    p = positive_number(stockout_cost, record, "stockout_cost")
    k = positive_number(fixed_cost, record, "fixed_cost")
    rate = positive_number(demand_rate, record, "demand_rate")
    demand = lead_time_demand.row(0)
    if demand.discrete:
        r, q = _federgruen_zheng(demand, h, p, k * rate)
    else:
        r, q = _continuous_optimum(demand, h, p, k * rate)
    return _policy(demand, np.array([r]), np.array([q]), h, p, k, rate)


def least_cost_rq(
    lead_time_demand: Demand,
    *,
    measure: ServiceMeasure,
    target: ArrayLike,
    holding_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_rate: ArrayLike,
    min_quantity: ArrayLike = 0.0,
    max_quantity: ArrayLike = math.inf,
    order_multiple: ArrayLike = 0.0,
) -> ReorderPolicy:
    """Per row, the (r, Q) of least ordering and holding cost whose service meets ``target``.

    ``Q`` stays within ``[min_quantity, max_quantity]`` and is a multiple of ``order_multiple``
    where one is given (then the multiple nearest the best ``Q`` that costs least).
    """
    record = "least-cost (r, Q) policy"
    goal = probabilities(target, record, "target")
    h = floats(holding_cost, record, "holding_cost", positive=True)
    k = floats(fixed_cost, record, "fixed_cost")
    rate = floats(demand_rate, record, "demand_rate", positive=True)
    low = floats(min_quantity, record, "min_quantity")
    high = floats(max_quantity, record, "max_quantity", positive=True, finite=False)
    multiple = floats(order_multiple, record, "order_multiple")
    size = same_length(
        record,
        mean=lead_time_demand.mean,
        target=goal,
        holding_cost=h,
        fixed_cost=k,
        demand_rate=rate,
        min_quantity=low,
        max_quantity=high,
        order_multiple=multiple,
    )
    goal, h, k, rate, low, high, multiple = (
        np.broadcast_to(a, size).astype(np.float64) for a in (goal, h, k, rate, low, high, multiple)
    )
    if (low > high).any():
        row = int(np.flatnonzero(low > high)[0])
        raise ValidationError(record, "min_quantity", f"row {row}: {low[row]:g} is above the maximum {high[row]:g}")
    whole = lead_time_demand.discrete
    smallest = 1.0 if whole else 1e-9 * np.maximum(lead_time_demand.mean + lead_time_demand.std, 1.0)
    low = np.maximum(low, smallest)

    def reorder_point(q: F64) -> F64:
        return reorder_point_for_target(lead_time_demand, measure, goal, q)

    def cost(q: F64) -> F64:
        return np.asarray(k * rate / q + h * expected_on_hand(lead_time_demand, reorder_point(q), q), np.float64)

    eoq = np.sqrt(2 * k * rate / h)
    reach = 10 * (eoq + lead_time_demand.std + lead_time_demand.mean) + 2 * low
    best = _golden_section(cost, low, np.minimum(high, reach), whole=whole)
    best = _nearest_multiple(cost, best, multiple, low, high)
    r = reorder_point(best)
    policy = _policy(lead_time_demand, r, best, h, 0.0, k, rate)
    return policy


def _policy(demand: Demand, r: F64, q: F64, h: ArrayLike, p: ArrayLike, k: ArrayLike, rate: ArrayLike) -> ReorderPolicy:
    on_hand = expected_on_hand(demand, r, q)
    backorders = expected_backorders(demand, r, q)
    cost = np.asarray(np.asarray(k) * np.asarray(rate) / q + np.asarray(h) * on_hand + np.asarray(p) * backorders)
    return ReorderPolicy(
        reorder_point=r,
        order_quantity=q,
        cost=cost.astype(np.float64),
        on_hand=on_hand,
        backorders=backorders,
        cycle_service_level=cycle_service_level(demand, r),
        fill_rate=fill_rate(demand, r, q),
    )


def _golden_section(cost: Callable[[F64], F64], low: F64, high: F64, *, whole: bool) -> F64:
    """Per row, the ``Q`` in ``[low, high]`` of least ``cost`` (unimodal), searched on ``log Q``."""
    high = np.maximum(high, low)
    a, b = np.log(low), np.log(high)

    def at(x: F64) -> F64:
        q = np.exp(x)
        return cost(np.clip(np.round(q), low, high) if whole else q)

    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fc, fd = at(c), at(d)
    for _ in range(GOLDEN_STEPS):
        left = fc <= fd  # the minimum lies in [a, d]: drop (d, b]; else drop [a, c)
        a, b = np.where(left, a, c), np.where(left, d, b)
        fresh = np.where(left, b - GOLDEN * (b - a), a + GOLDEN * (b - a))
        value = at(fresh)
        c, d = np.where(left, fresh, d), np.where(left, c, fresh)
        fc, fd = np.where(left, value, fd), np.where(left, fc, value)
    q = np.exp((a + b) / 2)
    candidates = [low, high, q]
    if whole:
        centre = np.round(q)
        candidates = [low, high, *(np.clip(centre + step, low, high) for step in range(-3, 4))]
    costs = np.stack([cost(x) for x in candidates])
    return np.asarray(np.stack(candidates)[np.argmin(costs, axis=0), np.arange(q.size)], dtype=np.float64)


def _nearest_multiple(cost: Callable[[F64], F64], q: F64, multiple: F64, low: F64, high: F64) -> F64:
    """Where an order multiple applies, the cheaper of the multiples just below and above ``q`` in bounds."""
    has = multiple > 0
    if not has.any():
        return q
    step = np.where(has, multiple, 1.0)
    down = np.floor(q / step + 1e-9) * step
    up = np.ceil(q / step - 1e-9) * step
    down = np.where(down >= low - 1e-9, down, up)
    up = np.where(up <= high + 1e-9, up, down)
    choice = np.where(cost(down) <= cost(up), down, up)
    return np.asarray(np.where(has, choice, q), dtype=np.float64)


def _federgruen_zheng(demand: Demand, h: float, p: float, fixed_rate: float) -> tuple[float, float]:
    """Federgruen-Zheng (1992): grow the best window of inventory positions one point at a time."""
    width = 64
    while True:
        centre = float(demand.ppf(p / (p + h))[0])
        start = centre - width
        positions = np.arange(start, centre + width + 1)
        g = h * (positions - demand.mean[0] + demand.loss(positions)) + p * demand.loss(positions)
        lo = hi = int(centre - start)
        total, count = float(g[lo]), 1
        while True:
            if lo == 0 or hi == positions.size - 1:
                break  # the window reached the edge of the points computed: compute more
            left, right = float(g[lo - 1]), float(g[hi + 1])
            step = min(left, right)
            if step >= (fixed_rate + total) / count:
                return float(positions[lo] - 1), float(count)
            if left < right:
                lo -= 1
            else:
                hi += 1
            total, count = total + step, count + 1
        width *= 4


def _continuous_optimum(demand: Demand, h: float, p: float, fixed_rate: float) -> tuple[float, float]:
    """Solve ``G(r) = G(r + Q)`` for ``r`` and ``g(r, Q) = G(r + Q)`` for ``Q`` (Brent's method)."""
    mu = float(demand.mean[0])
    newsvendor = float(demand.ppf(p / (p + h))[0])

    def g_of(y: float) -> float:
        return float(h * (y - mu) + (h + p) * demand.loss(y)[0])

    def reorder_point(q: float) -> float:
        low, high = newsvendor - q, newsvendor
        gap_low, gap_high = g_of(low) - g_of(low + q), g_of(high) - g_of(high + q)
        if gap_low <= 0:
            return low
        if gap_high >= 0:
            return high
        return float(optimize.brentq(lambda r: g_of(r) - g_of(r + q), low, high, xtol=1e-12 * max(1.0, abs(mu))))

    def excess(q: float) -> float:
        r = reorder_point(q)
        integral = h * q * (r + q / 2 - mu) + (h + p) * float(demand.second_loss(r)[0] - demand.second_loss(r + q)[0])
        return g_of(r + q) - (fixed_rate + integral) / q

    scale = max(float(demand.std[0]), math.sqrt(2 * fixed_rate / h), 1e-9)
    low, high = scale * 1e-6, scale
    while excess(high) < 0:
        high *= 2
    q = float(optimize.brentq(excess, low, high, xtol=1e-12 * scale))
    return reorder_point(q), q
