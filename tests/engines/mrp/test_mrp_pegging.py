"""Pegging: orders to end demands over all levels, demands to the supply that covers them."""

from __future__ import annotations

import numpy as np
import pytest

from plantops.engines.mrp import PegKind, SupplyKind, peg, plan, supply_of
from tests.engines.mrp.mrp_builder import Builder, random_problem


def test_supply_of_follows_first_in_first_out_by_due_date_and_priority() -> None:
    # on hand 10, receipt 20 due in bucket 2 (needed in 1); sales 5 (priority 1) and 15 in bucket 1;
    # forecast 30 in bucket 3 -> planned order 20 in bucket 3.
    builder = Builder(weeks=5)
    builder.node("A")
    builder.stock("A", 10)
    builder.receipt("A", 2, 20)
    big = builder.demand("A", 1, 15, priority=5)
    urgent = builder.demand("A", 1, 5, priority=1)
    forecast = builder.demand("A", 3, 30, forecast=True)
    result = plan(builder.build())
    assert [(s.kind, s.quantity) for s in supply_of(result, urgent)] == [(SupplyKind.ON_HAND, 5.0)]
    assert [(s.kind, s.quantity) for s in supply_of(result, big)] == [
        (SupplyKind.ON_HAND, 5.0),
        (SupplyKind.RECEIPT, 10.0),
    ]
    covering = supply_of(result, forecast)
    assert [(s.kind, s.quantity) for s in covering] == [(SupplyKind.RECEIPT, 10.0), (SupplyKind.PLANNED_ORDER, 20.0)]
    assert covering[1].order == 0


def test_component_order_pegs_to_the_parents_end_demands_with_excess() -> None:
    # A: sales 10 (bucket 2) and 20 (bucket 3), lead time 1 week -> orders of 10 and 20 released in 1 and 2.
    # B: 2 per A -> 20 and 40; one fixed lot of 100 in bucket 1 covers both, 40 are excess.
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B", lot_size_rule="fixed_order_quantity", fixed_order_quantity=100)
    builder.bom("A", ("B", 2))
    first = builder.demand("A", 2, 10)
    second = builder.demand("A", 3, 20)
    result = plan(builder.build())
    [order] = np.flatnonzero(result.orders.node == builder["B"]).tolist()
    lines = {(line.kind, line.demand): line.quantity for line in peg(result, order)}
    assert lines == pytest.approx(
        {(PegKind.SALES_ORDER, first): 20.0, (PegKind.SALES_ORDER, second): 40.0, (PegKind.EXCESS, None): 40.0}
    )


def test_pegging_passes_through_a_phantom_and_a_transfer() -> None:
    builder = Builder(weeks=6, sites=2)
    builder.node("A", lead_time=5)
    builder.node("dc", item=0, site=1, procurement="transfer", source="A", lead_time=5)
    builder.node("P", phantom=True)
    builder.node("E")
    builder.bom("A", ("P", 2))
    builder.bom("P", ("E", 3))
    sale = builder.demand("dc", 4, 10)
    result = plan(builder.build())
    [order] = np.flatnonzero(result.orders.node == builder["E"]).tolist()
    assert [(line.kind, line.node, line.demand, line.quantity) for line in peg(result, order)] == [
        (PegKind.SALES_ORDER, builder["dc"], sale, 60.0)
    ]


def test_safety_stock_is_pegged_last() -> None:
    builder = Builder(weeks=3)
    builder.node("A", safety_stock=5)
    sale = builder.demand("A", 1, 10)
    result = plan(builder.build())
    # 5 restore the safety stock in bucket 0, 10 more arrive for the sale in bucket 1; first in, first out
    # the sale takes the first 5 and 5 of the second order, whose other 5 keep the safety stock.
    assert result.orders.quantity.tolist() == [5, 10]
    assert [(line.kind, line.quantity) for line in peg(result, 0)] == [(PegKind.SALES_ORDER, 5.0)]
    lines = {(line.kind, line.demand): line.quantity for line in peg(result, 1)}
    assert lines == {(PegKind.SALES_ORDER, sale): 5.0, (PegKind.SAFETY_STOCK, None): 5.0}


def test_co_product_demand_pegs_to_the_run_that_yields_it() -> None:
    builder = Builder(weeks=4)
    builder.node("cream")
    builder.node("skim")
    builder.node("milk")
    bom = builder.bom("cream", ("milk", 100), quantity=10, outputs=(("skim", 85),))
    builder.node_rows[builder["skim"]].update(bom=bom, procurement="make")
    builder.demand("cream", 2, 20)
    skim = builder.demand("skim", 2, 100)
    result = plan(builder.build())
    covering = supply_of(result, skim)
    assert [(s.kind, s.node, s.quantity) for s in covering] == [(SupplyKind.CO_PRODUCT, builder["skim"], 100.0)]
    [run] = np.flatnonzero(result.orders.node == builder["cream"]).tolist()
    assert covering[0].order == run


@pytest.mark.parametrize("seed", range(12))
def test_pegs_of_every_order_add_up_to_its_receipt(seed: int) -> None:
    result = plan(random_problem(np.random.default_rng(seed)))
    for order in range(len(result.orders)):
        total = sum(line.quantity for line in peg(result, order))
        assert total == pytest.approx(result.orders.receipt_quantity[order], rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_supply_of_every_sales_line_adds_up_to_its_quantity(seed: int) -> None:
    result = plan(random_problem(np.random.default_rng(seed)))
    demands = result.problem.demands
    horizon = result.problem.settings
    inside = (demands.date < horizon.horizon_end) & ~demands.forecast
    for line in np.flatnonzero(inside).tolist():
        total = sum(s.quantity for s in supply_of(result, line))
        assert total == pytest.approx(demands.quantity[line])


def test_peg_rejects_an_order_that_is_not_in_the_plan() -> None:
    builder = Builder(weeks=2)
    builder.node("A")
    with pytest.raises(IndexError):
        peg(plan(builder.build()), 0)
