"""A realistic demo plant in the exchange format: bicycles, a dairy, a distribution center.

:func:`build_demo_plant` returns every sheet a showcase needs (catalog, sites and
calendars, supply, demand, open orders, opening stock), deterministic for a given
``seed`` and ``as_of``. The catalog is literal (:mod:`._demo_catalog`), demand is drawn
from seasonal models (:mod:`._demo_demand`); this module turns both into rows.

Conventions the data follows:

* Standard costs of made items are rolled up from their BOM (primary, effective lines,
  with scrap ``quantity / (1 - scrap_factor)``), their routing (setup spread over the
  operation's batch size, or the routing's costing lot; run time per unit; ``cost_per_hour /
  efficiency``) and their ``yield_rate``. A separation BOM's cost is split by cost
  share: outputs get their ``cost_share``, the main product what is left.
* An item is made or bought at the site of its work centers; where it is stocked or sold at
  another site, its item-site record there says it comes by transfer (and from where), with
  that site's lead time, lot sizing, safety stock or inventory policy.
* Calendar breaks sit on the weekday they start on: the night shift that starts
  Sunday 22:00 has its break on Monday 02:00.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np

from plantops.engines.plantgen._common import (
    ONE_DAY,
    MasterData,
    Row,
    easter_sunday,
    monday_of,
    num,
    optional_num,
    utc_instant,
)
from plantops.engines.plantgen._demo_catalog import (
    BIKE,
    BOMS,
    BUY,
    DAIRY,
    DC,
    ITEM_SITES,
    ITEMS,
    ROUTINGS,
    SITES,
    SUPPLIERS,
    SUPPLY,
    UNIT_CONVERSIONS,
    UNITS,
    WORK_CENTERS,
    BomSpec,
    ItemSpec,
    Line,
)
from plantops.engines.plantgen._demo_demand import customer_rows, sales_history_rows, sales_order_rows, weekly_demand
from plantops.vocabulary import (
    ItemType,
    LocationKind,
    PurchaseStatus,
    Role,
    ShiftKind,
    Tracking,
    WorkOrderStatus,
)

__all__ = ["build_demo_plant"]

#: How much more than ordered each supplier may deliver (bulk milk and cut tube vary most), else 2 %.
OVER_RECEIPT = {"SUP-MILK-COOP": 0.10, "SUP-ROHR": 0.05}
#: Up to which order value each role may approve a purchase order.
PURCHASE_APPROVAL_LIMITS = ((Role.BUYER, 25_000), (Role.PLANNER, 5_000), (Role.ADMIN, 10_000_000))


def build_demo_plant(*, as_of: dt.date, seed: int = 42) -> MasterData:
    """The demo plant's master data and open business as of ``as_of``.

    ``seed`` drives the random parts (sales history, sales and purchase orders); the
    same ``seed`` and ``as_of`` always give identical data.
    """
    rng = np.random.default_rng(seed)
    costs = _standard_costs()
    leads = _lead_times()
    calendars, shifts, holidays = _calendars(as_of)
    routings, operations, alternatives = _routings()
    boms, components, outputs = _boms(as_of)
    supplier_items, price_breaks = _supplier_items()
    lots, opening_stock = _opening_stock(as_of, costs, _covered_stock(as_of, leads))
    orders, order_lines = sales_order_rows(as_of, rng)
    history = sales_history_rows(as_of, rng)
    purchase_orders, purchase_lines = _purchase_orders(as_of, rng)
    return {
        "units": [{"code": c, "name": n, "dimension": d, "decimals": p} for c, n, d, p in UNITS],
        "sites": [{"code": c, "name": n, "kind": k, "time_zone": z} for c, n, k, z in SITES],
        "locations": _locations(),
        "calendars": calendars,
        "calendar_shifts": shifts,
        "calendar_holidays": holidays,
        "work_centers": _work_centers(),
        "work_center_downtimes": _downtimes(as_of),
        "items": [_item_row(spec, costs[spec.code], leads[spec.code]) for spec in ITEMS],
        "item_sites": [
            {
                name: num(value) if isinstance(value, int | float) and name != "review_weeks" else value
                for name, value in row.items()
            }
            for row in ITEM_SITES
        ],
        "unit_conversions": [
            {"from_unit": f, "to_unit": t, "item": i, "factor": num(x)} for f, t, i, x in UNIT_CONVERSIONS
        ],
        "routings": routings,
        "routing_operations": operations,
        "routing_alternatives": alternatives,
        "boms": boms,
        "bom_components": components,
        "bom_outputs": outputs,
        "suppliers": [
            {
                "code": c,
                "name": n,
                "currency": cur,
                "over_receipt_tolerance": num(OVER_RECEIPT.get(c, 0.02)),
                "price_tolerance": num(0.02),
            }
            for c, n, cur in SUPPLIERS
        ],
        "purchase_approval_limits": [
            {"role": role, "max_amount": num(amount)} for role, amount in PURCHASE_APPROVAL_LIMITS
        ],
        "supplier_items": supplier_items,
        "price_breaks": price_breaks,
        "customers": customer_rows(),
        "lots": lots,
        "sales_orders": orders,
        "sales_order_lines": order_lines,
        "sales_history": history,
        "purchase_orders": purchase_orders,
        "purchase_order_lines": purchase_lines,
        "work_orders": _work_orders(as_of),
        "opening_stock": opening_stock,
    }


# --- sites, locations, calendars, work centers -------------------------------------------

_SITE_PREFIX = {BIKE: "BIKE", DAIRY: "DAIRY", DC: "DC"}
# suffix, name, kind, sites that have it
_LOCATIONS: tuple[tuple[str, str, LocationKind, tuple[str, ...]], ...] = (
    ("RCV", "Goods receiving", LocationKind.RECEIVING, (BIKE, DAIRY, DC)),
    ("RAW", "Raw material store", LocationKind.STORAGE, (BIKE, DAIRY)),
    ("WIP", "Work in process", LocationKind.PRODUCTION, (BIKE, DAIRY)),
    ("FG", "Finished goods store", LocationKind.STORAGE, (BIKE, DAIRY, DC)),
    ("QC", "Quality hold", LocationKind.QUALITY, (BIKE, DAIRY, DC)),
    ("SHP", "Shipping dock", LocationKind.SHIPPING, (BIKE, DAIRY, DC)),
)


def _location(site: str, suffix: str) -> str:
    return f"{_SITE_PREFIX[site]}-{suffix}"


def _locations() -> list[Row]:
    return [
        {"code": _location(site, suffix), "name": f"{name}, {_SITE_PREFIX[site].lower()}", "site": site, "kind": kind}
        for site, *_ in SITES
        for suffix, name, kind, sites in _LOCATIONS
        if site in sites
    ]


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


_WEEKDAYS = (0, 1, 2, 3, 4)
_EARLY_LATE = (
    # kind, start, end, name
    (ShiftKind.SHIFT, "06:00", "14:00", "Early"),
    (ShiftKind.BREAK, "09:30", "09:45", "Early break"),
    (ShiftKind.BREAK, "12:00", "12:30", "Early lunch"),
    (ShiftKind.SHIFT, "14:00", "22:00", "Late"),
    (ShiftKind.BREAK, "17:30", "17:45", "Late break"),
    (ShiftKind.BREAK, "19:30", "20:00", "Late supper"),
)
# calendar: ((weekdays, ((kind, start, end, name), ...)), ...)
_PATTERNS: dict[str, tuple[tuple[tuple[int, ...], tuple[tuple[ShiftKind, str, str, str], ...]], ...]] = {
    "BIKE-2SHIFT": ((_WEEKDAYS, _EARLY_LATE),),
    "BIKE-3SHIFT": (
        (_WEEKDAYS, _EARLY_LATE),
        ((6, 0, 1, 2, 3), ((ShiftKind.SHIFT, "22:00", "06:00", "Night"),)),  # Sunday to Thursday nights
        (_WEEKDAYS, ((ShiftKind.BREAK, "02:00", "02:30", "Night break"),)),  # the morning after
    ),
    "DAIRY-24X7": (
        (
            tuple(range(7)),
            (
                (ShiftKind.SHIFT, "06:00", "14:00", "A"),
                (ShiftKind.SHIFT, "14:00", "22:00", "B"),
                (ShiftKind.SHIFT, "22:00", "06:00", "C"),
            ),
        ),
    ),
    "DC-1SHIFT": (
        (
            (0, 1, 2, 3, 4, 5),
            ((ShiftKind.SHIFT, "07:00", "16:00", "Day"), (ShiftKind.BREAK, "12:00", "12:45", "Lunch")),
        ),
    ),
}
_CALENDAR_NAMES = {
    "BIKE-2SHIFT": "Bike plant, two shifts Mon-Fri",
    "BIKE-3SHIFT": "Bike plant, three shifts Sun night - Fri",
    "DAIRY-24X7": "Dairy, continuous 24/7",
    "DC-1SHIFT": "Distribution center, day shift Mon-Sat",
}


def german_public_holidays(year: int) -> list[tuple[dt.date, str]]:
    """Germany's nationwide public holidays in ``year``."""
    easter = easter_sunday(year)
    return [
        (dt.date(year, 1, 1), "New Year's Day"),
        (easter - 2 * ONE_DAY, "Good Friday"),
        (easter + ONE_DAY, "Easter Monday"),
        (dt.date(year, 5, 1), "Labour Day"),
        (easter + 39 * ONE_DAY, "Ascension Day"),
        (easter + 50 * ONE_DAY, "Whit Monday"),
        (dt.date(year, 10, 3), "Day of German Unity"),
        (dt.date(year, 12, 25), "Christmas Day"),
        (dt.date(year, 12, 26), "Second Day of Christmas"),
    ]


def _holidays_by_calendar(year: int) -> dict[str, list[tuple[dt.date, str]]]:
    german = german_public_holidays(year)
    return {
        "BIKE-2SHIFT": german,
        "BIKE-3SHIFT": german,
        "DC-1SHIFT": [*german, (dt.date(year, 10, 31), "Reformation Day (Hamburg)")],
        "DAIRY-24X7": [(dt.date(year, 12, 25), "Christmas Day (no milk collection)")],
    }


def _calendars(as_of: dt.date) -> tuple[list[Row], list[Row], list[Row]]:
    """Calendars, their weekly shifts and breaks, and holidays in the year after ``as_of``."""
    calendars = [{"code": code, "name": _CALENDAR_NAMES[code]} for code in _PATTERNS]
    shifts = [
        {"calendar": code, "weekday": weekday, "kind": kind, "start_time": _t(start), "end_time": _t(end), "name": name}
        for code, patterns in _PATTERNS.items()
        for weekdays, entries in patterns
        for weekday in weekdays
        for kind, start, end, name in entries
    ]
    until = as_of + dt.timedelta(days=365)
    holidays = [
        {"calendar": code, "day": day, "name": name}
        for year in (as_of.year, as_of.year + 1)
        for code, days in _holidays_by_calendar(year).items()
        for day, name in days
        if as_of <= day < until
    ]
    holidays.sort(key=lambda row: (row["calendar"], row["day"]))
    return calendars, shifts, holidays


def _work_centers() -> list[Row]:
    return [
        {
            "code": code,
            "name": name,
            "site": site,
            "calendar": calendar,
            "parallel_units": units,
            "efficiency": num(efficiency),
            "cost_per_hour": num(rate, 2),
        }
        for code, name, site, calendar, units, efficiency, rate in WORK_CENTERS
    ]


# work center, days after the Monday following as_of, start hour (UTC), hours, reason
_DOWNTIMES: tuple[tuple[str, int, int, int, str], ...] = (
    ("WC-SEPARATOR", 2, 1, 4, "CIP deep clean and bowl inspection"),
    ("WC-WELD-ROBOT", 1, 5, 16, "Servo drive replacement and calibration"),
    ("WC-FILLER", 10, 22, 8, "Format parts overhaul"),
    ("WC-PAINT", 12, 5, 8, "Preventive maintenance: booth filters and spray guns"),
    ("WC-SEPARATOR", 16, 1, 4, "CIP deep clean and bowl inspection"),
    ("WC-OVEN", 21, 5, 40, "Burner overhaul"),
)


def _downtimes(as_of: dt.date) -> list[Row]:
    next_monday = monday_of(as_of) + dt.timedelta(weeks=1)
    rows = []
    for work_center, day, hour, hours, reason in _DOWNTIMES:
        starts = utc_instant(next_monday + day * ONE_DAY, hour)
        rows.append(
            {
                "work_center": work_center,
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=hours),
                "reason": reason,
            }
        )
    return rows


# --- catalog ------------------------------------------------------------------------------

_ITEMS_BY_CODE = {spec.code: spec for spec in ITEMS}


def _effective(line: Line, day: int) -> bool:
    """Whether ``line`` is in force ``day`` days after ``as_of``."""
    return (line.from_day is None or line.from_day <= day) and (line.to_day is None or day < line.to_day)


def _standard_costs() -> dict[str, float]:
    """Standard cost per unit of every item as of day 0: purchase price, or rolled up (see the module doc)."""
    routings = {r.code: r for r in ROUTINGS}
    rates = {code: rate / efficiency for code, _, _, _, _, efficiency, rate in WORK_CENTERS}
    producing: dict[str, BomSpec] = {}
    for bom in BOMS:
        producing[bom.item] = bom
        for output in bom.outputs:
            producing.setdefault(output.item, bom)
    costs = {spec.code: spec.price for spec in ITEMS if spec.procurement is BUY}

    def cost(code: str) -> float:
        if code not in costs:
            roll_up(producing[code])
        return costs[code]

    def roll_up(bom: BomSpec) -> None:
        batch = sum(
            line.quantity / (1 - line.scrap) * cost(line.item)
            for line in bom.lines
            if line.priority == 1 and _effective(line, 0)
        )
        if bom.routing is not None:
            routing = routings[bom.routing]
            for op in routing.operations:
                lot = op.batch_size or routing.costing_lot
                minutes = op.setup_minutes * bom.quantity / lot + op.run_minutes * bom.quantity
                batch += minutes / 60 * rates[op.work_center]
        shared = 0.0
        for output in bom.outputs:
            costs[output.item] = batch * output.cost_share / output.quantity
            shared += output.cost_share
        costs[bom.item] = batch * (1 - shared) / bom.quantity / _ITEMS_BY_CODE[bom.item].yield_rate

    for spec in ITEMS:
        cost(spec.code)
    return costs


def _lead_times() -> dict[str, float]:
    """Lead time of each item: its own for made items, its quickest first source's for bought ones."""
    leads = {spec.code: spec.lead_time_days for spec in ITEMS}
    for code in leads:
        if _ITEMS_BY_CODE[code].procurement is BUY:
            leads[code] = min(lead for _, item, lead, _, _, rank, _ in SUPPLY if item == code and rank == 1)
    return leads


def _item_row(spec: ItemSpec, cost: float, lead_time_days: float) -> Row:
    return {
        "code": spec.code,
        "name": spec.name,
        "item_type": spec.item_type,
        "unit": spec.unit,
        "family": spec.family,
        "procurement": spec.procurement,
        "transfer_from_site": spec.transfer_from_site,
        "lead_time_days": num(lead_time_days, 2),
        "lot_size_rule": spec.lot_size_rule,
        "fixed_order_quantity": optional_num(spec.fixed_order_quantity),
        "order_periods": spec.order_periods,
        "ordering_cost": optional_num(spec.ordering_cost, 2),
        "holding_cost_rate": optional_num(spec.holding_cost_rate, 4),
        "min_order_quantity": optional_num(spec.min_order_quantity),
        "order_multiple": optional_num(spec.order_multiple),
        "max_order_quantity": optional_num(spec.max_order_quantity),
        "safety_stock": num(spec.safety_stock),
        "shrinkage": num(spec.shrinkage, 4),
        "yield_rate": num(spec.yield_rate, 4),
        "standard_cost": num(cost, 4),
        "abc_class": spec.abc,
        "tracking": spec.tracking,
        "shelf_life_days": spec.shelf_life_days,
        "valuation_method": spec.valuation,
        "allow_negative_stock": spec.allow_negative_stock,
    }


def _routings() -> tuple[list[Row], list[Row], list[Row]]:
    routings = [{"code": r.code, "name": r.name, "production_type": r.production_type} for r in ROUTINGS]
    operations = [
        {
            "routing": r.code,
            "sequence": op.sequence,
            "name": op.name,
            "work_center": op.work_center,
            "setup_minutes": num(op.setup_minutes),
            "run_minutes": num(op.run_minutes),
            "batch_size": optional_num(op.batch_size),
            "transfer_quantity": optional_num(op.transfer_quantity),
        }
        for r in ROUTINGS
        for op in r.operations
    ]
    alternatives = [
        {
            "routing": r.code,
            "sequence": op.sequence,
            "work_center": alt.work_center,
            "setup_minutes": num(alt.setup_minutes),
            "run_minutes": num(alt.run_minutes),
            "priority": alt.priority,
        }
        for r in ROUTINGS
        for op in r.operations
        for alt in op.alternatives
    ]
    return routings, operations, alternatives


def _day(as_of: dt.date, offset: int | None) -> dt.date | None:
    return None if offset is None else as_of + offset * ONE_DAY


def _boms(as_of: dt.date) -> tuple[list[Row], list[Row], list[Row]]:
    boms = [
        {"code": b.code, "item": b.item, "quantity": num(b.quantity), "routing": b.routing, "priority": 1} for b in BOMS
    ]
    components = [
        {
            "bom": b.code,
            "line": number,
            "item": line.item,
            "quantity": num(line.quantity),
            "scrap_factor": num(line.scrap, 4),
            "operation_sequence": line.operation,
            "alternate_group": line.group,
            "priority": line.priority,
            "valid_from": _day(as_of, line.from_day),
            "valid_to": _day(as_of, line.to_day),
        }
        for b in BOMS
        for number, line in enumerate(b.lines, start=1)
    ]
    outputs = [
        {
            "bom": b.code,
            "item": out.item,
            "kind": out.kind,
            "quantity": num(out.quantity),
            "cost_share": num(out.cost_share, 4),
        }
        for b in BOMS
        for out in b.outputs
    ]
    return boms, components, outputs


# --- supply -------------------------------------------------------------------------------

#: Price breaks: from this multiple of the minimum order (or of 10 units), this price factor.
_BREAKS = ((0.0, 1.0), (5.0, 0.95), (20.0, 0.9))


def _break_price(price: float, factor: float) -> Decimal:
    return num(price * factor, 4 if price < 1 else 2)


def _supplier_items() -> tuple[list[Row], list[Row]]:
    supplier_items: list[Row] = []
    price_breaks: list[Row] = []
    for number, (supplier, item, lead, moq, multiple, rank, factor) in enumerate(SUPPLY, start=1):
        supplier_items.append(
            {
                "supplier": supplier,
                "item": item,
                "supplier_part_code": f"{supplier[4:7]}-{10000 + 37 * number}",
                "lead_time_days": num(lead),
                "min_order_quantity": optional_num(moq),
                "order_multiple": optional_num(multiple),
                "rank": rank,
            }
        )
        price = _ITEMS_BY_CODE[item].price * factor
        breaks = _BREAKS if moq is not None else _BREAKS[:1]
        price_breaks.extend(
            {
                "supplier": supplier,
                "item": item,
                "min_quantity": num(step * (moq or 10)),
                "unit_price": _break_price(price, discount),
            }
            for step, discount in breaks
        )
    return supplier_items, price_breaks


def _unit_price(item: str, supplier: str, quantity: float) -> Decimal:
    """The all-units price ``supplier`` charges for ``quantity`` of ``item``."""
    for supplier_code, item_code, _, moq, _, _, factor in SUPPLY:
        if (supplier_code, item_code) == (supplier, item):
            breaks = _BREAKS if moq is not None else _BREAKS[:1]
            discount = min(d for step, d in breaks if quantity >= step * (moq or 10))
            return _break_price(_ITEMS_BY_CODE[item].price * factor, discount)
    raise KeyError((supplier, item))


#: Bought items with an open purchase order: item, quantity in minimum orders, days since ordered.
_OPEN_PURCHASES: tuple[tuple[str, int, int], ...] = (
    ("TUBE-STEEL-28", 4, 18),
    ("TUBE-STEEL-25", 3, 18),
    ("BB-SHELL", 2, 6),
    ("SVC-HEAT-TREAT", 12, 2),
    ("PAINT-POWDER-BLUE", 2, 10),
    ("RIM-28", 3, 9),
    ("HUB-R-IGH3", 2, 18),
    ("HUB-F-36", 2, 9),
    ("SPOKE-290", 1, 30),
    ("NIPPLE-14G", 1, 30),
    ("TYRE-28-CONTI", 3, 4),
    ("TYRE-28-SCHW", 1, 3),
    ("CHAIN-1S-V2", 4, 5),
    ("SADDLE-COMFORT", 4, 12),
    ("FORK-SUSP-29", 6, 20),
    ("BOX-BIKE-L", 4, 2),
    ("BOTTLE-250", 3, 4),
    ("CAP-38", 2, 5),
    ("LABEL-SKIM", 1, 8),
)


def _purchase_orders(as_of: dt.date, rng: np.random.Generator) -> tuple[list[Row], list[Row]]:
    """Open orders on each item's first source (some overdue or partly received), plus daily milk."""
    first_source = {
        item: (supplier, lead, moq or 10.0) for supplier, item, lead, moq, _, rank, _ in SUPPLY if rank == 1
    }
    # (supplier, site) -> [(order date, line)]
    by_order: dict[tuple[str, str], list[tuple[dt.date, Row]]] = {}
    for item, minimums, days_ago in _OPEN_PURCHASES:
        supplier, lead, moq = first_source[item]
        quantity = moq * minimums
        ordered = as_of - days_ago * ONE_DAY
        due = ordered + round(lead) * ONE_DAY
        # late or due today: part of it may be in already
        received = quantity * float(rng.choice([0.0, 0.25, 0.5])) if due <= as_of else 0.0
        line = {
            "item": item,
            "quantity": num(quantity),
            "received_quantity": num(received),
            "unit_price": _unit_price(item, supplier, quantity),
            "due_date": due,
        }
        by_order.setdefault((supplier, _ITEMS_BY_CODE[item].site), []).append((ordered, line))
    milk_litres = 40000 + 500 * rng.integers(-8, 9, size=7)
    by_order[("SUP-MILK-COOP", DAIRY)] = [
        (
            as_of - 7 * ONE_DAY,
            {
                "item": "MILK-RAW",
                "quantity": num(litres),
                "received_quantity": num(0),
                "unit_price": _unit_price("MILK-RAW", "SUP-MILK-COOP", litres),
                "due_date": as_of + day * ONE_DAY,
            },
        )
        for day, litres in enumerate(milk_litres.tolist())
    ]
    orders: list[Row] = []
    lines: list[Row] = []
    for (supplier, site), dated_lines in sorted(by_order.items()):
        number = f"PO-{as_of:%y}{len(orders) + 1:04d}"
        orders.append(
            {
                "number": number,
                "supplier": supplier,
                "site": site,
                "status": PurchaseStatus.CONFIRMED,
                "order_date": min(ordered for ordered, _ in dated_lines),
            }
        )
        lines.extend({"order": number, "line": n, **line} for n, (_, line) in enumerate(dated_lines, start=1))
    return orders, lines


# --- execution and stock ------------------------------------------------------------------

# item, quantity, status, completed, start day after as_of, days to due
_WORK_ORDERS: tuple[tuple[str, float, WorkOrderStatus, float, int, int], ...] = (
    ("FRAME-CITY-M-W", 24, WorkOrderStatus.IN_PROGRESS, 10, -2, 5),
    ("FRAME-MTB-W", 12, WorkOrderStatus.RELEASED, 0, 1, 8),
    ("TUBESET-CITY-L", 24, WorkOrderStatus.RELEASED, 0, 0, 1),
    ("FRAME-CITY-M-P", 24, WorkOrderStatus.RELEASED, 0, 3, 3),
    ("WHEEL-28-F", 60, WorkOrderStatus.IN_PROGRESS, 25, -1, 3),
    ("WHEEL-28-R", 60, WorkOrderStatus.RELEASED, 0, 1, 2),
    ("BIKE-MTB-29", 20, WorkOrderStatus.RELEASED, 0, 2, 3),
    ("BIKE-CITY-M", 40, WorkOrderStatus.RELEASED, 0, 3, 4),
    ("CREAM-RAW", 2500, WorkOrderStatus.IN_PROGRESS, 1200, 0, 1),
    ("SKIM-PAST", 20000, WorkOrderStatus.RELEASED, 0, 0, 1),
    ("CREAM-BTL-250", 8400, WorkOrderStatus.RELEASED, 0, 1, 1),
)


def _work_orders(as_of: dt.date) -> list[Row]:
    bom_of = {b.item: b.code for b in BOMS}
    rows = []
    for number, (item, quantity, status, completed, start, days) in enumerate(_WORK_ORDERS, start=1):
        starts = as_of + start * ONE_DAY
        rows.append(
            {
                "number": f"WO-{as_of:%y}{number:04d}",
                "item": item,
                "bom": bom_of[item],
                "site": _ITEMS_BY_CODE[item].site,
                "status": status,
                "quantity": num(quantity),
                "completed_quantity": num(completed),
                "start_date": starts,
                "due_date": starts + days * ONE_DAY,
            }
        )
    return rows


def _stock_location(spec: ItemSpec) -> str:
    if spec.item_type is ItemType.FINISHED_GOOD:
        return _location(spec.site, "FG")
    if spec.item_type is ItemType.INTERMEDIATE:
        return _location(spec.site, "WIP")
    return _location(spec.site, "RAW")


#: Lot-tracked stock lies in two lots: (share of the quantity, age as a share of the shelf life).
_LOT_SPLIT = ((0.6, 0.5), (0.4, 0.15))


#: A well-run plant holds, of every bike-plant item, its safety stock and what it needs over its lead time
#: and this many more weeks: MRP's first planned orders then fall due after their lead time, none is
#: released in the past, and the weekly buckets (a requirement is due at its week's start) have a week in
#: hand. The dairy keeps its literal stock: it makes and receives daily, and its goods keep days, not weeks.
COVER_WEEKS = 3
#: Bought items are covered for this many times their lead time: suppliers' lead times vary, and the
#: long ones (four to six weeks from overseas) are bought in large lots.
BOUGHT_LEAD_COVER = 2
#: Weeks over which demand is averaged for the cover (the seasonal models change little within them).
RATE_WEEKS = 8


def _covered_stock(as_of: dt.date, leads: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Opening stock per bike-plant item, (at its site, at the DC): the catalog's, raised to the cover.

    An item's weekly requirement is its own demand plus what its parents' requirements need of it
    through their primary, effective BOM lines (scrap and the parent's yield included), as in a
    gross-requirements explosion; a DC-sold item's DC stock covers the DC's demand, and its stock at the
    plant what the plant ships to the DC as well.
    """
    demand = weekly_demand(as_of, RATE_WEEKS)
    used_in: dict[str, list[tuple[BomSpec, Line]]] = {}
    for bom in BOMS:
        for line in bom.lines:
            if line.priority == 1 and _effective(line, 0):
                used_in.setdefault(line.item, []).append((bom, line))
    weekly: dict[str, float] = {}

    def requirement(code: str) -> float:
        if code not in weekly:
            own = sum(rate for (item, _), rate in demand.items() if item == code)
            weekly[code] = own + sum(
                requirement(bom.item) / _ITEMS_BY_CODE[bom.item].yield_rate / bom.quantity
                * line.quantity / (1 - line.scrap)
                for bom, line in used_in.get(code, [])
            )  # fmt: skip
        return weekly[code]

    covered = {}
    for spec in ITEMS:
        if spec.site == DAIRY or spec.item_type in (ItemType.PHANTOM, ItemType.SERVICE):
            covered[spec.code] = (spec.stock, spec.dc_stock)
            continue
        weeks = leads[spec.code] * (BOUGHT_LEAD_COVER if spec.procurement is BUY else 1) / 7 + COVER_WEEKS
        at_dc = demand.get((spec.code, DC), 0.0)
        dc_stock = max(spec.dc_stock, math.ceil(at_dc * weeks + spec.safety_stock)) if at_dc else spec.dc_stock
        stock = max(spec.stock, math.ceil(requirement(spec.code) * weeks + spec.safety_stock))
        covered[spec.code] = (float(stock), float(dc_stock))
    return covered


def _opening_stock(
    as_of: dt.date, costs: dict[str, float], covered: dict[str, tuple[float, float]]
) -> tuple[list[Row], list[Row]]:
    """Lots (with expiry) and opening stock rows (``covered``: per item, at its site and at the DC);
    serial-tracked items lie one per serial."""
    lots: dict[tuple[str, str], Row] = {}
    stock: list[Row] = []
    serials = iter(range(1, 100_000))
    for spec in ITEMS:
        unit_cost = num(costs[spec.code], 4)
        at_site, at_dc = covered[spec.code]
        for location, quantity in ((_stock_location(spec), at_site), (_location(DC, "FG"), at_dc)):
            if quantity <= 0:
                continue
            batches: list[tuple[str | None, float, dt.date | None]]
            if spec.tracking is Tracking.SERIAL:
                batches = [(f"SN{as_of:%y}-{next(serials):05d}", 1.0, None) for _ in range(round(quantity))]
            else:
                batches = _lots(spec, quantity, as_of)
            for lot, lot_quantity, expiry in batches:
                if lot is not None:
                    lots.setdefault((spec.code, lot), {"item": spec.code, "code": lot, "expiry_date": expiry})
                stock.append(
                    {
                        "item": spec.code,
                        "location": location,
                        "lot": lot,
                        "quantity": num(lot_quantity, 3),
                        "unit_cost": unit_cost,
                    }
                )
    return list(lots.values()), stock


def _lots(spec: ItemSpec, quantity: float, as_of: dt.date) -> list[tuple[str | None, float, dt.date | None]]:
    """Untracked stock as one row; lot-tracked stock split in lots of different ages."""
    if spec.tracking is Tracking.NONE:
        return [(None, quantity, None)]
    shelf_life = spec.shelf_life_days or 365
    result: list[tuple[str | None, float, dt.date | None]] = []
    left = quantity
    for number, (share, age_share) in enumerate(_LOT_SPLIT, start=1):
        received = as_of - int(shelf_life * age_share) * ONE_DAY
        part = left if number == len(_LOT_SPLIT) else round(quantity * share)
        left -= part
        result.append((f"L{received:%y%m%d}-{number}", part, received + shelf_life * ONE_DAY))
    return result
