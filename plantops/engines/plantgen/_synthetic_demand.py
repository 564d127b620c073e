"""The synthetic plant's stock, demand and open orders."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import numpy.typing as npt

from plantops.engines.plantgen._common import ONE_DAY, ONE_WEEK, MasterData, Row, monday_of
from plantops.engines.plantgen._synthetic_structure import (
    DCS,
    PLANT,
    Floats,
    Plant,
    customer_count,
    location_code,
    money,
    positions,
    whole_decimals,
)
from plantops.vocabulary import OrderStatus, PurchaseStatus, Tracking, WorkOrderStatus

#: Weeks of sales history per sold item, and how many items have any.
_HISTORY_WEEKS = 52
_HISTORY_ITEMS = 200
#: Sales order lines fall due within this many days after ``as_of`` (a 52-week planning horizon).
_ORDER_HORIZON_DAYS = 364
#: Open sales order lines per item: with the weekly forecast of every finished good this
#: makes about ten demand lines per item (a million for the 100,000-item benchmark plant).
_ORDER_LINES_PER_ITEM = 7
_FORECAST_WEEKS = 52


def opening_stock_rows(
    plant: Plant,
    codes: list[str],
    items: list[Row],
    transfer: npt.NDArray[np.bool_],
    cost: Floats,
    as_of: dt.date,
    rng: np.random.Generator,
) -> tuple[list[Row], list[Row]]:
    """Stock for about half the items (all lot-tracked ones), one lot each where tracked."""
    tracked = np.array([row["tracking"] is Tracking.LOT for row in items])
    stocked = np.flatnonzero((rng.random(plant.n) < 0.5) | tracked)
    last = len(plant.sizes) - 1
    level = plant.level[stocked]
    where = np.where(level == 0, np.where(transfer[stocked], 3, 2), np.where(level == last, 0, 1))
    places = [
        location_code(PLANT, "RAW"),
        location_code(PLANT, "WIP"),
        location_code(PLANT, "FG"),
        location_code(DCS[0], "FG"),
    ]
    quantity = rng.integers(1, 501, len(stocked))
    whole = whole_decimals(501)
    lot_of = {i: f"LOT-{as_of:%y%m}-{i:07d}" for i in np.flatnonzero(tracked).tolist()}
    lots = [
        {"item": codes[i], "code": lot, "expiry_date": as_of + (items[i]["shelf_life_days"] // 2) * ONE_DAY}
        for i, lot in lot_of.items()
    ]
    stock = [
        {"item": codes[i], "location": places[w], "lot": lot_of.get(i), "quantity": whole[q], "unit_cost": c}
        for i, w, q, c in zip(stocked.tolist(), where.tolist(), quantity.tolist(), money(cost[stocked]), strict=True)
    ]
    return lots, stock


def sales_order_rows(
    plant: Plant, codes: list[str], transfer: npt.NDArray[np.bool_], as_of: dt.date, rng: np.random.Generator
) -> tuple[list[Row], list[Row]]:
    """Seven open lines per item, for finished goods, due over the next 52 weeks."""
    finished = np.arange(plant.sizes[0], dtype=np.int64)
    made_here = finished[~transfer[finished]]
    shipped_from_dc = finished[transfer[finished]]
    n_lines = max(10, _ORDER_LINES_PER_ITEM * plant.n)
    n_orders = max(1, n_lines // 4)
    order = np.sort(np.concatenate([np.arange(n_orders), rng.integers(0, n_orders, n_lines - n_orders)]))
    line = positions(order)
    at_dc = (rng.random(n_orders) < 0.3) & (len(shipped_from_dc) > 0)
    if len(made_here) == 0:
        at_dc[:] = True
    site = np.where(at_dc, rng.integers(1, 3, n_orders), 0)
    site_codes = (PLANT, *DCS)
    u = rng.random(n_lines) ** 1.5
    line_at_dc = at_dc[order]
    here_pick = made_here[(u * len(made_here)).astype(np.int64) % max(1, len(made_here))] if len(made_here) else 0
    dc_pick = (
        shipped_from_dc[(u * len(shipped_from_dc)).astype(np.int64) % len(shipped_from_dc)]
        if len(shipped_from_dc)
        else 0
    )
    item = np.where(line_at_dc, dc_pick, here_pick)
    quantity = 1 + rng.geometric(0.1, n_lines).clip(max=199)
    due = rng.integers(1, _ORDER_HORIZON_DAYS + 1, n_lines)
    priority = rng.integers(1, 10, n_lines)
    placed = rng.integers(0, 31, n_orders)
    days = [as_of + d * ONE_DAY for d in range(_ORDER_HORIZON_DAYS + 1)]
    before = [as_of - d * ONE_DAY for d in range(31)]
    customers = rng.integers(0, customer_count(plant.n), n_orders)
    numbers = [f"SO-{i + 1:07d}" for i in range(n_orders)]
    orders = [
        {
            "number": number,
            "customer": f"CUST-{c + 1:04d}",
            "site": site_codes[s],
            "status": OrderStatus.OPEN,
            "order_date": before[p],
        }
        for number, c, s, p in zip(numbers, customers.tolist(), site.tolist(), placed.tolist(), strict=True)
    ]
    whole = whole_decimals(201)
    lines = [
        {"order": numbers[o], "line": n, "item": codes[i], "quantity": whole[q], "due_date": days[d], "priority": pr}
        for o, n, i, q, d, pr in zip(
            order.tolist(),
            line.tolist(),
            item.tolist(),
            quantity.tolist(),
            due.tolist(),
            priority.tolist(),
            strict=True,
        )
    ]
    return orders, lines


def sales_history_rows(
    plant: Plant, codes: list[str], transfer: npt.NDArray[np.bool_], as_of: dt.date, rng: np.random.Generator
) -> list[Row]:
    """52 Monday-started weeks, before ``as_of``'s week, for up to 200 finished goods (Poisson, seasonal)."""
    sold = np.arange(min(plant.sizes[0], _HISTORY_ITEMS), dtype=np.int64)
    first = monday_of(as_of) - _HISTORY_WEEKS * ONE_WEEK
    weeks = [first + w * ONE_WEEK for w in range(_HISTORY_WEEKS)]
    level = rng.gamma(2.0, 10.0, len(sold))
    amplitude = rng.uniform(0.0, 0.5, len(sold))
    phase = rng.uniform(0, 2 * np.pi, len(sold))
    angle = 2 * np.pi * np.arange(_HISTORY_WEEKS) / 52
    mean = level[:, None] * (1 + amplitude[:, None] * np.cos(angle[None, :] - phase[:, None]))
    quantity = rng.poisson(mean).clip(max=10_000)
    site = np.where(transfer[sold], 1, 0)
    whole = whole_decimals(10_001)
    site_codes = (PLANT, DCS[0])
    return [
        {"item": codes[i], "site": site_codes[s], "period_start": week, "quantity": whole[q]}
        for i, s, row in zip(sold.tolist(), site.tolist(), quantity.tolist(), strict=True)
        for week, q in zip(weeks, row, strict=True)
    ]


def purchase_order_rows(supplier_items: list[Row], as_of: dt.date, rng: np.random.Generator) -> MasterData:
    """Open lines on the preferred source of about one bought item in twenty, one order per supplier."""
    preferred = [row for row in supplier_items if row["rank"] == 1]
    chosen = np.flatnonzero(rng.random(len(preferred)) < 0.05)
    if len(chosen) == 0 and preferred:
        chosen = np.array([0])
    picked = sorted((preferred[i]["supplier"], preferred[i]["item"]) for i in chosen.tolist())
    quantity = rng.integers(1, 51, len(picked)) * 10
    due = rng.integers(-10, 41, len(picked))
    received = np.where(due < 0, quantity // 2, 0)
    whole = whole_decimals(501)
    orders: list[Row] = []
    lines: list[Row] = []
    rows = zip(picked, quantity.tolist(), due.tolist(), received.tolist(), strict=True)
    for supplier, group in itertools.groupby(rows, key=lambda row: row[0][0]):
        number = f"PO-{len(orders) + 1:07d}"
        orders.append(
            {
                "number": number,
                "supplier": supplier,
                "site": PLANT,
                "status": PurchaseStatus.CONFIRMED,
                "order_date": as_of - 20 * ONE_DAY,
            }
        )
        lines.extend(
            {
                "order": number,
                "line": n,
                "item": item,
                "quantity": whole[q],
                "received_quantity": whole[r],
                "due_date": as_of + d * ONE_DAY,
            }
            for n, ((_, item), q, d, r) in enumerate(group, start=1)
        )
    return {"purchase_orders": orders, "purchase_order_lines": lines}


def work_order_rows(plant: Plant, codes: list[str], as_of: dt.date, rng: np.random.Generator) -> list[Row]:
    """Released orders for about one made item in fifty, starting around ``as_of``."""
    chosen = np.flatnonzero(rng.random(plant.n_made) < 0.02)
    if len(chosen) == 0 and plant.n_made:
        chosen = np.array([0])
    quantity = rng.integers(1, 11, len(chosen)) * 10
    start = rng.integers(-3, 11, len(chosen))
    length = rng.integers(1, 11, len(chosen))
    whole = whole_decimals(101)
    return [
        {
            "number": f"WO-{n + 1:07d}",
            "item": codes[i],
            "bom": f"BOM-{codes[i]}",
            "site": PLANT,
            "status": WorkOrderStatus.RELEASED,
            "quantity": whole[q],
            "start_date": as_of + s * ONE_DAY,
            "due_date": as_of + (s + d) * ONE_DAY,
        }
        for n, (i, q, s, d) in enumerate(
            zip(chosen.tolist(), quantity.tolist(), start.tolist(), length.tolist(), strict=True)
        )
    ]


def forecast_rows(
    plant: Plant, codes: list[str], transfer: npt.NDArray[np.bool_], as_of: dt.date, rng: np.random.Generator
) -> list[Row]:
    """A weekly forecast for every finished good at the site that sells it, over 52 weeks from ``as_of``'s week."""
    finished = np.arange(plant.sizes[0], dtype=np.int64)
    first = monday_of(as_of)
    weeks = [first + w * ONE_WEEK for w in range(_FORECAST_WEEKS)]
    mean = rng.gamma(2.0, 15.0, len(finished))
    quantity = rng.poisson(np.repeat(mean, _FORECAST_WEEKS)).clip(max=10_000)
    whole = whole_decimals(10_001)
    site = [DCS[0] if t else PLANT for t in transfer[finished].tolist()]
    item_codes = [codes[i] for i in finished.tolist()]
    return [
        {"item": item_codes[f], "site": site[f], "period_start": weeks[w], "quantity": whole[q]}
        for (f, w), q in zip(
            itertools.product(range(len(finished)), range(_FORECAST_WEEKS)), quantity.tolist(), strict=True
        )
    ]
