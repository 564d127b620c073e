"""Master data files: a folder of CSV files (one per sheet) or one XLSX workbook.

CSV files are UTF-8 (or UTF-16 with its byte-order mark) with a header row, commas between
cells and a point as the decimal separator (``1.5``; ``1,5`` and ``1 000`` are refused as
numbers, never read as 15 or 1000); a byte-order mark (as Excel writes) is accepted. A file
in another encoding, a binary file, an empty file, a file over :data:`MAX_CSV_BYTES` or a
cell over :data:`MAX_CELL_CHARACTERS` is refused naming the file (and the line).

Text cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are written with a leading apostrophe, following
OWASP's rule against CSV injection, and read back without it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from plantops.errors import PlantOpsError
from plantops.services.master_data.exporter import Table
from plantops.services.master_data.importer import SheetRows
from plantops.services.master_data.sheets import SHEET_NAMES
from plantops.services.master_data.values import DATE, INTEGER, NUMBER, TEXT, Kind

#: The largest CSV file an import reads (about a million rows of sales history). Reading
#: takes memory in proportion (a 10 MB file of sales history took 0.8 GB), so a larger
#: file is refused before it is read.
MAX_CSV_BYTES = 16 * 1024 * 1024
#: The longest cell a CSV file may hold (the csv module's own limit, which refuses longer ones).
MAX_CELL_CHARACTERS = csv.field_size_limit()
#: What a spreadsheet takes for the start of a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        reader = csv.reader(io.StringIO(_csv_text(csv_path), newline=""))
        try:
            header = next(reader, [])
            rows = [_row(header, cells) for cells in reader if any(_filled(c) for c in cells)]
        except csv.Error as error:
            raise PlantOpsError(f"{csv_path.name} line {reader.line_num}: not a readable CSV row ({error})") from None
        if not header:
            raise PlantOpsError(f"{csv_path.name}: the file is empty; it needs at least its header row")
        sheets.append(SheetRows(csv_path.stem, csv_path.name, rows))
    if not sheets:
        raise PlantOpsError(f"{folder}: no CSV files (expected some of: {', '.join(SHEET_NAMES)})")
    return sheets


def _csv_text(path: Path) -> str:
    """The text of a CSV file, refused with a reason unless it is a bounded UTF-8 or UTF-16 text."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise PlantOpsError(
            f"{path.name}: {size:,} bytes, more than the {MAX_CSV_BYTES:,} a CSV file may have: "
            "import its rows in parts (an import inserts or updates by code)"
        )
    data = path.read_bytes()
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlantOpsError(
            f"{path.name} line {line}: not {encoding.removesuffix('-sig').upper()} text "
            f"(byte 0x{data[error.start]:02x}); save the file as CSV UTF-8"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise PlantOpsError(f"{path.name} line {line}: a NUL character; this is a binary file, not CSV text")
    return text


def _row(header: list[str], cells: Sequence[Any]) -> dict[str, Any]:
    cells = [_unescaped(cell) for cell in cells]
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


def csv_bytes(table: Table) -> bytes:
    """``table`` as the text of a CSV file of the exchange format, in UTF-8."""
    text = io.StringIO(newline="")
    _write_csv(text, table)
    return text.getvalue().encode("utf-8")


def workbook_bytes(tables: dict[str, Table]) -> bytes:
    """``tables`` as an XLSX workbook of the exchange format, one sheet each."""
    target = io.BytesIO()
    _write_sheets_to(target, tables)
    return target.getvalue()


def _write_folder(folder: Path, tables: dict[str, Table]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            _write_csv(handle, table)


def _write_csv(handle: Any, table: Table) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(_escaped_rows(table))


def _write_workbook(path: Path, tables: dict[str, Table]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:  # a path that cannot be written fails before any sheet is built
        _write_sheets_to(target, tables)


def _write_sheets_to(target: Any, tables: dict[str, Table]) -> None:
    workbook = Workbook(write_only=True)
    for name, table in tables.items():
        worksheet = workbook.create_sheet(name)
        worksheet.append(table.header)
        for row in _escaped_rows(table):
            worksheet.append([_cell(kind, text) for kind, text in zip(table.kinds, row, strict=True)])
    workbook.save(target)


def _escaped_rows(table: Table) -> Iterator[list[str]]:
    """The rows with every text cell that a spreadsheet would take for a formula escaped."""
    textual = [kind is TEXT for kind in table.kinds]
    for row in table.rows:
        yield [_escaped(cell) if is_text else cell for cell, is_text in zip(row, textual, strict=True)]


def _escaped(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _unescaped(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


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
