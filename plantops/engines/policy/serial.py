"""Serial supply chains under the stochastic-service model: the exact optimal echelon base-stock
levels (Clark & Scarf) and the newsvendor heuristic of Shang & Song.

Stages ``1, ..., N`` run from the customer (stage 1) upstream; stage ``j`` receives from
``j + 1`` after ``L_j`` periods (stage ``N`` from an outside supplier that always
delivers). Notation of Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.
(2019), ch. 6: echelon holding costs ``h_j``, local holding cost at stage 1
``h'_1 = sum_j h_j``, backorder cost ``p`` at stage 1, ``D_j`` the demand over ``L_j``
periods.

- **Exact** (Clark & Scarf, "Optimal policies for a multi-echelon inventory problem",
  *Management Science* 6(4), 1960, in the form of Chen & Zheng, "Lower bounds for
  multi-echelon stochastic inventory systems", *Management Science* 40(11), 1994)::

      g_0(x) = (p + h'_1) x^-
      for j = 1..N:  ghat_j(x) = h_j x + g_{j-1}(x)
                     g_j(y) = E[ghat_j(y - D_j)],  S*_j = argmin_y g_j(y)
                     g_j(x) <- g_j(min(S*_j, x))      (the echelon base-stock policy)
      C* = g_N(S*_N)

  The functions are kept on a lattice of points (step 1 for Poisson demand, a fine step
  for continuous demand); each expectation is one convolution (FFT) with the lattice law
  of ``D_j``, the functions being extended linearly beyond the lattice, where they are
  linear. Evaluating given levels ``S`` uses the same recursion with ``S_j`` for ``S*_j``.
- **Heuristic** (Shang & Song, "Newsvendor bounds and heuristic for optimal policies in
  serial supply chains", *Management Science* 49(5), 2003): with ``D~_j`` the demand over
  ``L_1 + ... + L_j`` periods, ``S~_j`` is the average of the newsvendor levels of
  ``D~_j`` with backorder cost ``p + sum_{i>j} h_i`` and holding cost ``sum_{i<=j} h_i``
  (a lower bound on ``S*_j``) and ``h_j`` (an upper bound); for discrete demand rounded to
  the nearest whole number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal

from plantops.engines.policy._checks import F64, floats, positive_number
from plantops.engines.policy.distributions import Demand
from plantops.engines.policy.newsvendor import newsvendor
from plantops.errors import ValidationError

#: Lattice points per standard deviation of a period's continuous demand.
POINTS_PER_DEVIATION = 100


@dataclass(frozen=True)
class SerialSystem:
    """A serial system, stage 1 (the customer's) first."""

    echelon_holding_cost: F64
    lead_time: F64
    stockout_cost: float
    demand: Demand  # per period, at stage 1

    @classmethod
    def of(
        cls, *, echelon_holding_cost: ArrayLike, lead_time: ArrayLike, stockout_cost: float, demand: Demand
    ) -> SerialSystem:
        record = "serial system"
        h = floats(echelon_holding_cost, record, "echelon_holding_cost")
        lead = floats(lead_time, record, "lead_time")
        if h.size == 0 or h.size != lead.size:
            raise ValidationError(record, "lead_time", f"need one lead time per stage, got {lead.size} for {h.size}")
        if len(demand) != 1:
            raise ValidationError(record, "demand", "a serial system has one demand, at stage 1")
        return cls(h, lead, positive_number(stockout_cost, record, "stockout_cost"), demand)

    @property
    def stages(self) -> int:
        return int(self.echelon_holding_cost.size)


@dataclass(frozen=True)
class SerialPolicy:
    """Echelon base-stock levels per stage (stage 1 first), the local ones and the cost per period."""

    echelon_base_stock: F64
    local_base_stock: F64
    cost: float


def clark_scarf(system: SerialSystem, *, step: float | None = None) -> SerialPolicy:
    """The optimal echelon base-stock levels and their expected cost per period."""
    lattice = _Lattice(system, step)
    levels, cost = lattice.recursion(None)
    return _policy(levels * lattice.step, cost)


def evaluate_serial(system: SerialSystem, echelon_base_stock: ArrayLike, *, step: float | None = None) -> float:
    """The expected cost per period of given echelon base-stock levels (rounded to the lattice)."""
    lattice = _Lattice(system, step)
    levels = floats(echelon_base_stock, "serial system", "echelon_base_stock", minimum=None)
    if levels.size != system.stages:
        raise ValidationError("serial system", "echelon_base_stock", f"need {system.stages} levels, got {levels.size}")
    _, cost = lattice.recursion(np.round(levels / lattice.step).astype(np.int64))
    return cost


def shang_song(system: SerialSystem, *, weight: float = 0.5) -> SerialPolicy:
    """Shang & Song's (2003) heuristic levels, with their exact expected cost."""
    h = system.echelon_holding_cost
    levels = np.empty(system.stages)
    for j in range(system.stages):
        demand = system.demand.over(system.lead_time[: j + 1].sum())
        backorder = system.stockout_cost + h[j + 1 :].sum()
        lower, _ = newsvendor(demand, h[: j + 1].sum(), backorder)
        upper, _ = newsvendor(demand, h[j], backorder)
        levels[j] = weight * lower[0] + (1 - weight) * upper[0]
    if system.demand.discrete:
        levels = np.floor(levels + 0.5)
    return _policy(levels, evaluate_serial(system, levels))


def _policy(levels: F64, cost: float) -> SerialPolicy:
    local = np.diff(levels, prepend=0.0)
    return SerialPolicy(echelon_base_stock=levels, local_base_stock=local, cost=float(cost))


class _Lattice:
    """The points ``x = k * step`` for ``k = low, ..., high`` and each stage's demand law on them."""

    def __init__(self, system: SerialSystem, step: float | None) -> None:
        self.system = system
        demand = system.demand
        if demand.discrete:
            self.step = 1.0
        elif step is not None:
            self.step = positive_number(step, "serial system", "step")
        elif demand.std[0] > 0:
            self.step = float(demand.std[0]) / POINTS_PER_DEVIATION
        else:
            raise ValidationError("serial system", "demand", "needs a standard deviation above 0, or a step")
        self.laws = [demand.over(lead).lattice(self.step) for lead in system.lead_time]
        reach = sum(first + probabilities.size for first, probabilities in self.laws)
        below = sum(min(first, 0) for first, _ in self.laws)
        margin = reach + 16
        self.low, self.high = below - margin, reach + margin
        self.points = np.arange(self.low, self.high + 1, dtype=np.float64) * self.step

    def recursion(self, given: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Levels (lattice indices) and cost: optimal ones, or the cost of the ``given`` levels."""
        system, x = self.system, self.points
        local_first = system.echelon_holding_cost.sum()
        lower = (system.stockout_cost + local_first) * np.maximum(-x, 0.0)  # g_0
        levels = np.empty(system.stages, dtype=np.int64)
        cost = 0.0
        for j in range(system.stages):
            ghat = system.echelon_holding_cost[j] * x + lower
            g = self._expectation(ghat, *self.laws[j])
            position = int(np.argmin(g)) if given is None else int(given[j]) - self.low
            if not 0 < position < x.size - 1:
                raise ValidationError("serial system", "echelon_base_stock", "a level lies outside the demand's reach")
            levels[j] = position + self.low
            cost = float(g[position])
            lower = np.where(np.arange(x.size) > position, cost, g)
        return levels, cost

    @staticmethod
    def _expectation(values: F64, first: int, probabilities: F64) -> F64:
        """``E[f(x - D)]`` at every lattice point, ``f`` extended linearly beyond the lattice.

        With ``D = (first + k) step`` of probability ``probabilities[k]``, the value at point ``i``
        needs ``f`` at ``i - first - k``: from ``-first - (K - 1)`` to ``n - 1 - first``.
        """
        n, count = values.size, probabilities.size
        index = np.arange(-first - (count - 1), n - first)
        inside = values[np.clip(index, 0, n - 1)]
        below = values[0] + (values[1] - values[0]) * index
        above = values[-1] + (values[-1] - values[-2]) * (index - (n - 1))
        extended = np.where(index < 0, below, np.where(index > n - 1, above, inside))
        return np.asarray(signal.fftconvolve(extended, probabilities, mode="valid"), dtype=np.float64)
