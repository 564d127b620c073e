"""Pegging down: from a demand to the supply that serves it at every level, and from a receipt up."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from plantops.engines.mrp import PegKind, SupplyKind, peg, peg_down, peg_receipt, plan
from tests.engines.mrp.mrp_builder import Builder, random_problem


def test_a_demand_pegs_down_to_its_order_and_the_components_under_it() -> None:
    # A: 4 on hand, sale of 10 in bucket 3, lead time a week -> order of 6. B: 2 per A -> 12, of which
    # a receipt of 5 (due in bucket 3, needed in 2: to expedite) and stock of 3 cover 8; an order 4.
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B")
    builder.bom("A", ("B", 2))
    builder.stock("A", 4)
    builder.stock("B", 3)
    receipt = builder.receipt("B", 3, 5)
    sale = builder.demand("A", 3, 10)
    result = plan(builder.build())

    lines = peg_down(result, sale)

    assert [(line.level, line.parent, line.supply.kind, line.supply.quantity) for line in lines] == [
        (0, -1, SupplyKind.ON_HAND, 4.0),
        (0, -1, SupplyKind.PLANNED_ORDER, 6.0),
        (1, 1, SupplyKind.ON_HAND, 3.0),
        (1, 1, SupplyKind.RECEIPT, 5.0),
        (1, 1, SupplyKind.PLANNED_ORDER, 4.0),
    ]
    assert lines[3].supply.receipt == receipt and lines[3].need_bucket == 2
    assert [(line.kind, line.demand, line.quantity) for line in peg_receipt(result, receipt)] == [
        (PegKind.SALES_ORDER, sale, 5.0)
    ]


def test_what_nothing_covers_is_a_shortage_at_the_component_that_lacks_it() -> None:
    builder = Builder(weeks=4)
    builder.node("A")
    builder.node("B", procurement="make")  # made, but without a BOM: nothing can supply it
    builder.bom("A", ("B", 1))
    builder.stock("A", 0)
    builder.receipt("A", 2, 10, firm=True)  # a firm order of A explodes into B, which has nothing
    sale = builder.demand("A", 2, 10)
    result = plan(builder.build())

    lines = peg_down(result, sale)

    assert [(line.level, line.supply.kind, line.supply.node, line.supply.quantity) for line in lines] == [
        (0, SupplyKind.RECEIPT, builder["A"], 10.0),
        (1, SupplyKind.SHORTAGE, builder["B"], 10.0),
    ]


@pytest.mark.parametrize("seed", range(12))
def test_pegging_down_is_pegging_up_inverted(seed: int) -> None:
    """What a demand's tree holds of each planned order is what that order's pegging gives the demand."""
    result = plan(random_problem(np.random.default_rng(seed)))
    demands = result.problem.demands
    inside = np.flatnonzero((demands.date < result.problem.settings.horizon_end) & ~demands.forecast)
    up: dict[tuple[int, int], float] = defaultdict(float)
    for order in range(len(result.orders)):
        for line in peg(result, order):
            if line.demand is not None:
                up[(order, line.demand)] += line.quantity
    for demand in inside.tolist():
        lines = peg_down(result, demand)
        top = sum(line.supply.quantity for line in lines if line.level == 0)
        assert top == pytest.approx(demands.quantity[demand])
        down: dict[int, float] = defaultdict(float)
        for line in lines:
            if line.supply.kind is SupplyKind.PLANNED_ORDER and line.supply.order is not None:
                down[line.supply.order] += line.supply.quantity
        for order, quantity in down.items():
            assert quantity == pytest.approx(up[(order, demand)], rel=1e-6, abs=1e-6)


def test_peg_down_and_peg_receipt_reject_lines_not_in_the_plan() -> None:
    builder = Builder(weeks=2)
    builder.node("A")
    result = plan(builder.build())
    with pytest.raises(IndexError):
        peg_down(result, 0)
    with pytest.raises(IndexError):
        peg_receipt(result, 0)


def test_shared_components_are_one_line_each_however_many_paths_reach_them() -> None:
    """Twelve levels of two items, each using both items of the level below: 4,096 paths to the bottom."""
    builder = Builder(weeks=30)
    levels = 12
    for level in range(levels):
        for name in "XY":
            builder.node(f"{name}{level}", lead_time=0)
    for level in range(levels - 1):
        for name in "XY":
            builder.bom(f"{name}{level}", (f"X{level + 1}", 1), (f"Y{level + 1}", 1))
    sale = builder.demand("X0", 20, 1)
    result = plan(builder.build())

    lines = peg_down(result, sale)

    assert len(lines) == 2 * levels - 1  # one planned order line per node below the demand's own
    bottom = [line for line in lines if line.supply.node in (builder[f"X{levels - 1}"], builder[f"Y{levels - 1}"])]
    assert [line.supply.quantity for line in bottom] == [2.0 ** (levels - 2)] * 2
    assert all(lines[line.parent].level == line.level - 1 for line in lines if line.parent >= 0)
