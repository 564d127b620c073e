"""Publish a forecast version to ``demand_forecast``, the table MRP consumes with the sales orders.

For every item and site the version covers, the rows of ``demand_forecast`` from the
version's first week on are replaced: by the version's statistical forecast, and, where a
planner overrode a week, by the newest override (overrides outside the version's horizon
are kept too). Rows of other items and sites, and of past weeks, stay as they are. The
caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert
from plantops.db.forecasting import ForecastOverride, ForecastSeries, ForecastValue, ForecastVersion
from plantops.db.sales import DemandForecast
from plantops.errors import NotFoundError

WeekKey = tuple[int, int, dt.date]  # item, site, week


def publish_version(session: Session, version_id: int, *, published_by: str, at: dt.datetime) -> int:
    """Make ``version_id`` the forecast in force for the series it covers; returns the rows written."""
    first_week = session.scalar(select(ForecastVersion.first_week).where(ForecastVersion.id == version_id))
    if first_week is None:
        raise NotFoundError("forecast version", str(version_id))
    covered = [
        (item, site)
        for item, site in session.execute(
            select(ForecastSeries.item_id, ForecastSeries.site_id).where(ForecastSeries.version_id == version_id)
        )
    ]
    quantities: dict[WeekKey, Decimal] = {
        (item, site, week): quantity
        for item, site, week, quantity in session.execute(
            select(ForecastSeries.item_id, ForecastSeries.site_id, ForecastValue.period_start, ForecastValue.quantity)
            .join(ForecastSeries, ForecastSeries.id == ForecastValue.series_id)
            .where(ForecastSeries.version_id == version_id)
        )
    }
    quantities.update(overrides_in_force(session, covered, first_week))
    for start in range(0, len(covered), 500):
        session.execute(
            delete(DemandForecast).where(
                tuple_(DemandForecast.item_id, DemandForecast.site_id).in_(covered[start : start + 500]),
                DemandForecast.period_start >= first_week,
            )
        )
    keys = sorted(quantities)
    bulk_insert(
        session.connection(),
        table_of(DemandForecast),
        {
            "item_id": [k[0] for k in keys],
            "site_id": [k[1] for k in keys],
            "period_start": [k[2] for k in keys],
            "quantity": [quantities[k] for k in keys],
        },
    )
    session.execute(
        update(ForecastVersion)
        .where(ForecastVersion.id == version_id)
        .values(published_at=at, published_by=published_by)
    )
    return len(keys)


def overrides_in_force(
    session: Session, pairs: list[tuple[int, int]] | None, from_week: dt.date
) -> dict[WeekKey, Decimal]:
    """The newest override of each week from ``from_week`` on, for ``pairs`` of (item, site) (all when None)."""
    newest = (
        select(func.max(ForecastOverride.id))
        .where(ForecastOverride.period_start >= from_week)
        .group_by(ForecastOverride.item_id, ForecastOverride.site_id, ForecastOverride.period_start)
    )
    rows = session.execute(
        select(
            ForecastOverride.item_id, ForecastOverride.site_id, ForecastOverride.period_start, ForecastOverride.quantity
        ).where(ForecastOverride.id.in_(newest))
    ).all()
    wanted = None if pairs is None else set(pairs)
    return {
        (item, site, week): quantity for item, site, week, quantity in rows if wanted is None or (item, site) in wanted
    }


def published_statistical(session: Session, item: int, site: int, week: dt.date) -> tuple[int | None, Decimal | None]:
    """The newest published version that forecast ``item`` at ``site`` for ``week``, and its statistical quantity."""
    row = session.execute(
        select(ForecastVersion.id, ForecastValue.quantity)
        .join(ForecastSeries, ForecastSeries.version_id == ForecastVersion.id)
        .join(ForecastValue, and_(ForecastValue.series_id == ForecastSeries.id, ForecastValue.period_start == week))
        .where(
            ForecastSeries.item_id == item, ForecastSeries.site_id == site, ForecastVersion.published_at.is_not(None)
        )
        .order_by(ForecastVersion.published_at.desc(), ForecastVersion.id.desc())
        .limit(1)
    ).first()
    return (None, None) if row is None else (row[0], row[1])
