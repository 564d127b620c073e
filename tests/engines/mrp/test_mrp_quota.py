"""Quota arrangements: planned buys split between suppliers by share (SAP's quota rating)."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.mrp import Demands, MrpChanges, SupplierItems, plan, replan
from plantops.errors import ValidationError
from tests.engines.mrp.mrp_builder import Builder

NONE = float("nan")


def _plant(*, minimum_b: float = 0.0) -> Builder:
    builder = Builder(weeks=14)
    builder.node("Q")
    builder.node("P")
    for bucket in range(3, 13):
        builder.demand("Q", bucket, 10.0)
        builder.demand("P", bucket, 10.0)
    builder.supplier("Q", supplier=1, lead_time=5, rank=1, quota_share=0.6)
    builder.supplier("Q", supplier=2, lead_time=10, rank=2, quota_share=0.4, min_order_quantity=minimum_b)
    builder.supplier("P", supplier=1, lead_time=5, rank=1, quota_share=NONE)
    builder.supplier("P", supplier=2, lead_time=10, rank=2, quota_share=NONE)
    return builder


def test_ten_equal_buys_split_six_to_four_with_each_suppliers_lead_time() -> None:
    builder = _plant()
    orders = plan(builder.build()).orders
    mine = np.flatnonzero(orders.node == builder["Q"])
    suppliers = orders.supplier[mine].tolist()
    assert suppliers == [1, 2, 1, 1, 2, 1, 2, 1, 1, 2]
    assert suppliers.count(1) == 6 and suppliers.count(2) == 4
    assert orders.quantity[mine].tolist() == [10.0] * 10
    lead_days = (orders.due_date[mine] - orders.release_date[mine]).astype(np.int64)
    assert set(lead_days[orders.supplier[mine] == 1].tolist()) == {7}  # 5 working days
    assert set(lead_days[orders.supplier[mine] == 2].tolist()) == {14}  # 10 working days
    assert (orders.due_bucket[mine] - orders.release_bucket[mine]).tolist() == [1, 2, 1, 1, 2, 1, 2, 1, 1, 2]
    releases = plan(builder.build()).record(builder["Q"]).planned_order_releases
    expected = np.bincount(orders.release_bucket[mine], weights=orders.quantity[mine], minlength=releases.size)
    assert releases.tolist() == expected.tolist()


def test_an_item_without_shares_buys_everything_from_rank_one() -> None:
    builder = _plant()
    orders = plan(builder.build()).orders
    mine = np.flatnonzero(orders.node == builder["P"])
    assert mine.size == 10
    assert set(orders.supplier[mine].tolist()) == {1}
    assert ((orders.due_date[mine] - orders.release_date[mine]).astype(np.int64) == 7).all()


def test_the_chosen_suppliers_minimum_sizes_its_orders() -> None:
    builder = _plant(minimum_b=25.0)
    result = plan(builder.build())
    orders = result.orders
    mine = np.flatnonzero(orders.node == builder["Q"])
    from_b = orders.quantity[mine][orders.supplier[mine] == 2]
    assert from_b.size > 0 and (from_b == 25.0).all()
    from_a = orders.quantity[mine][orders.supplier[mine] == 1]
    assert (from_a <= 10.0).all()  # supplier 1 tops up what a minimum of 25 left over
    assert result.projected_on_hand[builder["Q"]].min() >= 0.0


def test_shares_not_summing_to_one_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        SupplierItems.of(item=[0, 0], supplier=[1, 2], lead_time=[5, 10], quota_share=[0.6, 0.3])
    assert error.value.field == "quota_share"
    assert "sum to 0.9" in str(error.value)


def test_a_share_above_one_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        SupplierItems.of(item=[0], supplier=[1], lead_time=[5], quota_share=[1.5])
    assert error.value.field == "quota_share"


def test_a_net_change_replan_assigns_suppliers_as_a_regenerative_run() -> None:
    builder = _plant()
    problem = builder.build()
    base = plan(problem)
    demands = problem.demands
    quantity = demands.quantity.copy()
    quantity[demands.node == builder["Q"]] = np.where(np.arange(10) == 0, 40.0, 10.0)
    changed = problem.replace(
        demands=Demands(demands.id, demands.node, demands.date, quantity, demands.priority, demands.forecast)
    )
    result = replan(base, changed, MrpChanges.of([builder["Q"]]))
    regenerative = plan(changed)
    for name in ("node", "supplier", "release_bucket", "release_date", "due_bucket", "quantity"):
        assert np.array_equal(getattr(result.orders, name), getattr(regenerative.orders, name)), name
    assert result.orders.supplier[result.orders.node == builder["Q"]].tolist()[:2] == [1, 2]
    assert np.array_equal(result.planned_order_releases, regenerative.planned_order_releases)
    first = np.flatnonzero(base.orders.node == builder["Q"])[0]
    assert base.orders.quantity[first] == 10.0  # the previous plan is unchanged
