"""Projected stock and available-to-promise from the ledger and open orders, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Item
from plantops.db.inventory import StockBalance
from plantops.db.sites import Location
from plantops.errors import NotFoundError, ValidationError
from plantops.services import master_data
from plantops.services.inventory.availability import projected_stock
from tests.services.minimal_plant import MINIMAL_PLANT

START = dt.date(2026, 11, 30)  # a Monday; weeks start 11-30, 12-07, 12-14, 12-21

# Added to the minimal plant (which already holds 7 BIKE at P1/FG and SO-1: 20 BIKE due
# 2026-12-10 at P1). Every row that must be left out says why.
EXTRA: dict[str, str] = {
    "sites": "code,name,kind,time_zone\nP2,Plant two,warehouse,Europe/Paris\n",
    "locations": "code,name,site,kind\nP2/FG,Finished goods,P2,storage\n",
    "sales_orders": "number,customer,site,status,order_date\n"
    "SO-2,C1,P1,open,2026-11-01\n"
    "SO-3,C1,P2,open,2026-11-01\n"
    "SO-4,C1,P1,closed,2026-11-01\n",
    "sales_order_lines": "order,line,item,quantity,shipped_quantity,due_date\n"
    "SO-2,1,BIKE,10,4,2026-11-20\n"  # 6 past due
    "SO-2,2,BIKE,5,5,2026-12-02\n"  # shipped in full
    "SO-3,1,BIKE,50,0,2026-12-01\n"  # at P2
    "SO-4,1,BIKE,99,0,2026-12-02\n",  # closed order
    "purchase_orders": "number,supplier,site,status,order_date\n"
    "PO-2,S1,P1,confirmed,2026-11-02\n"
    "PO-3,S1,P1,cancelled,2026-11-02\n",
    "purchase_order_lines": "order,line,item,quantity,received_quantity,unit_price,due_date\n"
    "PO-2,1,BIKE,30,10,100,2026-12-15\n"  # 20 to come in week 3
    "PO-3,1,BIKE,40,0,100,2026-12-15\n",  # cancelled
    "work_orders": "number,item,bom,site,status,quantity,completed_quantity,start_date,due_date\n"
    "WO-2,BIKE,B-BIKE,P1,released,25,5,2026-12-01,2026-12-08\n"  # 20 in week 2
    "WO-3,BIKE,B-BIKE,P1,completed,30,30,2026-12-01,2026-12-09\n"  # done
    "WO-4,BIKE,B-BIKE,P1,planned,10,0,2027-01-25,2027-02-01\n",  # beyond the horizon
    "opening_stock": "item,location,lot,quantity,unit_cost\nBIKE,P2/FG,,100,240\n",
}


def _rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def plant(ops: PlantOps) -> PlantOps:
    data = {name: _rows(text) for name, text in MINIMAL_PLANT.items()}
    for name, text in EXTRA.items():
        data[name] = [*data.get(name, []), *_rows(text)]
    master_data.load(ops.uow(), data, source="test", posted_by="t")
    with ops.uow() as uow:  # 3 of the 7 BIKE at P1/FG set aside for an order
        bike = uow.session.scalar(select(Item.id).where(Item.code == "BIKE"))
        p1_fg = uow.session.scalar(select(Location.id).where(Location.code == "P1/FG"))
        uow.session.execute(
            update(StockBalance)
            .where(StockBalance.item_id == bike, StockBalance.location_id == p1_fg)
            .values(reserved=Decimal(3))
        )
        uow.commit()
    return ops


def test_site_projection_counts_only_that_sites_stock_and_open_orders(plant: PlantOps) -> None:
    projection = projected_stock(plant.uow(), item="BIKE", site="P1", start=START, weeks=4)

    # Week 1: 6 past due (SO-2/1). Week 2: SO-1 20 against WO-2 20. Week 3: PO-2/1 20.
    # POH: 7 - 6 = 1; 1 + 20 - 20 = 1; 1 + 20 = 21; 21.
    # ATP_1 = 7 - 6 = 1; ATP_2 = 20 - 20 = 0; ATP_3 = 20 - 0 = 20.
    assert (projection.on_hand, projection.reserved) == (Decimal(7), Decimal(3))
    assert [p.start for p in projection.periods] == [START + dt.timedelta(days=7 * w) for w in range(4)]
    assert [p.demand for p in projection.periods] == [Decimal(6), Decimal(20), Decimal(0), Decimal(0)]
    assert [p.receipts for p in projection.periods] == [Decimal(0), Decimal(20), Decimal(20), Decimal(0)]
    assert [p.projected_on_hand for p in projection.periods] == [Decimal(1), Decimal(1), Decimal(21), Decimal(21)]
    assert [p.atp for p in projection.periods] == [Decimal(1), Decimal(0), Decimal(20), Decimal(0)]
    assert [p.cumulative_atp for p in projection.periods] == [Decimal(1), Decimal(1), Decimal(21), Decimal(21)]
    assert projection.periods[0].demand_labels == ("SO-2/1",)
    assert projection.periods[1].receipt_sources == ("WO-2",)
    assert projection.periods[2].receipt_sources == ("PO-2/1",)
    assert projection.past_due_demand == Decimal(6)
    assert projection.beyond_horizon_receipts == Decimal(10)


def test_projection_over_all_sites_adds_the_other_sites_stock_and_orders(plant: PlantOps) -> None:
    projection = projected_stock(plant.uow(), item="BIKE", site=None, start=START, weeks=4)

    # On hand 7 + 100; week 1 demand 6 + 50 (SO-3 at P2).
    assert projection.on_hand == Decimal(107)
    assert projection.periods[0].demand == Decimal(56)
    assert [p.projected_on_hand for p in projection.periods] == [Decimal(51), Decimal(51), Decimal(71), Decimal(71)]
    assert [p.atp for p in projection.periods] == [Decimal(51), Decimal(0), Decimal(20), Decimal(0)]


def test_projection_keeps_fractional_quantities_exact(plant: PlantOps) -> None:
    # 250.5 kg of TUBE on hand and PO-1: 500 - 100 = 400 due 2026-11-30.
    projection = projected_stock(plant.uow(), item="TUBE", site="P1", start=START, weeks=1)

    assert projection.periods[0].projected_on_hand == Decimal("650.5")
    assert projection.periods[0].atp == Decimal("650.5")


@pytest.mark.parametrize(
    ("item", "site", "weeks", "error", "text"),
    [
        ("NOPE", "P1", 4, NotFoundError, "unknown item 'NOPE'"),
        ("BIKE", "P9", 4, NotFoundError, "unknown site 'P9'"),
        ("BIKE", "P1", 0, ValidationError, "projection: weeks: must be at least 1"),
    ],
)
def test_bad_request_names_what_is_wrong(
    plant: PlantOps, item: str, site: str, weeks: int, error: type[Exception], text: str
) -> None:
    with pytest.raises(error) as raised:
        projected_stock(plant.uow(), item=item, site=site, start=START, weeks=weeks)

    assert str(raised.value) == text
