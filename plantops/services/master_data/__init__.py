"""Master data exchange: every table as a sheet of business codes (CSV folder or XLSX).

Use cases: :func:`import_path` and :func:`export_path` for files, :func:`load` for
rows built in memory (the demo plants).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plantops.db.session import UnitOfWork
from plantops.services.master_data.exporter import export_master_data
from plantops.services.master_data.files import read_sheets, write_sheets
from plantops.services.master_data.importer import ImportReport, Progress, SheetRows, import_master_data

MasterData = dict[str, list[dict[str, Any]]]

__all__ = ["ImportReport", "MasterData", "Progress", "export_path", "import_path", "load"]


def import_path(uow: UnitOfWork, path: Path, *, posted_by: str, progress: Progress | None = None) -> ImportReport:
    """Import a CSV folder or an XLSX workbook: every row, or nothing if any is bad."""
    sheets = read_sheets(path)
    with uow:
        report = import_master_data(uow.session, sheets, posted_by=posted_by, progress=progress)
        uow.commit()
    return report


def export_path(uow: UnitOfWork, path: Path) -> dict[str, int]:
    """Write all master data to ``path``; returns the number of rows per sheet."""
    with uow:
        tables = export_master_data(uow.session)
    write_sheets(path, tables)
    return {name: len(table.rows) for name, table in tables.items()}


def load(
    uow: UnitOfWork, data: MasterData, *, source: str, posted_by: str, progress: Progress | None = None
) -> ImportReport:
    """Import rows built in memory, validated exactly as a file would be."""
    sheets = [SheetRows(name, f"{source}:{name}", rows) for name, rows in data.items()]
    with uow:
        report = import_master_data(uow.session, sheets, posted_by=posted_by, progress=progress)
        uow.commit()
    return report
