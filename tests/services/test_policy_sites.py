"""Inventory policies per item and site: a run reads each site's planning data, applying writes each site's
policy into its item-site record; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item, ItemSite
from plantops.db.sites import Site
from plantops.errors import ValidationError
from plantops.services import item_sites, master_data
from plantops.services.item_sites import Source
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.runs import PolicyRequest
from plantops.vocabulary import LeadTimeBasis, LotSizeRule, PolicyMethod, Procurement, ReplenishmentPolicy
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

TODAY = dt.date(2026, 11, 23)  # a Monday
WEEKS = [TODAY - dt.timedelta(weeks=52 - w) for w in range(52)]
MONDAY_TO_FRIDAY = "calendar,weekday,kind,start_time,end_time,name\n" + "".join(
    f"TWO,{day},shift,06:00,14:00,early\n" for day in range(5)
)


def _sales(site: str, high: int, low: int) -> str:
    return "".join(f"BIKE,{site},{week},{high if w % 2 else low}\n" for w, week in enumerate(WEEKS))


#: The minimal plant with a DC: BIKE made at P1 (the item: make, lead time 2, safety stock 5, lot for lot)
#: and transferred to DC1 (lead time 3, safety stock 4); frames made at P1 in multiples of 40 there.
TWO_SITES = {
    "sites": MINIMAL_PLANT["sites"] + "DC1,Distribution center,distribution_center,Europe/Berlin\n",
    "locations": MINIMAL_PLANT["locations"] + "DC1/FG,DC stock,DC1,storage\n",
    "calendar_shifts": MONDAY_TO_FRIDAY,
    "sales_history": "item,site,period_start,quantity\n" + _sales("P1", 10, 20) + _sales("DC1", 30, 50),
    "demand_forecasts": "item,site,period_start,quantity\n",
    "item_sites": "item,site,procurement,transfer_from_site,lead_time_days,safety_stock,order_multiple\n"
    "BIKE,DC1,transfer,P1,3,4,\n"
    "FRAME,P1,,,,,40\n",
}


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path, TWO_SITES), posted_by="tester")
    return ops


def _lines(ops: PlantOps) -> dict[tuple[str, str], Any]:
    _, views = queries.policy_lines(ops.uow())
    return {(view.item, view.site): view.line for view in views}


def _item(ops: PlantOps, code: str) -> tuple[Decimal, LotSizeRule, Decimal | None, Procurement]:
    with ops.uow() as uow:
        item = uow.session.scalars(select(Item).where(Item.code == code)).one()
        return item.safety_stock, item.lot_size_rule, item.fixed_order_quantity, item.procurement


def test_a_run_reads_each_sites_lead_time_source_limits_and_safety_stock(plant: PlantOps) -> None:
    runs.compute_policies(plant.uow(), PolicyRequest(today=TODAY), computed_by="tester")
    lines = _lines(plant)

    assert set(lines) == {("BIKE", "DC1"), ("BIKE", "P1"), ("FRAME", "P1"), ("TUBE", "P1")}
    at_dc, at_plant = lines[("BIKE", "DC1")], lines[("BIKE", "P1")]
    assert (float(at_dc.lead_time_days), at_dc.lead_time_basis) == (3, LeadTimeBasis.ITEM)  # the DC's own
    assert float(at_plant.lead_time_days) == 2  # the item's
    assert (at_dc.before_safety_stock, at_plant.before_safety_stock) == (Decimal(4), Decimal(5))
    assert float(at_dc.demand_mean) == pytest.approx(40, abs=1e-6)
    # the plant supplies the DC (its transfer source) besides its own sales: 15 + 40 a week
    assert float(at_plant.demand_mean) == pytest.approx(55, abs=1e-6)
    assert lines[("FRAME", "P1")].order_quantity % 40 == 0  # the site's multiple


def test_apply_writes_each_sites_policy_and_keeps_the_item_and_the_sites_other_values(plant: PlantOps) -> None:
    runs.compute_policies(plant.uow(), PolicyRequest(today=TODAY), computed_by="tester")

    _, changes = apply.apply_policies(plant.uow(), items=("BIKE",), applied_by="planner")
    lines = _lines(plant)
    at = {site: item_sites.planning_at(plant.uow(), "BIKE", site) for site in ("DC1", "P1")}

    assert [(c.site, c.created) for c in changes] == [("DC1", False), ("P1", True)]
    assert changes[0].safety_stock == (Decimal(4), lines[("BIKE", "DC1")].new_safety_stock)
    assert at["DC1"]["safety_stock"] != at["P1"]["safety_stock"]
    for site in ("DC1", "P1"):
        line = lines[("BIKE", site)]
        assert at[site]["safety_stock"] == line.new_safety_stock
        assert at[site]["policy"] is ReplenishmentPolicy.REORDER_POINT
        assert (at[site]["reorder_point"], at[site]["order_quantity"]) == (line.reorder_point, line.order_quantity)
        assert at[site]["review_weeks"] == 1
    assert at["DC1"]["reorder_point"] != at["P1"]["reorder_point"]
    assert at["DC1"].settings["lead_time_days"] == item_sites.Setting(Decimal(3), Source.SITE)  # kept
    assert at["DC1"].settings["procurement"] == item_sites.Setting(Procurement.TRANSFER, Source.SITE)
    assert at["P1"].settings["lead_time_days"] == item_sites.Setting(Decimal(2), Source.ITEM)  # "as the item"
    assert _item(plant, "BIKE") == (Decimal(5), LotSizeRule.LOT_FOR_LOT, None, Procurement.MAKE)
    with pytest.raises(ValidationError, match="BIKE: item: the policy of POL-000001 at DC1 was applied"):
        apply.apply_policies(plant.uow(), items=("BIKE",))
    _, rest = apply.apply_policies(plant.uow())  # every line not applied yet: the frame's and the tube's
    assert [(c.item, c.site) for c in rest] == [("FRAME", "P1"), ("TUBE", "P1")]


@pytest.mark.parametrize(
    ("method", "policy"),
    [
        (PolicyMethod.PERIODIC, ReplenishmentPolicy.MIN_MAX),
        (PolicyMethod.BASE_STOCK, ReplenishmentPolicy.MIN_MAX),
        (PolicyMethod.GUARANTEED_SERVICE, None),
    ],
)
def test_each_method_is_applied_as_the_policy_mrp_carries_out(
    plant: PlantOps, method: PolicyMethod, policy: ReplenishmentPolicy | None
) -> None:
    runs.compute_policies(plant.uow(), PolicyRequest(today=TODAY, method=method), computed_by="tester")

    apply.apply_policies(plant.uow(), items=("BIKE",))
    line = _lines(plant)[("BIKE", "DC1")]
    at_dc = item_sites.planning_at(plant.uow(), "BIKE", "DC1")
    _, [explained] = queries.explain(plant.uow(), "BIKE", site="DC1", simulated=False)

    assert at_dc["policy"] is policy and at_dc["safety_stock"] == line.new_safety_stock
    match method:
        case PolicyMethod.PERIODIC:
            assert (at_dc["reorder_point"], at_dc["order_up_to"]) == (line.reorder_point, line.order_up_to)
            assert at_dc["reorder_point"] < at_dc["order_up_to"] and at_dc["order_quantity"] is None
        case PolicyMethod.BASE_STOCK:
            assert at_dc["reorder_point"] == at_dc["order_up_to"] == line.order_up_to  # s = S
        case PolicyMethod.GUARANTEED_SERVICE:
            assert at_dc["reorder_point"] is None and at_dc["review_weeks"] is None
    expected = "carries out (s, S)" if policy else f"nets against safety stock {float(line.new_safety_stock):g}"
    assert f"at DC1 MRP now {expected}" in explained.paragraphs[-1]


def test_a_stale_line_is_refused_by_its_sites_values_and_nothing_is_written(plant: PlantOps) -> None:
    runs.compute_policies(plant.uow(), PolicyRequest(today=TODAY), computed_by="tester")
    with plant.uow() as uow:  # the DC's safety stock changes after the run; the item's stays
        dc = uow.session.scalar(select(Site.id).where(Site.code == "DC1"))
        uow.session.scalars(select(ItemSite).where(ItemSite.site_id == dc)).one().safety_stock = Decimal(6)
        uow.commit()

    with pytest.raises(ValidationError, match=r"BIKE: safety_stock: changed at DC1 from 4\.?0* to 6\.?0* since POL"):
        apply.apply_policies(plant.uow())
    with plant.uow() as uow:
        records = uow.session.execute(
            select(ItemSite.site_id, ItemSite.safety_stock, ItemSite.policy)
            .join(Item, Item.id == ItemSite.item_id)
            .where(Item.code == "BIKE")
        ).all()

    assert records == [(dc, Decimal(6), None)]  # no record made at P1, none changed at DC1
    assert all(line.applied_at is None for line in _lines(plant).values())
    # the item's own value is what the plant's line compares, the DC's own what the DC's does: with the
    # item's changed, the DC's line (applied first) passes and the plant's is refused
    runs.compute_policies(plant.uow(), PolicyRequest(today=TODAY), computed_by="tester")
    with plant.uow() as uow:
        uow.session.scalars(select(Item).where(Item.code == "BIKE")).one().safety_stock = Decimal(8)
        uow.commit()
    with pytest.raises(ValidationError, match=r"BIKE: safety_stock: changed at P1 from 5\.?0* to 8"):
        apply.apply_policies(plant.uow(), items=("BIKE",))


def test_the_item_transferred_from_its_own_site_is_made_there_and_a_site_may_buy_what_the_item_makes(
    ops: PlantOps, tmp_path: Path
) -> None:
    header, *rows = MINIMAL_PLANT["items"].splitlines()
    items = "\n".join(
        [f"{header},transfer_from_site"]
        + [row.replace(",make,", ",transfer,") + ",P1" if row.startswith("BIKE,") else row + "," for row in rows]
    )
    sheets = {**TWO_SITES, "items": items + "\n", "item_sites": "item,site,procurement\nFRAME,P1,buy\n"}
    master_data.import_path(ops.uow(), write_plant(tmp_path, sheets), posted_by="tester")

    summary = runs.compute_policies(ops.uow(), PolicyRequest(today=TODAY), computed_by="tester")
    lines = _lines(ops)

    # the item says "transferred from P1": the DC takes it from P1, and P1 makes it (from frames it buys)
    assert set(lines) == {("BIKE", "DC1"), ("BIKE", "P1"), ("FRAME", "P1")}
    assert float(lines[("FRAME", "P1")].demand_mean) == pytest.approx(55, abs=1e-6)
    assert all(skipped.item != "TUBE" for skipped in summary.skipped)  # no node: nothing uses tube
