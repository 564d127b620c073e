"""Per-series choice of a model or combination on rolling-origin MASE; cross-validation plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plantops.engines.forecast import ForecastSettings
from plantops.engines.forecast.candidates import Cohort, candidate_names, cv_plan
from plantops.engines.forecast.selection import choose


def _cv(y: np.ndarray, **forecasts: np.ndarray) -> pd.DataFrame:
    points = y.size
    return pd.DataFrame(
        {
            "unique_id": "s",
            "ds": np.arange(points),
            "cutoff": np.repeat([0, 1], points // 2),
            "y": y,
            **forecasts,
        }
    )


def test_with_no_tolerance_the_most_accurate_candidate_is_chosen_and_its_mase_reported() -> None:
    y = np.array([10.0, 12, 11, 13, 12, 14])
    cv = _cv(y, good=y + 0.5, bad=y + 0.6, worse=y - 6)

    [choice] = choose(cv, ["good", "bad", "worse"], {"s": 2.0}, tolerance=1.0).values()

    assert choice.members == ("good",)
    assert choice.name == "good"
    assert choice.cv_mase == pytest.approx(0.25)
    assert choice.candidates == pytest.approx({"good": 0.25, "bad": 0.3, "worse": 3.0})


def test_the_pool_holds_the_candidates_close_to_the_best_best_first() -> None:
    y = np.array([10.0, 12, 11, 13, 12, 14])
    cv = _cv(y, over=y + 2, under=y - 2.5, far=y + 9)

    [choice] = choose(cv, ["over", "under", "far"], {"s": 1.0}, tolerance=1.5).values()

    assert choice.members == ("over", "under")  # 2.5 is within 1.5 x 2; 9 is not
    assert choice.name == "mean(over, under)"
    assert choice.cv_mase == pytest.approx(0.25)  # the pool's errors cancel to -0.25 every period


def test_a_candidate_with_missing_forecasts_never_joins_a_pool() -> None:
    y = np.array([10.0, 12, 11, 13])
    cv = _cv(y, broken=np.array([10.0, np.nan, 11, 13]), plain=y + 1)

    [choice] = choose(cv, ["broken", "plain"], {"s": 1.0}, tolerance=100.0).values()

    assert choice.members == ("plain",)
    assert choice.cv_mase == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (130, (26, 1, 13, 52)),  # two seasons fit before one window of the full horizon
        (100, (26, 3, 13, 1)),  # not two seasons: non-seasonal, three windows
        (40, (26, 1, 13, 1)),
        (20, (12, 1, 13, 1)),  # the horizon shortened to what the history leaves after 8 observations
        (8, None),
    ],
)
def test_cv_plan_keeps_two_seasons_and_the_horizon_when_it_can(
    length: int, expected: tuple[int, int, int, int] | None
) -> None:
    settings = ForecastSettings(horizon=26, freq="W-MON", season_length=52)

    assert cv_plan(length, settings) == expected


def test_candidates_follow_the_demand_class_and_the_season() -> None:
    settings = ForecastSettings(horizon=26, freq="W-MON", season_length=52)
    weekly = Cohort(False, 52, (52,), 26, 1, 13, True)
    flat = Cohort(False, 1, (), 26, 3, 13, True)
    sporadic = Cohort(True, 1, (), 26, 3, 13, True)
    monthly = Cohort(False, 12, (12,), 18, 3, 9, True)

    assert candidate_names(weekly, settings) == [
        "SeasonalNaive",
        "AutoETS",
        "AutoARIMA",
        "AutoCES",
        "DynamicOptimizedTheta",
        "MSTL",
    ]
    assert candidate_names(flat, settings) == ["Naive", "AutoETS", "AutoARIMA", "AutoCES", "DynamicOptimizedTheta"]
    assert candidate_names(sporadic, settings) == ["CrostonSBA", "TSB", "ADIDA", "IMAPA"]
    assert "MSTL" not in candidate_names(monthly, settings)  # ETS and ARIMA model a season of 12 themselves
