"""Per-series choice of the models to forecast with, by rolling-origin cross-validation.

Each candidate forecasts every window of the rolling origin (Tashman 2000, "Out-of-sample
tests of forecasting accuracy: an analysis and review", International Journal of
Forecasting 16(4), 437-450) through statsforecast's ``cross_validation``, and is scored
by its MASE over all the series' windows. The series is then forecast by a **pool**: the
candidates whose MASE is at most ``tolerance`` times the best candidate's, combined with
equal weights (forecast pooling: Kourentzes, Barrow and Petropoulos 2019, "Another look
at forecast selection and combination: evidence from forecast pooling", International
Journal of Production Economics 209, 226-235). With ``tolerance`` 1 this is classic
selection of the single best candidate; a wider pool trades a little of the best
candidate's fit for the robustness of a combination, since equal-weight combinations are
hard to beat (Clemen 1989; the "forecast combination puzzle", Smith and Wallis 2009) and
a few windows are a noisy guide to which single model will do best.

MASE divides a series' absolute errors by one scale, so ranking by MASE and by mean
absolute error agree. The pool's own MASE over the same windows is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Choice:
    """What a series is forecast with (one model, or the mean of several), the pool's CV MASE and each candidate's."""

    members: tuple[str, ...]
    cv_mase: float
    candidates: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.members[0] if len(self.members) == 1 else f"mean({', '.join(self.members)})"


def choose(cv: pd.DataFrame, names: list[str], scales: dict[str, float], tolerance: float) -> dict[str, Choice]:
    """The pool of each series in ``cv`` (statsforecast's cross-validation frame), best candidate first.

    ``scales`` are the series' MASE scales; a candidate whose forecasts are missing scores
    infinitely badly and never joins a pool.
    """
    cv = cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable")
    ids = cv["unique_id"].astype(str).to_numpy()
    series, starts = np.unique(ids, return_index=True)
    series = series[np.argsort(starts)]
    points = len(cv) // len(series)
    actual = cv["y"].to_numpy(dtype=np.float64).reshape(len(series), points)
    forecasts = np.stack([cv[name].to_numpy(dtype=np.float64) for name in names], axis=-1)
    forecasts = forecasts.reshape(len(series), points, len(names))
    errors = _mean_absolute_error(actual[:, :, None], forecasts)  # series x candidates
    ranking = np.argsort(errors, axis=1, kind="stable")
    best = np.take_along_axis(errors, ranking[:, :1], axis=1)
    in_pool = errors <= tolerance * best  # the best is always in (a tie at inf takes the first)
    in_pool[np.arange(len(series)), ranking[:, 0]] = True
    pooled = np.where(in_pool[:, None, :], forecasts, 0.0).sum(axis=2) / in_pool.sum(axis=1)[:, None]
    pool_errors = _mean_absolute_error(actual, pooled)
    chosen: dict[str, Choice] = {}
    for row, uid in enumerate(series.tolist()):
        scale = scales.get(uid, float("nan"))
        members = tuple(names[i] for i in ranking[row] if in_pool[row, i])
        chosen[uid] = Choice(
            members,
            _scaled(float(pool_errors[row]), scale),
            {name: _scaled(float(errors[row, i]), scale) for i, name in enumerate(names)},
        )
    return chosen


def _scaled(error: float, scale: float) -> float:
    return error / scale if scale > 0 and np.isfinite(error) else float("nan")


def _mean_absolute_error(actual: F64, forecast: F64) -> F64:
    """Mean absolute error over the periods axis (axis 1); inf where a forecast is missing."""
    result = np.abs(forecast - actual).mean(axis=1)
    return np.where(np.isnan(result), np.inf, result)
