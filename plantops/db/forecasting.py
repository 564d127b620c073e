"""Forecast versions, their values and intervals, accuracy and planner overrides.

A forecast version and everything in it are written in one transaction. Publishing a
version copies its point forecasts, with the planners' overrides applied, into
``demand_forecast`` (the table MRP reads) in the same transaction. Accuracy measures
(MASE, sMAPE, RMSSE) are ratios, stored as floating point; quantities are exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, Money, enum_column
from plantops.vocabulary import DemandClass, ForecastMethod


class ForecastVersion(Base):
    """One forecast run: who made it and when, from which history, with which settings (JSON)."""

    __tablename__ = "forecast_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    history_end: Mapped[dt.date]  # the last week of sales history it was made from
    first_week: Mapped[dt.date]  # the first week it forecasts
    horizon_weeks: Mapped[int]
    levels: Mapped[str] = mapped_column(String(64))  # interval levels in percent, comma-separated
    settings: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(64))


class ForecastSeries(Base):
    """How an item's demand at a site was forecast in a version.

    ``model`` names the model, the combination (``mean(AutoETS, AutoARIMA)``) or the
    fallback; ``cv_mase`` is its rolling-origin MASE. ``mase_scale`` and ``rmsse_scale``
    are the history's naive scales, kept to score the version when actuals come in.
    ``safety_stock_hint`` covers the item's lead time (its own, or its preferred supplier's)
    plus a week at ``service_level``.
    """

    __tablename__ = "forecast_series"
    __table_args__ = (UniqueConstraint("version_id", "item_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("forecast_version.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    demand_class: Mapped[DemandClass] = mapped_column(enum_column(DemandClass, "demand_class"))
    method: Mapped[ForecastMethod] = mapped_column(enum_column(ForecastMethod, "forecast_method"))
    model: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(200), default="")
    history_weeks: Mapped[int]
    adi: Mapped[float | None] = mapped_column(Float)
    cv2: Mapped[float | None] = mapped_column(Float)
    cv_mase: Mapped[float | None] = mapped_column(Float)
    mase_scale: Mapped[float | None] = mapped_column(Float)
    rmsse_scale: Mapped[float | None] = mapped_column(Float)
    safety_stock_hint: Mapped[Decimal | None]
    service_level: Mapped[float | None] = mapped_column(Float)


class ForecastValue(Base):
    """The statistical forecast of a series for the week starting ``period_start``."""

    __tablename__ = "forecast_value"
    __table_args__ = (
        UniqueConstraint("series_id", "period_start"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"))
    period_start: Mapped[dt.date]
    quantity: Mapped[Decimal]


class ForecastInterval(Base):
    """The prediction interval at ``level`` percent of a series' forecast for a week."""

    __tablename__ = "forecast_interval"
    __table_args__ = (UniqueConstraint("series_id", "period_start", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"))
    period_start: Mapped[dt.date]
    level: Mapped[int]
    lower: Mapped[Decimal]
    upper: Mapped[Decimal]


class ForecastOverride(Base):
    """A planner's quantity for an item at a site in a week, in place of the statistical forecast.

    Overrides are kept, never updated: the newest for a week is the one in force.
    ``statistical_quantity`` is what the published statistical forecast said when the
    override was made (None if nothing was published for that week), so that the override's
    own accuracy can be set against it (forecast value added).
    """

    __tablename__ = "forecast_override"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
        Index("ix_forecast_override_item_site_week", "item_id", "site_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    period_start: Mapped[dt.date]
    quantity: Mapped[Decimal]
    statistical_quantity: Mapped[Decimal | None]
    version_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_version.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class ForecastLaunch(Base):
    """A new item at a site, forecast by analogy until its own history is long enough.

    Like ``like_item`` times ``factor``; or, without ``like_item``, from its family's mean
    profile at ``weekly_quantity`` per week (None: the family's mean level).
    """

    __tablename__ = "forecast_launch"
    __table_args__ = (
        UniqueConstraint("item_id", "site_id"),
        CheckConstraint("factor >= 0", name="factor_nonnegative"),
        CheckConstraint("weekly_quantity >= 0", name="weekly_quantity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    like_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    factor: Mapped[Decimal] = mapped_column(Money, default=Decimal(1))
    weekly_quantity: Mapped[Decimal | None]
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class ForecastAccuracy(Base):
    """A version's realised accuracy for an item at a site, over its weeks up to ``evaluated_through``.

    ``mase``, ``smape`` (0-200), ``rmsse`` and ``bias`` (mean of forecast minus actual)
    score the statistical forecast; the ``final_`` columns score what was published with
    the overrides applied, for the series that had overrides in those weeks. Forecast value
    added is ``mase - final_mase``: positive when the overrides made the forecast better.
    """

    __tablename__ = "forecast_accuracy"
    __table_args__ = (UniqueConstraint("version_id", "item_id", "site_id", "evaluated_through"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("forecast_version.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    evaluated_through: Mapped[dt.date]
    weeks: Mapped[int]
    computed_at: Mapped[dt.datetime]
    mase: Mapped[float | None] = mapped_column(Float)
    smape: Mapped[float | None] = mapped_column(Float)
    rmsse: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
    overridden_weeks: Mapped[int] = mapped_column(default=0)
    final_mase: Mapped[float | None] = mapped_column(Float)
    final_smape: Mapped[float | None] = mapped_column(Float)
    final_rmsse: Mapped[float | None] = mapped_column(Float)
    final_bias: Mapped[float | None] = mapped_column(Float)
