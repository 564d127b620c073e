"""Master data import and export through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.catalog import Bom, Item
from plantops.db.inventory import StockMove
from plantops.errors import ImportRejectedError
from plantops.services import master_data
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant


def _count(ops: PlantOps, model: type) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _folder_text(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.csv"))}


def test_import_then_export_gives_back_every_row(ops: PlantOps, tmp_path: Path) -> None:
    report = master_data.import_path(ops.uow(), write_plant(tmp_path / "in"), posted_by="tester")

    assert report.inserted["items"] == 6
    assert report.inserted["bom_outputs"] == 1
    assert report.stock_lines == 3
    master_data.export_path(ops.uow(), tmp_path / "out")
    exported = _folder_text(tmp_path / "out")
    assert "B-MILK,SKIM,co_product,88,0.3\n" in exported["bom_outputs.csv"]
    assert "TUBE,P1/RM,L-001,250.5,2.5\n" in exported["opening_stock.csv"]
    assert "WELD,2026-12-01T05:00:00+00:00,2026-12-01T09:00:00+00:00,service\n" in exported["work_center_downtimes.csv"]
    assert "R-FRAME,10,ASM,45,30,2\n" in exported["routing_alternatives.csv"]


def test_export_of_an_import_of_an_export_is_identical(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "in"), posted_by="tester")
    master_data.export_path(ops.uow(), tmp_path / "first")
    ops.reset()
    master_data.import_path(ops.uow(), tmp_path / "first", posted_by="tester")
    master_data.export_path(ops.uow(), tmp_path / "second")

    assert _folder_text(tmp_path / "first") == _folder_text(tmp_path / "second")


def test_workbook_round_trip_matches_csv_export(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "in"), posted_by="tester")
    master_data.export_path(ops.uow(), tmp_path / "plant.xlsx")
    master_data.export_path(ops.uow(), tmp_path / "csv")
    ops.reset()
    master_data.import_path(ops.uow(), tmp_path / "plant.xlsx", posted_by="tester")
    master_data.export_path(ops.uow(), tmp_path / "again")

    assert _folder_text(tmp_path / "csv") == _folder_text(tmp_path / "again")


def test_reimport_updates_rows_by_code_and_posts_no_stock_twice(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "a"), posted_by="tester")
    moves = _count(ops, StockMove)
    renamed = MINIMAL_PLANT["items"].replace("BIKE,Bike,", "BIKE,City bike,")
    report = master_data.import_path(ops.uow(), write_plant(tmp_path / "b", {"items": renamed}), posted_by="tester")

    assert report.inserted["items"] == 0 and report.updated["items"] == 1  # only the renamed row changed
    assert report.stock_lines == 0
    assert _count(ops, StockMove) == moves
    with ops.uow() as uow:
        assert uow.session.scalar(select(Item.name).where(Item.code == "BIKE")) == "City bike"


BAD_ROWS = [
    (
        "opening_stock",
        "BIKE,P1/FG,,7,",
        "BIKE,P1/FG,,7.5,",
        "opening_stock.csv row 3: quantity: 7.5 has more decimals than the unit of 'BIKE' allows (0)",
    ),
    ("lots", "TUBE,L-001,", "BIKE,L-001,", "lots.csv row 2: item: item 'BIKE' is not lot- or serial-tracked"),
    (
        "purchase_order_lines",
        "PO-1,1,TUBE,500,100,",
        "PO-1,1,TUBE,500,600,",
        "purchase_order_lines.csv row 2: received_quantity: 600 is more than the ordered quantity 500",
    ),
    ("customers", "C1,City Cycles", "C1-" + "X" * 40 + ",City Cycles", "is longer than 32 characters"),
    (
        "items",
        "BIKE,Bike,finished_good,pcs,make,2,",
        "BIKE,Bike,finished_good,each,make,2,",
        "items.csv row 2: unit: unknown unit 'each'",
    ),
    (
        "bom_components",
        "B-FRAME,1,TUBE,2.5,",
        "B-FRAME,1,TUBE,-2.5,",
        "bom_components.csv row 3: quantity: must be greater than 0, got -2.5",
    ),
    (
        "sales_order_lines",
        "2026-12-10",
        "2026-13-10",
        "sales_order_lines.csv row 2: due_date: '2026-13-10' is not a date (YYYY-MM-DD)",
    ),
    ("sites", "Europe/Berlin", "Europe/Bonn", "sites.csv row 2: time_zone: 'Europe/Bonn' is not an IANA time zone"),
    (
        "units",
        "kg,kilogram,mass,3\n",
        "kg,kilogram,mass,3\nkg,kilo,mass,3\n",
        "units.csv row 4: code: duplicate of row 3 (code=kg)",
    ),
    (
        "bom_outputs",
        "co_product,88,0.3",
        "co_product,88,1.3",
        "bom_outputs.csv row 2: cost_share: must be at most 1, got 1.3",
    ),
    (
        "opening_stock",
        "TUBE,P1/RM,L-001,",
        "TUBE,P1/RM,,",
        "opening_stock.csv row 2: lot: item 'TUBE' is lot-tracked: give its lot",
    ),
    (
        "bom_components",
        "B-BIKE,1,FRAME,1,0,10",
        "B-BIKE,1,FRAME,1,0,20",
        "bom_components.csv row 2: operation_sequence: 20 is not an operation of routing 'R-BIKE'",
    ),
]


@pytest.mark.parametrize(("sheet", "old", "new", "message"), BAD_ROWS, ids=[b[0] + ":" + b[3][-25:] for b in BAD_ROWS])
def test_a_bad_row_rejects_the_whole_import_naming_file_row_and_field(
    ops: PlantOps, tmp_path: Path, sheet: str, old: str, new: str, message: str
) -> None:
    body = MINIMAL_PLANT[sheet]
    assert old in body
    folder = write_plant(tmp_path, {sheet: body.replace(old, new, 1)})

    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), folder, posted_by="tester")

    assert message in str(rejected.value)
    assert _count(ops, Item) == 0


def test_every_bad_row_is_listed_not_just_the_first(ops: PlantOps, tmp_path: Path) -> None:
    items = (
        MINIMAL_PLANT["items"]
        .replace(",pcs,make,2,", ",pcs,mkae,2,")
        .replace("MILK,Raw milk,raw_material,kg", "MILK,,raw_material,kg")
    )
    folder = write_plant(tmp_path, {"items": items, "customers": "code,name,phone\nC1,City Cycles,123\n"})

    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), folder, posted_by="tester")

    problems = {(p.source, p.row, p.field) for p in rejected.value.problems}
    assert {("items.csv", 2, "procurement"), ("items.csv", 5, "name"), ("customers.csv", 1, "phone")} <= problems


def test_bom_cycle_is_refused_and_named(ops: PlantOps, tmp_path: Path) -> None:
    components = MINIMAL_PLANT["bom_components"] + "B-FRAME,2,BIKE,1,0,\n"
    folder = write_plant(tmp_path, {"bom_components": components})

    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), folder, posted_by="tester")

    assert "BOM cycle: " in str(rejected.value)
    cycle = str(rejected.value).split("BOM cycle: ")[1].split(";")[0]
    assert cycle in ("BIKE -> FRAME -> BIKE", "FRAME -> BIKE -> FRAME")
    assert [(p.source, p.row) for p in rejected.value.problems] == [("bom_components.csv", 5)]  # the added line
    assert _count(ops, Item) == 0


def test_cycle_through_a_later_import_is_refused_against_stored_boms(ops: PlantOps, tmp_path: Path) -> None:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "a"), posted_by="tester")
    later = tmp_path / "b"
    later.mkdir()
    (later / "boms.csv").write_text("code,item,quantity\nB-TUBE,TUBE,1\n")
    (later / "bom_components.csv").write_text("bom,line,item,quantity\nB-TUBE,1,BIKE,1\n")

    with pytest.raises(ImportRejectedError, match=r"BOM cycle: .*TUBE"):
        master_data.import_path(ops.uow(), later, posted_by="tester")
    with ops.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Bom)) == 3
