"""forecast_demand on small series with few candidates (statsforecast does the fitting)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from plantops.engines.forecast import ForecastSettings, Launch, forecast_demand
from plantops.errors import ValidationError
from plantops.vocabulary import DemandClass, ForecastMethod

FAST = ("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB")
WEEKS = pd.date_range("2024-01-01", periods=60, freq="W-MON")


def _settings(**changes: object) -> ForecastSettings:
    values: dict[str, object] = {
        "horizon": 6,
        "freq": "W-MON",
        "season_length": 4,
        "levels": (80, 95),
        "models": FAST,
        "mase_season": 1,
    }
    values.update(changes)
    return ForecastSettings(**values)  # type: ignore[arg-type]


def _history(**series: np.ndarray) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"unique_id": uid, "ds": WEEKS[: y.size], "y": y}) for uid, y in series.items()],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    t = np.arange(60)
    seasonal = 50 + 10 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 1, 60)
    sporadic = np.where(rng.random(60) < 0.25, rng.gamma(2, 3, 60).round() + 1, 0.0)
    return _history(seasonal=seasonal, sporadic=sporadic, flat=np.full(60, 7.0), young=np.array([4.0, 6, 5, 7, 3]))


@pytest.fixture(scope="module")
def result(history: pd.DataFrame):  # type: ignore[no-untyped-def]
    return forecast_demand(history, _settings())


def test_every_series_gets_the_horizon_with_ordered_intervals(result) -> None:  # type: ignore[no-untyped-def]
    forecasts = result.forecasts

    assert list(forecasts.columns) == ["unique_id", "ds", "forecast", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert forecasts.groupby("unique_id").size().to_dict() == {"flat": 6, "seasonal": 6, "sporadic": 6, "young": 6}
    assert (forecasts["lo-95"] <= forecasts["lo-80"] + 1e-9).all()
    assert (forecasts["lo-80"] <= forecasts["forecast"] + 1e-9).all()
    assert (forecasts["forecast"] <= forecasts["hi-80"] + 1e-9).all()
    assert (forecasts["hi-80"] <= forecasts["hi-95"] + 1e-9).all()
    assert (forecasts.drop(columns=["unique_id", "ds"]) >= 0).all().all()
    assert forecasts.loc[forecasts.unique_id == "seasonal", "ds"].iloc[0] == WEEKS[60 - 1] + pd.Timedelta(weeks=1)


def test_each_series_is_routed_by_its_history(result) -> None:  # type: ignore[no-untyped-def]
    seasonal, sporadic, flat, young = (result.of(uid) for uid in ("seasonal", "sporadic", "flat", "young"))

    assert seasonal.demand_class is DemandClass.SMOOTH and seasonal.method is ForecastMethod.CROSS_VALIDATED
    assert seasonal.cv_mase < 1  # the seasonal candidates beat the naive forecast's in-sample error
    assert sporadic.demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY)
    assert set(sporadic.model.removeprefix("mean(").removesuffix(")").split(", ")) <= {"CrostonSBA", "TSB"}
    assert (flat.method, flat.model) == (ForecastMethod.CONSTANT, "Constant")
    assert (young.method, young.model, young.history_length) == (ForecastMethod.SHORT_HISTORY, "HistoricAverage", 5)


def test_fallbacks_repeat_a_constant_and_take_the_mean_of_a_short_history(result) -> None:  # type: ignore[no-untyped-def]
    forecasts = result.forecasts.set_index("unique_id")

    assert forecasts.loc["flat", "forecast"].tolist() == [7.0] * 6
    assert forecasts.loc["flat", "hi-95"].tolist() == [7.0] * 6
    assert forecasts.loc["young", "forecast"].tolist() == pytest.approx([5.0] * 6)


def test_the_seasonal_pattern_is_forecast(result) -> None:  # type: ignore[no-untyped-def]
    forecast = result.forecasts.loc[result.forecasts.unique_id == "seasonal", "forecast"].to_numpy()
    expected = 50 + 10 * np.sin(2 * np.pi * np.arange(60, 66) / 4)

    assert np.abs(forecast - expected).mean() < 2.5


def test_new_items_are_forecast_like_an_item_or_from_a_family_profile(history: pd.DataFrame) -> None:
    twice = history[history.unique_id == "seasonal"].assign(unique_id="twice", y=lambda f: f.y * 2)
    launches = [Launch("half", ("seasonal",), factor=0.5), Launch("newcomer", ("seasonal", "twice"), level=10.0)]

    result = forecast_demand(pd.concat([history, twice]), _settings(), launches=launches)
    f = result.forecasts.set_index("unique_id")

    assert f.loc["half", "forecast"].to_numpy() == pytest.approx(0.5 * f.loc["seasonal", "forecast"].to_numpy())
    assert f.loc["half", "hi-95"].to_numpy() == pytest.approx(0.5 * f.loc["seasonal", "hi-95"].to_numpy())
    # the profile: each member's forecast over its mean history, averaged, times the level
    shape = (f.loc["seasonal", "forecast"].to_numpy() / history[history.unique_id == "seasonal"].y.mean()) + (
        f.loc["twice", "forecast"].to_numpy() / twice.y.mean()
    )
    assert f.loc["newcomer", "forecast"].to_numpy() == pytest.approx(10 * shape / 2)
    assert result.of("half").method is ForecastMethod.ANALOGY
    assert result.of("half").note == "like seasonal x 0.5"


def test_a_launch_with_enough_history_of_its_own_is_forecast_from_it(history: pd.DataFrame) -> None:
    result = forecast_demand(history, _settings(), launches=[Launch("seasonal", ("sporadic",))])

    assert result.of("seasonal").method is ForecastMethod.CROSS_VALIDATED


def test_polars_in_polars_out(history: pd.DataFrame) -> None:
    result = forecast_demand(pl.from_pandas(history[history.unique_id == "flat"]), _settings(levels=()))

    assert isinstance(result.forecasts, pl.DataFrame)
    assert result.forecasts["forecast"].to_list() == [7.0] * 6


@pytest.mark.parametrize(
    ("history", "field"),
    [
        (pd.DataFrame({"unique_id": ["a"], "ds": [WEEKS[0]]}), "y"),
        (pd.DataFrame({"unique_id": ["a", "a"], "ds": [WEEKS[0], WEEKS[0]], "y": [1.0, 2.0]}), "ds"),
        (pd.DataFrame({"unique_id": ["a"], "ds": [WEEKS[0]], "y": [np.nan]}), "y"),
        (pd.DataFrame({"unique_id": ["a"], "ds": [WEEKS[0]], "y": ["many"]}), "y"),
    ],
)
def test_bad_history_names_the_column(history: pd.DataFrame, field: str) -> None:
    with pytest.raises(ValidationError, match=f"history: {field}: "):
        forecast_demand(history, _settings())


def test_bad_settings_and_launches_name_the_field(history: pd.DataFrame) -> None:
    with pytest.raises(ValidationError, match="forecast: levels: a level is a percentage"):
        _settings(levels=(80, 100))
    with pytest.raises(ValidationError, match="forecast: models: unknown model 'Prophet'"):
        _settings(models=("Prophet",))
    with pytest.raises(ValidationError, match="forecast: horizon: must be at least 1"):
        _settings(horizon=0)
    with pytest.raises(ValidationError, match="launch x: like: no history for 'nothing'"):
        forecast_demand(history, _settings(), launches=[Launch("x", ("nothing",))])
    with pytest.raises(ValidationError, match="launch x: factor: must be zero or more"):
        Launch("x", ("seasonal",), factor=-1)
