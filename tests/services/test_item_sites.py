"""Planning data per item and site: import, effective values with their source, and MRP per site."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.sites import Location, Site
from plantops.db.transfers import TransferOrder, TransferOrderLine
from plantops.errors import ImportRejectedError
from plantops.services import demo, item_sites, master_data
from plantops.services.item_sites import Source
from plantops.services.planning import queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.vocabulary import LocationKind, LotSizeRule, OrderStatus, Procurement
from tests.services.minimal_plant import MINIMAL_PLANT, WITH_A_DC, write_plant

START = dt.date(2026, 11, 23)  # a Monday

TWO_SITES = {
    **WITH_A_DC,
    "item_sites": "item,site,procurement,transfer_from_site,lead_time_days,lot_size_rule,fixed_order_quantity,"
    "safety_stock,planner_code,abc_class\n"
    "BIKE,DC1,transfer,P1,3,,,4,DC-PLAN,A\n"
    "BIKE,P1,,,,fixed_order_quantity,25,0,,\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    """The minimal plant and a DC: BIKE made at P1 (item: make, safety stock 5), transferred to DC1."""
    master_data.import_path(ops.uow(), write_plant(tmp_path, TWO_SITES), posted_by="tester")
    return ops


def test_a_site_value_overrides_the_item_and_says_so(plant: PlantOps) -> None:
    at_dc = item_sites.planning_at(plant.uow(), "BIKE", "DC1")
    at_plant = item_sites.planning_at(plant.uow(), "BIKE", "P1")

    assert at_dc.settings["procurement"] == item_sites.Setting(Procurement.TRANSFER, Source.SITE)
    assert at_dc["transfer_from_site"] == "P1"
    assert at_dc.settings["lead_time_days"] == item_sites.Setting(Decimal(3), Source.SITE)
    assert at_dc.settings["lot_size_rule"] == item_sites.Setting(LotSizeRule.LOT_FOR_LOT, Source.ITEM)
    assert at_dc["planner_code"] == "DC-PLAN"
    assert at_plant.settings["procurement"] == item_sites.Setting(Procurement.MAKE, Source.ITEM)
    assert at_plant.settings["safety_stock"] == item_sites.Setting(Decimal(0), Source.SITE)
    assert at_plant.settings["lead_time_days"] == item_sites.Setting(Decimal(2), Source.ITEM)
    assert at_plant.settings["policy"].source is Source.NONE
    assert [p.site for p in item_sites.planning_of_item(plant.uow(), "BIKE")] == ["DC1", "P1"]


def test_a_transfer_item_is_made_at_its_own_source(plant: PlantOps, tmp_path: Path) -> None:
    items = MINIMAL_PLANT["items"].replace("BIKE,Bike,finished_good,pcs,make,", "BIKE,Bike,finished_good,pcs,transfer,")
    items = items.replace("transfer_from_site", "").replace(
        "code,name,item_type,unit,procurement,", "code,name,item_type,unit,procurement,transfer_from_site,"
    )
    items = "\n".join(
        line if i == 0 else line.replace(",transfer,", ",transfer,P1,") if line.startswith("BIKE") else _blank(line)
        for i, line in enumerate(items.splitlines())
    )
    master_data.import_path(
        plant.uow(), write_plant(tmp_path / "again", {**TWO_SITES, "items": items + "\n"}), posted_by="tester"
    )

    at_plant = item_sites.planning_at(plant.uow(), "BIKE", "P1")

    assert at_plant.settings["procurement"] == item_sites.Setting(Procurement.MAKE, Source.DERIVED)
    assert at_plant["transfer_from_site"] is None


def _blank(line: str) -> str:
    """An item row of the minimal plant with an empty transfer_from_site after its procurement."""
    code, name, kind, unit, procurement, *rest = line.split(",")
    return ",".join([code, name, kind, unit, procurement, "", *rest])


def test_mrp_plans_each_site_with_its_own_parameters(plant: PlantOps) -> None:
    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")

    _, orders = queries.planned_orders(plant.uow(), item="BIKE")
    transfers = [o for o in orders if o.kind is Procurement.TRANSFER]
    made = [o for o in orders if o.kind is Procurement.MAKE]

    # DC1 fills its own safety stock of 4 at once, then 30 for SO-2, by transfer from P1, released
    # 3 working days (its own lead time, not the item's 2) before they are due
    assert [(o.site, o.quantity) for o in transfers] == [("DC1", 4), ("DC1", 30)]
    assert transfers[1].release_date == dt.date(2026, 12, 9)
    # P1 makes in lots of 25 (its own rule) and keeps no safety stock (its own 0, not the item's 5):
    # 15 forecast + 4 shipped, less 7 on hand, is 12 (one lot); 20 sold + 30 shipped, less 13 left, is 37 (two)
    assert [(o.site, o.quantity) for o in made if o.item == "BIKE"] == [("P1", 25)] * 3


def test_an_open_transfer_is_a_receipt_at_its_destination_and_demand_at_its_source(plant: PlantOps) -> None:
    with plant.uow() as uow:
        session = uow.session
        site = {row.code: row.id for row in session.execute(select(Site.code, Site.id))}
        bike = session.scalar(select(Item.id).where(Item.code == "BIKE"))
        order = session.execute(
            insert(TransferOrder)
            .values(
                number="TO-1",
                from_site_id=site["P1"],
                to_site_id=site["DC1"],
                status=OrderStatus.OPEN,
                order_date=START,
                ship_date=dt.date(2026, 12, 1),
                due_date=dt.date(2026, 12, 4),
                created_by="tester",
            )
            .returning(TransferOrder.id)
        ).scalar_one()
        session.execute(
            insert(TransferOrderLine).values(
                order_id=order, line=1, item_id=bike, quantity=30, shipped_quantity=10, received_quantity=0
            )
        )
        session.execute(
            insert(Location).values(
                code="DC1-TRANSIT", name="In transit", site_id=site["DC1"], kind=LocationKind.TRANSIT
            )
        )
        uow.commit()

    runs.run_plan(plant.uow(), PlanRequest(start=START, weeks=8), run_by="tester")
    [dc] = queries.mrp_table(plant.uow(), item="BIKE", site="DC1")
    [p1] = queries.mrp_table(plant.uow(), item="BIKE", site="P1")

    assert dc.rows["scheduled_receipts"][1] == 30  # all 30 arrive in the week of 30 Nov
    assert p1.rows["gross_requirements"][1] == 20  # 20 still to ship from P1 that week
    assert sum(dc.rows["planned_order_receipts"]) == 4  # 30 due, 30 coming: only the safety stock


def test_a_bad_item_site_names_the_field_and_imports_nothing(plant: PlantOps, tmp_path: Path) -> None:
    bad = (
        "item,site,procurement,transfer_from_site,policy,reorder_point,order_quantity,order_up_to\n"
        "BIKE,DC1,transfer,,,,,\n"
        "BIKE,P1,,P1,,,,\n"
        "TUBE,P1,,,min_max,50,,40\n"
        "FRAME,P1,,,,10,,\n"
    )
    with pytest.raises(ImportRejectedError) as raised:
        master_data.import_path(
            plant.uow(), write_plant(tmp_path / "bad", {**TWO_SITES, "item_sites": bad}), posted_by="tester"
        )

    text = str(raised.value)
    assert "transfer_from_site" in text and "is required where the item is supplied by transfer" in text
    assert "P1 cannot supply itself" in text
    assert "order_up_to" in text and "is below reorder_point" in text
    assert "needs a policy" in text
    assert item_sites.planning_at(plant.uow(), "TUBE", "P1")["policy"] is None


def test_the_demo_dcs_min_max_item_is_planned_exactly_by_its_policy(ops: PlantOps) -> None:
    """SPARE-PADS-DISC at DC-NORTH: min-max, s = 30, S = 60, reviewed weekly, from PLANT-BIKE."""
    demo.seed_demo_plant(ops.uow(), as_of=START, seed=42)
    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=26), run_by="tester")
    policy = item_sites.planning_at(ops.uow(), "SPARE-PADS-DISC", "DC-NORTH")
    [record] = queries.mrp_table(ops.uow(), item="SPARE-PADS-DISC", site="DC-NORTH")
    rows = record.rows

    s, big_s = float(policy["reorder_point"]), float(policy["order_up_to"])
    position = rows["projected_on_hand"][0] + rows["gross_requirements"][0] - rows["planned_order_receipts"][0]
    position += sum(rows["scheduled_receipts"]) - rows["scheduled_receipts"][0]
    expected = []
    for demand in rows["gross_requirements"]:  # review at the start of each week, before its demand
        order = big_s - position if position <= s else 0.0
        expected.append(order)
        position += order - demand
    released = rows["planned_order_releases"]

    assert policy.settings["policy"].value == "min_max"
    assert any(expected)  # the open orders take the position to s within the horizon
    assert released[: len(expected) - 1] == expected[: len(expected) - 1]  # the last week's is due after the horizon
    assert all(q == 0 or q <= big_s - s + max(rows["gross_requirements"]) for q in released)
