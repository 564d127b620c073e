"""Service levels of reorder points and order-up-to levels, and the levels that meet a target.

Two measures (Silver, Pyke & Thomas 2017, ch. 6; Snyder & Shen 2019, ch. 4 and 5):

- **cycle service level** ``alpha`` (type 1): the probability of no stockout in a
  replenishment cycle. Continuous review (r, Q): ``alpha = F_L(r)`` with ``F_L`` the law of
  lead-time demand; periodic review up to ``S`` every ``R`` periods: ``alpha = F_{L+R}(S)``.
- **fill rate** ``beta`` (type 2): the share of demand met from stock. Continuous review
  (r, Q) with backorders: ``beta = 1 - [n_L(r) - n_L(r + Q)] / Q`` (expected shortage per
  cycle over the order quantity, Hadley & Whitin 1963); periodic review up to ``S``:
  ``beta = 1 - [n_{L+R}(S) - n_L(S)] / (R mu)`` (shortage per review cycle over the demand
  of a cycle).

Safety stock is the level less the mean demand it protects: ``SS = r - E[D_L]`` or
``SS = S - E[D_{L+R}]``. The smallest level meeting a target is ``F^-1(alpha)`` for a
cycle service level, and found by bisection on the (monotone) fill rate otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, Bool, floats, probabilities
from plantops.engines.policy.distributions import Demand
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure

#: Continuous levels are found to this relative precision, far below a unit's millionth.
PRECISION = 1e-11


def cycle_service_level(lead_time_demand: Demand, reorder_point: ArrayLike) -> F64:
    """``alpha = F_L(r)``: the probability that lead-time demand does not exceed the reorder point."""
    return lead_time_demand.cdf(reorder_point)


def fill_rate(lead_time_demand: Demand, reorder_point: ArrayLike, order_quantity: ArrayLike) -> F64:
    """``beta = 1 - [n_L(r) - n_L(r + Q)] / Q`` of a continuous-review (r, Q) policy."""
    r = np.asarray(reorder_point, dtype=np.float64)
    q = floats(order_quantity, "fill rate", "order_quantity", positive=True)
    shortage = lead_time_demand.loss(r) - lead_time_demand.loss(r + q)
    return np.asarray(1.0 - shortage / q, dtype=np.float64)


def periodic_fill_rate(
    over_lead_and_review: Demand, over_lead: Demand, order_up_to: ArrayLike, review_demand: ArrayLike
) -> F64:
    """``beta = 1 - [n_{L+R}(S) - n_L(S)] / (R mu)`` of ordering up to ``S`` every review period."""
    level = np.asarray(order_up_to, dtype=np.float64)
    demand = floats(review_demand, "fill rate", "review_demand", positive=True)
    shortage = over_lead_and_review.loss(level) - over_lead.loss(level)
    return np.asarray(1.0 - shortage / demand, dtype=np.float64)


def reorder_point_for_target(
    lead_time_demand: Demand, measure: ServiceMeasure, target: ArrayLike, order_quantity: ArrayLike | None = None
) -> F64:
    """The smallest reorder point whose cycle service level or fill rate reaches ``target``.

    A fill rate needs the ``order_quantity``. For Poisson demand the point is a whole number.
    """
    goal = probabilities(target, "service target", "target")
    alpha_point = lead_time_demand.ppf(goal)
    if measure is ServiceMeasure.CYCLE_SERVICE_LEVEL:
        return alpha_point
    if order_quantity is None:
        raise ValidationError("service target", "order_quantity", "a fill rate depends on the order quantity")
    q = floats(order_quantity, "service target", "order_quantity", positive=True)
    # (n(r) - n(r + Q)) / Q <= 1 - F(r), so F^-1(beta) already meets beta; r = -Q meets nothing.
    low = np.minimum(-q, alpha_point - q)
    return smallest_meeting(
        lambda r: fill_rate(lead_time_demand, r, q) >= goal,
        low,
        alpha_point,
        whole=lead_time_demand.discrete,
    )


def order_up_to_for_target(
    over_lead_and_review: Demand,
    over_lead: Demand,
    measure: ServiceMeasure,
    target: ArrayLike,
    review_demand: ArrayLike,
) -> F64:
    """The smallest order-up-to level ``S`` (periodic review) meeting a cycle service level or fill rate."""
    goal = probabilities(target, "service target", "target")
    alpha_level = over_lead_and_review.ppf(goal)
    if measure is ServiceMeasure.CYCLE_SERVICE_LEVEL:
        return alpha_level
    demand = floats(review_demand, "service target", "review_demand", positive=True)
    return smallest_meeting(
        lambda s: periodic_fill_rate(over_lead_and_review, over_lead, s, demand) >= goal,
        np.minimum(over_lead.ppf(1e-9) - demand, -demand),
        np.maximum(alpha_level, over_lead_and_review.ppf(1 - (1 - goal) * 1e-3)),
        whole=over_lead_and_review.discrete,
    )


def smallest_meeting(meets: Callable[[F64], Bool], low: ArrayLike, high: ArrayLike, *, whole: bool = False) -> F64:
    """Per row, the smallest ``x`` in ``[low, high]`` with ``meets(x)``, for a condition that holds
    from some point on (bisection, all rows at once). ``high`` must meet it; rows where ``low``
    already meets it return ``low``. With ``whole`` the answer is a whole number."""
    lo = np.floor(np.asarray(low, dtype=np.float64)) if whole else np.asarray(low, dtype=np.float64).copy()
    hi = np.ceil(np.asarray(high, dtype=np.float64)) if whole else np.asarray(high, dtype=np.float64).copy()
    lo, hi = np.broadcast_arrays(lo, hi)
    lo, hi = lo.copy(), hi.copy()
    done = meets(lo)
    hi = np.where(done, lo, hi)
    while True:
        width = hi - lo
        open_rows = ~done & ((width > 1) if whole else (width > PRECISION * (1 + np.abs(lo) + np.abs(hi))))
        if not open_rows.any():
            break
        mid = np.floor((lo + hi) / 2) if whole else (lo + hi) / 2
        ok = meets(mid)
        hi = np.where(open_rows & ok, mid, hi)
        lo = np.where(open_rows & ~ok, mid, lo)
    return np.asarray(hi, dtype=np.float64)
