"""Simulating a replenishment policy on sampled demand: the service and cost it achieves.

Periods are simulated one after another, all replications at once (numpy arrays with one
row per replication); demand is backordered. Within a period: receipts due arrive first;
a periodic policy reviews at the start of its review periods; the period's demand is met
from stock or backordered; a continuous-review policy reviews after the demand (the
discrete-time form of continuous review). An order with lead time ``L`` placed at a
review at the start of period ``t`` arrives at the start of period ``t + L`` (at once if
``L = 0``), one placed after the demand of period ``t`` at the start of ``t + L + 1``: either
way stock must cover the demand of ``L`` periods after the order (plus the review period).
Lead times are drawn per order (gamma with the given mean and deviation, rounded to whole
periods) or fixed.

- (r, Q) continuous review: when the inventory position is at or below ``r``, order the
  smallest multiple of ``Q`` that lifts it above ``r`` (the (r, nQ) rule, exact for demand
  that comes in lumps; Hadley & Whitin 1963).
- (s, S) periodic review every ``R`` periods: at or below ``s``, order up to ``S``; a
  base-stock policy is ``s = S``.

Measured after a warm-up, per replication, then averaged (with the standard error over
replications): fill rate (demand met from stock over demand), cycle service level (share
of receipts before which nothing was backordered: cycles without a stockout), period
service level (share of periods ending without backorders), mean on-hand and
backorders, orders per period, and cost per period ``h on-hand + p backorders + K orders``.
The policy's analytic service (:mod:`~plantops.engines.policy.service_levels`,
:mod:`~plantops.engines.policy.ss`) should lie within a few standard errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plantops.engines.policy._checks import F64, nonnegative_number, positive_number
from plantops.engines.policy.distributions import Demand
from plantops.errors import ValidationError


@dataclass(frozen=True)
class Replenishment:
    """A policy to simulate: build it with :meth:`reorder_point` or :meth:`order_up_to`."""

    reorder_point: float
    order_quantity: float  # Q of (r, nQ); 0 for order-up-to policies
    order_up_to: float  # S of (s, S); 0 for (r, nQ)
    review_period: int  # periods between reviews of an order-up-to policy; 1 for (r, nQ)

    @classmethod
    def continuous(cls, reorder_point: float, order_quantity: float) -> Replenishment:
        """(r, Q): reviewed after each period's demand."""
        return cls(reorder_point, positive_number(order_quantity, "simulated policy", "order_quantity"), 0.0, 1)

    @classmethod
    def periodic(cls, reorder_point: float, order_up_to: float, review_period: int = 1) -> Replenishment:
        """(s, S) every ``review_period`` periods (``s = S`` for a base-stock policy)."""
        if order_up_to < reorder_point:
            raise ValidationError("simulated policy", "order_up_to", "must not lie below the reorder point")
        if review_period < 1:
            raise ValidationError("simulated policy", "review_period", "must be at least one period")
        return cls(reorder_point, 0.0, order_up_to, review_period)

    @property
    def is_continuous(self) -> bool:
        return self.order_quantity > 0


@dataclass(frozen=True)
class Estimate:
    """A mean over replications and its standard error."""

    mean: float
    standard_error: float


@dataclass(frozen=True)
class SimulationResult:
    fill_rate: Estimate
    cycle_service_level: Estimate
    period_service_level: Estimate
    on_hand: Estimate
    backorders: Estimate
    orders_per_period: Estimate
    cost_per_period: Estimate


def simulate(
    policy: Replenishment,
    demand: Demand,
    *,
    lead_time: float,
    lead_time_std: float = 0.0,
    holding_cost: float = 0.0,
    stockout_cost: float = 0.0,
    fixed_cost: float = 0.0,
    periods: int = 2000,
    replications: int = 50,
    warm_up: int | None = None,
    seed: int = 0,
) -> SimulationResult:
    """Simulate ``policy`` against the first row's per-period ``demand``; start with ``S`` or ``r + Q`` on hand."""
    record = "simulation"
    lead = nonnegative_number(lead_time, record, "lead_time")
    lead_std = nonnegative_number(lead_time_std, record, "lead_time_std")
    if periods < 1 or replications < 2:
        raise ValidationError(record, "replications", "need at least one period and two replications")
    warm = int(warm_up if warm_up is not None else max(10 * math.ceil(lead + 1), periods // 10))
    rng = np.random.default_rng(seed)
    draws = demand.row(0).sample(rng, (replications, warm + periods))
    longest = math.ceil(lead + 8 * lead_std) + 2
    pipeline = np.zeros((replications, longest + 2))
    rows = np.arange(replications)
    start = policy.order_up_to if not policy.is_continuous else policy.reorder_point + policy.order_quantity
    level = np.full(replications, float(start))  # inventory level: on hand less backorders
    on_order = np.zeros(replications)
    totals = {name: np.zeros(replications) for name in ("demand", "short", "cycles", "bad", "good", "hand", "back")}
    totals["orders"] = np.zeros(replications)

    def order(t: int, measured: bool) -> None:
        position = level + on_order
        if policy.is_continuous:
            below = np.floor((policy.reorder_point - position) / policy.order_quantity) + 1
            amount = np.where(position <= policy.reorder_point, below, 0.0) * policy.order_quantity
        else:
            amount = np.where(position <= policy.reorder_point, policy.order_up_to - position, 0.0)
        placed = amount > 0
        if not placed.any():
            return
        if lead_std > 0 and lead > 0:
            drawn = rng.gamma((lead / lead_std) ** 2, lead_std**2 / lead, replications)
            delay = np.clip(np.round(drawn), 0, longest).astype(np.int64)
        else:
            delay = np.full(replications, round(lead))
        delay = delay + int(policy.is_continuous)  # placed after the period's demand: in by the next one
        now = placed & (delay == 0)
        later = placed & (delay > 0)
        level[now] += amount[now]
        np.add.at(pipeline, (rows[later], (t + delay[later]) % pipeline.shape[1]), amount[later])
        on_order[later] += amount[later]
        if measured:
            totals["orders"] += placed

    for t in range(warm + periods):
        measured = t >= warm
        slot = t % pipeline.shape[1]
        arriving = pipeline[:, slot].copy()
        pipeline[:, slot] = 0.0
        received = arriving > 0
        if measured:
            totals["cycles"] += received
            totals["bad"] += received & (level < -1e-9)
        level += arriving
        on_order -= arriving
        if not policy.is_continuous and t % policy.review_period == 0:
            order(t, measured)
        wanted = draws[:, t]
        from_stock = np.minimum(wanted, np.maximum(level, 0.0))
        level -= wanted
        if measured:
            totals["demand"] += wanted
            totals["short"] += wanted - from_stock
            totals["good"] += level >= -1e-9
            totals["hand"] += np.maximum(level, 0.0)
            totals["back"] += np.maximum(-level, 0.0)
        if policy.is_continuous:
            order(t, measured)

    def estimate(values: F64) -> Estimate:
        return Estimate(float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size)))

    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(totals["demand"] > 0, 1 - totals["short"] / totals["demand"], 1.0)
        cycles = np.where(totals["cycles"] > 0, 1 - totals["bad"] / totals["cycles"], 1.0)
    hand, back, orders = totals["hand"] / periods, totals["back"] / periods, totals["orders"] / periods
    return SimulationResult(
        fill_rate=estimate(fill),
        cycle_service_level=estimate(cycles),
        period_service_level=estimate(totals["good"] / periods),
        on_hand=estimate(hand),
        backorders=estimate(back),
        orders_per_period=estimate(orders),
        cost_per_period=estimate(holding_cost * hand + stockout_cost * back + fixed_cost * orders),
    )
