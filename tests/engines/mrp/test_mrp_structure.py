"""Multi-level explosion: scrap and yield, phantoms, effectivity, alternates, co-products, transfers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from plantops.engines.mrp import MrpPlan, OrderKind, plan
from plantops.errors import BomCycleError
from tests.engines.mrp.mrp_builder import Builder, week


def test_low_level_codes_put_an_item_below_its_deepest_user() -> None:
    builder = Builder()
    for name in "ABCD":
        builder.node(name)
    builder.bom("A", ("B", 1), ("D", 1))  # D is used by A (level 0) and by C (level 2)
    builder.bom("B", ("C", 1))
    builder.bom("C", ("D", 1))
    assert plan(builder.build()).low_level_codes.tolist() == [0, 1, 2, 3]


def test_a_cycle_in_the_bills_of_materials_is_reported() -> None:
    builder = Builder()
    for name in "ABC":
        builder.node(name)
    builder.bom("A", ("B", 1))
    builder.bom("B", ("C", 1))
    builder.bom("C", ("A", 1))
    with pytest.raises(BomCycleError):
        plan(builder.build())


def test_multi_level_explosion_with_batch_scrap_and_yield() -> None:
    # A: 40 due in bucket 3, lead time 1 week -> order 40 released in bucket 2.
    # A's BOM makes 2 per batch from 4 B (scrap 20 %) and 2 C: per A, 4 / 2 / 0.8 = 2.5 B and 1 C.
    # B: gross 100 in bucket 2, 10 on hand -> receipt 90; yield 0.8 -> order 112.5, released in bucket 1.
    # B's BOM: 3 D per B -> D gross 337.5 in bucket 1. C: gross 40 in bucket 2.
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B", lead_time=5, yield_rate=0.8)
    builder.node("C")
    builder.node("D")
    builder.bom("A", {"component": "B", "quantity": 4, "scrap": 0.2}, ("C", 2), quantity=2)
    builder.bom("B", ("D", 3))
    builder.stock("B", 10)
    builder.demand("A", 3, 40)
    result = plan(builder.build())
    assert result.gross_requirements[builder["B"]].tolist() == [0, 0, 100, 0, 0]
    assert result.planned_order_receipts[builder["B"]].tolist() == [0, 0, 90, 0, 0]
    assert result.planned_order_releases[builder["B"]].tolist() == [0, 112.5, 0, 0, 0]
    assert result.gross_requirements[builder["D"]].tolist() == [0, 337.5, 0, 0, 0]
    assert result.gross_requirements[builder["C"]].tolist() == [0, 0, 40, 0, 0]
    kinds = {result.orders.kind_of(i) for i in range(len(result.orders))}
    assert kinds == {OrderKind.MAKE, OrderKind.BUY}


def test_phantom_is_blown_through_after_using_its_own_stock() -> None:
    # A (lead time 1 week) needs 2 P per unit; P is a phantom made of 3 E with 10 P on hand.
    # A: 20 due in bucket 2 -> released in 1 -> P gross 40 in bucket 1 -> 30 net -> E gross 90 in bucket 1.
    builder = Builder(weeks=4)
    builder.node("A", lead_time=5)
    builder.node("P", phantom=True)
    builder.node("E")
    builder.bom("A", ("P", 2))
    builder.bom("P", ("E", 3))
    builder.stock("P", 10)
    builder.demand("A", 2, 20)
    result = plan(builder.build())
    assert result.gross_requirements[builder["P"]].tolist() == [0, 40, 0, 0]
    assert result.gross_requirements[builder["E"]].tolist() == [0, 90, 0, 0]
    assert builder["P"] not in result.orders.node.tolist()  # no planned orders for a phantom
    assert result.record(builder["P"]).planned_order_receipts.tolist() == [0, 30, 0, 0]  # blown through


def test_effectivity_switches_component_on_the_release_date() -> None:
    # B is valid until Monday of week 3, B2 from then on; A's orders release 1 week before due.
    builder = Builder(weeks=6)
    builder.node("A", lead_time=5)
    builder.node("B")
    builder.node("B2")
    builder.bom(
        "A",
        {"component": "B", "quantity": 1, "valid_to": week(3)},
        {"component": "B2", "quantity": 1, "valid_from": week(3)},
    )
    builder.demand("A", 2, 20)  # released Monday of week 1: B
    builder.demand("A", 4, 7)  # released Monday of week 3: B2
    result = plan(builder.build())
    assert result.gross_requirements[builder["B"]].tolist() == [0, 20, 0, 0, 0, 0]
    assert result.gross_requirements[builder["B2"]].tolist() == [0, 0, 0, 7, 0, 0]


def _alternates(b2_on_hand: float) -> tuple[Builder, MrpPlan]:
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B")
    builder.node("B2")
    builder.bom(
        "A",
        {"component": "B", "quantity": 1, "group": 1, "priority": 1},
        {"component": "B2", "quantity": 1, "group": 1, "priority": 2},
    )
    builder.stock("B", 5)
    builder.stock("B2", b2_on_hand)
    builder.demand("A", 2, 20)  # released in bucket 1
    builder.demand("A", 4, 10)  # released in bucket 3
    return builder, plan(builder.build())


def test_alternate_takes_the_shortfall_when_the_primary_is_short() -> None:
    # bucket 1: B has 5 -> takes 5; B2 has 30 -> takes the other 15. Bucket 3: B has nothing left, B2 takes 10.
    builder, result = _alternates(30)
    assert result.gross_requirements[builder["B"]].tolist() == [0, 5, 0, 0, 0]
    assert result.gross_requirements[builder["B2"]].tolist() == [0, 15, 0, 10, 0]
    assert len(result.orders_for([builder["B"], builder["B2"]])) == 0


def test_what_no_alternate_covers_goes_to_the_primary() -> None:
    # bucket 1: B 5 + B2 12, the 3 left to B; bucket 3: neither has stock, 10 to B -> B orders 3 and 10
    builder, result = _alternates(12)
    assert result.gross_requirements[builder["B"]].tolist() == [0, 8, 0, 10, 0]
    assert result.gross_requirements[builder["B2"]].tolist() == [0, 12, 0, 0, 0]
    assert result.planned_order_receipts[builder["B"]].tolist() == [0, 3, 0, 10, 0]


def _dairy(skim: dict[str, Any]) -> Builder:
    # One batch separates 100 l raw milk into 10 kg cream (the main product) and 85 l skim milk.
    builder = Builder(weeks=6)
    builder.node("cream", lead_time=5)
    builder.node("skim", **skim)
    builder.node("milk")
    separation = builder.bom("cream", ("milk", 100), quantity=10, outputs=(("skim", 85),))
    if skim.get("procurement") == "make":
        builder.node_rows[builder["skim"]]["bom"] = separation
    return builder


def test_separation_skim_demand_is_met_by_cream_runs() -> None:
    builder = _dairy({"procurement": "make", "lead_time": 5})
    builder.demand("cream", 2, 20)  # 2 batches: 170 l skim come with them
    builder.demand("skim", 2, 100)
    builder.demand("skim", 4, 300)  # 300 - 70 left = 230 l -> 230 / 85 batches, skim drives
    result = plan(builder.build())
    orders = result.orders_for([builder["cream"], builder["skim"]])
    assert orders.node.tolist() == [builder["cream"], builder["cream"]]  # runs are orders of the main product
    assert orders.driver.tolist() == [builder["cream"], builder["skim"]]
    assert orders.quantity.tolist() == pytest.approx([20, 230 / 85 * 10])
    assert result.planned_order_receipts[builder["skim"]].tolist() == pytest.approx([0, 0, 170, 0, 230, 0])
    assert result.projected_on_hand[builder["skim"]].tolist() == pytest.approx([0, 0, 70, 70, 0, 0])
    assert result.projected_on_hand[builder["cream"]][4] == pytest.approx(230 / 85 * 10)
    assert result.gross_requirements[builder["milk"]].tolist() == pytest.approx([0, 200, 0, 230 / 85 * 100, 0, 0])


def test_separation_run_covers_the_larger_of_two_needs_in_a_bucket() -> None:
    builder = _dairy({"procurement": "make"})
    builder.demand("cream", 2, 50)  # 5 batches
    builder.demand("skim", 2, 300)  # 3.53 batches
    result = plan(builder.build())
    runs = result.orders_for([builder["cream"], builder["skim"]])
    assert runs.quantity.tolist() == [50]
    assert runs.driver.tolist() == [builder["cream"]]
    assert result.projected_on_hand[builder["skim"]][2] == pytest.approx(5 * 85 - 300)


def test_bought_co_product_nets_the_runs_output_before_buying() -> None:
    builder = _dairy({"procurement": "buy", "lead_time": 5})
    builder.demand("cream", 2, 20)  # 170 l skim
    builder.demand("skim", 2, 300)  # 130 l to buy
    result = plan(builder.build())
    bought = result.orders_for([builder["skim"]])
    assert bought.quantity.tolist() == [130]
    assert bought.kind_of(0) == OrderKind.BUY
    assert result.planned_order_receipts[builder["skim"]].tolist() == [0, 0, 300, 0, 0, 0]


def test_transfer_from_the_plant_creates_dependent_demand_at_the_plant() -> None:
    # DC: 50 due in bucket 3, 1 week in transit -> planned transfer released in 2 -> plant gross 50 in 2;
    # the plant has 20 -> makes 30 due in bucket 2, released in 1 -> raw gross 60 (2 per unit) in bucket 1.
    builder = Builder(weeks=5, sites=2)
    builder.node("plant", lead_time=5)
    builder.node("dc", item=0, site=1, procurement="transfer", source="plant", lead_time=5)
    builder.node("raw")
    builder.bom("plant", ("raw", 2))
    builder.stock("plant", 20)
    builder.demand("dc", 3, 50)
    result = plan(builder.build())
    transfer = result.orders_for([builder["dc"]])
    assert transfer.kind_of(0) == OrderKind.TRANSFER
    assert transfer.source.tolist() == [builder["plant"]]
    assert result.gross_requirements[builder["plant"]].tolist() == [0, 0, 50, 0, 0]
    assert result.planned_order_receipts[builder["plant"]].tolist() == [0, 0, 30, 0, 0]
    assert result.gross_requirements[builder["raw"]].tolist() == [0, 60, 0, 0, 0]
    assert result.low_level_codes.tolist() == [1, 0, 2]


def test_firm_planned_order_is_kept_and_explodes() -> None:
    builder = Builder(weeks=5)
    builder.node("A", lead_time=5)
    builder.node("B")
    builder.bom("A", ("B", 2))
    builder.receipt("A", 3, 10, firm=True)
    builder.demand("A", 3, 4)
    result = plan(builder.build())
    assert len(result.orders_for([builder["A"]])) == 0
    assert result.scheduled_receipts[builder["A"]].tolist() == [0, 0, 0, 10, 0]
    assert result.gross_requirements[builder["B"]].tolist() == [0, 0, 20, 0, 0]


def test_preferred_supplier_sets_lead_time_minimum_and_supplier() -> None:
    builder = Builder(weeks=5)
    builder.node("R", lead_time=5)
    builder.supplier("R", supplier=7, lead_time=10, rank=2)
    builder.supplier("R", supplier=3, lead_time=15, rank=1, min_order_quantity=40)
    builder.demand("R", 4, 25)
    orders = plan(builder.build()).orders
    assert orders.supplier.tolist() == [3]
    assert orders.quantity.tolist() == [40]
    assert orders.release_bucket.tolist() == [1]  # 15 working days = 3 weeks before bucket 4
    assert np.array_equal(orders.due_date, [week(4)])
