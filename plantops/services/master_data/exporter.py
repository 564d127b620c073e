"""Export master data: every sheet's rows in business codes, sorted by natural key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.inventory import StockBalance, StockMove
from plantops.services.master_data.keys import KeyIndex
from plantops.services.master_data.sheets import OPENING_STOCK, OPENING_STOCK_COLUMNS, SHEETS, Column, Sheet
from plantops.services.master_data.values import Kind


@dataclass(frozen=True)
class Table:
    """A sheet as text: its header, each column's kind and the formatted rows."""

    header: list[str]
    kinds: list[Kind]
    rows: list[list[str]]

    @classmethod
    def of(cls, columns: Sequence[Column], records: list[dict[str, Any]]) -> Table:
        return cls(
            [c.name for c in columns],
            [c.kind for c in columns],
            [[c.kind.format(r[c.name]) for c in columns] for r in records],
        )


def export_master_data(session: Session) -> dict[str, Table]:
    """All sheets in load order, plus the on-hand stock as ``opening_stock``."""
    index = KeyIndex(session)
    tables = {sheet.name: _export_sheet(session, sheet, index) for sheet in SHEETS}
    tables[OPENING_STOCK] = _export_stock(session, index)
    return tables


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)


def _export_sheet(session: Session, sheet: Sheet, index: KeyIndex) -> Table:
    model = sheet.model
    parent_keys = index.keys(sheet.parent.sheet) if sheet.parent else None
    records: list[dict[str, Any]] = []
    for obj in session.scalars(select(model)):
        record: dict[str, Any] = {}
        for column in sheet.columns:
            target = column.target
            if target is None:
                continue
            value = getattr(obj, target)
            record[column.name] = index.code(column.ref, value) if column.ref else value
        if sheet.parent is not None and parent_keys is not None:
            parent_key = parent_keys[getattr(obj, sheet.parent.attr)]
            record.update(zip(sheet.parent.columns, parent_key, strict=True))
        records.append(record)
    records.sort(key=lambda r: tuple(_sort_key(r[k]) for k in sheet.key))
    return Table.of(sheet.columns, records)


def _export_stock(session: Session, index: KeyIndex) -> Table:
    """On-hand per (item, location, lot) with the average unit cost of the moves there."""
    values: dict[tuple[int, int, int | None], Decimal] = defaultdict(Decimal)
    for item_id, location_id, lot_id, quantity, cost in session.execute(
        select(StockMove.item_id, StockMove.location_id, StockMove.lot_id, StockMove.quantity, StockMove.unit_cost)
    ):
        values[(item_id, location_id, lot_id)] += quantity * cost
    records = []
    for item_id, location_id, lot_id, on_hand in session.execute(
        select(StockBalance.item_id, StockBalance.location_id, StockBalance.lot_id, StockBalance.on_hand).where(
            StockBalance.on_hand != 0
        )
    ):
        total = values[(item_id, location_id, lot_id)]
        unit_cost: Decimal | None = None
        if on_hand:
            unit_cost = (total / on_hand).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)
        records.append(
            {
                "item": index.code("items", item_id),
                "location": index.code("locations", location_id),
                "lot": None if lot_id is None else index.keys("lots")[lot_id][1],
                "quantity": on_hand,
                "unit_cost": unit_cost,
            }
        )
    records.sort(key=lambda r: (r["item"], r["location"], _sort_key(r["lot"])))
    return Table.of(OPENING_STOCK_COLUMNS, records)
