"""Quota arrangements through import and a plan run: the planned buys' suppliers follow the shares."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.planning import PlannedOrder
from plantops.db.procurement import Supplier, SupplierItem
from plantops.errors import ImportRejectedError
from plantops.services import master_data
from plantops.services.planning import runs
from plantops.services.planning.problem import PlanRequest
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

START = dt.date(2026, 11, 23)  # a Monday
#: Raw milk forecast at 10 kg a week for ten weeks, bought 60 % from S1 (5 days) and 40 % from S2 (10 days).
QUOTA_PLANT = {
    "suppliers": MINIMAL_PLANT["suppliers"] + "S2,Dairy Co,EUR\n",
    "supplier_items": "supplier,item,lead_time_days,rank,quota_share\n"
    "S1,TUBE,10,1,\nS1,MILK,5,1,0.6\nS2,MILK,10,2,0.4\n",
    "demand_forecasts": MINIMAL_PLANT["demand_forecasts"]
    + "".join(f"MILK,P1,{dt.date(2026, 11, 30) + dt.timedelta(weeks=w)},10\n" for w in range(10)),
}


def test_planned_buys_follow_the_quota_shares(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path, QUOTA_PLANT), posted_by="tester")

    runs.run_plan(ops.uow(), PlanRequest(start=START, weeks=16), run_by="tester")

    with ops.uow() as uow:
        session = uow.session
        suppliers = {row.id: row.code for row in session.execute(select(Supplier.id, Supplier.code))}
        orders = session.execute(
            select(PlannedOrder.supplier_id, PlannedOrder.release_date, PlannedOrder.due_date, PlannedOrder.quantity)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(Item.code == "MILK")
            .order_by(PlannedOrder.due_date)
        ).all()
        shares = session.execute(select(SupplierItem.quota_share).where(SupplierItem.quota_share.is_not(None))).all()
    chosen = [suppliers[order.supplier_id] for order in orders]
    assert len(shares) == 2
    assert chosen == ["S1", "S2", "S1", "S1", "S2", "S1", "S2", "S1", "S1", "S2"]
    assert [float(order.quantity) for order in orders] == [10.0] * 10
    lead = {
        code: {(o.due_date - o.release_date).days for o, c in zip(orders, chosen, strict=True) if c == code}
        for code in ("S1", "S2")
    }
    assert max(lead["S1"]) < min(lead["S2"])  # each order released by its own supplier's lead time


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ("S1,MILK,5,1,0.6\nS2,MILK,10,2,0.3\n", "sum to 0.9"),
        ("S1,MILK,5,1,1.5\n", "quota_share"),
    ],
)
def test_bad_quota_shares_are_refused_naming_the_field(ops: PlantOps, tmp_path: Path, rows: str, reason: str) -> None:
    plant = {**QUOTA_PLANT, "supplier_items": "supplier,item,lead_time_days,rank,quota_share\n" + rows}

    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), write_plant(tmp_path, plant), posted_by="tester")

    assert "quota_share" in str(rejected.value)
    assert reason in str(rejected.value)
    with ops.uow() as uow:
        assert uow.session.scalar(select(SupplierItem.id)) is None


def test_a_later_import_is_checked_with_the_stored_shares_it_keeps(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "plant", QUOTA_PLANT), posted_by="tester")
    change = tmp_path / "change"
    change.mkdir()
    (change / "supplier_items.csv").write_text("supplier,item,lead_time_days,rank,quota_share\nS2,MILK,10,2,0.5\n")

    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), change, posted_by="tester")

    assert "quota_share" in str(rejected.value) and "sum to 1.1" in str(rejected.value)
    (change / "supplier_items.csv").write_text("supplier,item,lead_time_days,rank,quota_share\nS2,MILK,10,2,0.4\n")
    master_data.import_path(ops.uow(), change, posted_by="tester")
    with ops.uow() as uow:
        stored = uow.session.scalars(select(SupplierItem.quota_share).order_by(SupplierItem.rank)).all()
    assert sorted(float(share) for share in stored if share is not None) == [0.4, 0.6]
