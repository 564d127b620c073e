"""What a forecast run returns: per series how it was forecast, and the forecasts in long format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from plantops.vocabulary import DemandClass, ForecastMethod

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SeriesForecast:
    """How one series was forecast.

    ``model`` names the model or combination (``mean(AutoETS, AutoARIMA)``), or the
    fallback; ``cv_mase`` is its rolling-origin MASE (NaN when not cross-validated), and
    ``candidate_mase`` every cross-validated candidate's.
    ``mase_scale`` and ``rmsse_scale`` are the history's naive scales, kept to score the
    forecast against the actuals that come later. ``note`` says more (the analogy used).
    """

    unique_id: str
    demand_class: DemandClass
    adi: float
    cv2: float
    method: ForecastMethod
    model: str
    cv_mase: float
    history_length: int
    mase_scale: float
    rmsse_scale: float
    note: str = ""
    candidate_mase: dict[str, float] = field(default_factory=dict)


@dataclass
class SeriesValues:
    """One series' forecast: periods, point forecast, interval bounds per level, fitted values."""

    periods: npt.NDArray[Any]
    point: F64
    lower: dict[int, F64] = field(default_factory=dict)
    upper: dict[int, F64] = field(default_factory=dict)
    fitted: F64 | None = None
    fitted_periods: npt.NDArray[Any] | None = None

    def scaled(self, factor: float, periods: npt.NDArray[Any] | None = None) -> SeriesValues:
        return SeriesValues(
            self.periods if periods is None else periods,
            self.point * factor,
            {level: bound * factor for level, bound in self.lower.items()},
            {level: bound * factor for level, bound in self.upper.items()},
        )


@dataclass(frozen=True)
class ForecastResult:
    """The forecast of every series.

    ``forecasts``: long format ``unique_id, ds, forecast, lo-<level>, hi-<level>``.
    ``fitted``: ``unique_id, ds, y, fitted`` (one-step in-sample forecasts) when asked for.
    ``candidates``: every cross-validated candidate's forecast, when asked for.
    Frames are pandas, or polars when the history was polars.
    """

    series: list[SeriesForecast]
    forecasts: Any
    fitted: Any = None
    candidates: Any = None

    def of(self, unique_id: str) -> SeriesForecast:
        for found in self.series:
            if found.unique_id == unique_id:
                return found
        raise KeyError(unique_id)


def forecast_frame(values: dict[str, SeriesValues], levels: tuple[int, ...]) -> pd.DataFrame:
    """The long frame of the point forecasts and bounds of ``values``."""
    ids = list(values)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, [values[uid].point.size for uid in ids]),
            "ds": np.concatenate([values[uid].periods for uid in ids]) if ids else [],
            "forecast": np.concatenate([values[uid].point for uid in ids]) if ids else [],
        }
    )
    for level in levels:
        frame[f"lo-{level}"] = np.concatenate([values[uid].lower[level] for uid in ids]) if ids else []
        frame[f"hi-{level}"] = np.concatenate([values[uid].upper[level] for uid in ids]) if ids else []
    return frame


def fitted_frame(values: dict[str, SeriesValues], history: pd.DataFrame) -> pd.DataFrame:
    """The in-sample one-step forecasts of ``values`` next to the history."""
    parts = [
        pd.DataFrame({"unique_id": uid, "ds": v.fitted_periods, "fitted": v.fitted})
        for uid, v in values.items()
        if v.fitted is not None
    ]
    if not parts:
        return history.assign(fitted=np.nan)
    return history.merge(pd.concat(parts, ignore_index=True), on=["unique_id", "ds"], how="left")
