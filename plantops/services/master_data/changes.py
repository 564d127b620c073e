"""What an import or an edit may change of rows that exist: the unit of an item in use stays,
and rows whose values are all unchanged are not written again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, exists, select

from plantops.db.catalog import Item
from plantops.db.inventory import StockMove
from plantops.db.procurement import PurchaseOrderLine
from plantops.db.production import WorkOrder
from plantops.db.sales import SalesHistory, SalesOrderLine
from plantops.services.master_data.keys import KeyIndex

#: Records of an item's quantities in its unit: while any exists, the unit cannot change.
_IN_UNIT = (
    ("stock moves", StockMove.item_id),
    ("sales order lines", SalesOrderLine.item_id),
    ("sales history", SalesHistory.item_id),
    ("purchase order lines", PurchaseOrderLine.item_id),
    ("work orders", WorkOrder.item_id),
)
#: How many rows one comparison query reads at most (bound parameters stay well within every database's limit).
_CHUNK = 5000


def unit_changes_refused(
    connection: Connection, index: KeyIndex, items: Sequence[dict[str, Any]]
) -> list[tuple[int, str]]:
    """The positions among ``items`` (rows of the items sheet) whose unit would change for an item in use,
    each with the reason: 8,216 pcs must not silently become 8,216 kg."""
    existing = index.ids("items")
    units = index.ids("units")
    current: dict[str, int] = {code: unit_id for code, unit_id in connection.execute(select(Item.code, Item.unit_id))}
    refused = []
    for position, row in enumerate(items):
        code, unit = row["code"], row["unit"]
        if (code,) not in existing or unit is None or units.get((unit,)) == current.get(code):
            continue
        item_id = existing[(code,)]
        used = [name for name, column in _IN_UNIT if connection.scalar(select(exists().where(column == item_id)))]
        if used:
            was = index.code("units", current[code])
            refused.append(
                (
                    position,
                    f"item {code!r} has {', '.join(used)} in {was}; its unit cannot change to {unit!r} "
                    "(its quantities would silently change meaning)",
                )
            )
    return refused


def changed_rows(
    connection: Connection, table: Table, row_ids: Sequence[int], values: list[dict[str, Any]]
) -> list[int]:
    """The positions of the rows whose new ``values`` differ from what the database holds for ``row_ids``."""
    names = list(values[0]) if values else []
    held: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(row_ids), _CHUNK):
        chunk = row_ids[start : start + _CHUNK]
        query = select(table.c.id, *(table.c[name] for name in names)).where(table.c.id.in_(chunk))
        held.update({row[0]: tuple(row[1:]) for row in connection.execute(query)})
    return [
        position
        for position, (row_id, new) in enumerate(zip(row_ids, values, strict=True))
        if held.get(row_id) != tuple(new[name] for name in names)
    ]
