"""Periodic-review (s, S) policies: the exact optimum of Zheng & Federgruen (1991), their
service, and the least-cost (s, S) meeting a service target.

Zheng & Federgruen, "Finding optimal (s, S) policies is about as simple as evaluating a
single policy", *Operations Research* 39(4), 654-665, 1991; notation of Snyder & Shen,
*Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 4. Each period, if the
inventory position is at or below ``s``, order up to ``S``; ``K`` cost per order, ``h``
holding and ``p`` backorder cost per unit per period, lead time ``L`` periods. With ``D``
the demand of one period and ``D'`` the demand of ``L + 1`` periods (a lead time that
varies widens ``D'`` as in :func:`~plantops.engines.policy.distributions.lead_time_demand`):

- ``G(y) = h E[(y - D')^+] + p E[(D' - y)^+]``, the expected holding and backorder cost of
  a period that starts with inventory position ``y``;
- the renewal function of ``D``: ``m(0) = 1 / (1 - p_0)``,
  ``m(j) = sum_{l=1}^{j} p_l m(j - l) / (1 - p_0)``, and ``M(j) = sum_{i<j} m(i)``;
- the cost per period ``c(s, S) = (K + sum_{j=0}^{S-s-1} m(j) G(S - j)) / M(S - s)``, and the
  inventory position is ``S - j`` with probability ``m(j) / M(S - s)``.

The algorithm (their §3): start at ``y* = argmin G``; lower ``s`` from ``y* - 1`` while
``c(s, y*) > G(s)``; then raise ``S`` while ``G(S) <= c``, and whenever ``c(s, S)`` improves,
take ``S`` and raise ``s`` while ``c(s, S) <= G(s + 1)``.

Demand lives on a lattice of points ``k * step`` (the whole numbers for Poisson demand;
a fine step for continuous demand, see :meth:`Demand.lattice`), so levels are multiples
of ``step``.

Service per period (a review period is the cycle): cycle service level
``sum_y P(IP = y) F_{L+1}(y)``; fill rate ``1 - sum_y P(IP = y) [n_{L+1}(y) - n_L(y)] / E[D]``.
A service target is met at least cost by the backorder cost ``p`` whose optimal policy just
meets it (the generalised Lagrange multiplier of Everett, *Operations Research* 11(3),
1963), found by bisection on ``p``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from plantops.engines.policy._checks import F64, nonnegative_number, positive_number, probabilities
from plantops.engines.policy.distributions import Demand, lead_time_demand
from plantops.errors import ValidationError
from plantops.vocabulary import ServiceMeasure

#: Lattice points per standard deviation (or per mean, if larger) of a period's continuous demand.
POINTS_PER_PERIOD = 40
#: A service target's backorder cost is bracketed in steps of this factor from the newsvendor's
#: (at most ``PENALTY_STEPS_OUT`` steps), then found by ``PENALTY_STEPS`` bisections on its logarithm.
PENALTY_FACTOR = 4.0
PENALTY_STEPS_OUT = 12
PENALTY_STEPS = 14


@dataclass(frozen=True)
class PeriodicPolicy:
    """An (s, S) policy with its expected costs per period and its service."""

    reorder_point: float
    order_up_to: float
    cost: float  # ordering + holding + backorder cost per period
    ordering_cost: float
    holding_cost: float
    backorder_cost: float
    on_hand: float
    backorders: float
    cycle_service_level: float
    fill_rate: float
    stockout_cost: float  # the backorder cost per unit per period the policy was optimised for


class _Law:
    """A lattice law: probabilities of ``first, first + 1, ...`` times ``step``."""

    def __init__(self, first: int, probabilities: F64, step: float) -> None:
        self.first, self.step = first, step
        self.last = first + probabilities.size - 1
        points = np.arange(first, self.last + 1)
        self.mean = float(np.dot(points, probabilities) * step)
        tail = 1.0 - np.cumsum(probabilities)  # P(D > k) for k = first .. last
        self._cdf = np.clip(1.0 - tail, 0.0, 1.0)
        # n(k) = step * sum_{j >= k} P(D > j) for k = first .. last (0 from last on)
        self._loss = step * np.cumsum(np.clip(tail, 0.0, None)[::-1])[::-1]

    def cdf(self, k: F64) -> F64:
        index = np.clip(k - self.first, 0, self.last - self.first).astype(np.int64)
        return np.where(k < self.first, 0.0, np.where(k >= self.last, 1.0, self._cdf[index]))

    def loss(self, k: F64) -> F64:
        """``E[(D - k step)^+]`` at the lattice points ``k``."""
        index = np.clip(k - self.first, 0, self.last - self.first).astype(np.int64)
        inside = self._loss[index]
        return np.where(k < self.first, self.mean - k * self.step, np.where(k >= self.last, 0.0, inside))


class _Problem:
    """The lattice, the renewal function of a period's demand and the laws ``G`` needs."""

    def __init__(self, per_period: Demand, lead_time: float, lead_time_std: float, step: float) -> None:
        self.step = step
        first, probabilities = per_period.lattice(step)
        self.period = _Law(first, probabilities, step)
        if first < 0:  # a continuous law's mass at or below zero counts as no demand
            probabilities = np.concatenate([[probabilities[: 1 - first].sum()], probabilities[1 - first :]])
        self.single = np.concatenate([np.zeros(max(first, 0)), probabilities])
        if self.single[0] >= 1.0:
            raise ValidationError("(s, S) policy", "demand", "a period's demand is always zero: no policy is needed")
        self.protection = _Law(*lead_time_demand(per_period, lead_time + 1, lead_time_std).lattice(step), step)
        self.lead = _Law(*lead_time_demand(per_period, lead_time, lead_time_std).lattice(step), step)
        self._m = np.zeros(0)

    def m(self, count: int) -> F64:
        """The renewal function ``m(0), ..., m(count - 1)``: the impulse response of the recursion
        ``(1 - p_0) m(j) = [j = 0] + sum_{l>=1} p_l m(j - l)``, run as a linear filter."""
        if count > self._m.size:
            size = max(count, 2 * self._m.size, 64)
            impulse = np.zeros(size)
            impulse[0] = 1.0
            recursion = np.concatenate([[1.0 - self.single[0]], -self.single[1:]])
            self._m = np.asarray(signal.lfilter([1.0], recursion, impulse), dtype=np.float64)
        return self._m[:count]

    def g(self, y: F64, h: float, p: float) -> F64:
        """``G(y)`` at the lattice points ``y``."""
        shortage = self.protection.loss(y)
        return np.asarray(h * (y * self.step - self.protection.mean + shortage) + p * shortage, dtype=np.float64)


def optimal_ss(
    per_period: Demand,
    *,
    holding_cost: float,
    stockout_cost: float,
    fixed_cost: float,
    lead_time: float = 0.0,
    lead_time_std: float = 0.0,
    step: float | None = None,
) -> PeriodicPolicy:
    """The (s, S) policy of least expected cost per period (Zheng & Federgruen 1991), first row."""
    record = "(s, S) policy"
    h = positive_number(holding_cost, record, "holding_cost")
    p = positive_number(stockout_cost, record, "stockout_cost")
    k = nonnegative_number(fixed_cost, record, "fixed_cost")
    problem = _problem(per_period, lead_time, lead_time_std, step, record)
    s, big_s = _zheng_federgruen(problem, h, p, k)
    return _evaluate(problem, s, big_s, h, p, k)


def evaluate_ss(
    per_period: Demand,
    reorder_point: float,
    order_up_to: float,
    *,
    holding_cost: float,
    stockout_cost: float,
    fixed_cost: float,
    lead_time: float = 0.0,
    lead_time_std: float = 0.0,
    step: float | None = None,
) -> PeriodicPolicy:
    """Expected costs and service of a given (s, S) policy (levels are rounded to the lattice)."""
    record = "(s, S) policy"
    h = positive_number(holding_cost, record, "holding_cost")
    p = nonnegative_number(stockout_cost, record, "stockout_cost")
    k = nonnegative_number(fixed_cost, record, "fixed_cost")
    lattice = _step(per_period, step)
    problem = _problem(per_period, lead_time, lead_time_std, lattice, record)
    s, big_s = round(reorder_point / lattice), round(order_up_to / lattice)
    if big_s <= s:
        reason = f"{order_up_to:g} must be above the reorder point {reorder_point:g}"
        raise ValidationError(record, "order_up_to", reason)
    return _evaluate(problem, s, big_s, h, p, k)


def least_cost_ss(
    per_period: Demand,
    *,
    measure: ServiceMeasure,
    target: float,
    holding_cost: float,
    fixed_cost: float,
    lead_time: float = 0.0,
    lead_time_std: float = 0.0,
    step: float | None = None,
) -> PeriodicPolicy:
    """The (s, S) policy meeting ``target`` at least cost, through the backorder cost it implies."""
    record = "least-cost (s, S) policy"
    goal = float(probabilities(target, record, "target")[0])
    h = positive_number(holding_cost, record, "holding_cost")
    k = nonnegative_number(fixed_cost, record, "fixed_cost")
    problem = _problem(per_period, lead_time, lead_time_std, step, record)

    def solve(ratio: float) -> PeriodicPolicy:
        s, big_s = _zheng_federgruen(problem, h, ratio * h, k)
        return _evaluate(problem, s, big_s, h, ratio * h, k)

    def meets(policy: PeriodicPolicy) -> bool:
        achieved = policy.fill_rate if measure is ServiceMeasure.FILL_RATE else policy.cycle_service_level
        return achieved >= goal

    # Bracket from the newsvendor's backorder cost for the target, p / (p + h) = target, in steps of
    # PENALTY_FACTOR; then bisect on log p.
    ratio = goal / (1 - goal)
    policy = solve(ratio)
    direction = -1 if meets(policy) else 1
    low = high = math.log(ratio)
    best = policy if direction < 0 else None
    for _ in range(PENALTY_STEPS_OUT):
        if direction < 0:
            low -= math.log(PENALTY_FACTOR)
            trial = solve(math.exp(low))
            if not meets(trial):
                break
            high, best = low, trial
        else:
            high += math.log(PENALTY_FACTOR)
            trial = solve(math.exp(high))
            if meets(trial):
                best = trial
                break
            low = high
    if best is None:
        raise ValidationError(record, "target", f"{goal:g} is not reached even with a prohibitive backorder cost")
    if direction < 0 and low == high:  # even the cheapest backorder cost tried meets the target
        return best
    for _ in range(PENALTY_STEPS):
        middle = (low + high) / 2
        trial = solve(math.exp(middle))
        if meets(trial):
            high, best = middle, trial
        else:
            low = middle
    return best


def _problem(per_period: Demand, lead_time: float, lead_time_std: float, step: float | None, record: str) -> _Problem:
    lead = nonnegative_number(lead_time, record, "lead_time")
    deviation = nonnegative_number(lead_time_std, record, "lead_time_std")
    return _Problem(per_period.row(0), lead, deviation, _step(per_period, step))


def _step(per_period: Demand, step: float | None) -> float:
    if per_period.discrete:
        return 1.0
    if step is not None:
        return positive_number(step, "(s, S) policy", "step")
    scale = max(float(per_period.std[0]), float(per_period.mean[0]) / 4)
    if scale <= 0:
        raise ValidationError("(s, S) policy", "demand", "a period's demand is always zero: no policy is needed")
    return scale / POINTS_PER_PERIOD


def _zheng_federgruen(problem: _Problem, h: float, p: float, k: float) -> tuple[int, int]:
    """The optimal lattice levels ``(s, S)``; ``G`` is computed on a window that widens as needed."""
    width = max(64, 4 * (problem.protection.last - problem.protection.first))
    while True:
        centre = int(np.round(problem.protection.mean / problem.step))
        start = centre - width
        points = np.arange(start, centre + width + 1)
        g = problem.g(points.astype(np.float64), h, p)
        found = _search(problem, g, k)
        if found is not None:
            return start + found[0], start + found[1]
        width *= 4


def _search(problem: _Problem, g: F64, k: float) -> tuple[int, int] | None:
    """Zheng & Federgruen's search on ``G`` given at window positions; None if it leaves the window.

    Costs are kept as numerator ``K + sum m(j) G(S - j)`` and denominator ``M(S - s)``: moving ``s``
    with ``S`` fixed adds or removes one term; a new ``S`` takes one dot product.
    """
    end = g.size - 1
    m = problem.m(g.size)
    mass = np.concatenate([[0.0], np.cumsum(m)])  # M(n)

    def cost(s: int, big_s: int) -> float:
        count = big_s - s
        return float((k + np.dot(m[:count], g[s + 1 : big_s + 1][::-1])) / mass[count])

    y_star = int(np.argmin(g))
    s, big_s = y_star - 1, y_star
    numerator, denominator = k + m[0] * g[y_star], m[0]
    while s > 0 and numerator / denominator > g[s]:  # lower s with S = y*: one more term each step
        s -= 1
        term = y_star - s - 1
        numerator, denominator = numerator + m[term] * g[s + 1], denominator + m[term]
    if s <= 0:
        return None
    best = numerator / denominator
    candidate = big_s + 1
    while candidate < end and g[candidate] <= best:
        if cost(s, candidate) < best:
            big_s = candidate
            numerator, denominator = cost(s, big_s) * mass[big_s - s], mass[big_s - s]
            while s + 1 < big_s and numerator / denominator <= g[s + 1]:  # raise s: one term fewer
                term = big_s - s - 1
                numerator, denominator = numerator - m[term] * g[s + 1], denominator - m[term]
                s += 1
            best = numerator / denominator
        candidate += 1
    if candidate >= end:
        return None
    return s, big_s


def _evaluate(problem: _Problem, s: int, big_s: int, h: float, p: float, k: float) -> PeriodicPolicy:
    m = problem.m(big_s - s)
    weights = m / m.sum()  # P(IP = S - j)
    position = (big_s - np.arange(big_s - s)).astype(np.float64)
    shortage = problem.protection.loss(position)
    on_hand = float(np.dot(weights, position * problem.step - problem.protection.mean + shortage))
    backorders = float(np.dot(weights, shortage))
    new_shortage = float(np.dot(weights, shortage - problem.lead.loss(position)))
    ordering = k / float(m.sum())
    return PeriodicPolicy(
        reorder_point=s * problem.step,
        order_up_to=big_s * problem.step,
        cost=ordering + h * on_hand + p * backorders,
        ordering_cost=ordering,
        holding_cost=h * on_hand,
        backorder_cost=p * backorders,
        on_hand=on_hand,
        backorders=backorders,
        cycle_service_level=float(np.dot(weights, problem.protection.cdf(position))),
        fill_rate=1.0 - new_shortage / problem.period.mean,
        stockout_cost=p,
    )
