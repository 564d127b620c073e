"""Master data files: a folder of CSV files (one per sheet) or one XLSX workbook.

CSV files are UTF-8 with a header row; a byte-order mark (as Excel writes) is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from plantops.errors import PlantOpsError
from plantops.services.master_data.exporter import Table
from plantops.services.master_data.importer import SheetRows
from plantops.services.master_data.sheets import SHEET_NAMES
from plantops.services.master_data.values import DATE, INTEGER, NUMBER, Kind


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx"


def read_sheets(path: Path) -> list[SheetRows]:
    """Read a CSV folder or an XLSX workbook into rows of raw cells."""
    if not path.exists():
        raise PlantOpsError(f"{path}: no such file or folder")
    if is_workbook(path):
        return _read_workbook(path)
    if not path.is_dir():
        raise PlantOpsError(f"{path}: give a folder of CSV files or an .xlsx workbook")
    return _read_folder(path)


def write_sheets(path: Path, tables: dict[str, Table]) -> None:
    """Write ``tables`` as an XLSX workbook (``*.xlsx``) or a folder of CSV files."""
    if is_workbook(path):
        _write_workbook(path, tables)
    else:
        _write_folder(path, tables)


def _read_folder(folder: Path) -> list[SheetRows]:
    sheets = []
    for csv_path in sorted(folder.glob("*.csv")):
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            rows = [_row(header, cells) for cells in reader if any(_filled(c) for c in cells)]
        sheets.append(SheetRows(csv_path.stem, csv_path.name, rows))
    if not sheets:
        raise PlantOpsError(f"{folder}: no CSV files (expected some of: {', '.join(SHEET_NAMES)})")
    return sheets


def _row(header: list[str], cells: Sequence[Any]) -> dict[str, Any]:
    row = {name.strip(): cell for name, cell in zip(header, cells, strict=False)}
    extra = [c for c in cells[len(header) :] if c is not None and str(c).strip() != ""]
    if extra:
        row["(cells beyond the header)"] = extra
    return row


def _read_workbook(path: Path) -> list[SheetRows]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise PlantOpsError(f"{path}: not a readable XLSX workbook ({error})") from None
    sheets = []
    for worksheet in workbook.worksheets:
        rows_iter = worksheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows_iter, ())]
        while header and header[-1] == "":
            header.pop()
        rows = [_row(header, cells) for cells in rows_iter if any(_filled(c) for c in cells)]
        sheets.append(SheetRows(worksheet.title, f"{path.name}:{worksheet.title}", rows))
    workbook.close()
    return sheets


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _write_folder(folder: Path, tables: dict[str, Table]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.header)
            writer.writerows(table.rows)


def _write_workbook(path: Path, tables: dict[str, Table]) -> None:
    workbook = Workbook(write_only=True)
    for name, table in tables.items():
        worksheet = workbook.create_sheet(name)
        worksheet.append(table.header)
        for row in table.rows:
            worksheet.append([_cell(kind, text) for kind, text in zip(table.kinds, row, strict=True)])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _cell(kind: Kind, text: str) -> Any:
    """A native spreadsheet cell for numbers and dates, where it keeps the exact value."""
    if text == "":
        return None
    if kind is INTEGER:
        return int(text)
    if kind is NUMBER:
        number = float(text)
        return number if Decimal(repr(number)) == Decimal(text) else text
    if kind is DATE:
        return dt.date.fromisoformat(text)
    return text
