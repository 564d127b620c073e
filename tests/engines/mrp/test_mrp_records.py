"""Time-phased MRP records of one item, worked by hand in the manner of Vollmann et al. (MRP chapter)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from plantops.engines.mrp import ExceptionKind, plan
from tests.engines.mrp.mrp_builder import Builder

# One item, eight weekly buckets (t = 0..7), lead time 2 weeks (10 working days):
#
#   bucket                 0    1    2    3    4    5    6    7
#   gross requirements    10   40   10   20    .   15   30   30      on hand 20
#   scheduled receipts     .   40    .    .    .    .    .    .
GROSS = [10, 40, 10, 20, 0, 15, 30, 30]


def _record(**params: Any) -> Builder:
    builder = Builder(weeks=8)
    builder.node("A", lead_time=10, **params)
    for bucket, quantity in enumerate(GROSS):
        if quantity:
            builder.demand("A", bucket, quantity)
    builder.stock("A", 20)
    builder.receipt("A", 1, 40)
    return builder


def test_lot_for_lot_record_matches_the_hand_worked_table() -> None:
    # POH: 20-10=10; 10+40-40=10; 10-10=0; 0-20 -> receive 20 -> 0; 0; -15 -> 15; -30 -> 30; -30 -> 30
    result = plan(_record().build())
    record = result.record(0)
    assert record.gross_requirements.tolist() == GROSS
    assert record.scheduled_receipts.tolist() == [0, 40, 0, 0, 0, 0, 0, 0]
    assert record.projected_on_hand.tolist() == [10, 10, 0, 0, 0, 0, 0, 0]
    assert record.net_requirements.tolist() == [0, 0, 0, 20, 0, 15, 30, 30]
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 20, 0, 15, 30, 30]
    assert record.planned_order_releases.tolist() == [0, 20, 0, 15, 30, 30, 0, 0]
    assert len(result.exceptions) == 0


def test_fixed_order_quantity_record_orders_lots_of_fifty() -> None:
    # t3: 0-20 -> one lot of 50 -> 30; t4 30; t5 30-15=15; t6 15-30 -> 50 -> 35; t7 35-30=5
    record = plan(_record(lot_size_rule="fixed_order_quantity", fixed_order_quantity=50).build()).record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 50, 0, 0, 50, 0]
    assert record.projected_on_hand.tolist() == [10, 10, 0, 30, 30, 15, 35, 5]
    assert record.net_requirements.tolist() == [0, 0, 0, 20, 0, 0, 15, 0]
    assert record.planned_order_releases.tolist() == [0, 50, 0, 0, 50, 0, 0, 0]


def test_fixed_order_quantity_orders_several_lots_when_one_is_not_enough() -> None:
    builder = Builder(weeks=3)
    builder.node("A", lot_size_rule="fixed_order_quantity", fixed_order_quantity=30)
    builder.demand("A", 1, 70)
    result = plan(builder.build())
    assert result.orders.quantity.tolist() == [30, 30, 30]
    assert result.record(0).projected_on_hand.tolist() == [0, 20, 20]


def test_period_order_quantity_of_two_periods_covers_this_and_next_bucket() -> None:
    # t3 short 20, covers t3..t4 (20 + 0); t5 short 15, covers t5..t6 (15 + 30); t7 covers t7 (30)
    record = plan(_record(lot_size_rule="period_order_quantity", order_periods=2).build()).record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 20, 0, 45, 0, 30]
    assert record.projected_on_hand.tolist() == [10, 10, 0, 0, 0, 30, 0, 0]


def test_period_order_quantity_of_three_periods() -> None:
    # t3 covers t3..t5 (20 + 0 + 15 = 35); t6 covers t6..t7 (30 + 30 = 60)
    record = plan(_record(lot_size_rule="period_order_quantity", order_periods=3).build()).record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 35, 0, 0, 60, 0]
    assert record.projected_on_hand.tolist() == [10, 10, 0, 15, 15, 0, 30, 0]


def test_economic_order_quantity_uses_annualised_gross_requirements() -> None:
    # D = 155 units in 56 days -> 155 x 365 / 56 a year; S = 100; H = 0.25 x 40 = 10
    economic = math.sqrt(2 * (155 * 365 / 56) * 100 / 10)
    params = {
        "lot_size_rule": "economic_order_quantity",
        "ordering_cost": 100,
        "holding_cost_rate": 0.25,
        "unit_cost": 40,
    }
    record = plan(_record(**params).build()).record(0)
    assert record.planned_order_receipts[3] == pytest.approx(economic)
    assert np.count_nonzero(record.planned_order_receipts) == 1  # 142 units last to the horizon end
    assert record.projected_on_hand[7] == pytest.approx(economic - 95)


def test_minimum_and_multiple_round_each_lot_for_lot_order_up() -> None:
    # t3 need 20 -> min 25 -> multiple of 10: 30 (POH 10); t5 need 5 -> 30 (25); t6, t7 need 5 -> 30 (25)
    params = {"min_order_quantity": 25, "order_multiple": 10, "max_order_quantity": 30}
    record = plan(_record(**params).build()).record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 30, 0, 30, 30, 30]
    assert record.projected_on_hand.tolist() == [10, 10, 0, 10, 10, 25, 25, 25]


def test_maximum_splits_an_order_and_rounds_the_last_one() -> None:
    # need 70: min 25, multiple 10 -> 70 > max 30 -> 30 + 30 + last 10 -> raised to 25 -> 30
    builder = Builder(weeks=3)
    builder.node("A", min_order_quantity=25, order_multiple=10, max_order_quantity=30)
    builder.demand("A", 1, 70)
    result = plan(builder.build())
    assert result.orders.quantity.tolist() == [30, 30, 30]
    assert result.orders.due_bucket.tolist() == [1, 1, 1]
    assert result.record(0).planned_order_receipts.tolist() == [0, 90, 0]


def test_safety_stock_is_restored_by_planned_orders() -> None:
    # SS 5: t2 POH 0 < 5 -> 5; t3 5-20 -> 20; t5 -> 15; t6, t7 -> 30 each; POH stays at 5 from t2 on
    record = plan(_record(safety_stock=5).build()).record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 5, 20, 0, 15, 30, 30]
    assert record.projected_on_hand.tolist() == [10, 10, 5, 5, 5, 5, 5, 5]
    assert record.planned_order_releases.tolist() == [5, 20, 0, 15, 30, 30, 0, 0]


def test_yield_grosses_up_the_order_quantity() -> None:
    # receipts as lot-for-lot; order = receipt / 0.8
    result = plan(_record(yield_rate=0.8).build())
    record = result.record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 0, 20, 0, 15, 30, 30]
    assert record.planned_order_releases.tolist() == [0, 25, 0, 18.75, 37.5, 37.5, 0, 0]
    assert result.orders.receipt_quantity.tolist() == pytest.approx([20, 15, 30, 30])


def test_allocated_stock_is_not_available() -> None:
    builder = _record()
    builder.stock("A", 30, allocated=10)  # 30 on hand, 10 reserved: as good as 20
    assert plan(builder.build()).record(0).planned_order_receipts.tolist() == [0, 0, 0, 20, 0, 15, 30, 30]


def test_release_before_today_is_past_due_in_bucket_zero() -> None:
    builder = Builder(weeks=4)
    builder.node("A", lead_time=10)
    builder.demand("A", 1, 12)
    result = plan(builder.build())
    orders = result.orders
    assert orders.release_bucket.tolist() == [0]
    assert str(orders.release_date[0]) == "2025-12-29"  # ten working days before Monday 2026-01-12
    past = result.exceptions.of_kind(ExceptionKind.PAST_DUE)
    assert [(e.node, e.bucket, e.quantity, e.days_late) for e in past] == [(0, 1, 12.0, 7)]
