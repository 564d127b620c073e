"""Demand over an interval (a period, a lead time), its loss functions, and which distribution fits.

Every inventory formula of this package reads demand through :class:`Demand`: its
distribution function ``F``, quantile ``F^-1``, first-order loss function
``n(x) = E[(D - x)^+]`` and second-order loss function ``n2(x)``, with the notation of
Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), appendix C
(loss functions):

- continuous ``D``: ``n2(x) = 1/2 E[((D - x)^+)^2] = integral_x^inf n(y) dy``;
- discrete ``D`` (Poisson): ``n2(x) = 1/2 E[(D - x)^+ (D - x - 1)^+] = sum_{y > x} n(y)``
  for whole ``x`` (Zipkin, *Foundations of Inventory Management*, 2000, appendix C).

Closed forms: normal ``n(x) = sigma L(z)``, ``n2(x) = sigma^2 L2(z)`` with
``L(z) = phi(z) - z (1 - Phi(z))`` and ``L2(z) = 1/2 [(z^2 + 1)(1 - Phi(z)) - z phi(z)]``;
gamma with shape ``k`` and scale ``theta`` through the survival functions ``G_a`` of
gamma laws of shape ``a``: ``n(x) = k theta G_{k+1}(x) - x G_k(x)``; Poisson through
``E[D 1{D >= m}] = mu P(D >= m - 1)``.

Lead-time demand with a random lead time ``L`` independent of demand has mean
``mu E[L]`` and variance ``E[L] sigma^2 + mu^2 Var[L]`` (Silver, Pyke & Thomas,
*Inventory and Production Management in Supply Chains*, 4th ed., 2017, ch. 6). Rows
with a zero deviation are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from plantops.engines.policy._checks import F64, floats, same_length
from plantops.errors import ValidationError
from plantops.vocabulary import DemandDistribution

NORMAL = DemandDistribution.NORMAL
POISSON = DemandDistribution.POISSON
GAMMA = DemandDistribution.GAMMA

#: Probability left out in each tail when demand is put on a lattice.
TAIL = 1e-12
#: The most points a law on a lattice may have (16 MB of float64): Poisson demand of a mean in
#: the millions per period would otherwise take gigabytes, one point per unit.
MAX_LATTICE_POINTS = 2_000_000
#: Fitting rule (:func:`choose_distribution`): gamma above this coefficient of variation ...
GAMMA_ABOVE_CV = 0.5
#: ... and Poisson for counted items whose variance-to-mean ratio lies in this band ...
POISSON_DISPERSION = (0.75, 1.25)
#: ... when the mean is at most this (above it the normal law is as good).
POISSON_MAX_MEAN = 30.0


@dataclass(frozen=True)
class Demand:
    """Demand over one interval for many rows at once (one row per item and site).

    ``mean`` is ``mu`` and ``std`` is ``sigma`` per row; Poisson rows have ``sigma = sqrt(mu)``.
    """

    distribution: DemandDistribution
    mean: F64
    std: F64

    @classmethod
    def of(cls, distribution: DemandDistribution, mean: ArrayLike, std: ArrayLike | None = None) -> Demand:
        """Validated demand; ``std`` is required except for Poisson demand (where it is ``sqrt(mean)``)."""
        kind = DemandDistribution(distribution)
        mu = floats(mean, "demand", "mean")
        if kind is POISSON:
            return cls(kind, mu, np.sqrt(mu))
        if std is None:
            raise ValidationError("demand", "std", f"{kind} demand needs a standard deviation")
        sigma = floats(std, "demand", "std")
        size = same_length("demand", mean=mu, std=sigma)
        mu, sigma = np.broadcast_to(mu, size).copy(), np.broadcast_to(sigma, size).copy()
        if kind is GAMMA and ((mu == 0) & (sigma > 0)).any():
            row = int(np.flatnonzero((mu == 0) & (sigma > 0))[0])
            raise ValidationError("demand", "mean", f"row {row}: gamma demand with a deviation needs a mean above 0")
        return cls(kind, mu, sigma)

    def __len__(self) -> int:
        return int(self.mean.size)

    @property
    def discrete(self) -> bool:
        return self.distribution is POISSON

    def row(self, index: int) -> Demand:
        """One row as a demand of its own."""
        return Demand(self.distribution, self.mean[index : index + 1], self.std[index : index + 1])

    def over(self, periods: ArrayLike) -> Demand:
        """Demand over ``periods`` independent periods: mean ``mu t``, deviation ``sigma sqrt(t)``."""
        t = floats(periods, "demand", "periods")
        return Demand(self.distribution, self.mean * t, self.std * np.sqrt(t))

    # --- distribution ------------------------------------------------------------------

    def _gamma(self) -> tuple[F64, F64]:
        """Shape ``k = mu^2 / sigma^2`` and scale ``theta = sigma^2 / mu`` (1 where deterministic)."""
        random = self.std > 0
        safe_std = np.where(random, self.std, 1.0)
        safe_mean = np.where(random, self.mean, 1.0)
        return (safe_mean / safe_std) ** 2, safe_std**2 / safe_mean

    def _standard(self, x: F64) -> tuple[F64, F64]:
        """``z = (x - mu) / sigma`` and the deviation used (1 where deterministic)."""
        sigma = np.where(self.std > 0, self.std, 1.0)
        return (x - self.mean) / sigma, sigma

    def cdf(self, x: ArrayLike) -> F64:
        """``F(x) = P(D <= x)``."""
        x = np.asarray(x, dtype=np.float64)
        if self.distribution is POISSON:
            return _poisson_cdf(x, self.mean)
        if self.distribution is NORMAL:
            value = special.ndtr(self._standard(x)[0])
        else:
            shape, scale = self._gamma()
            value = special.gammainc(shape, np.maximum(x, 0.0) / scale)
        return np.asarray(np.where(self.std > 0, value, np.where(x >= self.mean, 1.0, 0.0)), dtype=np.float64)

    def ppf(self, q: ArrayLike) -> F64:
        """``F^-1(q)``: the smallest ``x`` with ``F(x) >= q`` (a whole number for Poisson demand)."""
        q = np.asarray(q, dtype=np.float64)
        if self.distribution is POISSON:
            return np.asarray(stats.poisson.ppf(q, self.mean), dtype=np.float64)
        if self.distribution is NORMAL:
            value = self.mean + self.std * special.ndtri(q)
        else:
            shape, scale = self._gamma()
            value = special.gammaincinv(shape, q) * scale
        return np.asarray(np.where(self.std > 0, value, self.mean), dtype=np.float64)

    def loss(self, x: ArrayLike) -> F64:
        """First-order loss ``n(x) = E[(D - x)^+]``: the expected shortfall of ``x`` units."""
        x = np.asarray(x, dtype=np.float64)
        mu = self.mean
        if self.distribution is POISSON:
            whole = np.floor(x)
            return np.asarray(mu * _poisson_sf(whole - 1, mu) - x * _poisson_sf(whole, mu), dtype=np.float64)
        if self.distribution is NORMAL:
            z, sigma = self._standard(x)
            value = sigma * (_normal_pdf(z) - z * special.ndtr(-z))
        else:
            shape, scale = self._gamma()
            y = np.maximum(x, 0.0) / scale
            above = shape * scale * special.gammaincc(shape + 1, y) - x * special.gammaincc(shape, y)
            value = np.where(x > 0, above, mu - x)
        return np.asarray(np.where(self.std > 0, value, np.maximum(mu - x, 0.0)), dtype=np.float64)

    def second_loss(self, x: ArrayLike) -> F64:
        """Second-order loss ``n2(x)`` (see the module notes), used for averages over (r, r + Q]."""
        x = np.asarray(x, dtype=np.float64)
        mu = self.mean
        if self.distribution is POISSON:
            whole = np.floor(x)
            value = 0.5 * (
                mu**2 * _poisson_sf(whole - 2, mu)
                - 2 * whole * mu * _poisson_sf(whole - 1, mu)
                + whole * (whole + 1) * _poisson_sf(whole, mu)
            )
            return np.asarray(value, dtype=np.float64)
        if self.distribution is NORMAL:
            z, sigma = self._standard(x)
            value = 0.5 * sigma**2 * ((z**2 + 1) * special.ndtr(-z) - z * _normal_pdf(z))
        else:
            shape, scale = self._gamma()
            y = np.maximum(x, 0.0) / scale
            above = 0.5 * (
                shape * (shape + 1) * scale**2 * special.gammaincc(shape + 2, y)
                - 2 * x * shape * scale * special.gammaincc(shape + 1, y)
                + x**2 * special.gammaincc(shape, y)
            )
            value = np.where(x > 0, above, 0.5 * (self.std**2 + (mu - x) ** 2))
        return np.asarray(np.where(self.std > 0, value, 0.5 * np.maximum(mu - x, 0.0) ** 2), dtype=np.float64)

    # --- one row on a lattice, and samples ---------------------------------------------------

    def lattice(self, step: float = 1.0) -> tuple[int, F64]:
        """The first row's law on the points ``k * step``: (first ``k``, probabilities from it on).

        Poisson demand lies on the whole numbers (``step`` must be 1). A continuous law gets
        ``P(D in ((k - 1/2) step, (k + 1/2) step])`` per point, tails beyond ``TAIL`` folded into
        the end points so that the probabilities sum to one.
        """
        mu, sigma = float(self.mean[0]), float(self.std[0])
        if self.discrete:
            if step != 1.0:
                raise ValidationError("demand", "step", "Poisson demand lies on the whole numbers: step must be 1")
            last = int(stats.poisson.ppf(1 - TAIL, mu)) if mu > 0 else 0
            if last >= MAX_LATTICE_POINTS:
                raise ValidationError(
                    "demand",
                    "distribution",
                    f"Poisson demand of mean {mu:,.0f} is too large to weigh unit by unit"
                    f" (over {MAX_LATTICE_POINTS:,} points): choose normal or gamma demand",
                )
            probabilities = stats.poisson.pmf(np.arange(last + 1), mu)
            probabilities[-1] += stats.poisson.sf(last, mu)
            return 0, np.asarray(probabilities, dtype=np.float64)
        if sigma == 0:
            first = int(np.round(mu / step))
            return first, np.ones(1)
        low, high = self.ppf(TAIL)[0], self.ppf(1 - TAIL)[0]
        first, last = int(np.floor(low / step)), int(np.ceil(high / step))
        edges = (np.arange(first, last + 2) - 0.5) * step
        cumulative = self.cdf(np.broadcast_to(edges, edges.shape))
        cumulative[0], cumulative[-1] = 0.0, 1.0
        return first, np.asarray(np.diff(cumulative), dtype=np.float64)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> F64:
        """Draws of the first row's demand; negative normal draws count as no demand."""
        mu, sigma = float(self.mean[0]), float(self.std[0])
        if self.distribution is POISSON:
            return rng.poisson(mu, shape).astype(np.float64)
        if sigma == 0:
            return np.full(shape, mu)
        if self.distribution is NORMAL:
            return np.maximum(rng.normal(mu, sigma, shape), 0.0)
        return rng.gamma((mu / sigma) ** 2, sigma**2 / mu, shape)


def _normal_pdf(z: F64) -> F64:
    return np.asarray(np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi), dtype=np.float64)


def _poisson_cdf(k: F64, mu: F64) -> F64:
    """``P(D <= k)`` for Poisson ``D`` (0 below zero)."""
    whole = np.floor(k)
    return np.asarray(np.where(whole < 0, 0.0, special.pdtr(np.maximum(whole, 0.0), mu)), dtype=np.float64)


def _poisson_sf(k: F64, mu: F64) -> F64:
    """``P(D > k)`` for Poisson ``D`` (1 below zero)."""
    whole = np.floor(k)
    return np.asarray(np.where(whole < 0, 1.0, special.pdtrc(np.maximum(whole, 0.0), mu)), dtype=np.float64)


def lead_time_demand(per_period: Demand, lead_time: ArrayLike, lead_time_std: ArrayLike = 0.0) -> Demand:
    """Demand over a lead time of ``lead_time`` periods (mean) with deviation ``lead_time_std``.

    Mean ``mu E[L]``, variance ``E[L] sigma^2 + mu^2 Var[L]`` (Silver, Pyke & Thomas 2017,
    ch. 6). Poisson demand stays Poisson only over a fixed lead time; a varying lead time
    needs the normal or gamma law.
    """
    lead = floats(lead_time, "lead-time demand", "lead_time")
    deviation = floats(lead_time_std, "lead-time demand", "lead_time_std")
    same_length("lead-time demand", mean=per_period.mean, lead_time=lead, lead_time_std=deviation)
    if per_period.discrete:
        if (deviation > 0).any():
            raise ValidationError(
                "lead-time demand", "lead_time_std", "Poisson demand needs a fixed lead time; use normal or gamma"
            )
        return per_period.over(lead)
    mean = per_period.mean * lead
    variance = lead * per_period.std**2 + per_period.mean**2 * deviation**2
    return Demand(per_period.distribution, np.asarray(mean, np.float64), np.sqrt(variance))


def choose_distribution(mean: ArrayLike, std: ArrayLike, counted: ArrayLike) -> list[DemandDistribution]:
    """The law to fit per row, by the usual rule (Silver, Pyke & Thomas 2017, ch. 6):

    Poisson for counted items with a small mean whose variance is close to the mean (slow
    movers); gamma when the coefficient of variation exceeds ``GAMMA_ABOVE_CV`` (the normal
    law would give noticeable weight to negative demand); the normal law otherwise.
    """
    mu = floats(mean, "demand", "mean")
    sigma = floats(std, "demand", "std")
    whole = np.asarray(counted, dtype=np.bool_)
    with np.errstate(divide="ignore", invalid="ignore"):
        dispersion = np.where(mu > 0, sigma**2 / np.where(mu > 0, mu, 1.0), np.inf)
        variation = np.where(mu > 0, sigma / np.where(mu > 0, mu, 1.0), np.inf)
    low, high = POISSON_DISPERSION
    poisson = whole & (mu > 0) & (mu <= POISSON_MAX_MEAN) & (dispersion >= low) & (dispersion <= high)
    gamma = ~poisson & (mu > 0) & (variation > GAMMA_ABOVE_CV)
    return [POISSON if p else GAMMA if g else NORMAL for p, g in zip(poisson.tolist(), gamma.tolist(), strict=True)]
