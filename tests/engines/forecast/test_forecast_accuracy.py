"""Accuracy measures agree with utilsforecast's and with the M3 competition's sMAPE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from utilsforecast import losses

from plantops.engines.forecast import bias, mase, naive_scales, rmsse, smape


@pytest.fixture
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    train = pd.DataFrame(
        {"unique_id": np.repeat(["a", "b"], 20), "ds": np.tile(np.arange(20), 2), "y": rng.uniform(5, 50, 40)}
    )
    test = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 6),
            "ds": np.tile(np.arange(20, 26), 2),
            "y": rng.uniform(5, 50, 12),
            "model": rng.uniform(5, 50, 12),
        }
    )
    return train, test


@pytest.mark.parametrize("season", [1, 4])
def test_mase_and_rmsse_equal_utilsforecast(frames: tuple[pd.DataFrame, pd.DataFrame], season: int) -> None:
    train, test = frames
    expected_mase = losses.mase(test, ["model"], season, train).set_index("unique_id")["model"]
    expected_rmsse = losses.rmsse(test, ["model"], season, train).set_index("unique_id")["model"]

    for uid in ("a", "b"):
        history = train.loc[train.unique_id == uid, "y"].to_numpy()
        actual = test.loc[test.unique_id == uid, "y"].to_numpy()
        forecast = test.loc[test.unique_id == uid, "model"].to_numpy()
        mase_scale, rmsse_scale = naive_scales(history, season)
        assert mase(actual, forecast, mase_scale) == pytest.approx(expected_mase[uid])
        assert rmsse(actual, forecast, rmsse_scale) == pytest.approx(expected_rmsse[uid])


def test_smape_is_the_m3_definition_on_a_0_to_200_scale(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, test = frames
    expected = losses.smape(test, ["model"]).set_index("unique_id")["model"] * 200

    for uid in ("a", "b"):
        part = test[test.unique_id == uid]
        assert smape(part["y"].to_numpy(), part["model"].to_numpy()) == pytest.approx(expected[uid])
    assert smape(np.array([100.0]), np.array([0.0])) == 200.0
    assert smape(np.array([0.0, 10.0]), np.array([0.0, 10.0])) == 0.0  # no demand, none forecast: no error


def test_bias_is_forecast_minus_actual_and_scales_need_history() -> None:
    assert bias(np.array([10.0, 20.0]), np.array([13.0, 21.0])) == 2.0
    assert np.isnan(naive_scales(np.array([1.0, 2.0]), 4)[0])
    assert np.isnan(mase(np.array([1.0]), np.array([2.0]), 0.0))  # a flat history has no scale
    rows = mase(np.array([[1.0, 2.0], [3.0, 3.0]]), np.array([[2.0, 2.0], [3.0, 5.0]]), np.array([1.0, 2.0]))
    assert rows.tolist() == [0.5, 0.5]
