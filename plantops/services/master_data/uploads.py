"""Files sent from a browser or over HTTP, read as an import reads a folder: CSV files named
after their sheets, or one XLSX workbook; and who may write each sheet.

The rows are read, not imported: the caller checks the writer's rights on the sheets named
(:func:`check_rights`) and imports them with :func:`.records.import_records`.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from plantops.errors import PlantOpsError, ValidationError
from plantops.services.access import Permission, Principal, allowed
from plantops.services.master_data.files import read_sheets
from plantops.services.master_data.importer import SheetRows
from plantops.services.master_data.sheets import OPENING_STOCK, SHEETS

#: Who may write each sheet; None: read only (lots come with receipts, purchase and work
#: orders with the release of planned orders).
WRITE_PERMISSION: dict[str, Permission | None] = {
    **{sheet.name: Permission.MANAGE_MASTER_DATA for sheet in SHEETS},
    "work_center_downtimes": Permission.REPORT_DISRUPTION,
    "sales_orders": Permission.TAKE_ORDERS,
    "sales_order_lines": Permission.TAKE_ORDERS,
    "demand_forecasts": Permission.FORECAST,
    "purchase_approval_limits": Permission.MANAGE_USERS,
    "lots": None,
    "purchase_orders": None,
    "purchase_order_lines": None,
    "work_orders": None,
}
#: Who may import each sheet: an import may also bring lots and open purchase and work orders.
IMPORT_PERMISSION: dict[str, Permission] = {
    **{name: permission or Permission.MANAGE_MASTER_DATA for name, permission in WRITE_PERMISSION.items()},
    OPENING_STOCK: Permission.POST_STOCK,
}


class NotAllowedToImportError(PlantOpsError):
    """A file holds a sheet its sender may not write."""


def check_rights(principal: Principal, sheets: Iterable[str]) -> None:
    """Refuse an import of ``sheets`` by ``principal`` unless their roles grant what each needs."""
    for name in sheets:
        needed = IMPORT_PERMISSION.get(name, Permission.MANAGE_MASTER_DATA)
        if not allowed(principal, needed):
            raise NotAllowedToImportError(f"{principal.username} may not {needed.value}, which importing {name} needs")


def read_uploads(files: Sequence[tuple[str, bytes]]) -> list[SheetRows]:
    """The sheets in uploaded ``files`` (name, content): CSV files, or one workbook."""
    if not files:
        raise ValidationError("import", "files", "choose a workbook or CSV files")
    names = [Path(name).name for name, _ in files]
    workbooks = [name for name in names if name.lower().endswith(".xlsx")]
    if len(workbooks) > 1 or (workbooks and len(files) > 1):
        raise ValidationError("import", "files", "send one workbook, or CSV files")
    for name in names:
        if not name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError("import", "files", f"{name or 'a file'} is neither .csv nor .xlsx")
    with tempfile.TemporaryDirectory(prefix="plantops-import-") as folder:
        for name, (_, content) in zip(names, files, strict=True):
            (Path(folder) / name).write_bytes(content)
        target = Path(folder) / workbooks[0] if workbooks else Path(folder)
        try:
            return read_sheets(target)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ValidationError("import", "files", f"not readable as UTF-8 CSV: {error}") from None
