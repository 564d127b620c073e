"""Hierarchical reconciliation: forecasts that add up along item -> family and site -> company.

The bottom series are items at sites. Grouping them by any set of their attributes
(family, site, family and site, item across sites, everything) gives the aggregate
series; ``S`` (the summing matrix, aggregates first, then the bottom series) maps bottom
values to every series: ``y_all = S @ y_bottom``.

Base forecasts ``y_hat`` of all series made independently do not add up. Reconciled
forecasts ``y_tilde = S @ P @ y_hat`` do, for

- **bottom-up**: ``P = [0 | I]``, the bottom forecasts summed;
- **MinT** (Wickramasuriya, Athanasopoulos and Hyndman 2019, "Optimal forecast
  reconciliation for hierarchical and grouped time series through trace minimization",
  Journal of the American Statistical Association 114(526), 804-819, eq. 9):
  ``P = (S' W^-1 S)^-1 S' W^-1`` with ``W`` the covariance of the base forecasts'
  one-step errors, estimated from in-sample residuals by shrinkage towards its diagonal
  (the paper's "MinT(Shrink)", section 2.4): ``W = lambda D + (1 - lambda) W_1`` where
  ``W_1`` is the sample covariance, ``D`` its diagonal and ``lambda`` the intensity of
  Schaefer and Strimmer (2005), ``sum_{i!=j} Var(r_ij) / sum_{i!=j} r_ij**2`` over the
  sample correlations ``r_ij`` (as the authors' R package ``hts`` computes it in
  ``shrink.estim``).

Residuals missing for a series at a time (the start of a seasonal model, a series that
began later) count as zero; a series with no spread at all gets a tiny variance so that
``W`` stays invertible (its forecast is then kept, and the others adjust around it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
#: Variance given to a series without any spread, relative to the mean variance of the others.
VARIANCE_FLOOR = 1e-6
TOTAL = "total"


class Reconciliation(StrEnum):
    NONE = "none"
    BOTTOM_UP = "bottom_up"
    MINT_SHRINK = "mint_shrink"


@dataclass(frozen=True)
class Hierarchy:
    """Every series of a grouped hierarchy: aggregates first, then the bottom series, and ``S``."""

    ids: list[str]
    bottom: list[str]
    summing: F64  # len(ids) x len(bottom)

    @property
    def aggregates(self) -> list[str]:
        return self.ids[: len(self.ids) - len(self.bottom)]


def grouped_hierarchy(attributes: Mapping[str, Mapping[str, str]], groupings: Sequence[Sequence[str]]) -> Hierarchy:
    """The hierarchy of the bottom series ``attributes`` (id -> attribute -> value) grouped by each of ``groupings``.

    An aggregate is named by its attribute values (``family=BIKE/site=DC``); the grouping
    by no attribute is the ``total``. An aggregate of one series, or of the same series as
    an earlier one, adds nothing and is left out (the earlier name stays).
    """
    bottom = sorted(attributes)
    rows: list[F64] = []
    ids: list[str] = []
    seen: set[bytes] = set()
    for grouping in groupings:
        keys = ["/".join(f"{name}={attributes[uid][name]}" for name in grouping) or TOTAL for uid in bottom]
        for key in sorted(set(keys)):
            row = np.array([1.0 if k == key else 0.0 for k in keys])
            if row.sum() > 1 and row.tobytes() not in seen:
                seen.add(row.tobytes())
                ids.append(key)
                rows.append(row)
    summing = np.vstack([*rows, np.eye(len(bottom))]) if rows else np.eye(len(bottom))
    return Hierarchy(ids + bottom, bottom, summing)


def reconcile(base: F64, hierarchy: Hierarchy, method: Reconciliation, residuals: F64 | None = None) -> F64:
    """Coherent forecasts (rows as ``hierarchy.ids``) from the base forecasts ``base`` (same rows, periods as columns).

    ``residuals`` (time x series, NaN where missing) are needed for MinT.
    """
    summing = hierarchy.summing
    bottom = len(hierarchy.bottom)
    if method is Reconciliation.NONE:
        return base.copy()
    if method is Reconciliation.BOTTOM_UP:
        return np.asarray(summing @ base[-bottom:], dtype=np.float64)
    if residuals is None:
        raise ValueError("MinT needs the base forecasts' in-sample residuals")
    covariance = shrunk_covariance(residuals)
    weighted = np.linalg.lstsq(covariance, summing, rcond=None)[0]  # W^-1 S
    projection = np.linalg.solve(summing.T @ weighted, weighted.T)  # (S' W^-1 S)^-1 S' W^-1
    return np.asarray(summing @ (projection @ base), dtype=np.float64)


def shrunk_covariance(residuals: F64) -> F64:
    """Schaefer-Strimmer shrinkage of the residuals' covariance towards its diagonal (``hts::shrink.estim``)."""
    x = np.where(np.isnan(residuals), 0.0, residuals)
    observed = max(x.shape[0], 2)
    covariance = x.T @ x / observed
    variance = np.diag(covariance).copy()
    positive = variance[variance > 0]
    floor = VARIANCE_FLOOR * (positive.mean() if positive.size else 1.0)
    variance = np.maximum(variance, floor)
    np.fill_diagonal(covariance, variance)
    scale = np.sqrt(variance)
    correlation = covariance / np.outer(scale, scale)
    standardized = x / scale
    squares = standardized**2
    spread = (squares.T @ squares - (standardized.T @ standardized) ** 2 / observed) / (observed * (observed - 1))
    np.fill_diagonal(spread, 0.0)
    off_diagonal = correlation**2
    np.fill_diagonal(off_diagonal, 0.0)
    denominator = off_diagonal.sum()
    intensity = 1.0 if denominator == 0 else float(np.clip(spread.sum() / denominator, 0.0, 1.0))
    return np.asarray(intensity * np.diag(variance) + (1 - intensity) * covariance, dtype=np.float64)
