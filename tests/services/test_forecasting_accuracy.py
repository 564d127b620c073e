"""Forecast versions are scored as newer sales history comes in; overrides get their own score."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import insert, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.forecasting import ForecastSeries, ForecastValue
from plantops.db.sales import SalesHistory
from plantops.db.sites import Site
from plantops.services import demo
from plantops.services.forecasting import accuracy, overrides, queries, runs
from plantops.services.forecasting.runs import ForecastRequest

AS_OF = dt.date(2026, 11, 16)
FAST = ("SeasonalNaive", "DynamicOptimizedTheta", "CrostonSBA", "TSB")
ITEM, SITE = "CREAM-BTL-250", "PLANT-DAIRY"


@pytest.fixture
def forecast(ops: PlantOps) -> PlantOps:
    demo.seed_demo_plant(ops.uow(), as_of=AS_OF, seed=42)
    runs.run_forecast(ops.uow(), ForecastRequest(horizon=12, models=FAST), run_by="planner")
    return ops


def _ids(ops: PlantOps) -> tuple[int, int]:
    with ops.uow() as uow:
        item = uow.session.scalar(select(Item.id).where(Item.code == ITEM))
        site = uow.session.scalar(select(Site.id).where(Site.code == SITE))
    assert item is not None and site is not None
    return item, site


def _statistical(ops: PlantOps) -> tuple[list[float], float, float]:
    item, site = _ids(ops)
    with ops.uow() as uow:
        series_id, mase_scale, rmsse_scale = uow.session.execute(
            select(ForecastSeries.id, ForecastSeries.mase_scale, ForecastSeries.rmsse_scale).where(
                ForecastSeries.item_id == item, ForecastSeries.site_id == site
            )
        ).one()
        values = uow.session.scalars(
            select(ForecastValue.quantity)
            .where(ForecastValue.series_id == series_id)
            .order_by(ForecastValue.period_start)
        ).all()
    return [float(v) for v in values], mase_scale, rmsse_scale


def _sell(ops: PlantOps, weeks: list[dt.date], quantities: list[float]) -> None:
    """The weeks' sales of the item arrive; other items sell nothing in them."""
    item, site = _ids(ops)
    with ops.uow() as uow:
        uow.session.execute(
            insert(SalesHistory),
            [
                {"item_id": item, "site_id": site, "period_start": week, "quantity": quantity}
                for week, quantity in zip(weeks, quantities, strict=True)
            ],
        )
        uow.commit()


def _weeks(first: int, count: int) -> list[dt.date]:
    return [AS_OF + dt.timedelta(weeks=w) for w in range(first, first + count)]


def test_a_version_is_scored_on_the_weeks_that_came_in(forecast: PlantOps) -> None:
    statistical, mase_scale, rmsse_scale = _statistical(forecast)
    actual = [4000.0, 4300.0, 3900.0, 4100.0]
    _sell(forecast, _weeks(0, 4), actual)

    scored, last_week = accuracy.refresh_accuracy(forecast.uow())
    [row] = queries.accuracy(forecast.uow(), item=ITEM)

    errors = np.array(statistical[:4]) - np.array(actual)
    assert (scored, last_week) == (1, AS_OF + dt.timedelta(weeks=3))
    assert (row.version, row.site, row.weeks, row.evaluated_through) == ("FC-000001", SITE, 4, last_week)
    assert row.mase == pytest.approx(np.abs(errors).mean() / mase_scale)
    assert row.rmsse == pytest.approx(np.sqrt((errors**2).mean() / rmsse_scale))
    assert row.bias == pytest.approx(errors.mean())
    expected_smape = 200 * np.mean(np.abs(errors) / (np.abs(actual) + np.abs(statistical[:4])))
    assert row.smape == pytest.approx(expected_smape)
    assert (row.overridden_weeks, row.final_mase, row.value_added) == (0, None, None)
    # items that sold nothing in those weeks are scored against zeros
    assert len(queries.accuracy(forecast.uow())) == 10


def test_overrides_are_scored_against_the_statistical_forecast(forecast: PlantOps) -> None:
    statistical, mase_scale, _ = _statistical(forecast)
    actual = [round(statistical[0] + 600, 3), round(statistical[1] - 300, 3)]
    overrides.override_forecast(
        forecast.uow(), item=ITEM, site=SITE, week=AS_OF, quantity=str(actual[0]), reason="fair", by="anna"
    )
    _sell(forecast, _weeks(0, 2), actual)

    accuracy.refresh_accuracy(forecast.uow())
    [row] = queries.accuracy(forecast.uow(), item=ITEM)

    assert row.overridden_weeks == 1
    assert row.mase == pytest.approx((600 + 300) / 2 / mase_scale)
    assert row.final_mase == pytest.approx(300 / 2 / mase_scale, rel=1e-4)
    assert row.value_added == pytest.approx(600 / 2 / mase_scale, rel=1e-4)


def test_accuracy_is_kept_over_time_and_a_new_run_scores_the_old_versions(forecast: PlantOps) -> None:
    _sell(forecast, _weeks(0, 2), [4000.0, 4200.0])
    accuracy.refresh_accuracy(forecast.uow())
    _sell(forecast, _weeks(2, 3), [4100.0, 3900.0, 4000.0])

    second = runs.run_forecast(forecast.uow(), ForecastRequest(horizon=12, models=FAST), run_by="planner")
    over_time = queries.accuracy(forecast.uow(), version="FC-000001", item=ITEM, latest_only=False)

    assert second.versions_scored == 1 and second.first_week == AS_OF + dt.timedelta(weeks=5)
    assert [(r.evaluated_through, r.weeks) for r in over_time] == [
        (AS_OF + dt.timedelta(weeks=4), 5),
        (AS_OF + dt.timedelta(weeks=1), 2),
    ]
    assert queries.accuracy(forecast.uow(), version="FC-000002") == []  # nothing sold after it yet
