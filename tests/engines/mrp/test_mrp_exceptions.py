"""Time fences and exception messages."""

from __future__ import annotations

from plantops.engines.mrp import ExceptionKind, LateCause, plan
from tests.engines.mrp.mrp_builder import Builder


def _one(**settings: int) -> Builder:
    builder = Builder(weeks=6, settings=settings)
    builder.node("A")
    return builder


def test_frozen_fence_defers_the_new_order_and_reports_late_demand() -> None:
    builder = _one(frozen_buckets=2)
    builder.stock("A", 10)
    builder.demand("A", 1, 30)
    builder.demand("A", 3, 5)
    result = plan(builder.build())
    record = result.record(0)
    assert record.planned_order_receipts.tolist() == [0, 0, 20, 5, 0, 0]  # the backlog is covered in bucket 2
    assert record.projected_on_hand.tolist() == [10, -20, 0, 0, 0, 0]
    late = result.exceptions.of_kind(ExceptionKind.LATE_DEMAND)
    assert [(e.bucket, e.quantity, e.cause) for e in late] == [(1, 20.0, LateCause.FROZEN_FENCE)]


def test_dip_below_safety_stock_inside_the_frozen_fence_is_flagged() -> None:
    builder = _one(frozen_buckets=1)
    builder.node_rows[0]["safety_stock"] = 15
    builder.stock("A", 20)
    builder.demand("A", 0, 10)
    result = plan(builder.build())
    below = result.exceptions.of_kind(ExceptionKind.BELOW_SAFETY_STOCK)
    assert [(e.bucket, e.quantity) for e in below] == [(0, 5.0)]
    assert result.record(0).planned_order_receipts.tolist() == [0, 5, 0, 0, 0, 0]


def test_new_orders_inside_the_slushy_fence_are_flagged() -> None:
    builder = _one(frozen_buckets=1, slushy_buckets=3)
    for bucket in (1, 2, 4):
        builder.demand("A", bucket, 10)
    flagged = plan(builder.build()).exceptions.of_kind(ExceptionKind.SLUSHY_FENCE)
    assert [e.bucket for e in flagged] == [1, 2]


def test_receipt_due_after_it_is_needed_is_expedited_not_duplicated() -> None:
    builder = _one()
    builder.receipt("A", 3, 50)
    builder.demand("A", 1, 30)
    result = plan(builder.build())
    [message] = list(result.exceptions)
    assert (message.kind, message.bucket, message.need_bucket, message.receipt) == (ExceptionKind.EXPEDITE, 3, 1, 0)
    assert len(result.orders) == 0  # the rescheduling assumption: no new order while a receipt can be moved in
    assert result.record(0).projected_on_hand.tolist() == [0, -30, -30, 20, 20, 20]


def test_receipt_due_before_it_is_needed_is_deferred() -> None:
    builder = _one()
    builder.receipt("A", 1, 50)
    builder.demand("A", 4, 30)
    [message] = list(plan(builder.build()).exceptions)
    assert (message.kind, message.bucket, message.need_bucket) == (ExceptionKind.DEFER, 1, 4)


def test_receipt_not_needed_in_the_horizon_is_cancelled() -> None:
    builder = _one()
    builder.stock("A", 100)
    builder.receipt("A", 2, 50)
    builder.demand("A", 4, 30)
    [message] = list(plan(builder.build()).exceptions)
    assert (message.kind, message.need_bucket, message.quantity) == (ExceptionKind.CANCEL, None, 50.0)


def test_overdue_receipt_is_past_due() -> None:
    builder = _one()
    builder.receipt("A", -1, 10)
    builder.demand("A", 0, 10)
    kinds = [(e.kind, e.days_late) for e in plan(builder.build()).exceptions]
    assert kinds == [(ExceptionKind.PAST_DUE, 7)]


def test_order_released_before_today_is_past_due_and_its_demand_late_for_lead_time() -> None:
    builder = Builder(weeks=4)
    builder.node("A", lead_time=10)
    builder.demand("A", 0, 8)
    messages = {e.kind: e for e in plan(builder.build()).exceptions}
    assert messages[ExceptionKind.PAST_DUE].days_late == 14
    assert messages[ExceptionKind.LATE_DEMAND].cause == LateCause.LEAD_TIME
    assert messages[ExceptionKind.LATE_DEMAND].quantity == 8


def test_made_item_without_bom_has_no_supply() -> None:
    builder = _one()
    builder.node_rows[0]["procurement"] = "make"
    builder.stock("A", 5)
    builder.demand("A", 2, 12)
    result = plan(builder.build())
    assert len(result.orders) == 0
    [late] = list(result.exceptions)
    assert (late.kind, late.bucket, late.quantity, late.cause) == (
        ExceptionKind.LATE_DEMAND,
        2,
        7.0,
        LateCause.NO_SUPPLY,
    )


def test_exceptions_for_some_nodes_are_those_of_the_whole_plan() -> None:
    builder = _one(frozen_buckets=1, slushy_buckets=3)
    builder.node("B", lead_time=10)
    builder.demand("A", 0, 5)
    builder.demand("B", 1, 5)
    result = plan(builder.build())
    every = [(e.kind, e.node, e.bucket) for e in result.exceptions]
    only_b = [(e.kind, e.node, e.bucket) for e in result.exceptions_for([1])]
    assert only_b == [m for m in every if m[1] == 1]
    assert only_b
