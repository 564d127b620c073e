"""Demand forecasting on statsforecast: classification, model choice by cross-validation,
intervals, analogies, accuracy and hierarchical reconciliation.

Pure: long-format data frames (``unique_id, ds, y``; pandas or polars) and arrays in,
dataclasses and frames out.
"""

from plantops.engines.forecast.accuracy import bias, mase, naive_scales, rmsse, smape
from plantops.engines.forecast.analogy import Launch
from plantops.engines.forecast.classify import classify, inter_demand_interval, size_variation
from plantops.engines.forecast.engine import forecast_demand
from plantops.engines.forecast.intervals import safety_stock_hint, service_level
from plantops.engines.forecast.result import ForecastResult, SeriesForecast
from plantops.engines.forecast.settings import (
    CANDIDATE_MODELS,
    CONTINUOUS_MODELS,
    INTERMITTENT_MODELS,
    ForecastSettings,
    IntervalMethod,
)

__all__ = [
    "CANDIDATE_MODELS",
    "CONTINUOUS_MODELS",
    "INTERMITTENT_MODELS",
    "ForecastResult",
    "ForecastSettings",
    "IntervalMethod",
    "Launch",
    "SeriesForecast",
    "bias",
    "classify",
    "forecast_demand",
    "inter_demand_interval",
    "mase",
    "naive_scales",
    "rmsse",
    "safety_stock_hint",
    "service_level",
    "size_variation",
    "smape",
]
