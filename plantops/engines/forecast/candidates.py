"""The candidate models of a series and how it is cross-validated.

Series are forecast in cohorts: series that share their candidates (continuous or
sporadic demand, the seasonal periods their history supports) and their rolling-origin
plan (horizon, windows, step) go through statsforecast together.

Candidates, all from statsforecast:

- continuous demand: seasonal naive, AutoETS (Hyndman et al. 2002, state space exponential
  smoothing), AutoARIMA (Hyndman and Khandakar 2008), complex exponential smoothing
  (AutoCES, Svetunkov, Kourentzes and Ord 2022), the dynamic optimised theta method
  (Fiorucci et al. 2016), and MSTL (Bandara, Hyndman and Bergmeir 2021: STL decomposition
  by several seasonal periods, the trend forecast by ETS) where the season is too long for
  ETS and ARIMA (more than 24 periods, e.g. 52 weeks) or there are several seasonal periods;
- sporadic demand: Croston's method with the Syntetos-Boylan approximation (Syntetos and
  Boylan 2005), TSB (Teunter, Syntetos and Babai 2011), ADIDA (Nikolopoulos et al. 2011)
  and IMAPA (Petropoulos and Kourentzes 2015).

A seasonal model is a candidate only when every training window holds two full seasons
(the seasonal naive forecast becomes the naive forecast otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from statsforecast.models import (
    ADIDA,
    IMAPA,
    MSTL,
    TSB,
    AutoARIMA,
    AutoCES,
    AutoETS,
    CrostonSBA,
    DynamicOptimizedTheta,
    HistoricAverage,
    Naive,
    SeasonalNaive,
)
from statsforecast.utils import ConformalIntervals

from plantops.engines.forecast.settings import INTERMITTENT_MODELS, ForecastSettings, IntervalMethod

#: ETS, ARIMA and CES model seasons up to this length (longer ones go to MSTL and theta).
LONGEST_ETS_SEASON = 24
#: The model whose intervals lend their width to forecasts that have none of their own.
WIDTH_DONOR = "HistoricAverage"


@dataclass(frozen=True)
class Cohort:
    """Series forecast together: the same candidates and the same rolling-origin plan."""

    sporadic: bool
    season: int  # seasonal period the models use (1: none)
    seasonalities: tuple[int, ...]  # for MSTL
    cv_horizon: int
    cv_windows: int
    cv_step: int
    conformal: bool  # long enough for conformal intervals over the full horizon


def cv_plan(length: int, settings: ForecastSettings) -> tuple[int, int, int, int] | None:
    """(horizon, windows, step, season) of the rolling-origin evaluation of a series, or None if too short.

    Windows step by half the horizon. The plan keeps the full horizon and, if the history
    allows, two seasons in the first training window; it takes as many windows as fit
    (at most ``cv_windows``). Without room for two seasons the models are non-seasonal;
    without room for the full horizon it is shortened to what the history leaves after
    ``min_train`` observations.
    """
    horizon, season = settings.horizon, settings.season_length
    step = max(1, math.ceil(horizon / 2))
    needs = [(2 * season, season)] if season > 1 else []
    needs.append((settings.min_train, 1))
    for train, usable_season in needs:
        for windows in range(settings.cv_windows, 0, -1):
            if length - horizon - (windows - 1) * step >= train:
                return horizon, windows, step, usable_season
    shortened = length - settings.min_train
    return (shortened, 1, step, 1) if shortened >= 1 else None


def cohort_of(length: int, sporadic: bool, settings: ForecastSettings) -> Cohort | None:
    plan = cv_plan(length, settings)
    if plan is None:
        return None
    horizon, windows, step, season = plan
    first_train = length - horizon - (windows - 1) * step
    seasonalities = tuple(p for p in settings.all_seasonalities if first_train >= 2 * p) if season > 1 else ()
    conformal = length >= 2 * settings.horizon + 1
    return Cohort(sporadic, season, seasonalities, horizon, windows, step, conformal)


def candidate_names(cohort: Cohort, settings: ForecastSettings) -> list[str]:
    """The candidates of a cohort, in the settings' order, as their forecasts are named."""
    names: list[str] = []
    for name in settings.models:
        if (name in INTERMITTENT_MODELS) != cohort.sporadic:
            continue
        if name == "SeasonalNaive":
            names.append("SeasonalNaive" if cohort.season > 1 else "Naive")
        elif name == "MSTL":
            if cohort.seasonalities and (cohort.season > LONGEST_ETS_SEASON or len(cohort.seasonalities) > 1):
                names.append(name)
        else:
            names.append(name)
    return names


def build_models(names: list[str], cohort: Cohort, settings: ForecastSettings, *, final: bool) -> list[Any]:
    """statsforecast models for ``names``; for the final fit with levels, with their interval sources."""
    wants_intervals = final and bool(settings.levels)
    conformal = ConformalIntervals(h=settings.horizon, n_windows=settings.conformal_windows)
    ets_season = cohort.season if cohort.season <= LONGEST_ETS_SEASON else 1
    models = []
    for name in names:
        own_intervals = name not in INTERMITTENT_MODELS
        use_conformal = (
            wants_intervals
            and cohort.conformal
            and (settings.intervals is IntervalMethod.CONFORMAL or not own_intervals)
        )
        models.append(_model(name, cohort, ets_season, settings, conformal if use_conformal else None))
    if wants_intervals and cohort.sporadic and not cohort.conformal:
        models.append(HistoricAverage(alias=WIDTH_DONOR))
    return models


def fallback_model(cohort: Cohort) -> Any:
    """What statsforecast uses for a candidate that fails on a series (under the candidate's name)."""
    return HistoricAverage() if cohort.sporadic else Naive()


def _model(name: str, cohort: Cohort, ets_season: int, settings: ForecastSettings, conformal: Any) -> Any:
    match name:
        case "Naive":
            return Naive(prediction_intervals=conformal)
        case "SeasonalNaive":
            return SeasonalNaive(season_length=cohort.season, prediction_intervals=conformal)
        case "AutoETS":
            return AutoETS(season_length=ets_season, prediction_intervals=conformal)
        case "AutoARIMA":
            return AutoARIMA(season_length=ets_season, prediction_intervals=conformal)
        case "AutoCES":
            return AutoCES(season_length=ets_season, alias="AutoCES", prediction_intervals=conformal)
        case "DynamicOptimizedTheta":
            return DynamicOptimizedTheta(season_length=max(cohort.season, 1), prediction_intervals=conformal)
        case "MSTL":
            return MSTL(season_length=list(cohort.seasonalities), prediction_intervals=conformal)
        case "CrostonSBA":
            return CrostonSBA(prediction_intervals=conformal)
        case "TSB":
            return TSB(
                alpha_d=settings.tsb_alpha_demand,
                alpha_p=settings.tsb_alpha_probability,
                prediction_intervals=conformal,
            )
        case "ADIDA":
            return ADIDA(prediction_intervals=conformal)
        case "IMAPA":
            return IMAPA(prediction_intervals=conformal)
    raise ValueError(f"no model named {name}")
