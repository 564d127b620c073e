"""Build the MRP engine's problem from the database, and remember what its indexes mean.

Planning nodes are (item, site) pairs: every pair with demand, stock or an open order,
closed under "is supplied from": a made item's components (and co-products) at the
same site, a transferred item's node at the site it is transferred from. A made item is
made at the site of its routing's first work center; a transferred item is made or
bought at its ``transfer_from_site`` and shipped to the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Bom, BomComponent, BomOutput, Item
from plantops.db.inventory import StockBalance
from plantops.db.planning import PlannedOrder
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, SupplierItem
from plantops.db.production import WorkOrder
from plantops.db.sales import DemandForecast, SalesOrder, SalesOrderLine
from plantops.db.sites import CalendarHoliday, CalendarShift, Location, WorkCenter
from plantops.engines.mrp import (
    Boms,
    Calendar,
    Demands,
    MrpProblem,
    Nodes,
    PlanningSettings,
    Receipts,
    Stock,
    SupplierItems,
)
from plantops.vocabulary import (
    ItemType,
    OrderStatus,
    PlannedOrderStatus,
    Procurement,
    WorkOrderStatus,
)

NodeKey = tuple[int, int]  # (item id, site id)
OPEN_WORK_ORDERS = (WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
CALENDAR_MARGIN_DAYS = 400  # lead times reach this far before the first bucket at most


@dataclass(frozen=True)
class PlanRequest:
    """What the planner asks for: buckets of a week from ``start``'s Monday, fences and windows."""

    start: dt.date
    weeks: int = 52
    frozen_weeks: int = 0
    slushy_weeks: int = 0
    forecast_backward: int = 1
    forecast_forward: int = 1


@dataclass
class LoadedProblem:
    """The engine's problem and, for every index in it, the database row it stands for."""

    problem: MrpProblem
    nodes: list[NodeKey]
    boms: list[int]  # engine BOM -> bom id
    demand_refs: list[tuple[str, int]]  # ("sales", line id) or ("forecast", forecast id)
    receipt_refs: list[tuple[str, int]]  # ("purchase", line id), ("work", order id) or ("firm", planned order id)
    sites: list[int]  # calendar row -> site id
    firm_orders: list[int] = field(default_factory=list)  # planned order ids carried as firm


def load_problem(session: Session, request: PlanRequest, *, firm_from_run: int | None) -> LoadedProblem:
    """Read everything MRP needs in a few queries (columns, not ORM objects) and build the problem."""
    monday = request.start - dt.timedelta(days=request.start.weekday())
    buckets = [monday + dt.timedelta(weeks=w) for w in range(request.weeks)]
    horizon_end = buckets[-1] + dt.timedelta(weeks=1)
    catalog = _Catalog(session, monday)

    sales = session.execute(
        select(
            SalesOrderLine.id,
            SalesOrderLine.item_id,
            SalesOrder.site_id,
            SalesOrderLine.due_date,
            SalesOrderLine.quantity - SalesOrderLine.shipped_quantity,
            SalesOrderLine.priority,
        )
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrder.status == OrderStatus.OPEN, SalesOrderLine.quantity > SalesOrderLine.shipped_quantity)
    ).all()
    forecasts = session.execute(
        select(
            DemandForecast.id,
            DemandForecast.item_id,
            DemandForecast.site_id,
            DemandForecast.period_start,
            DemandForecast.quantity,
        ).where(
            DemandForecast.period_start >= monday,
            DemandForecast.period_start < horizon_end,
            DemandForecast.quantity > 0,
        )
    ).all()
    purchases = session.execute(
        select(
            PurchaseOrderLine.id,
            PurchaseOrderLine.item_id,
            PurchaseOrder.site_id,
            PurchaseOrderLine.due_date,
            PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(
            PurchaseOrder.status == OrderStatus.OPEN, PurchaseOrderLine.quantity > PurchaseOrderLine.received_quantity
        )
    ).all()
    works = session.execute(
        select(
            WorkOrder.id,
            WorkOrder.item_id,
            WorkOrder.site_id,
            WorkOrder.due_date,
            WorkOrder.quantity - WorkOrder.completed_quantity,
        ).where(WorkOrder.status.in_(OPEN_WORK_ORDERS), WorkOrder.quantity > WorkOrder.completed_quantity)
    ).all()
    firm: Sequence[Any] = []
    if firm_from_run is not None:
        firm = session.execute(
            select(
                PlannedOrder.id,
                PlannedOrder.item_id,
                PlannedOrder.site_id,
                PlannedOrder.due_date,
                PlannedOrder.quantity,
            ).where(PlannedOrder.run_id == firm_from_run, PlannedOrder.status == PlannedOrderStatus.FIRM)
        ).all()
    stock = session.execute(
        select(StockBalance.item_id, Location.site_id, func.sum(StockBalance.on_hand), func.sum(StockBalance.reserved))
        .join(Location, Location.id == StockBalance.location_id)
        .group_by(StockBalance.item_id, Location.site_id)
    ).all()

    seeds: list[NodeKey] = []
    for rows in (sales, forecasts, purchases, works, firm):
        seeds.extend((row[1], row[2]) for row in rows)
    seeds.extend((item, site) for item, site, on_hand, _ in stock if on_hand)
    keys, index = catalog.close(seeds)

    on_hand = np.zeros(len(keys))
    allocated = np.zeros(len(keys))
    for item, site, held, reserved in stock:
        node = index.get((item, site))
        if node is not None:
            on_hand[node], allocated[node] = float(held), float(reserved)

    demand_refs = [("sales", r[0]) for r in sales] + [("forecast", r[0]) for r in forecasts]
    demand_rows = [(index[(r[1], r[2])], r[3], float(r[4]), r[5], False) for r in sales]
    demand_rows += [(index[(r[1], r[2])], r[3], float(r[4]), 5, True) for r in forecasts]
    receipt_refs = [("purchase", r[0]) for r in purchases] + [("work", r[0]) for r in works]
    receipt_refs += [("firm", r[0]) for r in firm]
    receipt_rows = [(index[(r[1], r[2])], r[3], float(r[4]), False) for r in (*purchases, *works)]
    receipt_rows += [(index[(r[1], r[2])], r[3], float(r[4]), True) for r in firm]

    sites = sorted({site for _, site in keys})
    site_row = {site: row for row, site in enumerate(sites)}
    nodes, boms, bom_ids = catalog.structure(keys, index, site_row)
    calendar_start = monday - dt.timedelta(days=CALENDAR_MARGIN_DAYS)
    problem = MrpProblem.of(
        nodes=nodes,
        boms=boms,
        suppliers=catalog.suppliers(),
        calendar=Calendar.of(start=calendar_start, working=catalog.working_days(sites, calendar_start, horizon_end)),
        settings=PlanningSettings.of(
            np.array(buckets, dtype="datetime64[D]"),
            horizon_end=horizon_end,
            today=request.start,
            frozen_buckets=request.frozen_weeks,
            slushy_buckets=request.slushy_weeks,
            forecast_backward=request.forecast_backward,
            forecast_forward=request.forecast_forward,
        ),
        stock=Stock.of(on_hand=on_hand, allocated=allocated),
        demands=_demands(demand_rows),
        receipts=_receipts(receipt_rows),
    )
    return LoadedProblem(problem, keys, bom_ids, demand_refs, receipt_refs, sites, [r[0] for r in firm])


def _demands(rows: list[tuple[int, dt.date, float, int, bool]]) -> Demands:
    if not rows:
        return Demands.empty()
    node, date, quantity, priority, forecast = zip(*rows, strict=True)
    return Demands.of(
        node=node, date=np.array(date, dtype="datetime64[D]"), quantity=quantity, priority=priority, forecast=forecast
    )


def _receipts(rows: list[tuple[int, dt.date, float, bool]]) -> Receipts:
    if not rows:
        return Receipts.empty()
    node, due, quantity, firm = zip(*rows, strict=True)
    return Receipts.of(node=node, due=np.array(due, dtype="datetime64[D]"), quantity=quantity, firm=firm)


def _day(value: dt.date | None) -> np.datetime64:
    return np.datetime64("NaT", "D") if value is None else np.datetime64(value, "D")


def _floats(values: Sequence[Any], missing: float = np.nan) -> list[float]:
    return [missing if v is None else float(v) for v in values]


class _Catalog:
    """Items, their BOMs and suppliers, read once, and how each node is supplied."""

    def __init__(self, session: Session, on: dt.date) -> None:
        self.session = session
        self.items = {
            row.id: row
            for row in session.execute(
                select(
                    Item.id,
                    Item.item_type,
                    Item.procurement,
                    Item.transfer_from_site_id,
                    Item.lead_time_days,
                    Item.lot_size_rule,
                    Item.fixed_order_quantity,
                    Item.order_periods,
                    Item.ordering_cost,
                    Item.holding_cost_rate,
                    Item.standard_cost,
                    Item.min_order_quantity,
                    Item.order_multiple,
                    Item.max_order_quantity,
                    Item.safety_stock,
                    Item.yield_rate,
                )
            )
        }
        self.bom_of: dict[int, int] = {}  # item -> the BOM whose runs make it
        self.bom_rows: dict[int, Any] = {}
        for row in session.execute(
            select(Bom.id, Bom.item_id, Bom.quantity, Bom.valid_from, Bom.valid_to).order_by(
                Bom.item_id, Bom.priority, Bom.id
            )
        ):
            valid = (row.valid_from is None or row.valid_from <= on) and (row.valid_to is None or on < row.valid_to)
            if valid and row.item_id not in self.bom_of:
                self.bom_of[row.item_id] = row.id
                self.bom_rows[row.id] = row
        self.lines: dict[int, list[Any]] = defaultdict(list)
        for line in session.execute(
            select(
                BomComponent.bom_id,
                BomComponent.item_id,
                BomComponent.quantity,
                BomComponent.scrap_factor,
                BomComponent.alternate_group,
                BomComponent.priority,
                BomComponent.valid_from,
                BomComponent.valid_to,
            ).order_by(BomComponent.bom_id, BomComponent.line)
        ):
            if line.bom_id in self.bom_rows:
                self.lines[line.bom_id].append(line)
        self.outputs: dict[int, list[Any]] = defaultdict(list)
        for output in session.execute(select(BomOutput.bom_id, BomOutput.item_id, BomOutput.quantity)):
            if output.bom_id in self.bom_rows:
                self.outputs[output.bom_id].append(output)
                self.bom_of.setdefault(output.item_id, output.bom_id)  # a co-product is made by its runs

    def _transfer_source(self, item: int, site: int) -> int | None:
        info = self.items[item]
        source = info.transfer_from_site_id
        if info.procurement is Procurement.TRANSFER and source is not None and source != site:
            return int(source)
        return None

    def _making_bom(self, item: int) -> int | None:
        return None if self.items[item].procurement is Procurement.BUY else self.bom_of.get(item)

    def _supplied_from(self, key: NodeKey) -> list[NodeKey]:
        item, site = key
        source = self._transfer_source(item, site)
        if source is not None:
            return [(item, source)]
        bom = self._making_bom(item)
        if bom is None:
            return []
        return [
            (self.bom_rows[bom].item_id, site),
            *((line.item_id, site) for line in self.lines[bom]),
            *((out.item_id, site) for out in self.outputs[bom]),
        ]

    def close(self, seeds: list[NodeKey]) -> tuple[list[NodeKey], dict[NodeKey, int]]:
        """Every node the seeds need, directly or through what supplies them, each once."""
        keys: list[NodeKey] = []
        index: dict[NodeKey, int] = {}
        pending = list(dict.fromkeys(seeds))
        while pending:
            key = pending.pop()
            if key in index:
                continue
            index[key] = len(keys)
            keys.append(key)
            pending.extend(k for k in self._supplied_from(key) if k not in index)
        return keys, index

    def structure(
        self, keys: list[NodeKey], index: dict[NodeKey, int], site_row: dict[int, int]
    ) -> tuple[Nodes, Boms, list[int]]:
        """The engine's nodes and BOMs: one engine BOM per (BOM, site) used."""
        engine_bom: dict[tuple[int, int], int] = {}
        bom_ids: list[int] = []
        node_bom: list[int] = []
        source: list[int] = []
        procurement: list[Procurement] = []
        for item, site in keys:
            from_site = self._transfer_source(item, site)
            bom = None if from_site is not None else self._making_bom(item)
            if bom is not None and (bom, site) not in engine_bom:
                engine_bom[(bom, site)] = len(bom_ids)
                bom_ids.append(bom)
            node_bom.append(-1 if bom is None else engine_bom[(bom, site)])
            source.append(-1 if from_site is None else index[(item, from_site)])
            if from_site is not None:
                procurement.append(Procurement.TRANSFER)
            else:
                procurement.append(Procurement.MAKE if bom is not None else Procurement.BUY)
        rows = [self.items[item] for item, _ in keys]
        nodes = Nodes.of(
            item=[item for item, _ in keys],
            site=[site_row[site] for _, site in keys],
            procurement=procurement,
            phantom=[r.item_type is ItemType.PHANTOM and b >= 0 for r, b in zip(rows, node_bom, strict=True)],
            lead_time=_floats([r.lead_time_days for r in rows], 0.0),
            lot_size_rule=[r.lot_size_rule for r in rows],
            fixed_order_quantity=_floats([r.fixed_order_quantity for r in rows]),
            order_periods=_floats([r.order_periods for r in rows]),
            ordering_cost=_floats([r.ordering_cost for r in rows], 0.0),
            holding_cost_rate=_floats([r.holding_cost_rate for r in rows], 0.0),
            unit_cost=_floats([r.standard_cost for r in rows], 0.0),
            min_order_quantity=_floats([r.min_order_quantity for r in rows]),
            order_multiple=_floats([r.order_multiple for r in rows]),
            max_order_quantity=_floats([r.max_order_quantity for r in rows]),
            safety_stock=_floats([r.safety_stock for r in rows], 0.0),
            yield_rate=_floats([r.yield_rate for r in rows], 1.0),
            bom=node_bom,
            source=source,
        )
        return nodes, self._boms(engine_bom, index), bom_ids

    def _boms(self, engine_bom: dict[tuple[int, int], int], index: dict[NodeKey, int]) -> Boms:
        main: list[int] = [0] * len(engine_bom)
        quantity: list[float] = [1.0] * len(engine_bom)
        lines: list[tuple[Any, ...]] = []
        outputs: list[tuple[int, int, float]] = []
        for (bom, site), b in engine_bom.items():
            row = self.bom_rows[bom]
            main[b], quantity[b] = index[(row.item_id, site)], float(row.quantity)
            groups: dict[str, int] = {}
            for line in self.lines[bom]:
                group = -1 if line.alternate_group is None else groups.setdefault(line.alternate_group, len(groups))
                lines.append(
                    (
                        b,
                        index[(line.item_id, site)],
                        float(line.quantity),
                        float(line.scrap_factor),
                        group,
                        line.priority,
                        _day(line.valid_from),
                        _day(line.valid_to),
                    )
                )
            outputs.extend((b, index[(out.item_id, site)], float(out.quantity)) for out in self.outputs[bom])
        columns: list[tuple[Any, ...]] = list(zip(*lines, strict=True)) if lines else [() for _ in range(8)]
        out_columns: list[tuple[Any, ...]] = list(zip(*outputs, strict=True)) if outputs else [(), (), ()]
        return Boms.of(
            main=main,
            quantity=quantity,
            line_bom=columns[0],
            line_component=columns[1],
            line_quantity=columns[2],
            line_scrap=columns[3],
            line_group=columns[4],
            line_priority=columns[5],
            line_valid_from=np.array(columns[6], dtype="datetime64[D]"),
            line_valid_to=np.array(columns[7], dtype="datetime64[D]"),
            output_bom=out_columns[0],
            output_node=out_columns[1],
            output_quantity=out_columns[2],
        )

    def suppliers(self) -> SupplierItems:
        rows = self.session.execute(
            select(
                SupplierItem.item_id,
                SupplierItem.supplier_id,
                SupplierItem.rank,
                SupplierItem.lead_time_days,
                SupplierItem.min_order_quantity,
                SupplierItem.order_multiple,
            )
        ).all()
        if not rows:
            return SupplierItems.empty()
        item, supplier, rank, lead, minimum, multiple = zip(*rows, strict=True)
        return SupplierItems.of(
            item=item,
            supplier=supplier,
            rank=rank,
            lead_time=_floats(lead, 0.0),
            min_order_quantity=_floats(minimum),
            order_multiple=_floats(multiple),
        )

    def working_days(self, sites: list[int], start: dt.date, end: dt.date) -> np.ndarray:
        """Per site, whether each day from ``start`` to ``end`` is worked: a day is worked when any
        work center of the site has a shift on that weekday and it is not a holiday of its calendar.
        A site without work centers (a warehouse) works Monday to Friday."""
        days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        calendars: dict[int, set[int]] = defaultdict(set)
        for site, calendar in self.session.execute(select(WorkCenter.site_id, WorkCenter.calendar_id).distinct()):
            calendars[site].add(calendar)
        shift_days: dict[int, set[int]] = defaultdict(set)
        for calendar, day in self.session.execute(select(CalendarShift.calendar_id, CalendarShift.weekday).distinct()):
            shift_days[calendar].add(day)
        holidays: dict[int, set[np.datetime64]] = defaultdict(set)
        for calendar, holiday in self.session.execute(select(CalendarHoliday.calendar_id, CalendarHoliday.day)):
            holidays[calendar].add(np.datetime64(holiday, "D"))
        table = np.zeros((len(sites), days.size), dtype=np.bool_)
        for row, site in enumerate(sites):
            if not calendars.get(site):
                table[row] = weekday < 5
                continue
            for calendar in calendars[site]:
                worked = np.isin(weekday, sorted(shift_days[calendar]))
                if holidays[calendar]:
                    worked &= ~np.isin(days, np.array(sorted(holidays[calendar]), dtype="datetime64[D]"))
                table[row] |= worked
        return table
