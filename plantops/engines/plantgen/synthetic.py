"""A synthetic plant of any size, for benchmarks of MRP and scheduling.

:func:`build_synthetic_plant` draws ``n_items`` items on up to eight levels (finished
goods on level 0, bought raw materials on the last) and gives every made item a BOM and
a routing. Components always sit on lower levels, so the structure is acyclic; each made
item uses at least one item of the next level, so the structure is as deep as there are
levels (8 from 16 items on); and components are drawn with a skew towards the first
items of a level, so some are shared by many parents.

Everything is drawn with numpy in whole arrays and turned into rows by comprehensions;
exact values come from small tables of ready-made Decimals. 100,000 items take a few
seconds. The same ``n_items``, ``seed`` and ``as_of`` always give identical data.

Like the demo plant, some finished goods are made at ``PLANT-1`` and sold from the
distribution centers: their item-site records there (``item_sites``) say they come by
transfer from the plant, with the DC's own transit lead time and safety stock, and every
fourth of them replenished at each DC by a min-max policy sized on its weekly volume.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from plantops.bounds import MAX_QUANTITY
from plantops.engines.plantgen._common import ONE_DAY, MasterData, Row, utc_instant
from plantops.engines.plantgen._synthetic_demand import (
    forecast_rows,
    opening_stock_rows,
    purchase_order_rows,
    sales_history_rows,
    sales_order_rows,
    work_order_rows,
)
from plantops.engines.plantgen._synthetic_structure import (
    DCS,
    MAX_LEVELS,
    PLANT,
    Floats,
    Ints,
    Plant,
    customer_count,
    level_sizes,
    location_code,
    money,
    pick,
    positions,
    tenth_decimals,
    whole_decimals,
)
from plantops.errors import ValidationError
from plantops.vocabulary import (
    AbcClass,
    ItemType,
    LocationKind,
    LotSizeRule,
    Procurement,
    ProductionType,
    ReplenishmentPolicy,
    ShiftKind,
    SiteKind,
    Tracking,
    UnitDimension,
    ValuationMethod,
)

__all__ = ["MAX_LEVELS", "build_synthetic_plant", "level_sizes"]

#: About what a finished good sells in a week (forecast plus orders), to size order rules.
FINISHED_WEEKLY_DEMAND = 50.0

_SITES = (
    (PLANT, "Synthetic plant", SiteKind.PLANT, "Europe/Berlin"),
    ("DC-EAST", "Synthetic distribution center east", SiteKind.DISTRIBUTION_CENTER, "Europe/Warsaw"),
    ("DC-WEST", "Synthetic distribution center west", SiteKind.DISTRIBUTION_CENTER, "Europe/Paris"),
)
_UNITS = (
    ("pcs", "pieces", UnitDimension.COUNT, 0),
    ("kg", "kilogram", UnitDimension.MASS, 3),
    ("g", "gram", UnitDimension.MASS, 0),
    ("m", "metre", UnitDimension.LENGTH, 3),
    ("mm", "millimetre", UnitDimension.LENGTH, 0),
    ("l", "litre", UnitDimension.VOLUME, 3),
    ("ml", "millilitre", UnitDimension.VOLUME, 0),
)
#: Units of bought items, with their probabilities (made items count in pieces).
_RAW_UNITS = (("pcs", 0.7), ("kg", 0.15), ("m", 0.1), ("l", 0.05))
_LOT_RULES = (
    LotSizeRule.LOT_FOR_LOT,
    LotSizeRule.FIXED_ORDER_QUANTITY,
    LotSizeRule.PERIOD_ORDER_QUANTITY,
    LotSizeRule.ECONOMIC_ORDER_QUANTITY,
    LotSizeRule.WAGNER_WHITIN,
)
_PRODUCTION_TYPES = (ProductionType.JOB_SHOP, ProductionType.BATCH, ProductionType.MASS, ProductionType.CONTINUOUS)


def build_synthetic_plant(n_items: int, *, as_of: dt.date, seed: int = 42) -> MasterData:
    """A plant of exactly ``n_items`` items with BOMs, routings, supply, demand and stock.

    ``n_items`` must be at least 1; with fewer than 16 items the structure has fewer
    than eight levels (see :func:`level_sizes`).
    """
    if n_items < 1:
        raise ValidationError("synthetic plant", "n_items", f"must be at least 1, got {n_items}")
    rng = np.random.default_rng(seed)
    plant = Plant(n_items, rng)
    codes = _item_codes(plant)
    sites, locations = _sites_and_locations()
    calendars, shifts, holidays = _calendars(as_of)
    centers, downtimes, center_cost = _work_centers(plant, as_of, rng)
    routings, operations, alternatives, operation_cost = _routings(plant, codes, center_cost, rng)
    boms, components, unit, gross = _boms(plant, codes, rng)
    raw_cost = np.clip(rng.lognormal(0.5, 1.0, n_items - plant.n_made), 0.01, 5000)
    cost = _roll_up(plant, raw_cost, operation_cost, gross)
    transfer = (plant.level == 0) & (rng.random(n_items) < 0.1) & (plant.n_made > 0)
    suppliers, supplier_items, price_breaks, lead = _supply(plant, codes, cost, rng)
    volume = _weekly_volume(plant, gross)
    items = _items(plant, codes, unit, cost, lead, volume, rng)
    lots, stock = opening_stock_rows(plant, codes, items, transfer, cost, as_of, rng)
    orders, order_lines = sales_order_rows(plant, codes, transfer, as_of, rng)
    return {
        "units": [{"code": c, "name": n, "dimension": d, "decimals": p} for c, n, d, p in _UNITS],
        "sites": sites,
        "locations": locations,
        "calendars": calendars,
        "calendar_shifts": shifts,
        "calendar_holidays": holidays,
        "work_centers": centers,
        "work_center_downtimes": downtimes,
        "items": items,
        "item_sites": _item_sites(codes, transfer, volume, np.random.default_rng([seed, 18])),
        "unit_conversions": [
            {"from_unit": f, "to_unit": t, "factor": Decimal(1000)} for f, t in (("kg", "g"), ("m", "mm"), ("l", "ml"))
        ],
        "routings": routings,
        "routing_operations": operations,
        "routing_alternatives": alternatives,
        "boms": boms,
        "bom_components": components,
        "suppliers": suppliers,
        "supplier_items": supplier_items,
        "price_breaks": price_breaks,
        "customers": [
            {"code": f"CUST-{i + 1:04d}", "name": f"Customer {i + 1}"} for i in range(customer_count(n_items))
        ],
        "lots": lots,
        "sales_orders": orders,
        "sales_order_lines": order_lines,
        "sales_history": sales_history_rows(plant, codes, transfer, as_of, rng),
        "demand_forecasts": forecast_rows(plant, codes, transfer, as_of, rng),
        **purchase_order_rows(supplier_items, as_of, rng),
        "work_orders": work_order_rows(plant, codes, as_of, rng),
        "opening_stock": stock,
    }


# --- small fixed sheets ------------------------------------------------------------------


def _sites_and_locations() -> tuple[list[Row], list[Row]]:
    sites = [{"code": c, "name": n, "kind": k, "time_zone": z} for c, n, k, z in _SITES]
    kinds = (
        ("RCV", "Receiving", LocationKind.RECEIVING),
        ("RAW", "Raw material store", LocationKind.STORAGE),
        ("WIP", "Work in process", LocationKind.PRODUCTION),
        ("FG", "Finished goods store", LocationKind.STORAGE),
        ("SHP", "Shipping", LocationKind.SHIPPING),
    )
    locations = [
        {"code": location_code(site, suffix), "name": f"{name} {site}", "site": site, "kind": kind}
        for site, *_ in _SITES
        for suffix, name, kind in kinds
        if site == PLANT or suffix in ("RCV", "FG", "SHP")
    ]
    return sites, locations


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _calendars(as_of: dt.date) -> tuple[list[Row], list[Row], list[Row]]:
    day_shifts = (
        (ShiftKind.SHIFT, "06:00", "14:00", "Early"),
        (ShiftKind.BREAK, "10:00", "10:30", "Early break"),
        (ShiftKind.SHIFT, "14:00", "22:00", "Late"),
        (ShiftKind.BREAK, "18:00", "18:30", "Late break"),
    )
    patterns: dict[str, list[tuple[int, tuple[ShiftKind, str, str, str]]]] = {
        "SYN-2SHIFT": [(d, s) for d in range(5) for s in day_shifts],
        "SYN-3SHIFT": [(d, s) for d in range(5) for s in day_shifts]
        + [(d, (ShiftKind.SHIFT, "22:00", "06:00", "Night")) for d in (6, 0, 1, 2, 3)],
        "SYN-DC": [(d, s) for d in range(6) for s in ((ShiftKind.SHIFT, "07:00", "16:00", "Day"),)],
    }
    calendars = [{"code": code, "name": f"Synthetic calendar {code[4:]}"} for code in patterns]
    shifts = [
        {
            "calendar": code,
            "weekday": day,
            "kind": kind,
            "start_time": _time(start),
            "end_time": _time(end),
            "name": name,
        }
        for code, entries in patterns.items()
        for day, (kind, start, end, name) in entries
    ]
    until = as_of + dt.timedelta(days=365)
    days = [
        (dt.date(year, month, day), name)
        for year in (as_of.year, as_of.year + 1)
        for month, day, name in ((1, 1, "New Year's Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day"))
    ]
    holidays = [
        {"calendar": code, "day": day, "name": name} for code in patterns for day, name in days if as_of <= day < until
    ]
    return calendars, shifts, holidays


def _work_centers(plant: Plant, as_of: dt.date, rng: np.random.Generator) -> tuple[list[Row], list[Row], Floats]:
    """Work centers, a few downtime windows, and each center's cost per effective hour."""
    count = plant.n_work_centers
    three_shifts = rng.random(count) < 0.3
    units = rng.integers(1, 4, count)
    efficiency_index = rng.integers(0, 5, count)
    efficiencies = (0.8, 0.9, 0.95, 1.0, 1.05)
    rates = rng.integers(30, 121, count)
    whole = whole_decimals(200)
    efficiency_values = [Decimal(str(e)) for e in efficiencies]
    codes = [f"WC-{i + 1:04d}" for i in range(count)]
    centers = [
        {
            "code": code,
            "name": f"Work center {code[3:]}",
            "site": PLANT,
            "calendar": "SYN-3SHIFT" if three else "SYN-2SHIFT",
            "parallel_units": int(u),
            "efficiency": efficiency_values[e],
            "cost_per_hour": whole[r],
        }
        for code, three, u, e, r in zip(
            codes, three_shifts.tolist(), units.tolist(), efficiency_index.tolist(), rates.tolist(), strict=True
        )
    ]
    down = np.flatnonzero(rng.random(count) < 0.1)
    days = rng.integers(1, 29, len(down))
    hours = rng.integers(4, 9, len(down))
    downtimes = [
        {
            "work_center": codes[w],
            "starts_at": utc_instant(as_of + d * ONE_DAY, 5),
            "ends_at": utc_instant(as_of + d * ONE_DAY, 5 + h),
            "reason": "Planned maintenance",
        }
        for w, d, h in zip(down.tolist(), days.tolist(), hours.tolist(), strict=True)
    ]
    cost_per_hour: Floats = rates / np.asarray(efficiencies)[efficiency_index]
    return centers, downtimes, cost_per_hour


# --- catalog -------------------------------------------------------------------------------


def _item_codes(plant: Plant) -> list[str]:
    width = max(6, len(str(plant.n)))
    last = len(plant.sizes) - 1
    prefixes = ["FG" if k == 0 else "RM" if k == last else f"SA{k}" for k in range(len(plant.sizes))]
    return [f"{prefixes[k]}-{i:0{width}d}" for i, k in enumerate(plant.level.tolist())]


def _routings(
    plant: Plant, codes: list[str], center_cost: Floats, rng: np.random.Generator
) -> tuple[list[Row], list[Row], list[Row], Floats]:
    """One routing per made item; returns the rows and each made item's operation cost per unit."""
    made = plant.n_made
    kinds = rng.choice(len(_PRODUCTION_TYPES), made, p=[0.4, 0.35, 0.2, 0.05])
    routings = [
        {"code": f"RT-{code}", "name": f"Make {code}", "production_type": kind}
        for code, kind in zip(codes[:made], pick(_PRODUCTION_TYPES, kinds), strict=True)
    ]
    n_ops = len(plant.op_item)
    setups = np.array([0, 5, 10, 15, 20, 30, 45, 60])
    setup_index = rng.integers(0, len(setups), n_ops)
    run_tenths = rng.integers(1, 301, n_ops)
    op_kind = kinds[plant.op_item]
    batch = np.where(op_kind == 1, rng.choice([10, 20, 50, 100], n_ops), 0)
    transfer = np.where(op_kind == 2, rng.choice([1, 10], n_ops), 0)
    whole, tenths = whole_decimals(1000), tenth_decimals(301)
    batch_values = [None if b == 0 else whole[b] for b in range(101)]
    wc_codes = [f"WC-{i + 1:04d}" for i in range(plant.n_work_centers)]
    routing_codes = [row["code"] for row in routings]
    operations = [
        {
            "routing": routing_codes[i],
            "sequence": s,
            "name": f"Operation {s}",
            "work_center": wc_codes[w],
            "setup_minutes": whole[int(setups[si])],
            "run_minutes": tenths[r],
            "batch_size": batch_values[b],
            "transfer_quantity": batch_values[t],
        }
        for i, s, w, si, r, b, t in zip(
            plant.op_item.tolist(),
            plant.op_sequence.tolist(),
            plant.op_work_center.tolist(),
            setup_index.tolist(),
            run_tenths.tolist(),
            batch.tolist(),
            transfer.tolist(),
            strict=True,
        )
    ]
    alternative = np.flatnonzero(rng.random(n_ops) < 0.1)
    other = (plant.op_work_center[alternative] + rng.integers(1, plant.n_work_centers, len(alternative))) % (
        plant.n_work_centers
    )
    alternatives = [
        {
            "routing": routing_codes[int(plant.op_item[o])],
            "sequence": int(plant.op_sequence[o]),
            "work_center": wc_codes[w],
            "setup_minutes": whole[int(setups[setup_index[o]]) + 10],
            "run_minutes": tenths[min(300, int(run_tenths[o]) + 5)],
            "priority": 1,
        }
        for o, w in zip(alternative.tolist(), other.tolist(), strict=True)
    ]
    minutes = setups[setup_index] / np.maximum(batch, 50) + run_tenths / 10
    per_unit = minutes / 60 * center_cost[plant.op_work_center]
    operation_cost: Floats = np.bincount(plant.op_item, weights=per_unit, minlength=made).astype(np.float64)
    return routings, operations, alternatives, operation_cost


def _boms(plant: Plant, codes: list[str], rng: np.random.Generator) -> tuple[list[Row], list[Row], list[str], Floats]:
    """BOMs of made items; also each item's unit (bought items may weigh or measure) and each
    component's gross quantity (with scrap) as a float."""
    made = plant.n_made
    raw_units = rng.choice(len(_RAW_UNITS), plant.n - made, p=[p for _, p in _RAW_UNITS])
    unit = ["pcs"] * made + pick([u for u, _ in _RAW_UNITS], raw_units)
    boms = [
        {"code": f"BOM-{code}", "item": code, "quantity": Decimal(1), "routing": f"RT-{code}", "priority": 1}
        for code in codes[:made]
    ]
    n_edges = len(plant.parent)
    counted = np.array([u == "pcs" for u in unit])[plant.child]
    whole_quantity = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 4], n_edges)
    tenth_quantity = rng.integers(1, 51, n_edges)
    scrap = np.where(rng.random(n_edges) < 0.1, rng.integers(1, 6, n_edges), 0)
    operation = 10 * (1 + (rng.random(n_edges) * plant.op_count[plant.parent]).astype(np.int64))
    whole, tenths = whole_decimals(10), tenth_decimals(51)
    scraps = [Decimal(s).scaleb(-2) for s in range(6)]
    components = [
        {
            "bom": f"BOM-{codes[p]}",
            "line": line,
            "item": codes[c],
            "quantity": whole[q] if is_counted else tenths[t],
            "scrap_factor": scraps[s],
            "operation_sequence": op,
        }
        for p, line, c, is_counted, q, t, s, op in zip(
            plant.parent.tolist(),
            plant.line.tolist(),
            plant.child.tolist(),
            counted.tolist(),
            whole_quantity.tolist(),
            tenth_quantity.tolist(),
            scrap.tolist(),
            operation.tolist(),
            strict=True,
        )
    ]
    gross: Floats = np.where(counted, whole_quantity, tenth_quantity / 10) / (1 - scrap / 100)
    return boms, components, unit, gross


def _roll_up(plant: Plant, raw_cost: Floats, operation_cost: Floats, quantity: Floats) -> Floats:
    """Standard cost per item, bottom-up: bought at price, made at components plus operations."""
    cost = np.zeros(plant.n)
    cost[plant.n_made :] = raw_cost
    for k in range(len(plant.sizes) - 2, -1, -1):
        lo, hi = int(plant.starts[k]), int(plant.starts[k + 1])
        first, last = np.searchsorted(plant.parent, [lo, hi])
        parents = plant.parent[first:last] - lo
        used = quantity[first:last] * cost[plant.child[first:last]]
        cost[lo:hi] = np.bincount(parents, weights=used, minlength=hi - lo).astype(np.float64) + operation_cost[lo:hi]
    return cost


def _supply(
    plant: Plant, codes: list[str], cost: Floats, rng: np.random.Generator
) -> tuple[list[Row], list[Row], list[Row], Ints]:
    """Suppliers, one or two sources per bought item with price breaks; and each item's lead time."""
    n_suppliers = max(3, plant.n // 250)
    suppliers = [
        {"code": f"SUP-{i + 1:04d}", "name": f"Supplier {i + 1}", "currency": "EUR"} for i in range(n_suppliers)
    ]
    bought = np.arange(plant.n_made, plant.n, dtype=np.int64)
    sources = 1 + (rng.random(len(bought)) < 0.3)
    item = np.repeat(bought, sources)
    rank = positions(item)
    first = rng.integers(0, n_suppliers, len(bought))
    second = (first + rng.integers(1, n_suppliers, len(bought))) % n_suppliers
    supplier = np.where(rank == 1, np.repeat(first, sources), np.repeat(second, sources))
    lead_days = rng.integers(2, 61, len(item))
    moq_choice = rng.choice([0, 0, 10, 25, 50, 100, 500], len(item))
    multiple_choice = rng.choice([0, 0, 0, 5, 10, 25], len(item))
    whole = whole_decimals(1000)
    optional = [None, *whole[1:]]
    supplier_codes = [row["code"] for row in suppliers]
    supplier_items = [
        {
            "supplier": supplier_codes[s],
            "item": codes[i],
            "supplier_part_code": f"P{s:04d}-{i:07d}",
            "lead_time_days": whole[d],
            "min_order_quantity": optional[m],
            "order_multiple": optional[x],
            "rank": r,
        }
        for s, i, d, m, x, r in zip(
            supplier.tolist(),
            item.tolist(),
            lead_days.tolist(),
            moq_choice.tolist(),
            multiple_choice.tolist(),
            rank.tolist(),
            strict=True,
        )
    ]
    breaks = rng.integers(1, 4, len(item))
    row = np.repeat(np.arange(len(item)), breaks)
    step = positions(row) - 1
    price = cost[item[row]] * np.where(rank[row] == 1, 1.0, 1.12) * (1 - 0.05 * step)
    min_quantity = np.where(step == 0, 0, np.maximum(moq_choice[row], 10) * np.where(step == 1, 5, 20))
    price_breaks = [
        {
            "supplier": supplier_items[r]["supplier"],
            "item": supplier_items[r]["item"],
            "min_quantity": Decimal(q),
            "unit_price": p,
        }
        for r, q, p in zip(row.tolist(), min_quantity.tolist(), money(price), strict=True)
    ]
    lead = np.zeros(plant.n, dtype=np.int64)
    lead[plant.n_made :] = lead_days[rank == 1]
    lead[: plant.n_made] = rng.integers(1, 6, plant.n_made)
    return suppliers, supplier_items, price_breaks, lead


def _item_sites(
    codes: list[str], transfer: npt.NDArray[np.bool_], volume: Floats, rng: np.random.Generator
) -> list[Row]:
    """How each transferred finished good is planned at each DC: by transfer from the plant, 1 to 3
    days in transit, a safety stock of half a week's volume or, for every fourth, a min-max policy
    (reorder at 1.5 weeks' volume, order up to 3 weeks')."""
    shipped = np.flatnonzero(transfer)
    rows: list[Row] = []
    for dc in DCS:
        transit = rng.integers(1, 4, shipped.size)
        weekly = _nice(volume[shipped] / len(DCS))
        for position, (item, days, week) in enumerate(
            zip(shipped.tolist(), transit.tolist(), weekly.tolist(), strict=True)
        ):
            row: Row = {
                "item": codes[item],
                "site": dc,
                "procurement": Procurement.TRANSFER,
                "transfer_from_site": PLANT,
                "lead_time_days": Decimal(days),
            }
            if position % 4 == 3:
                row |= {
                    "policy": ReplenishmentPolicy.MIN_MAX,
                    "reorder_point": Decimal(week + week // 2),
                    "order_up_to": Decimal(3 * week),
                    "review_weeks": 1,
                }
            else:
                row["safety_stock"] = Decimal(week // 2)
            rows.append(row)
    return rows


def _weekly_volume(plant: Plant, quantity: Floats) -> Floats:
    """Expected weekly requirement per item: finished goods' demand exploded down the levels."""
    volume = np.zeros(plant.n)
    volume[: plant.sizes[0]] = FINISHED_WEEKLY_DEMAND
    for k in range(len(plant.sizes) - 1):
        lo, hi = int(plant.starts[k]), int(plant.starts[k + 1])
        first, last = np.searchsorted(plant.parent, [lo, hi])
        np.add.at(volume, plant.child[first:last], volume[plant.parent[first:last]] * quantity[first:last])
    return volume


#: The largest order quantity generated (a power of ten, so that rounding up keeps it).
_LARGEST = float(MAX_QUANTITY)


def _or_none(value: int, cached: list[Decimal | None]) -> Decimal | None:
    """``cached[value]`` (None for 0), or a new decimal beyond the cache."""
    return cached[value] if value < len(cached) else Decimal(value)


def _nice(values: Floats) -> Ints:
    """Round up to 1, 2 or 5 times a power of ten, as order quantities are set (at least 1, and at
    most :data:`plantops.bounds.MAX_QUANTITY`, which the volumes of deep BOMs would pass)."""
    values = np.clip(np.asarray(values, dtype=np.float64), 1.0, _LARGEST)
    power = 10.0 ** np.floor(np.log10(values))
    step = np.select([values <= power, values <= 2 * power, values <= 5 * power], [1, 2, 5], 10)
    return (step * power).astype(np.int64)


def _items(
    plant: Plant,
    codes: list[str],
    unit: list[str],
    cost: Floats,
    lead: Ints,
    volume: Floats,
    rng: np.random.Generator,
) -> list[Row]:
    n = plant.n
    last = len(plant.sizes) - 1
    level = plant.level
    bought = level == last
    item_type = np.where(level == 0, 0, np.where(bought, 2, 1))
    types = (ItemType.FINISHED_GOOD, ItemType.INTERMEDIATE, ItemType.RAW_MATERIAL)
    procurement = np.where(bought, 1, 0)  # transferred goods are made here: their DCs' item sites say so
    procurements = (Procurement.MAKE, Procurement.BUY)
    rule = rng.choice(len(_LOT_RULES), n, p=[0.45, 0.15, 0.15, 0.1, 0.15])
    whole = whole_decimals(10_001)
    none_or = [None, *whole[1:]]
    # Order rules in proportion to each item's weekly volume, as a planner would set them.
    weeks_of = volume[None, :] * np.array([[1], [2], [4], [8]])
    fixed = np.where(rule == 1, _nice(weeks_of[rng.integers(1, 4, n), np.arange(n)]), 0)
    periods = np.where(rule == 2, rng.integers(2, 5, n), 0)
    eoq = rule == 3
    ordering_cost = np.where(eoq, rng.choice([25, 50, 80, 120], n), 0)
    holding = np.where(eoq, rng.integers(1, 4, n), 0)
    holding_values = [None, Decimal("0.15"), Decimal("0.2"), Decimal("0.25")]
    minimum = np.where(rng.random(n) < 0.3, _nice(weeks_of[rng.integers(0, 2, n), np.arange(n)]), 0)
    multiple = np.where(rng.random(n) < 0.2, _nice(np.maximum(volume / rng.choice([2, 4, 10], n), 1)), 0)
    largest_lot = np.maximum(np.maximum(minimum, weeks_of[3]), np.maximum(fixed, multiple))
    maximum = np.where(rng.random(n) < 0.1, _nice(largest_lot * 20), 0)
    safety = np.where(rng.random(n) < 0.2, _nice(volume * rng.choice([0.5, 1.0], n)), 0)
    shrinkage = np.where(bought & (rng.random(n) < 0.05), rng.integers(1, 3, n), 0)
    hundredths = [Decimal(i).scaleb(-2) for i in range(100)]
    yield_rate = np.where(~bought & (rng.random(n) < 0.05), rng.integers(95, 100, n), 100)
    yields = [*hundredths, Decimal(1)]
    rank = np.argsort(np.argsort(-cost, kind="stable"), kind="stable") / n
    abc = np.where(rank < 0.2, 0, np.where(rank < 0.5, 1, 2))
    lot_tracked = bought & (rng.random(n) < 0.03)
    shelf_life = np.where(lot_tracked, rng.choice([90, 180, 365], n), 0)
    valuation = np.where(~bought, 2, rng.integers(0, 2, n))
    valuations = (ValuationMethod.FIFO, ValuationMethod.MOVING_AVERAGE, ValuationMethod.STANDARD)
    level_names = [
        "Finished good" if k == 0 else "Raw material" if k == last else f"Assembly L{k}" for k in range(last + 1)
    ]
    return [
        {
            "code": code,
            "name": f"{level_names[k]} {code}",
            "item_type": types[t],
            "unit": u,
            "family": f"FAM-L{k}",
            "procurement": procurements[p],
            "lead_time_days": whole[lt],
            "lot_size_rule": _LOT_RULES[r],
            "fixed_order_quantity": _or_none(f, none_or),
            "order_periods": op or None,
            "ordering_cost": none_or[oc],
            "holding_cost_rate": holding_values[h],
            "min_order_quantity": _or_none(mn, none_or),
            "order_multiple": _or_none(mu, none_or),
            "max_order_quantity": _or_none(mx, none_or),
            "safety_stock": whole[ss] if ss < len(whole) else Decimal(ss),
            "shrinkage": hundredths[sh],
            "yield_rate": yields[y],
            "standard_cost": c,
            "abc_class": (AbcClass.A, AbcClass.B, AbcClass.C)[a],
            "tracking": Tracking.LOT if tracked else Tracking.NONE,
            "shelf_life_days": sl or None,
            "valuation_method": valuations[v],
        }
        for code, k, t, u, p, lt, r, f, op, oc, h, mn, mu, mx, ss, sh, y, c, a, tracked, sl, v in zip(
            codes,
            level.tolist(),
            item_type.tolist(),
            unit,
            procurement.tolist(),
            lead.tolist(),
            rule.tolist(),
            fixed.tolist(),
            periods.tolist(),
            ordering_cost.tolist(),
            holding.tolist(),
            minimum.tolist(),
            multiple.tolist(),
            maximum.tolist(),
            safety.tolist(),
            shrinkage.tolist(),
            yield_rate.tolist(),
            money(cost),
            abc.tolist(),
            lot_tracked.tolist(),
            shelf_life.tolist(),
            valuation.tolist(),
            strict=True,
        )
    ]
