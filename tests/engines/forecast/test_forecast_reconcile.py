"""Reconciliation along item -> family and site -> company: bottom-up and MinT(Shrink)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from plantops.engines.forecast import ForecastSettings, Launch
from plantops.engines.forecast.hierarchical import forecast_hierarchy
from plantops.engines.forecast.reconcile import Reconciliation, grouped_hierarchy, reconcile, shrunk_covariance

ATTRIBUTES = {
    "a@north": {"item": "a", "family": "F", "site": "north"},
    "a@south": {"item": "a", "family": "F", "site": "south"},
    "b@north": {"item": "b", "family": "F", "site": "north"},
    "c@south": {"item": "c", "family": "G", "site": "south"},
}
GROUPINGS = [(), ("site",), ("family",), ("family", "site"), ("item",)]


def test_the_summing_matrix_has_each_distinct_aggregate_once() -> None:
    hierarchy = grouped_hierarchy(ATTRIBUTES, GROUPINGS)

    # family G is c@south alone, F/south is a@south alone: neither adds a series
    assert hierarchy.aggregates == ["total", "site=north", "site=south", "family=F", "item=a"]
    assert hierarchy.bottom == ["a@north", "a@south", "b@north", "c@south"]
    assert hierarchy.summing[:5].tolist() == [
        [1, 1, 1, 1],
        [1, 0, 1, 0],
        [0, 1, 0, 1],
        [1, 1, 1, 0],
        [1, 1, 0, 0],
    ]
    assert hierarchy.summing[5:].tolist() == np.eye(4).tolist()


def test_bottom_up_sums_the_bottom_forecasts() -> None:
    hierarchy = grouped_hierarchy(ATTRIBUTES, GROUPINGS)
    base = np.arange(9 * 2, dtype=float).reshape(9, 2)

    coherent = reconcile(base, hierarchy, Reconciliation.BOTTOM_UP)

    assert coherent[5:].tolist() == base[5:].tolist()
    assert coherent[0].tolist() == base[5:].sum(axis=0).tolist()


def test_mint_equals_the_generalised_least_squares_formula_and_adds_up() -> None:
    hierarchy = grouped_hierarchy(ATTRIBUTES, GROUPINGS)
    rng = np.random.default_rng(11)
    residuals = rng.normal(0, 1, (40, 9)) * np.array([4, 3, 3, 3, 2, 1, 1, 1, 1])
    base = rng.uniform(5, 20, (9, 3))
    s = hierarchy.summing
    w = shrunk_covariance(residuals)
    w_inv = np.linalg.inv(w)
    expected = s @ np.linalg.inv(s.T @ w_inv @ s) @ s.T @ w_inv @ base

    coherent = reconcile(base, hierarchy, Reconciliation.MINT_SHRINK, residuals)

    assert coherent == pytest.approx(expected)
    assert coherent == pytest.approx(s @ coherent[5:])  # every aggregate is the sum of its members


def test_mint_leaves_coherent_forecasts_as_they_are() -> None:
    hierarchy = grouped_hierarchy(ATTRIBUTES, GROUPINGS)
    rng = np.random.default_rng(5)
    base = hierarchy.summing @ rng.uniform(1, 9, (4, 2))

    coherent = reconcile(base, hierarchy, Reconciliation.MINT_SHRINK, rng.normal(0, 1, (30, 9)))

    assert coherent == pytest.approx(base)


def test_shrinkage_lies_between_the_sample_covariance_and_its_diagonal() -> None:
    rng = np.random.default_rng(2)
    common = rng.normal(0, 1, (200, 1))
    residuals = np.hstack([common + rng.normal(0, 0.1, (200, 1)), common + rng.normal(0, 0.1, (200, 1))])
    sample = residuals.T @ residuals / 200

    shrunk = shrunk_covariance(residuals)

    assert np.diag(shrunk) == pytest.approx(np.diag(sample))
    assert 0 < shrunk[0, 1] <= sample[0, 1]  # strongly correlated and many rows: little shrinkage
    assert shrunk[0, 1] > 0.9 * sample[0, 1]
    few = shrunk_covariance(rng.normal(0, 1, (5, 2)))  # noise and five rows: mostly the diagonal
    assert abs(few[0, 1]) < np.sqrt(few[0, 0] * few[1, 1])


def test_forecast_hierarchy_reconciles_items_families_and_sites() -> None:
    weeks = pd.date_range("2024-01-01", periods=40, freq="W-MON")
    rng = np.random.default_rng(9)
    history = pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": weeks, "y": rng.poisson(level, 40).astype(float)})
            for uid, level in (("a@north", 20), ("a@south", 12), ("b@north", 30), ("c@south", 8))
        ]
    )
    settings = ForecastSettings(
        horizon=4, freq="W-MON", levels=(90,), models=("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA")
    )

    result, hierarchy = forecast_hierarchy(
        history,
        ATTRIBUTES,
        GROUPINGS,
        settings,
        Reconciliation.MINT_SHRINK,
        launches=[Launch("d@north", ("b@north",), factor=0.5)],
    )
    wide = result.forecasts.pivot(index="unique_id", columns="ds", values="forecast")

    assert wide.loc["total"].to_numpy() == pytest.approx(wide.loc[hierarchy.bottom].sum().to_numpy())
    assert wide.loc["family=F"].to_numpy() == pytest.approx(
        wide.loc[["a@north", "a@south", "b@north"]].sum().to_numpy()
    )
    assert "d@north" not in hierarchy.ids and "d@north" in wide.index
    low, high = (result.forecasts[c].to_numpy() for c in ("lo-90", "hi-90"))
    assert (low <= result.forecasts["forecast"].to_numpy() + 1e-9).all()
    assert (result.forecasts["forecast"].to_numpy() <= high + 1e-9).all()
