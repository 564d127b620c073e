"""Plant generators: rows the master data import accepts, deterministic, realistic, deep.

The exchange format's spec (``plantops.services.master_data.sheets``) is read here to
check the generated rows; the generators themselves never import it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import String

from plantops.engines.bom import BomStructure, find_cycle, low_level_codes, process_shape
from plantops.engines.plantgen import MasterData, build_demo_plant, build_synthetic_plant
from plantops.engines.plantgen._common import easter_sunday
from plantops.engines.plantgen.synthetic import level_sizes
from plantops.errors import ValidationError
from plantops.services.master_data import values
from plantops.services.master_data.sheets import (
    OPENING_STOCK,
    OPENING_STOCK_COLUMNS,
    SHEETS_BY_NAME,
    Column,
)
from plantops.vocabulary import (
    ItemType,
    LotSizeRule,
    OutputKind,
    ProcessShape,
    Procurement,
    ShiftKind,
    Tracking,
)

AS_OF = dt.date(2026, 11, 16)


@pytest.fixture(scope="module")
def demo() -> MasterData:
    return build_demo_plant(as_of=AS_OF, seed=42)


@pytest.fixture(scope="module")
def synthetic() -> MasterData:
    return build_synthetic_plant(2000, as_of=AS_OF, seed=7)


# --- the spec, read from sheets.py -------------------------------------------------------


def _columns(sheet_name: str) -> tuple[Column, ...]:
    return OPENING_STOCK_COLUMNS if sheet_name == OPENING_STOCK else SHEETS_BY_NAME[sheet_name].columns


def _key_columns(sheet_name: str) -> tuple[str, ...]:
    return ("item", "location", "lot") if sheet_name == OPENING_STOCK else SHEETS_BY_NAME[sheet_name].key


def _database_length(sheet_name: str, column: Column) -> int | None:
    """The length of the string column the value is stored in, if any."""
    if sheet_name == OPENING_STOCK or column.target is None:
        return None
    table_column = SHEETS_BY_NAME[sheet_name].model.__table__.c.get(column.target)
    if table_column is None or not isinstance(table_column.type, String):
        return None
    return table_column.type.length


_PYTHON_TYPES: dict[type[values.Kind], type | tuple[type, ...]] = {
    values.Text: str,
    values.Code: str,
    values.Number: Decimal,
    values.Integer: int,
    values.Boolean: bool,
    values.TimeOfDay: dt.time,
    values.Instant: dt.datetime,
}


def _cell_problems(sheet_name: str, column: Column, value: Any) -> list[str]:
    """Why a typed cell would not be read back as itself, or breaks a bound."""
    kind = column.kind
    if isinstance(kind, values.Choice):
        if not isinstance(value, kind.enum_cls):
            return [f"{value!r} is not a {kind.enum_cls.__name__} member"]
    elif isinstance(kind, values.Date):
        if type(value) is not dt.date:
            return [f"{value!r} is not a date"]
    elif not isinstance(value, _PYTHON_TYPES[type(kind)]) or (isinstance(value, bool) and kind is not values.BOOLEAN):
        return [f"{value!r} is not a {_PYTHON_TYPES[type(kind)]}"]
    if isinstance(kind, values.Instant) and value.utcoffset() != dt.timedelta(0):
        return [f"{value!r} is not in UTC"]
    try:
        if kind.parse(value) != value:
            return [f"{value!r} reads back as {kind.parse(value)!r}"]
    except values.BadValue as error:
        return [str(error)]
    problems = []
    if (
        (column.gt is not None and not value > column.gt)
        or (column.ge is not None and not value >= column.ge)
        or (column.lt is not None and not value < column.lt)
        or (column.le is not None and not value <= column.le)
    ):
        problems.append(f"{value} is out of bounds ({column.gt=}, {column.ge=}, {column.lt=}, {column.le=})")
    length = _database_length(sheet_name, column)
    if length is not None and len(value) > length:
        problems.append(f"{value!r} is longer than the database column ({length})")
    return problems


def spec_problems(data: MasterData) -> list[str]:
    """Everything in ``data`` that the master data import would reject (or a database refuse)."""
    problems: list[str] = []
    keys: dict[str, set[tuple[Any, ...]]] = {}
    for sheet_name, rows in data.items():
        if sheet_name != OPENING_STOCK and sheet_name not in SHEETS_BY_NAME:
            problems.append(f"unknown sheet {sheet_name}")
            continue
        columns = {c.name: c for c in _columns(sheet_name)}
        seen: set[tuple[Any, ...]] = set()
        for number, row in enumerate(rows):
            where = f"{sheet_name}[{number}]"
            problems.extend(f"{where}: unknown column {name}" for name in row.keys() - columns.keys())
            for column in columns.values():
                value = row.get(column.name)
                if value is None:
                    if column.required:
                        problems.append(f"{where}.{column.name}: is required")
                    continue
                problems.extend(f"{where}.{column.name}: {p}" for p in _cell_problems(sheet_name, column, value))
            key = tuple(row.get(k, columns[k].default) for k in _key_columns(sheet_name))
            if key in seen:
                problems.append(f"{where}: duplicate key {key}")
            seen.add(key)
        keys[sheet_name] = seen
    for sheet_name, rows in data.items():
        if sheet_name not in keys:
            continue
        refs = [c for c in _columns(sheet_name) if c.ref]
        parent = None if sheet_name == OPENING_STOCK else SHEETS_BY_NAME[sheet_name].parent
        for number, row in enumerate(rows):
            for column in refs:
                value = row.get(column.name)
                if value is not None and (value,) not in keys.get(column.ref or "", set()):
                    problems.append(f"{sheet_name}[{number}].{column.name}: unknown {column.ref} {value!r}")
            if parent is not None:
                parent_key = tuple(row.get(c) for c in parent.columns)
                if parent_key not in keys.get(parent.sheet, set()):
                    problems.append(f"{sheet_name}[{number}]: no {parent.sheet} row {parent_key}")
    return problems + _rule_problems(data)


def _rule_problems(data: MasterData) -> list[str]:
    """The import's rules across columns and rows."""
    problems: list[str] = []
    for item in data.get("items", []):
        code, rule = item["code"], item.get("lot_size_rule", LotSizeRule.LOT_FOR_LOT)
        if item["procurement"] is Procurement.TRANSFER and item.get("transfer_from_site") is None:
            problems.append(f"item {code}: transfer without transfer_from_site")
        needed = {
            LotSizeRule.FIXED_ORDER_QUANTITY: ("fixed_order_quantity",),
            LotSizeRule.PERIOD_ORDER_QUANTITY: ("order_periods",),
            LotSizeRule.ECONOMIC_ORDER_QUANTITY: ("ordering_cost", "holding_cost_rate"),
        }.get(rule, ())
        problems.extend(f"item {code}: {rule.value} needs {n}" for n in needed if item.get(n) is None)
        low, high = item.get("min_order_quantity"), item.get("max_order_quantity")
        if low is not None and high is not None and low > high:
            problems.append(f"item {code}: min_order_quantity {low} > max_order_quantity {high}")
    for site in data.get("sites", []):
        try:
            zoneinfo.ZoneInfo(site["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(f"site {site['code']}: bad time zone {site['time_zone']!r}")
    for sheet_name in ("boms", "bom_components"):
        for row in data.get(sheet_name, []):
            if row.get("valid_from") and row.get("valid_to") and row["valid_from"] >= row["valid_to"]:
                problems.append(f"{sheet_name} {row}: valid_from is not before valid_to")
    for row in data.get("work_center_downtimes", []):
        if row["ends_at"] <= row["starts_at"]:
            problems.append(f"downtime {row}: ends before it starts")
    for row in data.get("unit_conversions", []):
        if row["from_unit"] == row["to_unit"]:
            problems.append(f"conversion {row}: converts a unit to itself")
    for row in data.get("work_orders", []):
        if row["due_date"] < row["start_date"]:
            problems.append(f"work order {row['number']}: due before its start")
    return problems + _bom_problems(data) + _stock_problems(data)


def _bom_problems(data: MasterData) -> list[str]:
    problems: list[str] = []
    operations = {(op["routing"], op["sequence"]) for op in data.get("routing_operations", [])}
    boms = {bom["code"]: bom for bom in data.get("boms", [])}
    for line in data.get("bom_components", []):
        sequence = line.get("operation_sequence")
        if sequence is not None and (boms[line["bom"]].get("routing"), sequence) not in operations:
            problems.append(f"bom {line['bom']} line {line['line']}: operation {sequence} is not in its routing")
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for output in data.get("bom_outputs", []):
        shares[output["bom"]] += output.get("cost_share", Decimal(0))
        if boms[output["bom"]]["item"] == output["item"]:
            problems.append(f"bom {output['bom']}: output {output['item']} is its main product")
    problems.extend(f"bom {bom}: cost shares add up to {total}" for bom, total in shares.items() if total > 1)
    cycle = find_cycle(_structure(data))
    if cycle is not None:
        problems.append("BOM cycle: " + " -> ".join(cycle))
    return problems


def _stock_problems(data: MasterData) -> list[str]:
    tracking = {item["code"]: item.get("tracking", Tracking.NONE) for item in data.get("items", [])}
    lots = {(lot["item"], lot["code"]) for lot in data.get("lots", [])}
    problems = []
    for row in data.get(OPENING_STOCK, []):
        item, lot = row["item"], row.get("lot")
        if (lot is None) != (tracking[item] is Tracking.NONE):
            problems.append(f"stock of {item}: lot {lot!r} does not fit tracking {tracking[item].value}")
        if lot is not None and (item, lot) not in lots:
            problems.append(f"stock of {item}: unknown lot {lot!r}")
    return problems


def _structure(data: MasterData) -> BomStructure:
    outputs: dict[str, list[str]] = defaultdict(list)
    inputs: dict[str, list[str]] = defaultdict(list)
    for output in data.get("bom_outputs", []):
        outputs[output["bom"]].append(output["item"])
    for line in data.get("bom_components", []):
        inputs[line["bom"]].append(line["item"])
    structure = BomStructure()
    for bom in data.get("boms", []):
        structure.add_bom([bom["item"], *outputs[bom["code"]]], inputs[bom["code"]])
    return structure


def _levels_deep(data: MasterData) -> int:
    """Items on the longest "is made from" chain (1 for a plant without BOMs)."""
    return max(low_level_codes(_structure(data)).values(), default=0) + 1


def test_spec_check_catches_what_the_import_would_reject(demo: MasterData) -> None:
    broken = {name: [dict(row) for row in rows] for name, rows in demo.items()}
    broken["items"][0]["unit"] = "parsec"
    broken["boms"][0]["quantity"] = Decimal(0)
    broken["bom_components"].append({**broken["bom_components"][0], "item": broken["boms"][0]["item"]})
    broken["sales_history"][0]["period_start"] = dt.datetime(2026, 1, 5, 12)

    problems = "\n".join(spec_problems(broken))

    assert "unknown units 'parsec'" in problems
    assert "boms[0].quantity: 0 is out of bounds" in problems
    assert "duplicate key" in problems and "BOM cycle" in problems
    assert "is not a date" in problems


# --- both generators ----------------------------------------------------------------------


def test_demo_plant_rows_are_all_accepted_by_the_exchange_format(demo: MasterData) -> None:
    assert spec_problems(demo) == []


def test_synthetic_plant_rows_are_all_accepted_by_the_exchange_format(synthetic: MasterData) -> None:
    assert spec_problems(synthetic) == []


@pytest.mark.parametrize("n_items", [1, 2, 3, 10, 16, 50])
def test_small_synthetic_plants_are_valid_and_exactly_that_big(n_items: int) -> None:
    data = build_synthetic_plant(n_items, as_of=AS_OF, seed=3)

    assert len(data["items"]) == n_items
    assert spec_problems(data) == []


def test_demo_plant_is_the_same_for_the_same_seed_and_day(demo: MasterData) -> None:
    assert build_demo_plant(as_of=AS_OF, seed=42) == demo


def test_demo_plant_seed_changes_demand_but_not_the_catalog(demo: MasterData) -> None:
    other = build_demo_plant(as_of=AS_OF, seed=43)

    assert other["items"] == demo["items"] and other["bom_components"] == demo["bom_components"]
    assert other["sales_history"] != demo["sales_history"]


def test_synthetic_plant_is_the_same_for_the_same_seed_and_differs_for_another(synthetic: MasterData) -> None:
    assert build_synthetic_plant(2000, as_of=AS_OF, seed=7) == synthetic
    other = build_synthetic_plant(2000, as_of=AS_OF, seed=8)
    assert other["bom_components"] != synthetic["bom_components"]
    assert len(other["items"]) == 2000


@pytest.mark.parametrize("build", ["demo", "synthetic"])
def test_every_bought_item_has_a_preferred_supplier_with_a_price(build: str, request: pytest.FixtureRequest) -> None:
    data: MasterData = request.getfixturevalue(build)
    bought = {i["code"] for i in data["items"] if i["procurement"] is Procurement.BUY}
    preferred = {s["item"] for s in data["supplier_items"] if s["rank"] == 1}
    priced = {p["item"] for p in data["price_breaks"] if p["min_quantity"] == 0}

    assert bought and bought <= preferred and bought <= priced


@pytest.mark.parametrize("build", ["demo", "synthetic"])
def test_sales_history_weeks_start_on_monday_before_as_of(build: str, request: pytest.FixtureRequest) -> None:
    data: MasterData = request.getfixturevalue(build)
    starts = [row["period_start"] for row in data["sales_history"]]

    assert starts and all(day.weekday() == 0 for day in starts)
    assert max(starts) + dt.timedelta(days=7) <= AS_OF


# --- the demo plant -----------------------------------------------------------------------


def _by_code(data: MasterData, sheet: str) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in data[sheet]}


def test_demo_separation_bom_splits_milk_into_cream_skim_and_a_by_product(demo: MasterData) -> None:
    outputs = {o["item"]: o for o in demo["bom_outputs"] if o["bom"] == "BOM-SEPARATE"}
    inputs = [c["item"] for c in demo["bom_components"] if c["bom"] == "BOM-SEPARATE"]

    assert _by_code(demo, "boms")["BOM-SEPARATE"]["item"] == "CREAM-RAW"
    assert inputs == ["MILK-RAW"]
    assert outputs["SKIM-RAW"]["kind"] is OutputKind.CO_PRODUCT and outputs["SKIM-RAW"]["cost_share"] > 0
    assert any(o["kind"] is OutputKind.BY_PRODUCT for o in outputs.values())


def test_demo_dairy_has_separation_modification_and_assembly(demo: MasterData) -> None:
    inputs = Counter(c["bom"] for c in demo["bom_components"])
    outputs = Counter(o["bom"] for o in demo["bom_outputs"])
    dairy_boms = ("BOM-SEPARATE", "BOM-PAST-SKIM", "BOM-CREAM-BTL-250")

    shapes = [process_shape(inputs[b], 1 + outputs[b]) for b in dairy_boms]

    assert shapes == [ProcessShape.SEPARATION, ProcessShape.MODIFICATION, ProcessShape.ASSEMBLY]


def test_demo_phantom_kit_is_used_by_every_bike_and_never_stocked(demo: MasterData) -> None:
    phantoms = {i["code"] for i in demo["items"] if i["item_type"] is ItemType.PHANTOM}
    bikes = {b["code"] for b in demo["boms"] if b["item"].startswith("BIKE-")}
    users = {c["bom"] for c in demo["bom_components"] if c["item"] in phantoms}

    assert phantoms and users == bikes
    assert not phantoms & {s["item"] for s in demo[OPENING_STOCK]}


def test_demo_alternate_tyres_share_a_group_with_a_primary(demo: MasterData) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for line in demo["bom_components"]:
        if line.get("alternate_group"):
            groups[(line["bom"], line["alternate_group"])].append(line["priority"])

    assert groups and all(sorted(p) == list(range(1, len(p) + 1)) and len(p) >= 2 for p in groups.values())


def test_demo_chain_switches_on_one_day_after_as_of(demo: MasterData) -> None:
    lines = [c for c in demo["bom_components"] if c["bom"] == "BOM-BIKE-CITY-M"]
    ends = {c["valid_to"] for c in lines if c.get("valid_to")}
    starts = {c["valid_from"] for c in lines if c.get("valid_from")}

    assert ends and ends == starts and min(ends) > AS_OF


def test_demo_bike_structure_is_at_least_four_levels_and_shares_components(demo: MasterData) -> None:
    users: dict[str, set[str]] = defaultdict(set)
    for line in demo["bom_components"]:
        users[line["item"]].add(line["bom"])

    assert _levels_deep(demo) >= 5
    assert max(len(boms) for boms in users.values()) >= 4  # e.g. pedals in every bike


def test_demo_has_items_with_several_ranked_suppliers(demo: MasterData) -> None:
    ranks: dict[str, list[int]] = defaultdict(list)
    for row in demo["supplier_items"]:
        ranks[row["item"]].append(row["rank"])

    several = [item for item, r in ranks.items() if sorted(r) == [1, 2]]

    assert len(several) >= 5


def test_demo_uses_every_lot_size_rule_with_its_parameters(demo: MasterData) -> None:
    rules = {i.get("lot_size_rule") for i in demo["items"]}

    assert rules == set(LotSizeRule)
    assert any(i["yield_rate"] < 1 for i in demo["items"]) and any(i["shrinkage"] > 0 for i in demo["items"])


def test_demo_standard_cost_of_made_items_covers_their_components(demo: MasterData) -> None:
    cost = {i["code"]: i["standard_cost"] for i in demo["items"]}
    with_outputs = {o["bom"] for o in demo["bom_outputs"]}
    material: dict[str, Decimal] = defaultdict(Decimal)
    for line in demo["bom_components"]:
        in_force = (line.get("valid_from") or AS_OF) <= AS_OF < (line.get("valid_to") or AS_OF + dt.timedelta(1))
        if line["priority"] == 1 and in_force:
            material[line["bom"]] += line["quantity"] * cost[line["item"]]
    for bom in demo["boms"]:
        if bom["code"] not in with_outputs:
            assert cost[bom["item"]] * bom["quantity"] >= material[bom["code"]] - Decimal("0.01"), bom["code"]
    assert cost["BIKE-MTB-29"] > cost["BIKE-KIDS-20"] > 0


def test_demo_city_bikes_reach_the_distribution_center_by_transfer(demo: MasterData) -> None:
    items = _by_code(demo, "items")
    dc_sites = {s["code"] for s in demo["sites"] if s["kind"].value == "distribution_center"}
    dc_locations = {loc["code"] for loc in demo["locations"] if loc["site"] in dc_sites}
    dc_orders = {o["number"] for o in demo["sales_orders"] if o["site"] in dc_sites}
    by_site = {(row["item"], row["site"]): row for row in demo["item_sites"]}
    transferred = {item for (item, site), row in by_site.items() if row["procurement"] is Procurement.TRANSFER}

    assert {"BIKE-CITY-M", "BIKE-CITY-L"} <= transferred
    sources = {row["transfer_from_site"] for row in by_site.values() if row["procurement"] is Procurement.TRANSFER}
    assert sources and not sources & dc_sites
    assert all(items[c]["procurement"] is not Procurement.TRANSFER for c in transferred)  # made or bought at home
    assert transferred <= {line["item"] for line in demo["sales_order_lines"] if line["order"] in dc_orders}
    assert transferred <= {s["item"] for s in demo[OPENING_STOCK] if s["location"] in dc_locations}
    assert any(row.get("policy") is not None for row in demo["item_sites"])


def test_demo_sales_history_is_over_100_weeks_without_gaps(demo: MasterData) -> None:
    weeks: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for row in demo["sales_history"]:
        weeks[(row["item"], row["site"])].append(row["period_start"])

    for series in weeks.values():
        assert len(series) >= 100
        assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(series))


def test_demo_spare_parts_sell_intermittently_and_bikes_every_week(demo: MasterData) -> None:
    zeros: Counter[str] = Counter()
    weeks: Counter[str] = Counter()
    for row in demo["sales_history"]:
        weeks[row["item"]] += 1
        zeros[row["item"]] += row["quantity"] == 0

    intermittent = {item for item in weeks if zeros[item] >= weeks[item] / 2}

    assert {"SPARE-HANGER-01", "SPARE-PADS-DISC"} <= intermittent
    assert zeros["BIKE-CITY-M"] == 0 and zeros["CREAM-BTL-250"] == 0


def test_demo_bikes_sell_more_in_spring_than_in_autumn(demo: MasterData) -> None:
    by_month: dict[int, list[float]] = defaultdict(list)
    for row in demo["sales_history"]:
        if row["item"] == "BIKE-CITY-M":
            by_month[row["period_start"].month].append(float(row["quantity"]))

    spring = sum(sum(by_month[m]) / len(by_month[m]) for m in (3, 4, 5))
    autumn = sum(sum(by_month[m]) / len(by_month[m]) for m in (9, 10, 11))

    assert spring > 1.5 * autumn


def test_demo_open_sales_orders_fall_due_over_the_next_twelve_weeks(demo: MasterData) -> None:
    due = [line["due_date"] for line in demo["sales_order_lines"]]
    placed = [order["order_date"] for order in demo["sales_orders"]]

    assert len(due) >= 20 and all(AS_OF < day <= AS_OF + dt.timedelta(weeks=12) for day in due)
    assert all(day < AS_OF for day in placed)
    assert all(line["shipped_quantity"] < line["quantity"] for line in demo["sales_order_lines"])


def test_demo_open_purchases_include_late_partly_received_lines(demo: MasterData) -> None:
    lines = demo["purchase_order_lines"]

    assert all(line["received_quantity"] < line["quantity"] for line in lines)
    assert any(line["due_date"] < AS_OF for line in lines)
    assert any(line["received_quantity"] > 0 for line in lines)


def test_demo_tracked_stock_is_in_lots_and_serials_one_each(demo: MasterData) -> None:
    tracking = {i["code"]: i["tracking"] for i in demo["items"]}
    expiry = {(lot["item"], lot["code"]): lot["expiry_date"] for lot in demo["lots"]}
    stock = demo[OPENING_STOCK]

    serial = [s for s in stock if tracking[s["item"]] is Tracking.SERIAL]
    lots = [s for s in stock if tracking[s["item"]] is Tracking.LOT]

    assert serial and all(s["quantity"] == 1 for s in serial)
    assert lots and all(expiry[(s["item"], s["lot"])] > AS_OF for s in lots)


def test_demo_calendars_have_overnight_shifts_breaks_and_real_holidays(demo: MasterData) -> None:
    overnight = {s["calendar"] for s in demo["calendar_shifts"] if s["end_time"] <= s["start_time"]}
    holidays = {(h["calendar"], h["day"]) for h in demo["calendar_holidays"]}

    assert {"BIKE-3SHIFT", "DAIRY-24X7"} <= overnight
    assert any(s["kind"] is ShiftKind.BREAK for s in demo["calendar_shifts"])
    assert ("BIKE-2SHIFT", dt.date(2027, 3, 26)) in holidays  # Good Friday 2027
    assert ("BIKE-2SHIFT", dt.date(2026, 12, 25)) in holidays
    assert all(AS_OF <= day < AS_OF + dt.timedelta(days=366) for _, day in holidays)


def test_demo_downtimes_lie_in_the_weeks_after_as_of(demo: MasterData) -> None:
    starts = [d["starts_at"].date() for d in demo["work_center_downtimes"]]

    assert starts and all(AS_OF < day <= AS_OF + dt.timedelta(weeks=6) for day in starts)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2027, dt.date(2027, 3, 28)),
        (2038, dt.date(2038, 4, 25)),
    ],
)
def test_easter_sunday_matches_the_published_dates(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


# --- the synthetic plant ------------------------------------------------------------------


def test_synthetic_bom_structure_is_acyclic_and_eight_levels_deep(synthetic: MasterData) -> None:
    assert find_cycle(_structure(synthetic)) is None
    assert _levels_deep(synthetic) == 8


def test_synthetic_components_are_shared_by_many_parents(synthetic: MasterData) -> None:
    users = Counter(line["item"] for line in synthetic["bom_components"])

    assert max(users.values()) >= 20
    assert sum(1 for count in users.values() if count > 1) >= len(users) // 4


def test_synthetic_made_items_have_a_bom_and_one_to_four_operations(synthetic: MasterData) -> None:
    made = {i["code"] for i in synthetic["items"] if i["procurement"] is not Procurement.BUY}
    operations = Counter(op["routing"] for op in synthetic["routing_operations"])

    assert {b["item"] for b in synthetic["boms"]} == made
    assert {r["code"] for r in synthetic["routings"]} == set(operations)
    assert set(operations.values()) == {1, 2, 3, 4}
    assert len(synthetic["work_centers"]) == 2000 // 500 + 10


def test_synthetic_sales_lines_are_for_finished_goods_within_the_horizon(synthetic: MasterData) -> None:
    finished = {i["code"] for i in synthetic["items"] if i["item_type"] is ItemType.FINISHED_GOOD}
    lines = synthetic["sales_order_lines"]

    forecasts = synthetic["demand_forecasts"]

    assert len(lines) == 7 * 2000
    assert {line["item"] for line in lines} <= finished
    assert all(AS_OF < line["due_date"] <= AS_OF + dt.timedelta(weeks=52) for line in lines)
    assert len(forecasts) == 52 * len(finished) and {f["item"] for f in forecasts} == finished


def test_level_sizes_clamp_the_depth_for_small_plants() -> None:
    assert level_sizes(1) == [1]
    assert len(level_sizes(10)) == 5 and sum(level_sizes(10)) == 10
    assert len(level_sizes(100_000)) == 8 and sum(level_sizes(100_000)) == 100_000


def test_synthetic_plant_refuses_fewer_than_one_item() -> None:
    with pytest.raises(ValidationError, match="n_items"):
        build_synthetic_plant(0, as_of=AS_OF)


@pytest.mark.slow
def test_synthetic_plant_of_100k_items_builds_in_seconds() -> None:
    started = time.perf_counter()
    data = build_synthetic_plant(100_000, as_of=AS_OF, seed=1)
    elapsed = time.perf_counter() - started

    codes = [item["code"] for item in data["items"]]
    assert len(codes) == len(set(codes)) == 100_000
    assert elapsed < 20, f"took {elapsed:.1f} s"
