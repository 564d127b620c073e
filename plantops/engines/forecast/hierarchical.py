"""Forecast a grouped hierarchy (items -> families, sites -> company) and reconcile it.

The bottom histories are summed into every aggregate (:func:`.reconcile.grouped_hierarchy`),
every series is forecast as by :func:`.engine.forecast_demand` (each aggregate picks its own
model, and often sees seasonality its items are too noisy to show), and the point forecasts
are reconciled (:func:`.reconcile.reconcile`). Interval bounds move with their point
forecast: a series' interval keeps the width its own model gave it.

New items forecast by analogy stay outside the hierarchy (they have no history to add).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from plantops.engines.fanout import MapFunction, serial_map
from plantops.engines.forecast.analogy import Launch
from plantops.engines.forecast.engine import BatchForecast, Progress, forecast_batch
from plantops.engines.forecast.frames import read_history
from plantops.engines.forecast.reconcile import Hierarchy, Reconciliation, grouped_hierarchy, reconcile
from plantops.engines.forecast.result import ForecastResult
from plantops.engines.forecast.settings import ForecastSettings
from plantops.errors import ValidationError


def forecast_hierarchy(
    history: Any,
    attributes: Mapping[str, Mapping[str, str]],
    groupings: Sequence[Sequence[str]],
    settings: ForecastSettings,
    method: Reconciliation,
    *,
    launches: Sequence[Launch] = (),
    progress: Progress | None = None,
    map_chunks: MapFunction = serial_map,
) -> tuple[ForecastResult, Hierarchy]:
    """Forecasts of the bottom series of ``history`` and of their aggregates, reconciled by ``method``.

    ``attributes`` gives each bottom series' attributes (``{"family": ..., "site": ...}``),
    ``groupings`` the attribute sets to aggregate by (``()`` for the total); ``map_chunks`` runs
    the chunks of cross-validated series, as in :func:`.engine.forecast_demand`.
    """
    bottom = read_history(history).frame
    new = {launch.unique_id for launch in launches}
    missing = sorted(set(bottom["unique_id"]) - set(attributes) - new)
    if missing:
        raise ValidationError("hierarchy", "attributes", f"series {missing[0]!r} has no attributes")
    inside = bottom[~bottom["unique_id"].isin(new)]
    hierarchy = grouped_hierarchy({uid: attributes[uid] for uid in inside["unique_id"].unique()}, groupings)
    aggregates = _aggregate_history(inside, hierarchy)
    everything = pd.concat([aggregates, bottom], ignore_index=True)
    wants_fitted = method is Reconciliation.MINT_SHRINK
    run = forecast_batch(
        everything, settings, launches=launches, fitted=wants_fitted, progress=progress, map_chunks=map_chunks
    )
    ends = {str(run.values[uid].periods[0]) for uid in hierarchy.ids}
    if len(ends) > 1:
        raise ValidationError("hierarchy", "ds", "the series of a hierarchy must all end in the same period")
    base = np.vstack([run.values[uid].point for uid in hierarchy.ids])
    residuals = _residuals(run, hierarchy) if wants_fitted else None
    adjustment = reconcile(base, hierarchy, method, residuals) - base
    for row, uid in enumerate(hierarchy.ids):
        values = run.values[uid]
        values.point = values.point + adjustment[row]
        for bounds in (values.lower, values.upper):
            for level in bounds:
                bounds[level] = bounds[level] + adjustment[row]
    return run.result(history), hierarchy


def _aggregate_history(bottom: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """Each aggregate's history: the sum of its members, zero where a member has no row."""
    wide = bottom.pivot(index="ds", columns="unique_id", values="y").reindex(columns=hierarchy.bottom).fillna(0.0)
    aggregate_rows = hierarchy.summing[: len(hierarchy.aggregates)]
    sums = wide.to_numpy() @ aggregate_rows.T
    frame = pd.DataFrame(sums, index=wide.index, columns=hierarchy.aggregates)
    return frame.reset_index().melt(id_vars="ds", var_name="unique_id", value_name="y")[["unique_id", "ds", "y"]]


def _residuals(run: BatchForecast, hierarchy: Hierarchy) -> npt.NDArray[np.float64]:
    """In-sample one-step errors (time x series, as ``hierarchy.ids``), NaN where there are none."""
    frame = pd.DataFrame({uid: run.residuals(uid) for uid in hierarchy.ids}).sort_index()
    return np.asarray(frame.to_numpy(), dtype=np.float64)
