"""Gross-to-net and lot sizing, many nodes at once (rows are nodes, columns buckets).

Notation per node (Vollmann et al., MRP chapter; Silver, Pyke & Peterson, *Inventory
Management and Production Planning and Scheduling*, 3rd ed., ch. 6): ``OH`` available
on-hand (on-hand less allocations), ``GR_t`` gross requirements, ``SR_t`` scheduled
receipts (at their netting bucket, see :mod:`~plantops.engines.mrp.demand`), ``SS`` safety
stock, ``y`` yield, ``PA_t`` projected available balance at the end of bucket ``t``. A
planned order of quantity ``q`` due in ``t`` adds a receipt ``q y`` to ``PA_t``; a net
requirement appears when ``PA_t`` would fall below ``SS``.

- **Lot-for-lot** (no limits), vectorised with cumulative maxima: with
  ``P_t = OH + sum_{s<=t} (SR_s - GR_s)`` (no planned orders), the planned receipts
  needed up to ``t`` are ``C_t = max(0, max_{s<=t} (SS - P_s))``, so the planned receipt in
  ``t`` is ``C_t - C_{t-1}`` and the order ``(C_t - C_{t-1}) / y``. Inside the frozen fence
  ``C_t = 0``: the shortfall is covered by the first order after the fence.
- The other rules step through the buckets, still vectorised across nodes. When ``PA_t``
  falls below ``SS`` the order is, in order units (``/ y``):
  **fixed order quantity**: as many lots of ``FOQ`` as cover the net requirement;
  **economic order quantity** (Harris 1913): ``max(net, sqrt(2 D S / H))`` with ``D`` the
  gross requirements of the horizon scaled to a year, ``S`` the ordering cost and ``H``
  the holding cost rate x unit cost;
  **period order quantity**: the net requirements of ``P`` buckets from ``t``;
  **Wagner-Whitin** (Wagner & Whitin 1958): the net requirements of ``t`` to the end of the
  optimal segment containing ``t`` (:func:`wagner_whitin_segments`).
- Then the limits, in this order: at least ``min_order_quantity``; rounded up to a
  multiple of ``order_multiple``; above ``max_order_quantity`` the quantity is split into
  orders of the maximum (rounded down to the multiple) and a last order, itself raised to
  the minimum and rounded to the multiple. A fixed order quantity's lots are its orders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp._checks import F64, I64
from plantops.engines.mrp.kinds import EOQ, FOQ, POQ, WW
from plantops.engines.mrp.quota import choose
from plantops.engines.mrp.structure import TOL


def lot_for_lot(available: F64, flow: F64, safety: F64, fence: I64) -> F64:
    """Planned receipts per node and bucket by lot-for-lot; ``flow = SR - GR`` (rows x T)."""
    projected = available[:, None] + np.cumsum(flow, axis=1)
    needed = np.maximum.accumulate(safety[:, None] - projected, axis=1)
    needed[np.arange(flow.shape[1])[None, :] < fence[:, None]] = 0.0
    needed = np.maximum(needed, 0.0)
    receipts: F64 = np.diff(needed, axis=1, prepend=0.0)
    return receipts


def ceil_multiple(quantity: F64, multiple: F64) -> F64:
    """``quantity`` rounded up to a multiple of ``multiple`` where it is positive."""
    step = np.where(multiple > 0, multiple, 1.0)
    rounded: F64 = np.where(multiple > 0, np.ceil(quantity / step - TOL) * step, quantity)
    return rounded


def apply_limits(quantity: F64, minimum: F64, multiple: F64, maximum: F64) -> F64:
    """Total of the orders made from ``quantity``: minimum, multiple, and the split above the maximum."""
    quantity = ceil_multiple(np.maximum(quantity, minimum), multiple)
    over = np.isfinite(maximum) & (quantity > maximum * (1 + TOL))
    if over.any():
        top = maximum[over]
        count = np.ceil(quantity[over] / top - TOL)
        last = ceil_multiple(np.maximum(quantity[over] - (count - 1) * top, minimum[over]), multiple[over])
        quantity[over] = (count - 1) * top + last
    return quantity


def split_orders(quantity: F64, lot: F64) -> tuple[I64, F64]:
    """How many orders each total makes and each order's quantity: ``lot``s then the rest (inf: one order)."""
    finite = np.isfinite(lot)
    count = np.ones(quantity.size, np.int64)
    count[finite] = np.maximum(np.ceil(quantity[finite] / lot[finite] - TOL), 1).astype(np.int64)
    cell = np.repeat(np.arange(quantity.size), count)
    first = np.cumsum(count) - count
    position = np.arange(cell.size) - first[cell]
    last = position == count[cell] - 1
    size = np.where(last, quantity[cell] - (count[cell] - 1) * np.where(finite, lot, 0.0)[cell], lot[cell])
    return count, size


@dataclass(frozen=True)
class Rules:
    """Lot-size parameters of the rows being netted (order units, except ``safety``)."""

    rule: I64
    fixed: F64
    periods: I64
    economic: F64
    minimum: F64
    multiple: F64
    maximum: F64
    yield_rate: F64
    safety: F64
    fence: I64


#: Up to this many rows, :func:`stepwise` loops in plain Python (cheaper than numpy calls on tiny arrays).
SCALAR_ROWS = 256


def stepwise(available: F64, flow: F64, rules: Rules, segment_end: I64 | None = None) -> tuple[F64, F64]:
    """Planned receipts and order quantities (due buckets) for any rule, from shortage to shortage.

    Both implementations do the same floating-point operations in the same order, so
    they give identical results (the tests check this); which one runs only depends on
    how many rows there are.
    """
    if flow.shape[0] <= SCALAR_ROWS:
        return _stepwise_scalar(available, flow, rules, segment_end)
    return _stepwise_arrays(available, flow, rules, segment_end)


def _stepwise_arrays(available: F64, flow: F64, rules: Rules, segment_end: I64 | None = None) -> tuple[F64, F64]:
    """Planned receipts and order quantities (due buckets) for any rule, from shortage to shortage.

    The projected available balance of a row at the end of ``t`` is
    ``P_t + A`` with ``P_t = OH + sum_{s<=t} (SR_s - GR_s)`` and ``A`` the receipts planned
    so far. The next order of a row falls in the first bucket (outside its fence) where
    that is below safety stock; rows are visited bucket by bucket in that order, so a
    row with few orders costs few steps. ``segment_end[row, t]`` is the last bucket of the
    Wagner-Whitin segment containing ``t`` (only read for Wagner-Whitin rows).
    """
    rows, horizon = flow.shape
    base = available[:, None] + np.cumsum(flow, axis=1)
    added = np.zeros(rows)
    receipts = np.zeros((rows, horizon))
    orders = np.zeros((rows, horizon))
    threshold = rules.safety - TOL
    allowed = np.arange(horizon)[None, :] >= rules.fence[:, None]

    def next_short(which: I64, start: int) -> I64:
        if start >= horizon:
            return np.full(which.size, horizon, np.int64)
        below = (base[which, start:] + added[which, None] < threshold[which, None]) & allowed[which, start:]
        found: I64 = np.where(below.any(axis=1), np.argmax(below, axis=1) + start, horizon)
        return found

    every = np.arange(horizon)
    last_of = np.broadcast_to(every, (rows, horizon)).copy()  # last bucket an order in t covers
    periodic = np.flatnonzero(rules.rule == POQ)
    last_of[periodic] = np.minimum(every[None, :] + rules.periods[periodic, None] - 1, horizon - 1)
    if segment_end is not None:
        optimal = np.flatnonzero(rules.rule == WW)
        last_of[optimal] = segment_end[optimal]
    floor = np.where(rules.rule == EOQ, rules.economic, 0.0)
    fixed = rules.rule == FOQ
    lot = np.where(fixed, rules.fixed, 1.0)
    limited = ~fixed & ((rules.minimum > 0) | (rules.multiple > 0) | np.isfinite(rules.maximum))
    upcoming = next_short(np.arange(rows), 0)
    while upcoming.size:
        t = int(upcoming.min())
        if t >= horizon:
            break
        short = np.flatnonzero(upcoming == t)
        cover = rules.safety[short] - (base[short, t] + added[short])
        last = last_of[short, t]
        far = np.flatnonzero(last > t)
        if far.size:
            chosen = short[far]
            lowest = np.minimum.accumulate(base[chosen, t + 1 :], axis=1)[np.arange(far.size), last[far] - t - 1]
            cover[far] = np.maximum(cover[far], rules.safety[chosen] - (lowest + added[chosen]))
        quantity = np.maximum(cover / rules.yield_rate[short], floor[short])
        lots = fixed[short]
        if lots.any():
            quantity[lots] = np.ceil(quantity[lots] / lot[short[lots]] - TOL) * lot[short[lots]]
        bounded = limited[short]
        if bounded.any():
            rows_ = short[bounded]
            quantity[bounded] = apply_limits(
                quantity[bounded], rules.minimum[rows_], rules.multiple[rows_], rules.maximum[rows_]
            )
        receipt = quantity * rules.yield_rate[short]
        added[short] += receipt
        receipts[short, t] = receipt
        orders[short, t] = quantity
        upcoming[short] = next_short(short, t + 1)
    return receipts, orders


@dataclass(frozen=True)
class Sources:
    """Quota candidates of one row: shares, minimums and multiples by rank, and the first candidate's number."""

    share: list[float]
    minimum: list[float]
    multiple: list[float]
    first: int


def stepwise_by_quota(
    available: F64, flow: F64, rules: Rules, segment_end: I64 | None, sources: list[Sources]
) -> tuple[F64, F64, I64]:
    """:func:`stepwise` for rows that buy by quota: each order goes to the supplier that
    :func:`~plantops.engines.mrp.quota.choose` picks for its quantity, then takes that supplier's
    minimum and multiple. Also returns each order's candidate number (-1 where no order)."""
    choice = np.full(flow.shape, -1, np.int64)
    receipts, orders = _stepwise_scalar(available, flow, rules, segment_end, sources, choice)
    return receipts, orders, choice


def _stepwise_scalar(
    available: F64,
    flow: F64,
    rules: Rules,
    segment_end: I64 | None,
    sources: list[Sources] | None = None,
    choice: I64 | None = None,
) -> tuple[F64, F64]:
    """:func:`_stepwise_arrays` one row at a time, with Python floats (with ``sources``, by quota into ``choice``)."""
    rows, horizon = flow.shape
    receipts = np.zeros((rows, horizon))
    orders = np.zeros((rows, horizon))
    base_table = available[:, None] + np.cumsum(flow, axis=1)
    columns = (
        base_table.tolist(),
        rules.rule.tolist(),
        rules.safety.tolist(),
        rules.fence.tolist(),
        rules.yield_rate.tolist(),
        rules.economic.tolist(),
        rules.fixed.tolist(),
        rules.periods.tolist(),
        rules.minimum.tolist(),
        rules.multiple.tolist(),
        rules.maximum.tolist(),
    )
    ends = segment_end.tolist() if segment_end is not None else None
    ceil, tolerance = math.ceil, TOL
    for row, (base, rule, safety, fence, rate, economic, fixed, periods, low, step, top) in enumerate(
        zip(*columns, strict=True)
    ):
        threshold = safety - tolerance
        added = 0.0
        floor = economic if rule == EOQ else 0.0
        is_fixed = rule == FOQ
        limited = not is_fixed and (low > 0 or step > 0 or math.isfinite(top))
        bounded = math.isfinite(top)
        windows = rule == POQ or (rule == WW and ends is not None)
        source = sources[row] if sources is not None else None
        allocated = [0.0] * len(source.share) if source is not None else []
        for t in range(fence, horizon):
            level = base[t] + added
            if not level < threshold:
                continue
            cover = safety - level
            if windows:
                last = min(t + periods - 1, horizon - 1) if rule == POQ else ends[row][t]  # type: ignore[index]
                if last > t:
                    alternative = safety - (min(base[t + 1 : last + 1]) + added)
                    if alternative > cover:
                        cover = alternative
            quantity = cover / rate
            if quantity < floor:
                quantity = floor
            if source is not None:
                picked = choose(source.share, allocated, quantity)
                low, step = source.minimum[picked], source.multiple[picked]
                limited = not is_fixed and (low > 0 or step > 0 or bounded)
            if is_fixed:
                quantity = float(ceil(quantity / fixed - tolerance)) * fixed
            elif limited:
                if quantity < low:
                    quantity = low
                if step > 0:
                    quantity = float(ceil(quantity / step - tolerance)) * step
                if bounded and quantity > top * (1 + tolerance):
                    count = float(ceil(quantity / top - tolerance))
                    rest = quantity - (count - 1) * top
                    if rest < low:
                        rest = low
                    if step > 0:
                        rest = float(ceil(rest / step - tolerance)) * step
                    quantity = (count - 1) * top + rest
            receipt = quantity * rate
            added += receipt
            receipts[row, t] = receipt
            orders[row, t] = quantity
            if source is not None and choice is not None:
                allocated[picked] += quantity
                choice[row, t] = source.first + picked
    return receipts, orders


def wagner_whitin_segments(requirements: F64, setup: F64, holding: F64) -> I64:
    """For each row and bucket ``t``, the last bucket covered by the order that covers ``t``.

    The exact dynamic programme of Wagner & Whitin (1958), ``O(T^2)`` per row, vectorised
    across rows. ``requirements`` are the net requirements ``r_t``, ``setup`` the cost
    ``S`` of an order, ``holding[row, m]`` the cost ``h_m`` of carrying a unit from bucket
    ``m`` to ``m + 1``. With ``F_0 = 0``:
    ``F_{j+1} = min_{i <= j} F_i + S [r_i + .. + r_j > 0] + sum_{k=i..j} r_k (h_i + .. + h_{k-1})``;
    ties go to the latest order bucket ``i`` (less stock carried).
    """
    rows, horizon = requirements.shape
    carried = np.concatenate([np.zeros((rows, 1)), np.cumsum(holding, axis=1)], axis=1)  # H_k = h_0 + .. + h_{k-1}
    total = np.concatenate([np.zeros((rows, 1)), np.cumsum(requirements, axis=1)], axis=1)
    weighted = np.concatenate([np.zeros((rows, 1)), np.cumsum(requirements * carried[:, :horizon], axis=1)], axis=1)
    # segment[row, i, j]: setup and holding of one order in i covering i..j (the part that does not depend on F)
    quantity = total[:, None, 1:] - total[:, :horizon, None]
    hold = (weighted[:, None, 1:] - weighted[:, :horizon, None]) - carried[:, :horizon, None] * quantity
    segment = setup[:, None, None] * (quantity > TOL) + hold
    best_cost = np.zeros((rows, horizon + 1))
    start = np.zeros((rows, horizon), np.int64)
    every = np.arange(rows)
    for j in range(horizon):
        cost = best_cost[:, : j + 1] + segment[:, : j + 1, j]
        latest = j - np.argmin(cost[:, ::-1], axis=1)
        best_cost[:, j + 1] = cost[every, latest]
        start[:, j] = latest
    end = np.zeros((rows, horizon), np.int64)
    last = np.full(rows, horizon - 1)
    columns = np.arange(horizon)[None, :]
    active = every
    while active.size:
        first = start[active, last[active]]
        inside = (columns >= first[:, None]) & (columns <= last[active, None])
        end[active] = np.where(inside, last[active, None], end[active])
        last[active] = first - 1
        active = active[last[active] >= 0]
    return end


@dataclass(frozen=True)
class WagnerWhitinPlan:
    """Order quantities per bucket and the plan's cost: setups plus holding of end-of-bucket stock."""

    quantities: F64
    cost: float


def plan_cost(quantities: ArrayLike, requirements: ArrayLike, setup_cost: float, holding_cost: ArrayLike) -> float:
    """``S x (number of orders) + sum_t h_t x (stock at the end of t)`` of a plan covering the requirements."""
    orders = np.asarray(quantities, np.float64)
    demand = np.asarray(requirements, np.float64)
    holding = np.broadcast_to(np.asarray(holding_cost, np.float64), demand.shape)
    stock = np.cumsum(orders - demand)
    if (stock < -TOL * max(1.0, float(demand.sum()))).any():
        raise ValueError("the orders do not cover the requirements in time")
    return float(setup_cost * np.count_nonzero(orders > TOL) + (holding * stock).sum())


def wagner_whitin(requirements: ArrayLike, setup_cost: float, holding_cost: ArrayLike) -> WagnerWhitinPlan:
    """The cheapest order plan of one item (Wagner & Whitin 1958): ``r_t``, ``S``, ``h`` (one or one per bucket)."""
    demand = np.asarray(requirements, np.float64)[None, :]
    holding = np.broadcast_to(np.asarray(holding_cost, np.float64), demand.shape[1:])[None, :].astype(np.float64)
    end = wagner_whitin_segments(demand, np.array([float(setup_cost)]), holding)[0]
    quantities = np.zeros(demand.shape[1])
    t = 0
    while t < demand.shape[1]:
        last = int(end[t])
        segment = demand[0, t : last + 1]
        positive = np.flatnonzero(segment > TOL)
        if positive.size:
            quantities[t + positive[0]] = segment.sum()
        t = last + 1
    return WagnerWhitinPlan(quantities, plan_cost(quantities, demand[0], setup_cost, holding[0]))
