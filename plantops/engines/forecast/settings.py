"""What a forecast run is asked for: horizon, seasonality, intervals, candidates, validation.

:class:`ForecastSettings` is validated when it is built: a bad value raises a
:class:`~plantops.errors.ValidationError` naming the setting and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from plantops.errors import ValidationError

#: Candidates for series that sell in most periods (smooth and erratic demand).
CONTINUOUS_MODELS = ("SeasonalNaive", "AutoETS", "AutoARIMA", "AutoCES", "DynamicOptimizedTheta", "MSTL")
#: Candidates for series that sell in few periods (intermittent and lumpy demand).
INTERMITTENT_MODELS = ("CrostonSBA", "TSB", "ADIDA", "IMAPA")
CANDIDATE_MODELS = CONTINUOUS_MODELS + INTERMITTENT_MODELS


class IntervalMethod(StrEnum):
    """Where prediction intervals come from.

    ``model``: each model's own (ETS, ARIMA, theta, seasonal naive, MSTL); models without
    them (Croston SBA, TSB, ADIDA, IMAPA) get conformal ones. ``conformal``: every model's
    intervals are conformal (split conformal prediction over rolling windows, Stankeviciute
    et al. 2021, as statsforecast's ``ConformalIntervals`` computes them).
    """

    MODEL = "model"
    CONFORMAL = "conformal"


@dataclass(frozen=True)
class ForecastSettings:
    """How to forecast every series of a batch.

    ``horizon``: periods to forecast. ``freq``: the periods' frequency as statsforecast
    takes it (``"W-MON"`` for weeks starting on Monday; ``1`` for integer time stamps).
    ``season_length``: the main seasonal period ``m`` (52 for weekly, 12 for monthly data);
    ``seasonalities``: every seasonal period for MSTL (default: ``m`` alone).
    ``levels``: prediction interval levels in percent. ``cv_windows``: the most
    rolling-origin windows per series; ``min_train``: the fewest observations a model is
    fitted on (a series shorter than ``min_train + 1`` is not cross-validated).
    ``models``: the candidates to consider (default: all). ``pool_tolerance``: a series is
    forecast by the mean of the candidates whose cross-validated MASE is at most this
    many times the best one's (1: the best candidate alone).
    ``mase_season``: the seasonal period of the naive forecast that scales MASE and RMSSE.
    ``non_negative``: forecasts and bounds below zero are raised to zero (demand).
    ``n_jobs``: worker processes for statsforecast. ``keep_candidates``: also return
    every candidate's forecast (for benchmarks).
    """

    horizon: int
    freq: str | int
    season_length: int = 1
    seasonalities: tuple[int, ...] = ()
    levels: tuple[int, ...] = ()
    intervals: IntervalMethod = IntervalMethod.MODEL
    conformal_windows: int = 2
    cv_windows: int = 3
    min_train: int = 8
    models: tuple[str, ...] = CANDIDATE_MODELS
    pool_tolerance: float = 1.5
    mase_season: int = 1
    non_negative: bool = True
    tsb_alpha_demand: float = 0.1
    tsb_alpha_probability: float = 0.1
    n_jobs: int = 1
    keep_candidates: bool = False
    all_seasonalities: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        _at_least("horizon", self.horizon, 1)
        _at_least("season_length", self.season_length, 1)
        _at_least("cv_windows", self.cv_windows, 1)
        _at_least("min_train", self.min_train, 3)
        _at_least("conformal_windows", self.conformal_windows, 2)
        _at_least("mase_season", self.mase_season, 1)
        _at_least("n_jobs", self.n_jobs, 1)
        for period in self.seasonalities:
            _at_least("seasonalities", period, 2)
        for level in self.levels:
            if not 0 < level < 100:
                raise ValidationError("forecast", "levels", f"a level is a percentage between 0 and 100, got {level}")
        if len(set(self.levels)) != len(self.levels):
            raise ValidationError("forecast", "levels", "each level may be given once")
        unknown = sorted(set(self.models) - set(CANDIDATE_MODELS))
        if unknown:
            raise ValidationError(
                "forecast", "models", f"unknown model {unknown[0]!r}; the candidates are {', '.join(CANDIDATE_MODELS)}"
            )
        if not set(self.models) & set(CONTINUOUS_MODELS) or not set(self.models) & set(INTERMITTENT_MODELS):
            raise ValidationError(
                "forecast", "models", "name at least one model for continuous and one for intermittent demand"
            )
        if not 1 <= self.pool_tolerance < float("inf"):
            raise ValidationError("forecast", "pool_tolerance", f"must be 1 or more, got {self.pool_tolerance}")
        for name in ("tsb_alpha_demand", "tsb_alpha_probability"):
            if not 0 < getattr(self, name) <= 1:
                raise ValidationError(
                    "forecast", name, f"a smoothing constant lies in (0, 1], got {getattr(self, name)}"
                )
        periods = self.seasonalities or ((self.season_length,) if self.season_length > 1 else ())
        object.__setattr__(self, "all_seasonalities", tuple(sorted(set(periods))))

    @property
    def sorted_levels(self) -> tuple[int, ...]:
        return tuple(sorted(self.levels))


def _at_least(name: str, value: int, least: int) -> None:
    if value < least:
        raise ValidationError("forecast", name, f"must be at least {least}, got {value}")
