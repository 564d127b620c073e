"""Forecast accuracy: MASE, sMAPE, RMSSE and bias.

- **MASE** (Hyndman and Koehler 2006, "Another look at measures of forecast accuracy",
  International Journal of Forecasting 22(4), 679-688): the mean absolute error divided by
  the in-sample mean absolute error of the seasonal naive forecast,
  ``scale = mean_t |y_t - y_{t-m}|`` over the history the forecast was made from.
- **RMSSE** (Makridakis, Spiliotis and Assimakopoulos 2022, the M5 competition): the
  root of the mean squared error divided by ``mean_t (y_t - y_{t-m})**2``.
- **sMAPE** as scored in the M3 competition (Makridakis and Hibon 2000), on a 0-200 scale:
  ``200 / h * sum |y - f| / (|y| + |f|)``; a period where both are zero counts as no error.
- **Bias**: the mean of ``forecast - actual``, in the series' unit per period (positive:
  the forecast was too high).

Every function takes arrays whose last axis is time and returns one value per series
(NaN where nothing can be said: no periods, or a zero scale).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def naive_scales(history: F64, season: int) -> tuple[float, float]:
    """MASE and RMSSE scales of a history: mean absolute and mean squared seasonal differences.

    NaN when the history has no more than ``season`` observations.
    """
    y = np.asarray(history, dtype=np.float64)
    if y.size <= season:
        return float("nan"), float("nan")
    differences = y[season:] - y[:-season]
    return float(np.mean(np.abs(differences))), float(np.mean(differences**2))


def mase(actual: F64, forecast: F64, scale: F64 | float) -> F64:
    """Mean absolute scaled error over the last axis (NaN values are skipped)."""
    return _divide(_nanmean(np.abs(forecast - actual)), scale)


def rmsse(actual: F64, forecast: F64, scale: F64 | float) -> F64:
    """Root mean squared scaled error over the last axis; ``scale`` is the mean squared difference."""
    return np.sqrt(_divide(_nanmean((forecast - actual) ** 2), scale))


def smape(actual: F64, forecast: F64) -> F64:
    """Symmetric MAPE on the M3 competition's 0-200 scale."""
    denominator = np.abs(actual) + np.abs(forecast)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(denominator > 0, np.abs(forecast - actual) / denominator, 0.0)
    terms = np.where(np.isnan(actual) | np.isnan(forecast), np.nan, terms)
    return 200.0 * _nanmean(terms)


def bias(actual: F64, forecast: F64) -> F64:
    """Mean of forecast minus actual (positive: over-forecast)."""
    return _nanmean(forecast - actual)


def _nanmean(values: F64) -> F64:
    values = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(values)
    counts = present.sum(axis=-1)
    totals = np.where(present, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(counts > 0, totals / np.maximum(counts, 1), np.nan), dtype=np.float64)


def _divide(values: F64, scale: F64 | float) -> F64:
    scale = np.asarray(scale, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(scale > 0, values / np.where(scale > 0, scale, 1.0), np.nan), dtype=np.float64)
