"""What planners read about the forecast: an item's history, forecast and intervals; versions; accuracy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.forecasting import (
    ForecastAccuracy,
    ForecastInterval,
    ForecastOverride,
    ForecastSeries,
    ForecastValue,
    ForecastVersion,
)
from plantops.db.sales import DemandForecast, SalesHistory
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.errors import NotFoundError, PlantOpsError
from plantops.services.forecasting.history import monday_of
from plantops.services.inventory.references import item_ref, site_id
from plantops.vocabulary import DemandClass, ForecastMethod


class NoForecastError(PlantOpsError):
    def __init__(self, what: str) -> None:
        super().__init__(f"there is no forecast of {what} yet: run `plantops forecast` first")


@dataclass(frozen=True)
class ForecastWeek:
    week: dt.date
    statistical: float
    published: float | None  # what demand_forecast holds for the week (overrides applied)
    lower: dict[int, float]
    upper: dict[int, float]


@dataclass(frozen=True)
class OverrideLine:
    week: dt.date
    quantity: float
    statistical: float | None
    reason: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class SeriesView:
    """An item at a site: its sales history and the newest version's forecast of it."""

    item: str
    site: str
    version: str
    published: bool
    demand_class: DemandClass
    method: ForecastMethod
    model: str
    note: str
    cv_mase: float | None
    safety_stock_hint: Decimal | None
    service_level: float | None
    levels: list[int]
    history: list[tuple[dt.date, float]]
    forecast: list[ForecastWeek]
    overrides: list[OverrideLine] = field(default_factory=list)


@dataclass(frozen=True)
class VersionView:
    number: str
    created_at: dt.datetime
    created_by: str
    history_end: dt.date
    first_week: dt.date
    horizon_weeks: int
    levels: str
    series: int
    published_at: dt.datetime | None
    published_by: str | None


@dataclass(frozen=True)
class AccuracyView:
    version: str
    item: str
    site: str
    evaluated_through: dt.date
    weeks: int
    mase: float | None
    smape: float | None
    rmsse: float | None
    bias: float | None
    overridden_weeks: int
    final_mase: float | None
    final_smape: float | None

    @property
    def value_added(self) -> float | None:
        """Forecast value added by the overrides: MASE of the statistical minus that of the final forecast."""
        if self.mase is None or self.final_mase is None:
            return None
        return self.mase - self.final_mase


def series_views(uow: UnitOfWork, *, item: str, site: str | None = None, history_weeks: int = 52) -> list[SeriesView]:
    """The newest forecast of ``item`` at ``site`` (or at each site it is forecast at), with its history."""
    with uow:
        session = uow.session
        ref = item_ref(session, item)
        where = site_id(session, site) if site is not None else None
        query = (
            select(ForecastSeries, ForecastVersion, Site.code)
            .join(ForecastVersion, ForecastVersion.id == ForecastSeries.version_id)
            .join(Site, Site.id == ForecastSeries.site_id)
            .where(ForecastSeries.item_id == ref.id)
            .order_by(Site.code, ForecastVersion.id.desc())
        )
        if where is not None:
            query = query.where(ForecastSeries.site_id == where)
        newest: dict[str, tuple[ForecastSeries, ForecastVersion]] = {}
        for series, version, code in session.execute(query).all():
            newest.setdefault(code, (series, version))
        if not newest:
            raise NoForecastError(item + (f" at {site}" if site else ""))
        return [
            _view(session, item, code, series, version, history_weeks) for code, (series, version) in newest.items()
        ]


def _view(
    session: Session, item: str, site: str, series: ForecastSeries, version: ForecastVersion, history_weeks: int
) -> SeriesView:
    levels = [int(level) for level in version.levels.split(",") if level]
    first = version.first_week - dt.timedelta(weeks=history_weeks)
    sold: dict[dt.date, float] = {}
    for day, quantity in session.execute(
        select(SalesHistory.period_start, SalesHistory.quantity).where(
            SalesHistory.item_id == series.item_id,
            SalesHistory.site_id == series.site_id,
            SalesHistory.period_start >= first,
        )
    ):
        sold[monday_of(day)] = sold.get(monday_of(day), 0.0) + float(quantity)
    weeks = [first + dt.timedelta(weeks=w) for w in range(history_weeks)]
    history = [(week, sold.get(week, 0.0)) for week in weeks if week >= min(sold, default=week)]
    bounds: dict[dt.date, tuple[dict[int, float], dict[int, float]]] = {}
    for week, level, lower, upper in session.execute(
        select(
            ForecastInterval.period_start, ForecastInterval.level, ForecastInterval.lower, ForecastInterval.upper
        ).where(ForecastInterval.series_id == series.id)
    ):
        low, high = bounds.setdefault(week, ({}, {}))
        low[level], high[level] = float(lower), float(upper)
    published = dict(
        session.execute(
            select(DemandForecast.period_start, DemandForecast.quantity).where(
                DemandForecast.item_id == series.item_id,
                DemandForecast.site_id == series.site_id,
                DemandForecast.period_start >= version.first_week,
            )
        ).all()
    )
    forecast = [
        ForecastWeek(
            week,
            float(quantity),
            float(published[week]) if week in published else None,
            *bounds.get(week, ({}, {})),
        )
        for week, quantity in session.execute(
            select(ForecastValue.period_start, ForecastValue.quantity)
            .where(ForecastValue.series_id == series.id)
            .order_by(ForecastValue.period_start)
        )
    ]
    overrides = [
        OverrideLine(
            o.period_start, float(o.quantity), _float(o.statistical_quantity), o.reason, o.created_by, o.created_at
        )
        for o in session.scalars(
            select(ForecastOverride)
            .where(
                ForecastOverride.item_id == series.item_id,
                ForecastOverride.site_id == series.site_id,
                ForecastOverride.period_start >= version.first_week,
            )
            .order_by(ForecastOverride.period_start, ForecastOverride.id)
        )
    ]
    return SeriesView(
        item,
        site,
        version.number,
        version.published_at is not None,
        series.demand_class,
        series.method,
        series.model,
        series.note,
        series.cv_mase,
        series.safety_stock_hint,
        series.service_level,
        levels,
        history,
        forecast,
        overrides,
    )


def versions(uow: UnitOfWork, *, limit: int | None = 20) -> list[VersionView]:
    """The newest ``limit`` forecast versions (all with None), newest first."""
    with uow:
        session = uow.session
        counts = dict(
            session.execute(select(ForecastSeries.version_id, func.count()).group_by(ForecastSeries.version_id)).all()
        )
        rows = session.scalars(select(ForecastVersion).order_by(ForecastVersion.id.desc()).limit(limit)).all()
        return [
            VersionView(
                v.number,
                v.created_at,
                v.created_by,
                v.history_end,
                v.first_week,
                v.horizon_weeks,
                v.levels,
                counts.get(v.id, 0),
                v.published_at,
                v.published_by,
            )
            for v in rows
        ]


def count_versions(uow: UnitOfWork) -> int:
    """How many forecast versions there are (what :func:`versions` lists without a limit)."""
    with uow:
        return uow.session.scalar(select(func.count()).select_from(ForecastVersion)) or 0


def accuracy(
    uow: UnitOfWork, *, version: str | None = None, item: str | None = None, latest_only: bool = True
) -> list[AccuracyView]:
    """Realised accuracy per version, item and site (by default only the newest scoring of each)."""
    with uow:
        session = uow.session
        query = (
            select(ForecastAccuracy, ForecastVersion.number, Item.code, Site.code)
            .join(ForecastVersion, ForecastVersion.id == ForecastAccuracy.version_id)
            .join(Item, Item.id == ForecastAccuracy.item_id)
            .join(Site, Site.id == ForecastAccuracy.site_id)
            .order_by(ForecastVersion.id.desc(), Item.code, Site.code, ForecastAccuracy.evaluated_through.desc())
        )
        if version is not None:
            if session.scalar(select(ForecastVersion.id).where(ForecastVersion.number == version)) is None:
                raise NotFoundError("forecast version", version)
            query = query.where(ForecastVersion.number == version)
        if item is not None:
            query = query.where(ForecastAccuracy.item_id == item_ref(session, item).id)
        seen: set[tuple[str, str, str]] = set()
        views = []
        for row, number, code, site in session.execute(query).all():
            if latest_only and (number, code, site) in seen:
                continue
            seen.add((number, code, site))
            views.append(
                AccuracyView(
                    number,
                    code,
                    site,
                    row.evaluated_through,
                    row.weeks,
                    row.mase,
                    row.smape,
                    row.rmsse,
                    row.bias,
                    row.overridden_weeks,
                    row.final_mase,
                    row.final_smape,
                )
            )
        return views


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
