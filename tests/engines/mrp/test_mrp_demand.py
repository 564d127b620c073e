"""Independent demand: forecast consumption windows, past-due and beyond-horizon lines; working-day offsets."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.mrp import Calendar, PlanningSettings, plan
from plantops.engines.mrp.demand import consume_forecast
from tests.engines.mrp.mrp_builder import MONDAY, Builder, week


def _gross(backward: int, forward: int, orders: list[tuple[int, float]]) -> list[float]:
    builder = Builder(weeks=6, settings={"forecast_backward": backward, "forecast_forward": forward})
    builder.node("A")
    for bucket in range(6):
        builder.demand("A", bucket, 100, forecast=True)
    for bucket, quantity in orders:
        builder.demand("A", bucket, quantity, day=2)
    return [float(v) for v in plan(builder.build()).gross_requirements[0]]


def test_order_consumes_its_own_bucket_then_backward() -> None:
    # 120 in bucket 2: forecast of bucket 2 (100), then 20 of bucket 1
    assert _gross(1, 1, [(2, 120)]) == [100, 80, 120, 100, 100, 100]


def test_order_consumes_forward_when_no_backward_window() -> None:
    assert _gross(0, 1, [(2, 120)]) == [100, 100, 120, 80, 100, 100]


def test_order_beyond_the_windows_adds_to_the_forecast() -> None:
    assert _gross(0, 0, [(2, 120)]) == [100, 100, 120, 100, 100, 100]


def test_earlier_orders_consume_first() -> None:
    # 80 in bucket 1 takes 80 of bucket 1. 150 in bucket 2: bucket 2 (100), bucket 1 (20 left), bucket 3 (30).
    assert _gross(1, 1, [(1, 80), (2, 150)]) == [100, 80, 150, 70, 100, 100]


def test_consume_forecast_goes_back_nearest_first() -> None:
    orders = np.array([[0.0, 0, 0, 250]])
    forecast = np.array([[100.0, 100, 100, 100]])
    assert consume_forecast(orders, forecast, 2, 0).tolist() == [[100, 50, 0, 0]]


def test_past_due_orders_count_in_bucket_zero_and_late_forecast_is_dropped() -> None:
    builder = Builder(weeks=3)
    builder.node("A")
    builder.demand("A", -1, 7)  # a sales order due last week
    builder.demand("A", -1, 50, forecast=True)  # last week's forecast: gone
    builder.demand("A", 3, 9)  # after the horizon
    assert plan(builder.build()).gross_requirements[0].tolist() == [7, 0, 0]


def test_release_dates_count_working_days_and_skip_holidays() -> None:
    calendar = Calendar.weekdays(start=MONDAY, days=35, holidays=[week(1, 2)])  # Wednesday of week 1 off
    due = np.array([week(3), week(2), week(1, 3)])
    # Monday week 3 -> Monday week 2; Monday week 2 -> Friday week 0 (the Wednesday in between is off);
    # Thursday week 1 -> Tue, Mon, Fri, Thu, Wed back: Wednesday week 0
    assert calendar.release_dates(0, 5, due).tolist() == [week(2).item(), week(0, 4).item(), week(0, 2).item()]
    assert calendar.release_dates(0, 0, due).tolist() == due.tolist()


def test_release_before_the_calendar_counts_every_day() -> None:
    calendar = Calendar.weekdays(start=MONDAY, days=14)
    assert calendar.release_dates(0, 3, np.array([week(0, 1)]))[0] == MONDAY - np.timedelta64(2, "D")


def test_holiday_moves_a_release_into_the_previous_bucket() -> None:
    builder = Builder(weeks=5, holidays=(week(2, 2),))  # Wednesday of week 2 is a holiday
    builder.node("A", lead_time=5)
    builder.demand("A", 3, 10)
    orders = plan(builder.build()).orders
    assert orders.release_bucket.tolist() == [1]
    assert orders.release_date[0] == week(1, 4)  # the Friday before


def test_bucket_of_maps_dates_before_inside_and_after_the_horizon() -> None:
    settings = PlanningSettings.weekly(MONDAY, 3)
    dates = np.array([week(-1), week(0), week(1, 6), week(2, 6), week(3)])
    assert settings.bucket_of(dates).tolist() == [-1, 0, 1, 2, 3]
    assert settings.horizon_days == 21


def test_daily_buckets_work_too() -> None:
    days = MONDAY + np.arange(10)
    builder = Builder(weeks=2)
    builder.node("A", lead_time=2)
    builder.demand("A", 1, 5)  # Monday of week 1 = day 7
    problem = builder.build()
    from dataclasses import replace

    daily = replace(problem, settings=PlanningSettings.of(days))
    result = plan(daily)
    assert result.gross_requirements[0].tolist() == pytest.approx([0, 0, 0, 0, 0, 0, 0, 5, 0, 0])
    assert result.orders.release_date[0] == week(0, 3)  # 2 working days before Monday: Thursday
    assert result.orders.release_bucket.tolist() == [3]
