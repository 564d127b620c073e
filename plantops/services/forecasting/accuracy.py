"""Score forecast versions against the sales that came in after them.

For every version whose first week now has sales history, and for every item and site in
it, the forecast weeks up to the last week of history (at most the version's horizon) are
compared with what sold (a week without a row sold nothing): MASE and RMSSE with the
scales of the history the version was made from, sMAPE and bias
(:mod:`plantops.engines.forecast.accuracy`). The same is done for the forecast as
published, with the planners' overrides in force, where the item had overrides in those
weeks: the difference is the overrides' forecast value added. The scores are stored per
version, item, site and last week scored; scoring again through the same week replaces them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert
from plantops.db.forecasting import ForecastAccuracy, ForecastSeries, ForecastValue, ForecastVersion
from plantops.db.sales import SalesHistory
from plantops.db.session import UnitOfWork
from plantops.engines.forecast import bias, mase, rmsse, smape
from plantops.services.forecasting.history import ONE_WEEK, monday_of
from plantops.services.forecasting.publish import overrides_in_force


def refresh_accuracy(uow: UnitOfWork) -> tuple[int, dt.date | None]:
    """Score every version against all the history there is; (versions scored, last week of history)."""
    with uow:
        latest = uow.session.scalar(select(func.max(SalesHistory.period_start)))
        if latest is None:
            return 0, None
        scored = score_versions(uow.session, monday_of(latest))
        uow.commit()
    return scored, monday_of(latest)


def score_versions(session: Session, last_week: dt.date) -> int:
    """Score every version against the history through ``last_week``; returns how many versions were scored."""
    versions = session.execute(
        select(ForecastVersion.id, ForecastVersion.first_week, ForecastVersion.horizon_weeks).where(
            ForecastVersion.first_week <= last_week
        )
    ).all()
    if not versions:
        return 0
    start = min(first for _, first, _ in versions)
    actuals: dict[tuple[int, int], dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for item, site, day, quantity in session.execute(
        select(SalesHistory.item_id, SalesHistory.site_id, SalesHistory.period_start, SalesHistory.quantity).where(
            SalesHistory.period_start >= start
        )
    ):
        actuals[(item, site)][monday_of(day)] += float(quantity)
    overrides = overrides_in_force(session, None, start)
    computed_at = dt.datetime.now(dt.UTC)
    for version_id, first_week, horizon in versions:
        through = min(last_week, first_week + (horizon - 1) * ONE_WEEK)
        weeks = [first_week + w * ONE_WEEK for w in range((through - first_week) // ONE_WEEK + 1)]
        _score(session, version_id, weeks, actuals, overrides, computed_at)
    return len(versions)


def _score(
    session: Session,
    version_id: int,
    weeks: list[dt.date],
    actuals: dict[tuple[int, int], dict[dt.date, float]],
    overrides: Mapping[tuple[int, int, dt.date], Decimal],
    computed_at: dt.datetime,
) -> None:
    series = session.execute(
        select(
            ForecastSeries.id,
            ForecastSeries.item_id,
            ForecastSeries.site_id,
            ForecastSeries.mase_scale,
            ForecastSeries.rmsse_scale,
        ).where(ForecastSeries.version_id == version_id)
    ).all()
    forecast: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for series_id, week, quantity in session.execute(
        select(ForecastValue.series_id, ForecastValue.period_start, ForecastValue.quantity)
        .join(ForecastSeries, ForecastSeries.id == ForecastValue.series_id)
        .where(ForecastSeries.version_id == version_id, ForecastValue.period_start <= weeks[-1])
    ):
        forecast[series_id][week] = float(quantity)
    rows: dict[str, list[object]] = defaultdict(list)
    for series_id, item, site, mase_scale, rmsse_scale in series:
        actual = np.array([actuals[(item, site)].get(week, 0.0) for week in weeks])
        statistical = np.array([forecast[series_id].get(week, np.nan) for week in weeks])
        final = np.array([float(overrides.get((item, site, w), statistical[i])) for i, w in enumerate(weeks)])
        overridden = sum((item, site, w) in overrides for w in weeks)
        scores = _scores(actual, statistical, mase_scale, rmsse_scale)
        finals = _scores(actual, final, mase_scale, rmsse_scale) if overridden else [None] * 4
        for name, value in zip(("mase", "smape", "rmsse", "bias"), scores, strict=True):
            rows[name].append(value)
        for name, value in zip(("final_mase", "final_smape", "final_rmsse", "final_bias"), finals, strict=True):
            rows[name].append(value)
        rows["item_id"].append(item)
        rows["site_id"].append(site)
        rows["overridden_weeks"].append(overridden)
    count = len(series)
    session.execute(
        delete(ForecastAccuracy).where(
            ForecastAccuracy.version_id == version_id, ForecastAccuracy.evaluated_through == weeks[-1]
        )
    )
    bulk_insert(
        session.connection(),
        table_of(ForecastAccuracy),
        {
            "version_id": [version_id] * count,
            "evaluated_through": [weeks[-1]] * count,
            "weeks": [len(weeks)] * count,
            "computed_at": [computed_at] * count,
            **rows,
        },
    )


def _scores(
    actual: np.ndarray, forecast: np.ndarray, mase_scale: float | None, rmsse_scale: float | None
) -> list[float | None]:
    values = [
        mase(actual, forecast, np.nan if mase_scale is None else mase_scale),
        smape(actual, forecast),
        rmsse(actual, forecast, np.nan if rmsse_scale is None else rmsse_scale),
        bias(actual, forecast),
    ]
    return [None if not np.isfinite(v) else float(v) for v in values]
