"""Forecast every item at every site from the sales history and keep it as a forecast version.

A run reads the weekly sales history, first scores the earlier versions against the
weeks that came in since (:mod:`.accuracy`), forecasts every series with
:mod:`plantops.engines.forecast` (reconciled along item -> family and site -> company),
and writes the version with, per series, its demand class, chosen model, rolling-origin
MASE, weekly forecasts, prediction intervals and a safety-stock hint. Unless told not
to, it publishes the version to ``demand_forecast`` for MRP (:mod:`.publish`). All of it
is one transaction: a run that fails leaves the forecast in force as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.bulk import insert_arrays
from plantops.db.forecasting import ForecastInterval, ForecastSeries, ForecastValue, ForecastVersion
from plantops.db.session import UnitOfWork
from plantops.engines.fanout import MapFunction, serial_map
from plantops.engines.forecast import (
    CANDIDATE_MODELS,
    ForecastResult,
    ForecastSettings,
    IntervalMethod,
    safety_stock_hint,
    service_level,
)
from plantops.engines.forecast.hierarchical import forecast_hierarchy
from plantops.engines.forecast.reconcile import Reconciliation
from plantops.errors import ValidationError
from plantops.services.forecasting.accuracy import score_versions
from plantops.services.forecasting.history import History, load_history
from plantops.services.forecasting.publish import publish_version

Progress = Callable[[str, int, int], None]
"""Told the step (read, forecast, write), and how many of how many series are done."""

WEEKS_PER_YEAR = 52
MAX_HORIZON_WEEKS = 156
#: Aggregation of the item-site series: company, sites, families, families at sites, items across sites.
GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("site",), ("family",), ("family", "site"), ("item",))


@dataclass(frozen=True)
class ForecastRequest:
    """What the planner asks for: horizon in weeks, interval levels, which items, how to reconcile."""

    horizon: int = 26
    levels: tuple[int, ...] = (80, 95)
    items: tuple[str, ...] = ()
    reconciliation: Reconciliation = Reconciliation.MINT_SHRINK
    intervals: IntervalMethod = IntervalMethod.MODEL
    models: tuple[str, ...] = CANDIDATE_MODELS
    publish: bool = True
    n_jobs: int = 1


@dataclass(frozen=True)
class ForecastSummary:
    number: str
    series: int
    first_week: dt.date
    horizon: int
    published: bool
    models: dict[str, int]
    classes: dict[str, int]
    versions_scored: int
    seconds: dict[str, float] = field(default_factory=dict)


def run_forecast(
    uow: UnitOfWork,
    request: ForecastRequest,
    *,
    run_by: str,
    progress: Progress | None = None,
    map_chunks: MapFunction = serial_map,
) -> ForecastSummary:
    """Forecast the items of ``request`` and write (and publish) the new version, all in one transaction.

    ``map_chunks`` runs the engine's chunks of series (``PlantOps.map_function()``: on Dask); the
    forecast is the same wherever they run.
    """
    settings = _settings(request)
    tell = progress or (lambda _step, _done, _total: None)
    with uow:
        session = uow.session
        tell("read", 0, 1)
        history = load_history(session, request.items)
        scored = score_versions(session, history.last_week)
        result = _forecast(history, request, settings, lambda done, total: tell("forecast", done, total), map_chunks)
        tell("write", 0, 1)
        created_at = dt.datetime.now(dt.UTC)
        version_id, number = _write_version(session, history, request, settings, run_by, created_at)
        _write_series(session, version_id, history, result, request)
        if request.publish:
            publish_version(session, version_id, published_by=run_by, at=created_at)
        uow.commit()
    return ForecastSummary(
        number,
        len(result.series),
        history.first_week,
        request.horizon,
        request.publish,
        _counts(s.model for s in result.series),
        _counts(s.demand_class.value for s in result.series),
        scored,
    )


def check_request(request: ForecastRequest) -> None:
    """What :func:`run_forecast` refuses in ``request``, raised before any work (so that a page can refuse
    a forecast before starting it in the background)."""
    _settings(request)


def _settings(request: ForecastRequest) -> ForecastSettings:
    if not 1 <= request.horizon <= MAX_HORIZON_WEEKS:
        raise ValidationError("forecast", "horizon", f"must be 1 to {MAX_HORIZON_WEEKS} weeks, got {request.horizon}")
    return ForecastSettings(
        horizon=request.horizon,
        freq="W-MON",
        season_length=WEEKS_PER_YEAR,
        levels=tuple(sorted(request.levels)),
        intervals=request.intervals,
        models=request.models,
        mase_season=1,
        n_jobs=request.n_jobs,
    )


def _forecast(
    history: History,
    request: ForecastRequest,
    settings: ForecastSettings,
    progress: Callable[[int, int], None],
    map_chunks: MapFunction,
) -> ForecastResult:
    """The engine's forecast of every series; aggregates are forecast for reconciliation only."""
    attributes = {}
    for uid, (item, site) in history.keys.items():
        code, family, _ = history.items[item]
        attributes[uid] = {"item": code, "family": family or code, "site": history.sites[site]}
    result, hierarchy = forecast_hierarchy(
        history.frame,
        attributes,
        GROUPINGS,
        settings,
        request.reconciliation,
        launches=history.launches,
        progress=progress,
        map_chunks=map_chunks,
    )
    aggregates = set(hierarchy.aggregates)
    return ForecastResult(
        [s for s in result.series if s.unique_id not in aggregates],
        result.forecasts[~result.forecasts["unique_id"].isin(aggregates)].reset_index(drop=True),
    )


def _write_version(
    session: Session,
    history: History,
    request: ForecastRequest,
    settings: ForecastSettings,
    run_by: str,
    created_at: dt.datetime,
) -> tuple[int, str]:
    described = {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(request).items()}
    described.update(season_length=settings.season_length, cv_windows=settings.cv_windows, pool=settings.pool_tolerance)
    version_id = session.execute(
        insert(ForecastVersion)
        .values(
            number="pending",
            created_at=created_at,
            created_by=run_by,
            history_end=history.last_week,
            first_week=history.first_week,
            horizon_weeks=request.horizon,
            levels=",".join(str(level) for level in settings.levels),
            settings=json.dumps(described, default=list),
        )
        .returning(ForecastVersion.id)
    ).scalar_one()
    number = f"FC-{version_id:06d}"
    session.execute(update(ForecastVersion).where(ForecastVersion.id == version_id).values(number=number))
    return version_id, number


def _write_series(
    session: Session, version_id: int, history: History, result: ForecastResult, request: ForecastRequest
) -> None:
    """One row per series (ids come back in order), then its weekly values and intervals a column at a time."""
    forecasts: pd.DataFrame = result.forecasts
    top = max(request.levels) if request.levels else None
    blocks = dict(tuple(forecasts.groupby("unique_id", sort=False)))
    rows = []
    for s in result.series:
        item, site = history.keys[s.unique_id]
        block = blocks[s.unique_id]
        hint = None
        if top is not None:
            lead_weeks = math.ceil(history.items[item][2] / 7)
            point = block["forecast"].to_numpy(dtype=np.float64)
            upper = block[f"hi-{top}"].to_numpy(dtype=np.float64)
            hint = round(safety_stock_hint(point, upper, lead_weeks + 1), 3)
        rows.append(
            {
                "version_id": version_id,
                "item_id": item,
                "site_id": site,
                "demand_class": s.demand_class,
                "method": s.method,
                "model": s.model,
                "note": s.note,
                "history_weeks": s.history_length,
                "adi": _number(s.adi),
                "cv2": _number(s.cv2),
                "cv_mase": _number(s.cv_mase),
                "mase_scale": _number(s.mase_scale),
                "rmsse_scale": _number(s.rmsse_scale),
                "safety_stock_hint": hint,
                "service_level": service_level(top) if top is not None else None,
            }
        )
    ids = session.execute(
        insert(ForecastSeries).returning(ForecastSeries.id, sort_by_parameter_order=True), rows
    ).scalars()
    series_of = dict(zip((s.unique_id for s in result.series), ids, strict=True))
    series = forecasts["unique_id"].map(series_of).to_numpy(dtype=np.int64)
    weeks = forecasts["ds"].to_numpy(dtype="datetime64[D]")
    connection = session.connection()
    insert_arrays(
        connection,
        table_of(ForecastValue),
        {"series_id": series, "period_start": weeks, "quantity": forecasts["forecast"].to_numpy().round(3)},
    )
    for level in request.levels:
        insert_arrays(
            connection,
            table_of(ForecastInterval),
            {
                "series_id": series,
                "period_start": weeks,
                "level": np.full(len(series), level),
                "lower": forecasts[f"lo-{level}"].to_numpy().round(3),
                "upper": forecasts[f"hi-{level}"].to_numpy().round(3),
            },
        )


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(Counter(values).most_common())
