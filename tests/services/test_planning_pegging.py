"""Pegging of the plan in force both ways: a sales order down to every order serving it, and
what limits it when late; a purchase or work order up to the demands it serves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plantops.bootstrap import PlantOps
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.planning import actions, pegging, queries, runs
from plantops.services.planning.problem import PlanRequest
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

START = dt.date(2026, 11, 23)  # a Monday; the plant works Mondays only (its one calendar has Monday shifts)


@pytest.fixture
def busy_plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """300 bikes due 2026-12-10: frames and tube run out, the tube on order (PO-1/1) comes a week late."""
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    master_data.import_path(ops.uow(), write_plant(tmp_path, {"sales_order_lines": lines}), posted_by="tester")
    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    return ops


def test_a_sales_order_line_pegs_down_through_every_level(busy_plant: PlantOps) -> None:
    run, [line] = pegging.demand_pegging(busy_plant.uow(), "SO-1/1")

    assert run == "PLAN-000001" and (line.demand, line.item, line.quantity) == ("SO-1/1", "BIKE", 300)
    top = [s for s in line.supply if s.level == 0]
    assert sum(s.quantity for s in top) == pytest.approx(300)
    assert {s.item for s in line.supply} == {"BIKE", "FRAME", "TUBE"}
    # each line below the top serves the line it names, one level up
    assert all(line.supply[s.parent].level == s.level - 1 for s in line.supply if s.level > 0)
    tube_receipts = [s for s in line.supply if s.kind == "receipt" and s.item == "TUBE"]
    assert {s.document for s in tube_receipts} == {"PO-1/1"}
    assert all(s.late == "material" and s.days_late == 7 for s in tube_receipts)  # due 30 Nov, needed 23 Nov


def test_a_late_demand_names_the_component_that_limits_it(busy_plant: PlantOps) -> None:
    _, [line] = pegging.demand_pegging(busy_plant.uow(), "SO-1")

    # tube's 10 working days (ten Mondays) put its order's release 70 days before today: the worst delay
    assert line.limit is not None
    assert (line.limit.cause, line.limit.item, line.limit.site) == ("lead time", "TUBE", "P1")
    assert "lead time of 10 working days" in line.limit.explanation
    assert "70 days before today" in line.limit.explanation


def test_demands_and_receipts_that_are_not_there_are_refused(busy_plant: PlantOps) -> None:
    with pytest.raises(NotFoundError, match="SO-9"):
        pegging.demand_pegging(busy_plant.uow(), "SO-9")
    with pytest.raises(NotFoundError, match="PO-9/1"):
        pegging.peg_up(busy_plant.uow(), "PO-9/1")


def test_purchase_and_work_orders_peg_up_to_the_demands_they_serve(busy_plant: PlantOps) -> None:
    receipt, pegs = pegging.peg_up(busy_plant.uow(), "PO-1")
    work, work_pegs = pegging.receipt_pegging(busy_plant.uow(), "WO-1")

    assert isinstance(receipt, pegging.ReceiptView)
    assert (receipt.document, receipt.item, receipt.quantity) == ("PO-1/1", "TUBE", 400)
    assert sum(p.quantity for p in pegs) == pytest.approx(400)
    assert {p.demand for p in pegs if p.kind == "sales_order"} == {"SO-1/1"}
    assert (work.document, work.kind, work.item) == ("WO-1", "work", "FRAME")
    assert sum(p.quantity for p in work_pegs) == pytest.approx(10)


def test_pegging_after_a_change_asks_for_a_new_run(busy_plant: PlantOps) -> None:
    _, orders = queries.planned_orders(busy_plant.uow(), item="FRAME")
    actions.change(busy_plant.uow(), orders[0].number, quantity=orders[0].quantity + 1)

    with pytest.raises(ValidationError, match="the plant changed since PLAN-000001"):
        pegging.demand_pegging(busy_plant.uow(), "SO-1/1")


def test_a_firm_order_carried_into_a_new_run_pegs_up_as_the_receipt_it_became(busy_plant: PlantOps) -> None:
    _, [tube] = queries.planned_orders(busy_plant.uow(), item="TUBE")
    queries.firm(busy_plant.uow(), tube.number)
    runs.run_plan(busy_plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    view, pegs = pegging.pegging(busy_plant.uow(), tube.number)

    assert view.number == tube.number and view.status.value == "firm"
    assert sum(p.quantity for p in pegs) == pytest.approx(float(tube.quantity))


def test_pages_of_orders_and_exceptions_sort_filter_and_count(busy_plant: PlantOps) -> None:
    run, total, biggest = queries.planned_order_page(busy_plant.uow(), sort=("-quantity", "item"), limit=2)
    _, frames, _ = queries.planned_order_page(busy_plant.uow(), item="FRAME", offset=5, limit=5)
    _, found, named = queries.exception_page(busy_plant.uow(), documents=["PO-1/1"])

    assert run == "PLAN-000001" and total == 10 and frames == 7
    assert [o.quantity for o in biggest] == [375, 300]
    assert found == 1 and named[0].number == "E1-5" and named[0].kind.value == "expedite"
    with pytest.raises(ValidationError, match="planned orders: sort: no column 'colour'"):
        queries.planned_order_page(busy_plant.uow(), sort=("colour",))
