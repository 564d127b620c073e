"""Import master data: validate every row of every sheet, then write all or nothing.

Rows are inserted, or update the row with the same natural key. Validation runs to the
end and reports every bad row with its file (or sheet) and row number; if there is any,
nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.bulk import bulk_insert
from plantops.db.catalog import Bom, BomComponent, BomOutput, Item, RoutingOperation, Unit
from plantops.db.procurement import Supplier, SupplierItem
from plantops.engines.bom.structure import BomStructure, find_cycle
from plantops.errors import ImportRejectedError, RowProblem
from plantops.services.inventory.counted import CountedStock, post_counted_stock
from plantops.services.inventory.ledger import Posting
from plantops.services.master_data.changes import changed_rows, unit_changes_refused
from plantops.services.master_data.keys import Key, KeyIndex
from plantops.services.master_data.sheets import (
    OPENING_STOCK,
    OPENING_STOCK_COLUMNS,
    SHEETS,
    SHEETS_BY_NAME,
    Column,
    Sheet,
)
from plantops.services.master_data.values import BadValue
from plantops.vocabulary import LotSizeRule, MoveType, Procurement, ReplenishmentPolicy, Tracking


@dataclass
class SheetRows:
    """Rows of one sheet as read from a file; ``first_row`` is the number of the first one."""

    name: str
    source: str
    rows: list[dict[str, Any]]
    first_row: int = 2


@dataclass
class ImportReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    stock_lines: int = 0

    @property
    def total(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values()) + self.stock_lines


@dataclass
class _Parsed:
    """A sheet's good rows after reading, column by column, with their row numbers."""

    spec_name: str
    source: str
    columns: dict[str, list[Any]]
    row_numbers: list[int]

    @functools.cached_property
    def values(self) -> list[dict[str, Any]]:
        """The same rows, one dictionary each (for rules that read several fields)."""
        names = list(self.columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*self.columns.values(), strict=True)]


class _Problems:
    def __init__(self) -> None:
        self.items: list[RowProblem] = []

    def add(self, source: str, row: int, field_name: str, reason: str) -> None:
        self.items.append(RowProblem(source, row, field_name, reason))

    def in_order(self) -> list[RowProblem]:
        """By file in the order they were read, then by row."""
        first_seen: dict[str, int] = {}
        for problem in self.items:
            first_seen.setdefault(problem.source, len(first_seen))
        return sorted(self.items, key=lambda p: (first_seen[p.source], p.row))


Progress = Callable[[str], None]
"""Told the name of each step as it starts (validation, then each sheet written)."""


def import_master_data(
    session: Session, sheets: Iterable[SheetRows], *, posted_by: str, progress: Progress | None = None
) -> ImportReport:
    """Validate and write ``sheets`` in ``session``; the caller commits.

    Raises :class:`ImportRejectedError` listing every bad row; then nothing was written.
    """
    step = progress or (lambda _name: None)
    step("validate")
    problems = _Problems()
    by_name: dict[str, SheetRows] = {}
    for sheet_rows in sheets:
        if sheet_rows.name not in SHEETS_BY_NAME and sheet_rows.name != OPENING_STOCK:
            problems.add(sheet_rows.source, 1, "sheet", f"unknown sheet {sheet_rows.name!r}")
        elif sheet_rows.name in by_name:
            problems.add(sheet_rows.source, 1, "sheet", f"sheet {sheet_rows.name!r} given twice")
        else:
            by_name[sheet_rows.name] = sheet_rows

    parsed: dict[str, _Parsed] = {}
    for sheet in SHEETS:
        if sheet.name in by_name:
            parsed[sheet.name] = _parse(by_name[sheet.name], sheet.columns, sheet.key, problems, sheet.model)
    stock = by_name.get(OPENING_STOCK)
    parsed_stock = _parse(stock, OPENING_STOCK_COLUMNS, ("item", "location", "lot"), problems) if stock else None

    index = KeyIndex(session)
    _check_references(parsed, parsed_stock, index, problems)
    _check_rules(parsed, problems)
    _check_quota_shares(session, parsed, problems)
    _check_boms(session, parsed, index, problems)
    _check_tracking(session, parsed, parsed_stock, index, problems)
    if "items" in parsed:
        items = parsed["items"]
        for position, reason in unit_changes_refused(session.connection(), index, items.values):
            problems.add(items.source, items.row_numbers[position], "unit", reason)
    if problems.items:
        raise ImportRejectedError(problems.in_order())

    report = ImportReport()
    for sheet in SHEETS:
        if sheet.name in parsed:
            step(sheet.name)
            _write(session, sheet, parsed[sheet.name], index, report)
    if parsed_stock is not None:
        step(OPENING_STOCK)
        report.stock_lines = _post_opening_stock(session, parsed_stock, index, posted_by)
    return report


# --- reading -------------------------------------------------------------------------


def _parse(
    sheet_rows: SheetRows, columns: tuple[Column, ...], key: tuple[str, ...], problems: _Problems, model: Any = None
) -> _Parsed:
    source = sheet_rows.source
    rows = sheet_rows.rows
    known = {c.name for c in columns}
    present: set[str] = set()
    for row in rows:
        present.update(row)
    for unknown in sorted(present - known):
        problems.add(source, 1, unknown, f"unknown column (expected: {', '.join(c.name for c in columns)})")

    # Column by column: a column whose cells all have their final type is checked at once
    # (kind, bounds, length); any other column is read cell by cell, naming each bad cell.
    first = sheet_rows.first_row
    bad: set[int] = set()
    read: dict[str, list[Any]] = {}
    for column in columns:
        cells = [row.get(column.name) for row in rows]
        checked = _read_column_at_once(column, model, cells)
        read[column.name] = (
            checked if checked is not None else _read_cells(column, model, cells, first, source, problems, bad)
        )

    keys = list(zip(*(read[k] for k in key), strict=True))
    if len(set(keys)) != len(keys) or bad:
        seen: dict[Key, int] = {}
        for offset, row_key in enumerate(keys):
            if offset in bad:
                continue
            if row_key in seen:
                named = ", ".join(f"{k}={v}" for k, v in zip(key, row_key, strict=True))
                problems.add(source, first + offset, key[-1], f"duplicate of row {seen[row_key]} ({named})")
                bad.add(offset)
                continue
            seen[row_key] = first + offset
    good = [i for i in range(len(rows)) if i not in bad] if bad else None
    kept = read if good is None else {name: [cells[i] for i in good] for name, cells in read.items()}
    numbers = [first + i for i in (good if good is not None else range(len(rows)))]
    return _Parsed(sheet_rows.name, source, kept, numbers)


def _read_column_at_once(column: Column, model: Any, cells: list[Any]) -> list[Any] | None:
    """The column's values if every cell already has its final type and passes every check; else None."""
    filled = [c for c in cells if c is not None]
    if len(filled) < len(cells) and column.required:
        return None
    values = column.kind.accept_all(filled)
    if values is None:
        return None
    _, _, _, default, check = _reader(column, model)
    if check is not None and filled:
        try:
            check_extremes = column.kind.extremes(filled)
            for value in check_extremes:
                check(value)
        except BadValue:
            return None
    if len(filled) == len(cells):
        return cells
    return [default if c is None else c for c in cells]


def _read_cells(
    column: Column, model: Any, cells: list[Any], first: int, source: str, problems: _Problems, bad: set[int]
) -> list[Any]:
    name, parse, required, default, check = _reader(column, model)
    values = [default] * len(cells)
    for offset, raw in enumerate(cells):
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if required:
                problems.add(source, first + offset, name, "is required")
                bad.add(offset)
            continue
        try:
            value = parse(raw)
            if check is not None:
                check(value)
        except BadValue as error:
            problems.add(source, first + offset, name, str(error))
            bad.add(offset)
            continue
        values[offset] = value
    return values


Reader = tuple[str, Callable[[Any], Any], bool, Any, Callable[[Any], None] | None]


def _reader(column: Column, model: Any) -> Reader:
    """How one column's cells are read: name, parser, required, default and a check of the value."""
    length = None
    if model is not None and column.target is not None:
        length = getattr(model.__table__.c[column.target].type, "length", None)
    bounded = any(b is not None for b in (column.gt, column.ge, column.lt, column.le))

    def check(value: Any) -> None:
        if bounded:
            _check_bounds(column, value)
        if length is not None and len(value) > length:
            raise BadValue(f"{value!r} is longer than {length} characters")

    needs_check = bounded or (length is not None and not column.ref)
    return column.name, column.kind.parse, column.required, column.default, check if needs_check else None


def _check_bounds(column: Column, value: Any) -> None:
    if column.gt is not None and not value > column.gt:
        raise BadValue(f"must be greater than {column.gt}, got {value}")
    if column.ge is not None and not value >= column.ge:
        raise BadValue(f"must be at least {column.ge}, got {value}")
    if column.lt is not None and not value < column.lt:
        raise BadValue(f"must be less than {column.lt}, got {value}")
    if column.le is not None and not value <= column.le:
        raise BadValue(f"must be at most {column.le}, got {value}")


# --- validation ----------------------------------------------------------------------


def _known_keys(sheet_name: str, parsed: dict[str, _Parsed], index: KeyIndex) -> set[Key]:
    keys = set(index.ids(sheet_name))
    if sheet_name in parsed:
        spec = SHEETS_BY_NAME[sheet_name]
        keys.update(zip(*(parsed[sheet_name].columns[k] for k in spec.key), strict=True))
    return keys


def _check_references(parsed: dict[str, _Parsed], stock: _Parsed | None, index: KeyIndex, problems: _Problems) -> None:
    """Every code names a row that exists or comes in the same import (column by column)."""
    known: dict[str, set[Any]] = {}

    def known_for(sheet_name: str, single: bool) -> set[Any]:
        name = f"{sheet_name}:{single}"
        if name not in known:
            keys = _known_keys(sheet_name, parsed, index)
            known[name] = {k[0] for k in keys} if single else keys
        return known[name]

    targets: list[tuple[_Parsed, tuple[Column, ...], Sheet | None]] = [
        (p, SHEETS_BY_NAME[n].columns, SHEETS_BY_NAME[n]) for n, p in parsed.items()
    ]
    if stock is not None:
        targets.append((stock, OPENING_STOCK_COLUMNS, None))
    for data, columns, sheet in targets:
        for column in (c for c in columns if c.ref):
            cells = data.columns[column.name]
            unknown = set(cells) - known_for(column.ref or "", True) - {None}
            if unknown:
                kind = (column.ref or "").rstrip("s").replace("_", " ")
                for code, number in zip(cells, data.row_numbers, strict=True):
                    if code in unknown:
                        problems.add(data.source, number, column.name, f"unknown {kind} {code!r}")
        if sheet is not None and sheet.parent is not None:
            parent = sheet.parent
            parent_keys = list(zip(*(data.columns[c] for c in parent.columns), strict=True))
            missing = set(parent_keys) - known_for(parent.sheet, False)
            for parent_key, number in zip(parent_keys, data.row_numbers, strict=True):
                if parent_key in missing:
                    label = ", ".join(f"{c}={v}" for c, v in zip(parent.columns, parent_key, strict=True))
                    what = parent.sheet.rstrip("s").replace("_", " ")
                    problems.add(data.source, number, parent.columns[-1], f"no {what} with {label}")


RowRule = Callable[[dict[str, Any]], Iterable[tuple[str, str]]]


def _item_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if row["procurement"] is Procurement.TRANSFER and row["transfer_from_site"] is None:
        yield "transfer_from_site", "is required for an item supplied by transfer"
    yield from _lot_size_rules(row)


def _item_site_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """An item-site's own values must make sense together; what it leaves empty is the item's."""
    if row["procurement"] is Procurement.TRANSFER and row["transfer_from_site"] is None:
        yield "transfer_from_site", "is required where the item is supplied by transfer"
    if row["transfer_from_site"] is not None and row["transfer_from_site"] == row["site"]:
        yield "transfer_from_site", f"{row['site']} cannot supply itself"
    if row["transfer_from_site"] is not None and row["procurement"] not in (None, Procurement.TRANSFER):
        yield "transfer_from_site", f"is only for procurement transfer, not {row['procurement']}"
    yield from _lot_size_rules({"ordering_cost": 0, "holding_cost_rate": 0, **row})
    policy = row["policy"]
    if policy is None:
        for name in ("reorder_point", "order_quantity", "order_up_to", "review_weeks"):
            if row[name] is not None:
                yield name, "needs a policy (reorder_point or min_max)"
        return
    if row["reorder_point"] is None:
        yield "reorder_point", f"is required by policy {policy}"
    if policy is ReplenishmentPolicy.REORDER_POINT:
        if row["order_quantity"] is None:
            yield "order_quantity", "is required by policy reorder_point"
        if row["order_up_to"] is not None:
            yield "order_up_to", "belongs to policy min_max, not reorder_point"
    else:
        if row["order_up_to"] is None:
            yield "order_up_to", "is required by policy min_max"
        elif row["reorder_point"] is not None and row["order_up_to"] < row["reorder_point"]:
            yield "order_up_to", f"{row['order_up_to']} is below reorder_point {row['reorder_point']}"
        if row["order_quantity"] is not None:
            yield "order_quantity", "belongs to policy reorder_point, not min_max"


def _lot_size_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    rule = row["lot_size_rule"]
    if rule is LotSizeRule.FIXED_ORDER_QUANTITY and row["fixed_order_quantity"] is None:
        yield "fixed_order_quantity", "is required by lot_size_rule fixed_order_quantity"
    if rule is LotSizeRule.PERIOD_ORDER_QUANTITY and row["order_periods"] is None:
        yield "order_periods", "is required by lot_size_rule period_order_quantity"
    if rule is LotSizeRule.ECONOMIC_ORDER_QUANTITY:
        for needed in ("ordering_cost", "holding_cost_rate"):
            if row[needed] is None:
                yield needed, "is required by lot_size_rule economic_order_quantity"
    high = row["max_order_quantity"]
    if high is not None:
        for lower in ("min_order_quantity", "fixed_order_quantity", "order_multiple"):
            if row[lower] is not None and row[lower] > high:
                yield "max_order_quantity", f"{high} is below {lower} {row[lower]}"


def _site_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    try:
        zoneinfo.ZoneInfo(row["time_zone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        yield "time_zone", f"{row['time_zone']!r} is not an IANA time zone (e.g. Europe/Berlin)"


def _effectivity_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if row["valid_from"] is not None and row["valid_to"] is not None and row["valid_from"] >= row["valid_to"]:
        yield "valid_to", f"{row['valid_to']} is not after valid_from {row['valid_from']}"


def _window_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if row["ends_at"] <= row["starts_at"]:
        yield "ends_at", f"{row['ends_at'].isoformat()} is not after starts_at {row['starts_at'].isoformat()}"


def _conversion_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if row["from_unit"] == row["to_unit"]:
        yield "to_unit", "converts a unit to itself"


def _work_order_rules(row: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if row["due_date"] < row["start_date"]:
        yield "due_date", f"{row['due_date']} is before start_date {row['start_date']}"
    yield from _not_beyond_ordered(row, "completed_quantity")


def _not_beyond_ordered(row: dict[str, Any], done: str) -> Iterable[tuple[str, str]]:
    if row[done] > row["quantity"]:
        yield done, f"{row[done]} is more than the ordered quantity {row['quantity']}"


RULES: dict[str, RowRule] = {
    "items": _item_rules,
    "item_sites": _item_site_rules,
    "sites": _site_rules,
    "boms": _effectivity_rules,
    "bom_components": _effectivity_rules,
    "work_center_downtimes": _window_rules,
    "unit_conversions": _conversion_rules,
    "work_orders": _work_order_rules,
    "sales_order_lines": lambda row: _not_beyond_ordered(row, "shipped_quantity"),
    "purchase_order_lines": lambda row: _not_beyond_ordered(row, "received_quantity"),
}


def _check_rules(parsed: dict[str, _Parsed], problems: _Problems) -> None:
    for name, rule in RULES.items():
        data = parsed.get(name)
        if data is None:
            continue
        for values, number in zip(data.values, data.row_numbers, strict=True):
            for field_name, reason in rule(values):
                problems.add(data.source, number, field_name, reason)


#: How far the quota shares of one item's supplier items may be from summing to 1 (as MRP checks them).
QUOTA_TOLERANCE = Decimal("0.000001")


def _check_quota_shares(session: Session, parsed: dict[str, _Parsed], problems: _Problems) -> None:
    """The quota shares of an item's supplier items (the sheet's rows, and the stored ones it does not
    replace) sum to 1 when any of them has one; the problem names the item's last row in the sheet."""
    data = parsed.get("supplier_items")
    if data is None:
        return
    given: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    last_row: dict[str, int] = {}
    for values, number in zip(data.values, data.row_numbers, strict=True):
        given[values["item"]][values["supplier"]] = values["quota_share"]
        last_row[values["item"]] = number
    with_shares = [item for item, shares in given.items() if any(share is not None for share in shares.values())]
    if not with_shares:
        return
    stored = session.execute(
        select(Item.code, Supplier.code, SupplierItem.quota_share)
        .join(SupplierItem, SupplierItem.item_id == Item.id)
        .join(Supplier, Supplier.id == SupplierItem.supplier_id)
        .where(Item.code.in_(with_shares), SupplierItem.quota_share.is_not(None))
    )
    shares = {item: {k: v for k, v in given[item].items() if v is not None} for item in with_shares}
    for item, supplier, share in stored:
        if supplier not in given[item] and share is not None:
            shares[item][supplier] = share
    for item in with_shares:
        total = sum(shares[item].values(), Decimal(0))
        if abs(total - 1) > QUOTA_TOLERANCE:
            problems.add(
                data.source,
                last_row[item],
                "quota_share",
                f"the quota shares of item {item} sum to {total.normalize()}, they must sum to 1",
            )


def _check_boms(session: Session, parsed: dict[str, _Parsed], index: KeyIndex, problems: _Problems) -> None:
    """Rules across rows: outputs and cost shares per BOM, operations, and no cycles."""
    if not {"boms", "bom_components", "bom_outputs"} & parsed.keys():
        return
    main_item: dict[str, str] = {}
    routing_of: dict[str, str | None] = {}
    for code, item_id, routing_id in session.execute(select(Bom.code, Bom.item_id, Bom.routing_id)):
        main_item[code] = index.code("items", item_id)
        routing_of[code] = index.code("routings", routing_id)
    for values in parsed["boms"].values if "boms" in parsed else ():
        main_item[values["code"]] = values["item"]
        routing_of[values["code"]] = values["routing"]

    inputs: dict[str, dict[int, str]] = defaultdict(dict)  # bom -> line -> item
    outputs: dict[str, dict[str, Decimal]] = defaultdict(dict)  # bom -> item -> cost share
    for bom_id, line, item_id in session.execute(select(BomComponent.bom_id, BomComponent.line, BomComponent.item_id)):
        inputs[index.code("boms", bom_id)][line] = index.code("items", item_id)
    for bom_id, item_id, share in session.execute(select(BomOutput.bom_id, BomOutput.item_id, BomOutput.cost_share)):
        outputs[index.code("boms", bom_id)][index.code("items", item_id)] = share

    if "bom_components" in parsed:
        data = parsed["bom_components"]
        operations = _routing_operations(session, parsed, index)
        for values, number in zip(data.values, data.row_numbers, strict=True):
            inputs[values["bom"]][values["line"]] = values["item"]
            sequence, routing = values["operation_sequence"], routing_of.get(values["bom"])
            if sequence is not None and (routing is None or sequence not in operations.get(routing, ())):
                where = f"routing {routing!r}" if routing else "a BOM without routing"
                problems.add(data.source, number, "operation_sequence", f"{sequence} is not an operation of {where}")
    if "bom_outputs" in parsed:
        data = parsed["bom_outputs"]
        for values, number in zip(data.values, data.row_numbers, strict=True):
            outputs[values["bom"]][values["item"]] = values["cost_share"]
            if main_item.get(values["bom"]) == values["item"]:
                problems.add(
                    data.source,
                    number,
                    "item",
                    f"{values['item']!r} is already the main product of BOM {values['bom']!r}",
                )
        share_rows: dict[str, int] = {}
        for values, number in zip(data.values, data.row_numbers, strict=True):
            share_rows.setdefault(values["bom"], number)
        for bom, number in share_rows.items():
            total = sum(outputs[bom].values(), Decimal(0))
            if total > 1:
                problems.add(
                    data.source,
                    number,
                    "cost_share",
                    f"co- and by-product shares of BOM {bom!r} add up to {total}, more than 1",
                )

    structure = BomStructure()
    for bom, item in main_item.items():
        structure.add_bom([item, *outputs.get(bom, {})], inputs.get(bom, {}).values())
    cycle = find_cycle(structure)
    if cycle is not None:
        source, row = _closing_row(parsed, main_item, cycle)
        problems.add(source, row, "item", "BOM cycle: " + " -> ".join(cycle))


def _closing_row(parsed: dict[str, _Parsed], main_item: dict[str, str], cycle: list[str]) -> tuple[str, int]:
    """The last imported row of a component line in ``cycle`` (each item made from the next): the
    file and row where the user can mend it (the sheet's first row if only stored lines close it)."""
    links = set(itertools.pairwise(cycle))
    data = parsed.get("bom_components")
    if data is None:
        return parsed["boms"].source, 1
    rows = [
        number
        for values, number in zip(data.values, data.row_numbers, strict=True)
        if (main_item.get(values["bom"]), values["item"]) in links
    ]
    return data.source, max(rows, default=1)


def _routing_operations(session: Session, parsed: dict[str, _Parsed], index: KeyIndex) -> dict[str, set[int]]:
    operations: dict[str, set[int]] = defaultdict(set)
    for routing_id, sequence in session.execute(select(RoutingOperation.routing_id, RoutingOperation.sequence)):
        operations[index.code("routings", routing_id)].add(sequence)
    for values in parsed["routing_operations"].values if "routing_operations" in parsed else ():
        operations[values["routing"]].add(values["sequence"])
    return operations


def _check_tracking(
    session: Session, parsed: dict[str, _Parsed], stock: _Parsed | None, index: KeyIndex, problems: _Problems
) -> None:
    """Lots belong to tracked items; stock of a tracked item names a known lot, at most 1 per serial;
    stock quantities have no more decimals than the item's unit allows."""
    if stock is None and "lots" not in parsed:
        return
    unit_decimals = {index.code("units", i): d for i, d in session.execute(select(Unit.id, Unit.decimals))}
    for values in parsed["units"].values if "units" in parsed else ():
        unit_decimals[values["code"]] = values["decimals"]
    tracking: dict[str, Tracking] = {}
    decimals: dict[str, int] = {}
    for item_id, item_tracking, unit_id in session.execute(select(Item.id, Item.tracking, Item.unit_id)):
        code = index.code("items", item_id)
        tracking[code], decimals[code] = item_tracking, unit_decimals[index.code("units", unit_id)]
    for values in parsed["items"].values if "items" in parsed else ():
        tracking[values["code"]] = values["tracking"]
        decimals[values["code"]] = unit_decimals.get(values["unit"], 6)
    if "lots" in parsed:
        lots_sheet = parsed["lots"]
        for values, number in zip(lots_sheet.values, lots_sheet.row_numbers, strict=True):
            if tracking.get(values["item"]) is Tracking.NONE:
                problems.add(
                    lots_sheet.source, number, "item", f"item {values['item']!r} is not lot- or serial-tracked"
                )
    if stock is None:
        return
    lots = _known_keys("lots", parsed, index)
    for values, number in zip(stock.values, stock.row_numbers, strict=True):
        item, lot, quantity = values["item"], values["lot"], values["quantity"]
        if item not in tracking:
            continue  # reported as an unknown item already
        if lot is None and tracking[item] is not Tracking.NONE:
            problems.add(stock.source, number, "lot", f"item {item!r} is {tracking[item].value}-tracked: give its lot")
        elif lot is not None and tracking[item] is Tracking.NONE:
            problems.add(stock.source, number, "lot", f"item {item!r} is not lot- or serial-tracked")
        elif lot is not None and (item, lot) not in lots:
            problems.add(stock.source, number, "lot", f"unknown lot {lot!r} of item {item!r}")
        if tracking[item] is Tracking.SERIAL and quantity > 1:
            problems.add(stock.source, number, "quantity", f"item {item!r} is serial-tracked: at most 1 per serial")
        if quantity != quantity.quantize(Decimal(1).scaleb(-decimals[item])):
            problems.add(
                stock.source,
                number,
                "quantity",
                f"{quantity} has more decimals than the unit of {item!r} allows ({decimals[item]})",
            )


# --- writing -------------------------------------------------------------------------


def _write(session: Session, sheet: Sheet, data: _Parsed, index: KeyIndex, report: ImportReport) -> None:
    """Insert new rows in bulk and update the rows whose natural key exists already."""
    existing = index.ids(sheet.name)
    columns: dict[str, list[Any]] = {}
    for column in sheet.columns:
        if column.target is None:
            continue
        cells = data.columns[column.name]
        if column.ref:
            ids = {key[0]: i for key, i in index.ids(column.ref).items()}
            cells = [None if code is None else ids[code] for code in cells]
        columns[column.target] = cells
    if sheet.parent is not None:
        parent_ids = index.ids(sheet.parent.sheet)
        keys = zip(*(data.columns[c] for c in sheet.parent.columns), strict=True)
        columns[sheet.parent.attr] = [parent_ids[k] for k in keys]
    row_ids = [existing.get(k) for k in zip(*(data.columns[k] for k in sheet.key), strict=True)] if existing else []
    new = [i for i, row_id in enumerate(row_ids) if row_id is None] if existing else None
    table = table_of(sheet.model)
    inserted = bulk_insert(
        session.connection(),
        table,
        columns if new is None else {name: [cells[i] for i in new] for name, cells in columns.items()},
    )
    kept = [(i, row_id) for i, row_id in enumerate(row_ids) if row_id is not None]
    values = [{name: cells[i] for name, cells in columns.items()} for i, _ in kept]
    changed = changed_rows(session.connection(), table, [row_id for _, row_id in kept], values)
    updates = [{**values[position], "row_id": kept[position][1]} for position in changed]
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("row_id")), updates)
    index.forget(sheet.name)
    report.inserted[sheet.name] = inserted
    report.updated[sheet.name] = len(updates)


def _post_opening_stock(session: Session, data: _Parsed, index: KeyIndex, posted_by: str) -> int:
    items, locations, lots = index.ids("items"), index.ids("locations"), index.ids("lots")
    counts = [
        CountedStock(
            item_id=items[(values["item"],)],
            location_id=locations[(values["location"],)],
            lot_id=None if values["lot"] is None else lots[(values["item"], values["lot"])],
            quantity=values["quantity"],
            unit_cost=values["unit_cost"],
        )
        for values in data.values
    ]
    posting = Posting(posted_by=posted_by, source_document="import", reason="opening stock")
    result = post_counted_stock(session, counts, posting, move_type=MoveType.OPENING, now=dt.datetime.now(dt.UTC))
    return len(result.move_ids) if result else 0
