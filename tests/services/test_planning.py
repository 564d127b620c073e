"""Plan runs through the planning service on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.planning import PlannedOrder, PlanRun
from plantops.db.procurement import PurchaseOrderLine
from plantops.db.production import WorkOrder
from plantops.errors import NotFoundError, PlantOpsError, ValidationError
from plantops.services import demo, master_data
from plantops.services.planning import pegging, queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import PlanExceptionKind, PlannedOrderStatus, Procurement
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

START = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant: 20 bikes due 2026-12-10, 7 on hand, frames made from tube (bought)."""
    master_data.import_path(ops.uow(), write_plant(tmp_path), posted_by="tester")
    return ops


@pytest.fixture
def busy_plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant with 300 bikes ordered: the tube on hand and on order runs out."""
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    master_data.import_path(ops.uow(), write_plant(tmp_path, {"sales_order_lines": lines}), posted_by="tester")
    return ops


def _count(ops: PlantOps, model: type) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_plan_nets_demand_against_stock_and_explodes_the_bom(plant: PlantOps) -> None:
    summary = runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    [bike] = queries.mrp_table(plant.uow(), item="BIKE")
    [tube] = queries.mrp_table(plant.uow(), item="TUBE")
    _, orders = queries.planned_orders(plant.uow())
    _, messages = queries.plan_exceptions(plant.uow(), item="TUBE")

    assert summary.number == "PLAN-000001"
    # forecast 15 in the first week, sales order 20 in the week of 7 Dec; 7 on hand, safety stock 5
    assert bike.rows["gross_requirements"][:3] == [15, 0, 20]
    assert bike.rows["planned_order_receipts"][:3] == [13, 0, 20]
    assert [(o.item, o.quantity) for o in orders] == [("BIKE", 13), ("FRAME", 50), ("BIKE", 20)]
    # 33 frames needed: 1 on hand and work order WO-1 (10) leave 22, the fixed order quantity is 50
    # 50 frames x 2.5 kg / (1 - 5 % scrap) of tube: 250.5 kg on hand cover it, so PO-1 is not needed
    assert tube.rows["gross_requirements"][0] == pytest.approx(50 * 2.5 / 0.95)
    assert [(m.kind, m.document) for m in messages] == [(PlanExceptionKind.CANCEL, "PO-1/1")]


def test_separation_runs_are_driven_by_the_co_product_that_needs_them(ops: PlantOps, tmp_path: Path) -> None:
    lines = MINIMAL_PLANT["sales_order_lines"] + "SO-1,2,SKIM,176,2026-12-10,1\n"
    master_data.import_path(ops.uow(), write_plant(tmp_path, {"sales_order_lines": lines}), posted_by="tester")

    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, orders = queries.planned_orders(ops.uow())

    # each run of B-MILK yields 10 kg cream and 88 kg skim from 100 kg milk: 176 kg skim take two runs
    [run] = [o for o in orders if o.item == "CREAM"]
    assert (run.kind, run.quantity, run.driver) == (Procurement.MAKE, 20, "SKIM")
    [milk] = [o for o in orders if o.item == "MILK"]
    assert (milk.kind, milk.quantity) == (Procurement.BUY, 200)


def test_a_failed_run_leaves_the_previous_plan_in_force(plant: PlantOps, monkeypatch: pytest.MonkeyPatch) -> None:
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    orders_before = _count(plant, PlannedOrder)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut while writing")

    monkeypatch.setattr(runs, "_write_exceptions", crash)
    with pytest.raises(RuntimeError):
        runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    assert _count(plant, PlanRun) == 1
    assert _count(plant, PlannedOrder) == orders_before
    assert queries.planned_orders(plant.uow())[0] == "PLAN-000001"


def test_firm_orders_are_kept_by_later_runs_and_released_ones_become_receipts(busy_plant: PlantOps) -> None:
    plant = busy_plant
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, orders = queries.planned_orders(plant.uow())
    tube = next(o for o in orders if o.item == "TUBE")
    frame = next(o for o in orders if o.item == "FRAME")

    queries.firm(plant.uow(), tube.number)
    released = queries.release(plant.uow(), frame.number, today=START)
    second = runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, again = queries.planned_orders(plant.uow())

    assert second.firm_orders_kept == 1
    kept = next(o for o in again if o.number == tube.number)
    assert kept.status is PlannedOrderStatus.FIRM and kept.quantity == tube.quantity
    assert released.released_as == f"WO-{frame.number}"

    def frames_due(views: list[queries.OrderView]) -> Decimal:
        return sum((o.quantity for o in views if o.item == "FRAME" and o.due_date == frame.due_date), Decimal(0))

    assert frames_due(orders) - frames_due(again) == frame.quantity
    with plant.uow() as uow:
        assert uow.session.scalar(select(WorkOrder.quantity).where(WorkOrder.number == released.released_as)) == 50


def test_a_carried_firm_order_is_found_by_its_item_and_its_old_number(busy_plant: PlantOps) -> None:
    plant = busy_plant
    first = runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, tubes = queries.planned_orders(plant.uow(), item="TUBE")
    _, everything = queries.planned_orders(plant.uow())
    assert tubes == [o for o in everything if o.item == "TUBE"]  # found through the MRP record's positions
    queries.firm(plant.uow(), tubes[0].number)
    second = runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    _, again = queries.planned_orders(plant.uow(), item="TUBE")
    assert {o.item for o in again} == {"TUBE"}
    assert tubes[0].number in {o.number for o in again}
    assert second.firm_orders_kept == 1
    with pytest.raises(ValidationError, match="already firm"):
        queries.firm(plant.uow(), tubes[0].number)
    released = queries.release(plant.uow(), tubes[0].number, today=START)
    assert released.released_as is not None and released.number == tubes[0].number
    missing = f"P{int(first.number.removeprefix('PLAN-'))}-999999"
    with pytest.raises(NotFoundError, match=missing):
        queries.firm(plant.uow(), missing)


def test_releasing_a_bought_order_makes_a_purchase_order_at_the_price_break(busy_plant: PlantOps) -> None:
    plant = busy_plant
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, orders = queries.planned_orders(plant.uow(), kind=Procurement.BUY)

    released = queries.release(plant.uow(), orders[0].number, today=START)

    with plant.uow() as uow:
        quantity, price = uow.session.execute(
            select(PurchaseOrderLine.quantity, PurchaseOrderLine.unit_price).order_by(PurchaseOrderLine.id.desc())
        ).first()  # type: ignore[misc]
    assert released.released_as is not None and released.released_as.startswith("PO-")
    assert quantity == orders[0].quantity
    assert price == (Decimal("2.4") if orders[0].quantity >= 1000 else Decimal("2.6"))
    with pytest.raises(ValidationError, match="already released"):
        queries.release(plant.uow(), orders[0].number, today=START)


def test_pegging_traces_orders_to_the_demands_they_serve(plant: PlantOps) -> None:
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, orders = queries.planned_orders(plant.uow())
    first, second = (o for o in orders if o.item == "BIKE")

    _, early = pegging.pegging(plant.uow(), first.number)
    _, late = pegging.pegging(plant.uow(), second.number)

    # supply meets demand first in, first out: stock and the first order serve the forecast and
    # the sales order's start; the second order the rest of the sales order and the safety stock
    assert [(p.kind, p.demand, p.quantity) for p in early] == [
        ("forecast", "forecast of the week of 2026-11-23", 8),
        ("sales_order", "SO-1/1", 5),
    ]
    assert [(p.kind, p.demand, p.quantity) for p in late] == [("sales_order", "SO-1/1", 15), ("safety_stock", None, 5)]


def test_no_plan_yet_and_bad_settings_are_clear_errors(plant: PlantOps) -> None:
    with pytest.raises(PlantOpsError, match="there is no plan yet"):
        queries.planned_orders(plant.uow())
    with pytest.raises(ValidationError, match="plan: weeks: must be at least 1"):
        runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=0), run_by="tester")


def test_every_exception_names_the_order_it_concerns_and_none_repeats_another(ops: PlantOps, tmp_path: Path) -> None:
    """300 bikes due in 17 days with a lead time of 30 and at most 100 an order: three orders of 100, past due."""
    header, *rows = MINIMAL_PLANT["items"].splitlines()
    rows = [row + (",100" if row.startswith("BIKE,") else ",") for row in rows]
    items = "\n".join([f"{header},max_order_quantity", *rows, ""]).replace("pcs,make,2,", "pcs,make,30,")
    lines = MINIMAL_PLANT["sales_order_lines"].replace("SO-1,1,BIKE,20,", "SO-1,1,BIKE,300,")
    master_data.import_path(
        ops.uow(), write_plant(tmp_path, {"items": items, "sales_order_lines": lines}), posted_by="t"
    )

    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    _, messages = queries.plan_exceptions(ops.uow(), item="BIKE")
    _, orders = queries.planned_orders(ops.uow(), item="BIKE")

    hundreds = {o.number for o in orders if o.quantity == 100 and o.release_date < START}
    past_due = [m for m in messages if m.kind is PlanExceptionKind.PAST_DUE]
    late = [m for m in messages if m.kind is PlanExceptionKind.LATE_DEMAND]
    assert len(hundreds) == 3
    assert {m.document for m in past_due} >= hundreds and {m.document for m in late} >= hundreds
    assert all(m.document in m.message for m in past_due + late)
    assert len(set(messages)) == len(messages)  # no row repeats another


def test_demo_plant_plans_its_separation_and_transfers(ops: PlantOps) -> None:
    demo.seed_demo_plant(ops.uow(), as_of=START, seed=42)

    summary = runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=26), run_by="tester")
    _, orders = queries.planned_orders(ops.uow())

    assert summary.planned_orders > 10
    # open orders alone (no forecast here) need no purchase: the plant's stock covers its suppliers' lead times
    assert {o.kind for o in orders} == {Procurement.MAKE, Procurement.TRANSFER}
    transfers = [o for o in orders if o.kind is Procurement.TRANSFER]
    assert {(o.site, o.source_site) for o in transfers} == {("DC-NORTH", "PLANT-BIKE")}
