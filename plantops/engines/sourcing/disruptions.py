"""Inventory under supply disruptions: the EOQ with disruptions and the base-stock level with disruptions.

Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), ch. 9 ("Dealing with Uncertainty in
Supply"). Symbols of the book, with this module's names:

- EOQ with disruptions (EOQD; Parlar & Berkin 1991, corrected by Berk & Arreola-Risa 1994), section 9.2.2:
  ``K`` ``fixed_cost`` per order, ``h`` ``holding_cost`` per unit-year, ``p`` ``stockout_cost`` per unit
  short (backordered), ``d`` ``demand_rate`` per year; the supplier alternates between up periods,
  exponential with rate ``lambda`` (``disruption_rate``, per year; 0 for a supplier never disrupted, when
  ``g`` is the classic EOQ cost), and down periods, exponential with rate ``mu`` (``recovery_rate``, per
  year). An order of ``Q`` is placed when stock reaches zero and the
  supplier is up. Expected cost per year, equation (9.5):

      g(Q) = (K + h Q^2 / (2 d) + p d psi / mu) / (Q / d + psi / mu),
      psi  = lambda / (lambda + mu) * (1 - exp(-(lambda + mu) Q / d)),

  ``psi`` the probability that the supplier is down when the stock runs out. Snyder (2014) approximates
  ``psi`` by ``lambda / (lambda + mu)``, which gives the closed form (9.7)
  ``Q* = (sqrt((psi d h)^2 + 2 h mu (K d mu + d^2 p psi)) - psi d h) / (h mu)`` with ``g(Q*) = h Q*``.
- Base-stock level with disruptions (the newsvendor with disruptions), section 9.2.3: deterministic demand
  ``d`` per period, ``h`` and ``p`` per unit per period, a supplier that is disrupted next period with
  probability ``alpha`` (``disruption_probability``) when up and recovers with probability ``beta``
  (``recovery_probability``) when down. With ``N`` the number of consecutive disrupted periods,
  Lemma 9.2: ``pi_0 = beta / (alpha + beta)``, ``pi_n = alpha beta / (alpha + beta) (1 - beta)^(n - 1)``,
  ``F(n) = 1 - alpha / (alpha + beta) (1 - beta)^n``; cost (9.14)
  ``g(S) = sum_n pi_n (h [S - (n + 1) d]^+ + p [(n + 1) d - S]^+)``; optimum (9.18)
  ``S* = d + d F^-1(p / (p + h))``.

The reference implementation is ``stockpyl.supply_uncertainty`` (Snyder); tests reproduce its values for
Examples 9.1 and 9.3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.policy._checks import F64, floats, nonnegative_number, positive_number, same_length
from plantops.errors import ValidationError

_BISECTION_STEPS = 200  # halvings of the bracket [Q~/10, 10 Q~]: far past float64 resolution


@dataclass(frozen=True)
class DisruptedOrderQuantities:
    """Order quantities ``Q*`` and their expected costs per year ``g(Q*)``, one per row of the inputs."""

    quantity: F64
    cost: F64


@dataclass(frozen=True)
class DisruptedBaseStock:
    """A base-stock level ``S`` and its expected cost per period ``g(S)``."""

    level: float
    cost: float


@dataclass(frozen=True)
class _EoqInputs:
    k: F64
    h: F64
    p: F64
    d: F64
    up_to_down: F64
    down_to_up: F64


def _eoq_inputs(
    record: str,
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_rate: ArrayLike,
    disruption_rate: ArrayLike,
    recovery_rate: ArrayLike,
) -> _EoqInputs:
    arrays = {
        "fixed_cost": floats(fixed_cost, record, "fixed_cost"),
        "holding_cost": floats(holding_cost, record, "holding_cost", positive=True),
        "stockout_cost": floats(stockout_cost, record, "stockout_cost", positive=True),
        "demand_rate": floats(demand_rate, record, "demand_rate", positive=True),
        "disruption_rate": floats(disruption_rate, record, "disruption_rate"),
        "recovery_rate": floats(recovery_rate, record, "recovery_rate", positive=True),
    }
    rows = same_length(record, **arrays)
    k, h, p, d, a, b = (np.broadcast_to(array, (rows,)) for array in arrays.values())
    return _EoqInputs(k, h, p, d, a, b)


def _approximate_quantity(x: _EoqInputs) -> F64:
    """Snyder's (2014) closed form (9.7) with ``psi = lambda / (lambda + mu)``."""
    psi = x.up_to_down / (x.up_to_down + x.down_to_up)
    b = x.down_to_up
    root = np.sqrt((psi * x.d * x.h) ** 2 + 2 * x.h * b * (x.k * x.d * b + x.d**2 * x.p * psi))
    return np.asarray((root - psi * x.d * x.h) / (x.h * b), dtype=np.float64)


def _cost(q: F64, x: _EoqInputs, *, approximate: bool) -> F64:
    """Equation (9.5), exact ``psi`` or Snyder's approximation."""
    down_share = x.up_to_down / (x.up_to_down + x.down_to_up)
    psi = down_share if approximate else down_share * -np.expm1(-(x.up_to_down + x.down_to_up) * q / x.d)
    numerator = x.k + x.h * q**2 / (2 * x.d) + x.p * x.d * psi / x.down_to_up
    return np.asarray(numerator / (q / x.d + psi / x.down_to_up), dtype=np.float64)


def _cost_slope_sign(q: F64, x: _EoqInputs) -> F64:
    """The sign of ``g'(Q)``: ``N'(Q) D(Q) - N(Q) D'(Q)`` for ``g = N / D`` of (9.5), exact ``psi``."""
    total = x.up_to_down + x.down_to_up
    decay = np.exp(-total * q / x.d)
    psi = x.up_to_down / total * (1 - decay)
    psi_slope = x.up_to_down / x.d * decay
    numerator = x.k + x.h * q**2 / (2 * x.d) + x.p * x.d * psi / x.down_to_up
    denominator = q / x.d + psi / x.down_to_up
    numerator_slope = x.h * q / x.d + x.p * x.d * psi_slope / x.down_to_up
    denominator_slope = 1 / x.d + psi_slope / x.down_to_up
    return np.asarray(numerator_slope * denominator - numerator * denominator_slope, dtype=np.float64)


def eoq_with_disruptions_cost(
    order_quantity: ArrayLike,
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_rate: ArrayLike,
    disruption_rate: ArrayLike,
    recovery_rate: ArrayLike,
    *,
    approximate: bool = False,
) -> F64:
    """Expected cost per year ``g(Q)`` of ordering ``Q`` under disruptions, equation (9.5), per row.

    With ``approximate`` the probability of running out during a disruption is Snyder's (2014)
    ``lambda / (lambda + mu)`` instead of the exact ``psi``.
    """
    record = "EOQ with disruptions"
    x = _eoq_inputs(record, fixed_cost, holding_cost, stockout_cost, demand_rate, disruption_rate, recovery_rate)
    q = floats(order_quantity, record, "order_quantity", positive=True)
    rows = same_length(record, order_quantity=q, demand_rate=x.d)
    return _cost(np.broadcast_to(q, (rows,)), x, approximate=approximate)


def eoq_with_disruptions(
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_rate: ArrayLike,
    disruption_rate: ArrayLike,
    recovery_rate: ArrayLike,
    *,
    approximate: bool = False,
) -> DisruptedOrderQuantities:
    """The order quantity minimising (9.5) and its cost per year, per row (many items or suppliers at once).

    Exact: ``g'(Q) = 0`` is solved by bisection on the sign of ``N' D - N D'`` (``g = N / D``), for all rows
    at once, within ``[Q~/10, 10 Q~]`` around Snyder's approximate ``Q~`` (the bracket stockpyl's golden
    section search uses); ``g`` falls then rises in ``Q`` (Berk & Arreola-Risa 1994).
    Approximate: Snyder's (2014) closed form (9.7), ``g(Q*) = h Q*``.
    """
    record = "EOQ with disruptions"
    x = _eoq_inputs(record, fixed_cost, holding_cost, stockout_cost, demand_rate, disruption_rate, recovery_rate)
    guess = _approximate_quantity(x)
    if approximate:
        return DisruptedOrderQuantities(guess, np.asarray(x.h * guess, dtype=np.float64))
    low, high = guess / 10, guess * 10
    for _ in range(_BISECTION_STEPS):
        middle = (low + high) / 2
        rising = _cost_slope_sign(middle, x) > 0
        high = np.where(rising, middle, high)
        low = np.where(rising, low, middle)
        if np.all(high - low <= np.spacing(high)):
            break
    quantity = np.asarray((low + high) / 2, dtype=np.float64)
    return DisruptedOrderQuantities(quantity, _cost(quantity, x, approximate=False))


def _disruption_inputs(
    holding_cost: float, stockout_cost: float, demand: float, disruption_probability: float, recovery_probability: float
) -> tuple[float, float, float, float, float]:
    record = "base-stock level with disruptions"
    h = positive_number(holding_cost, record, "holding_cost")
    p = positive_number(stockout_cost, record, "stockout_cost")
    d = positive_number(demand, record, "demand")
    for field, value in (
        ("disruption_probability", disruption_probability),
        ("recovery_probability", recovery_probability),
    ):
        if not 0 < value < 1:
            raise ValidationError(record, field, f"{value:g} must be a probability strictly between 0 and 1")
    return h, p, d, float(disruption_probability), float(recovery_probability)


def newsvendor_with_disruptions_cost(
    base_stock_level: float,
    holding_cost: float,
    stockout_cost: float,
    demand: float,
    disruption_probability: float,
    recovery_probability: float,
) -> float:
    """Expected cost per period ``g(S)`` of (9.14), summed in closed form (no truncation of the series).

    With ``X = (N + 1) d``: ``p [X - S]^+ = p (X - S) + p [S - X]^+``, so
    ``g(S) = (h + p) sum_{(n+1) d <= S} pi_n (S - (n + 1) d) + p (E[X] - S)``, where
    ``E[N] = sum_n n pi_n = alpha / (beta (alpha + beta))`` by Lemma 9.2.
    """
    h, p, d, alpha, beta = _disruption_inputs(
        holding_cost, stockout_cost, demand, disruption_probability, recovery_probability
    )
    level = nonnegative_number(base_stock_level, "base-stock level with disruptions", "base_stock_level")
    n = np.arange(math.floor(level / d), dtype=np.float64)  # the n with (n + 1) d <= S
    pi = np.where(n == 0, beta / (alpha + beta), alpha * beta / (alpha + beta) * (1 - beta) ** (n - 1))
    left_over = float(np.sum(pi * (level - (n + 1) * d)))
    mean_exposure = d * (1 + alpha / (beta * (alpha + beta)))
    return (h + p) * left_over + p * (mean_exposure - level)


def newsvendor_with_disruptions(
    holding_cost: float,
    stockout_cost: float,
    demand: float,
    disruption_probability: float,
    recovery_probability: float,
) -> DisruptedBaseStock:
    """The optimal base-stock level ``S* = d (1 + n*)`` of (9.18) and its cost per period.

    ``n*`` is the smallest ``n`` with ``F(n) >= p / (p + h)``, i.e. with
    ``(1 - beta)^n <= (1 - p / (p + h)) (alpha + beta) / alpha``.
    """
    h, p, d, alpha, beta = _disruption_inputs(
        holding_cost, stockout_cost, demand, disruption_probability, recovery_probability
    )
    fractile = p / (p + h)
    bound = (1 - fractile) * (alpha + beta) / alpha
    n = 0 if bound >= 1 else max(0, math.ceil(math.log(bound) / math.log(1 - beta)) - 1)  # one below, or n*
    while 1 - alpha / (alpha + beta) * (1 - beta) ** n < fractile:  # settles the rounding of the logarithm
        n += 1
    level = d * (1 + n)
    return DisruptedBaseStock(level, newsvendor_with_disruptions_cost(level, h, p, d, alpha, beta))
