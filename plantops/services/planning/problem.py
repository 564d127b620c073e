"""Build the MRP engine's problem from the database, and remember what its indexes mean.

Planning nodes are (item, site) pairs: every pair with demand, stock or an open order,
closed under "is supplied from": a made item's components (and co-products) at the
same site, a transferred item's node at the site it is transferred from. Each node is
planned with the item's parameters overridden by its item-site record
(:mod:`plantops.services.item_sites`): procurement, transfer source, lead time, lot
sizing, limits, safety stock and the inventory policy MRP carries out there. A node
supplied by transfer from its own site is made (or bought, without a BOM) there.

Open transfer orders are scheduled receipts at their destination (what is not received
yet, due on their due date) and demand at their source (what is not shipped yet, on their
ship date); stock in transit locations is not on hand anywhere until it is received.
Requisitions not yet ordered (open, or asked for in an RFQ) are scheduled receipts on their
due date, so that a planned buy turned into a requisition is not planned again.

Everything is read a column at a time (:func:`plantops.db.bulk.read_columns`) and
joined with numpy: a plant of 100,000 items, half a million BOM lines and a million
demand lines is read without a Python object per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from plantops.db.base import as_float
from plantops.db.bulk import read_columns
from plantops.db.catalog import Bom, BomComponent, BomOutput, Item
from plantops.db.inventory import StockBalance
from plantops.db.planning import PlannedOrder
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, Requisition, SupplierItem
from plantops.db.production import WorkOrder
from plantops.db.sales import DemandForecast, SalesOrder, SalesOrderLine
from plantops.db.sites import CalendarHoliday, CalendarShift, Location, WorkCenter
from plantops.db.transfers import TransferOrder, TransferOrderLine
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
from plantops.engines.mrp.kinds import LOT_SIZE_RULES, PROCUREMENTS
from plantops.services.item_sites import site_columns
from plantops.services.purchasing.lead_times import learned_supplier_lead_times
from plantops.vocabulary import (
    OPEN_PURCHASE_STATUSES,
    ItemType,
    LocationKind,
    OrderStatus,
    PlannedOrderStatus,
    Procurement,
    RequisitionStatus,
    WorkOrderStatus,
)

OPEN_WORK_ORDERS = (WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
CALENDAR_MARGIN_DAYS = 400  # lead times reach this far before the first bucket at most
Columns = dict[str, np.ndarray]


@dataclass(frozen=True)
class PlanRequest:
    """What the planner asks for: buckets of a week from ``start``'s Monday, fences and windows."""

    start: dt.date
    weeks: int = 52
    frozen_weeks: int = 0
    slushy_weeks: int = 0
    forecast_backward: int = 1
    forecast_forward: int = 1


@dataclass(frozen=True)
class FirmOrders:
    """The firm planned orders of the plan in force (their positions in its run), kept as they are."""

    run_id: int | None = None
    positions: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class References:
    """What each demand or receipt line of the problem stands for: a kind and a row id per line.

    Demands are ``sales`` (sales order line id), ``forecast`` (demand forecast id) or
    ``transfer`` (a transfer order line to ship); receipts are ``purchase`` (purchase order
    line id), ``work`` (work order id), ``transfer`` (a transfer order line to receive),
    ``requisition`` (requisition id) or ``firm`` (a firm planned order's position in the plan
    in force)."""

    kind: np.ndarray  # text per line
    id: np.ndarray  # int64 per line

    def ids_of(self, kind: str) -> list[int]:
        return self.id[self.kind == kind].tolist()  # type: ignore[no-any-return]


@dataclass
class LoadedProblem:
    """The engine's problem and, for every index in it, the database row it stands for."""

    problem: MrpProblem
    node_item: np.ndarray  # engine node -> item id
    node_site: np.ndarray  # engine node -> site id
    boms: np.ndarray  # engine BOM -> bom id
    demands: References
    receipts: References
    sites: list[int]  # calendar row -> site id
    firm_orders: FirmOrders

    @property
    def node_count(self) -> int:
        return int(self.node_item.size)


def load_problem(session: Session, request: PlanRequest, *, firm_from_run: int | None) -> LoadedProblem:
    """Read everything MRP needs in a few queries, a column at a time, and build the problem."""
    monday = request.start - dt.timedelta(days=request.start.weekday())
    buckets = [monday + dt.timedelta(weeks=w) for w in range(request.weeks)]
    horizon_end = buckets[-1] + dt.timedelta(weeks=1)
    connection = session.connection()
    flat = connection.dialect.name
    catalog = _Catalog(connection, monday)

    sales = read_columns(
        connection,
        select(
            SalesOrderLine.id.label("id"),
            SalesOrderLine.item_id.label("item"),
            SalesOrder.site_id.label("site"),
            SalesOrderLine.due_date.label("date"),
            as_float(SalesOrderLine.quantity - SalesOrderLine.shipped_quantity, flat).label("quantity"),
            SalesOrderLine.priority.label("priority"),
        )
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrder.status == OrderStatus.OPEN, SalesOrderLine.quantity > SalesOrderLine.shipped_quantity)
        .order_by(SalesOrderLine.id),
    )
    forecasts = read_columns(
        connection,
        select(
            DemandForecast.id.label("id"),
            DemandForecast.item_id.label("item"),
            DemandForecast.site_id.label("site"),
            DemandForecast.period_start.label("date"),
            as_float(DemandForecast.quantity, flat).label("quantity"),
        )
        .where(
            DemandForecast.period_start >= monday,
            DemandForecast.period_start < horizon_end,
            DemandForecast.quantity > 0,
        )
        .order_by(DemandForecast.id),
    )
    purchases = read_columns(
        connection,
        select(
            PurchaseOrderLine.id.label("id"),
            PurchaseOrderLine.item_id.label("item"),
            PurchaseOrder.site_id.label("site"),
            PurchaseOrderLine.due_date.label("date"),
            as_float(PurchaseOrderLine.quantity - PurchaseOrderLine.received_quantity, flat).label("quantity"),
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(
            PurchaseOrder.status.in_(OPEN_PURCHASE_STATUSES),
            PurchaseOrderLine.quantity > PurchaseOrderLine.received_quantity,
        )
        .order_by(PurchaseOrderLine.id),
    )
    works = read_columns(
        connection,
        select(
            WorkOrder.id.label("id"),
            WorkOrder.item_id.label("item"),
            WorkOrder.site_id.label("site"),
            WorkOrder.due_date.label("date"),
            as_float(WorkOrder.quantity - WorkOrder.completed_quantity, flat).label("quantity"),
        )
        .where(WorkOrder.status.in_(OPEN_WORK_ORDERS), WorkOrder.quantity > WorkOrder.completed_quantity)
        .order_by(WorkOrder.id),
    )
    shipments, arrivals = _open_transfers(connection)
    requisitions = read_columns(
        connection,
        select(
            Requisition.id.label("id"),
            Requisition.item_id.label("item"),
            Requisition.site_id.label("site"),
            Requisition.due_date.label("date"),
            as_float(Requisition.quantity, flat).label("quantity"),
        )
        .where(Requisition.status.in_(OPEN_REQUISITIONS))
        .order_by(Requisition.id),
    )
    firm = read_columns(
        connection,
        select(
            PlannedOrder.position.label("id"),
            PlannedOrder.item_id.label("item"),
            PlannedOrder.site_id.label("site"),
            PlannedOrder.due_date.label("date"),
            as_float(PlannedOrder.quantity, flat).label("quantity"),
        )
        .where(
            PlannedOrder.run_id == (-1 if firm_from_run is None else firm_from_run),
            PlannedOrder.status == PlannedOrderStatus.FIRM,
        )
        .order_by(PlannedOrder.position),
    )
    stock = read_columns(
        connection,
        select(
            StockBalance.item_id.label("item"),
            Location.site_id.label("site"),
            as_float(func.sum(StockBalance.on_hand), flat).label("on_hand"),
            as_float(func.sum(StockBalance.reserved), flat).label("reserved"),
        )
        .join(Location, Location.id == StockBalance.location_id)
        .where(Location.kind != LocationKind.TRANSIT)
        .group_by(StockBalance.item_id, Location.site_id),
    )

    held = stock["on_hand"] != 0
    seeded = [
        sales,
        forecasts,
        shipments,
        purchases,
        works,
        arrivals,
        requisitions,
        firm,
        {"item": stock["item"][held], "site": stock["site"][held]},
    ]
    nodes = catalog.close(np.concatenate([c["item"] for c in seeded]), np.concatenate([c["site"] for c in seeded]))

    on_hand = np.zeros(nodes.size)
    allocated = np.zeros(nodes.size)
    stocked = nodes.find(stock["item"], stock["site"])
    known = stocked >= 0
    on_hand[stocked[known]], allocated[stocked[known]] = stock["on_hand"][known], stock["reserved"][known]

    sites = sorted(set(nodes.site.tolist()))
    site_row = np.full(int(nodes.site.max(initial=0)) + 1, -1)
    site_row[sites] = np.arange(len(sites))
    engine_nodes, engine_boms, bom_ids = catalog.structure(nodes, site_row)
    receipts = (purchases, works, arrivals, requisitions, firm)  # firm planned orders last
    calendar_start = monday - dt.timedelta(days=CALENDAR_MARGIN_DAYS)
    problem = MrpProblem.of(
        nodes=engine_nodes,
        boms=engine_boms,
        suppliers=catalog.suppliers(),
        calendar=Calendar.of(
            start=calendar_start, working=working_days(connection, sites, calendar_start, horizon_end)
        ),
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
        demands=Demands.of(
            node=nodes.find(_column("item", sales, forecasts, shipments), _column("site", sales, forecasts, shipments)),
            date=_column("date", sales, forecasts, shipments),
            quantity=_column("quantity", sales, forecasts, shipments),
            priority=np.concatenate(
                [
                    sales["priority"],
                    np.full(forecasts["id"].size, FORECAST_PRIORITY),
                    np.full(shipments["id"].size, TRANSFER_PRIORITY),
                ]
            ),
            forecast=np.repeat([False, True, False], [sales["id"].size, forecasts["id"].size, shipments["id"].size]),
        ),
        receipts=Receipts.of(
            node=nodes.find(_column("item", *receipts), _column("site", *receipts)),
            due=_column("date", *receipts),
            quantity=_column("quantity", *receipts),
            firm=np.repeat([False] * (len(receipts) - 1) + [True], [r["id"].size for r in receipts]),
        ),
    )
    return LoadedProblem(
        problem,
        node_item=nodes.item,
        node_site=nodes.site,
        boms=bom_ids,
        demands=_references(sales=sales, forecast=forecasts, transfer=shipments),
        receipts=_references(purchase=purchases, work=works, transfer=arrivals, requisition=requisitions, firm=firm),
        sites=sites,
        firm_orders=FirmOrders(firm_from_run, firm["id"].tolist()),
    )


FORECAST_PRIORITY = 5  # forecasts come after sales orders of any usual priority
TRANSFER_PRIORITY = 1  # what a transfer order still has to ship is promised to the other site
#: Requisitions not yet ordered or cancelled: supply on its way to being bought.
OPEN_REQUISITIONS = (RequisitionStatus.OPEN, RequisitionStatus.IN_RFQ)


def _column(name: str, *columns: Columns) -> np.ndarray:
    return np.concatenate([c[name] for c in columns])


def _open_transfers(connection: Connection) -> tuple[Columns, Columns]:
    """Open transfer order lines: what is still to ship (demand at the source on the ship date)
    and what is still to arrive (a receipt at the destination on the due date)."""
    flat = connection.dialect.name
    lines = (
        select(
            TransferOrderLine.id.label("id"),
            TransferOrderLine.item_id.label("item"),
        )
        .join(TransferOrder, TransferOrder.id == TransferOrderLine.order_id)
        .where(TransferOrder.status == OrderStatus.OPEN)
        .order_by(TransferOrderLine.id)
    )
    shipments = read_columns(
        connection,
        lines.add_columns(
            TransferOrder.from_site_id.label("site"),
            TransferOrder.ship_date.label("date"),
            as_float(TransferOrderLine.quantity - TransferOrderLine.shipped_quantity, flat).label("quantity"),
        ).where(TransferOrderLine.quantity > TransferOrderLine.shipped_quantity),
    )
    arrivals = read_columns(
        connection,
        lines.add_columns(
            TransferOrder.to_site_id.label("site"),
            TransferOrder.due_date.label("date"),
            as_float(TransferOrderLine.quantity - TransferOrderLine.received_quantity, flat).label("quantity"),
        ).where(TransferOrderLine.quantity > TransferOrderLine.received_quantity),
    )
    return shipments, arrivals


def _references(**lines: Columns) -> References:
    return References(
        kind=np.repeat(np.array(list(lines), dtype=object), [c["id"].size for c in lines.values()]),
        id=np.concatenate([c["id"] for c in lines.values()]),
    )


SITE_BITS = 24  # a node's key is item id << SITE_BITS | site id


def _key(item: np.ndarray, site: np.ndarray) -> np.ndarray:
    return (item.astype(np.int64) << SITE_BITS) | site.astype(np.int64)


def _in_order_unique(keys: np.ndarray) -> np.ndarray:
    """``keys`` without repeats, each where it first appears."""
    _, first = np.unique(keys, return_index=True)
    return keys[np.sort(first)]


def _spans(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes ``starts[i] .. starts[i] + counts[i] - 1`` of every span, one after the other."""
    offsets = np.cumsum(counts) - counts
    spans: np.ndarray = np.arange(int(counts.sum())) - np.repeat(offsets, counts) + np.repeat(starts, counts)
    return spans


def _codes(values: np.ndarray, words: Sequence[object]) -> np.ndarray:
    """Each value's position among ``words`` (as text), -1 where it is none of them."""
    codes: np.ndarray = pd.Categorical(values, categories=[str(w) for w in words]).codes.astype(np.int64)
    return codes


@dataclass(frozen=True)
class NodeSet:
    """Planning nodes in the order they were found, with a sorted index to find them by key."""

    item: np.ndarray
    site: np.ndarray
    sorted_keys: np.ndarray
    node_of_sorted: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray) -> NodeSet:
        order = np.argsort(keys, kind="stable")
        return cls(keys >> SITE_BITS, keys & ((1 << SITE_BITS) - 1), keys[order], order)

    @property
    def size(self) -> int:
        return int(self.item.size)

    def find(self, item: np.ndarray, site: np.ndarray) -> np.ndarray:
        """The node of each (item, site), -1 where there is none."""
        keys = _key(item, site)
        if not self.sorted_keys.size:
            return np.full(keys.size, -1, dtype=np.int64)
        at = np.searchsorted(self.sorted_keys, keys).clip(max=self.sorted_keys.size - 1)
        return np.where(self.sorted_keys[at] == keys, self.node_of_sorted[at], -1)


class _Catalog:
    """Items, their BOMs and suppliers, read once as columns, and how each node is supplied."""

    def __init__(self, connection: Connection, on: dt.date) -> None:
        self.connection = connection
        flat = connection.dialect.name
        self.items = read_columns(
            connection,
            select(
                Item.id.label("id"),
                Item.item_type.label("item_type"),
                Item.procurement.label("procurement"),
                Item.transfer_from_site_id.label("transfer_from_site"),
                as_float(Item.lead_time_days, flat).label("lead_time"),
                Item.lot_size_rule.label("lot_size_rule"),
                as_float(Item.fixed_order_quantity, flat).label("fixed_order_quantity"),
                Item.order_periods.label("order_periods"),
                as_float(Item.ordering_cost, flat).label("ordering_cost"),
                as_float(Item.holding_cost_rate, flat).label("holding_cost_rate"),
                as_float(Item.standard_cost, flat).label("unit_cost"),
                as_float(Item.min_order_quantity, flat).label("min_order_quantity"),
                as_float(Item.order_multiple, flat).label("order_multiple"),
                as_float(Item.max_order_quantity, flat).label("max_order_quantity"),
                as_float(Item.safety_stock, flat).label("safety_stock"),
                as_float(Item.yield_rate, flat).label("yield_rate"),
            ).order_by(Item.id),
        )
        ids = self.items["id"]
        self.row_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        self.row_of[ids] = np.arange(ids.size)
        self.sites = site_columns(connection)
        self.site_keys = _key(self.sites["item"], self.sites["site"])  # sorted: read by item, then site
        self._read_boms(on)

    def effective(self, item: np.ndarray, site: np.ndarray) -> Columns:
        """Each (item, site)'s planning parameters: its item-site record's where set, else its item's.

        Procurement comes as :data:`PROCUREMENTS` codes; the policy as :class:`ReplenishmentPolicy`
        text (``None``: none) with its numbers NaN and ``review_weeks`` -1 where not set.
        """
        values = {name: column[self.row_of[item]] for name, column in self.items.items()}
        values["procurement"] = _codes(values["procurement"], PROCUREMENTS)
        values["policy"] = np.full(item.size, None, dtype=object)
        values["review_weeks"] = np.full(item.size, -1, dtype=np.int64)
        for name in POLICY_NUMBERS:
            values[name] = np.full(item.size, np.nan)
        keys = _key(item, site)
        at = np.searchsorted(self.site_keys, keys).clip(max=max(self.site_keys.size - 1, 0))
        has = self.site_keys[at] == keys if self.site_keys.size else np.zeros(item.size, np.bool_)
        if not has.any():
            return values
        record = {name: column[at[has]] for name, column in self.sites.items()}
        for name, column in OVERRIDDEN_NUMBERS.items():
            own = record[column].astype(np.float64)
            values[name][has] = np.where(np.isnan(own), values[name][has], own)
        for name in ("lot_size_rule", "policy"):
            values[name][has] = np.where(record[name] == None, values[name][has], record[name])  # noqa: E711
        procurement = _codes(record["procurement"], PROCUREMENTS)
        values["procurement"][has] = np.where(procurement >= 0, procurement, values["procurement"][has])
        for name in ("transfer_from_site", "order_periods", "review_weeks"):
            values[name][has] = np.where(record[name] >= 0, record[name], values[name][has])
        return values

    def _read_boms(self, on: dt.date) -> None:
        """The BOM that makes each item (its first valid one by priority; co-products are made by
        the runs of the BOM that yields them), its lines and outputs, by dense BOM index."""
        flat = self.connection.dialect.name
        boms = read_columns(
            self.connection,
            select(
                Bom.id.label("id"),
                Bom.item_id.label("item"),
                as_float(Bom.quantity, flat).label("quantity"),
                Bom.valid_from.label("valid_from"),
                Bom.valid_to.label("valid_to"),
            ).order_by(Bom.item_id, Bom.priority, Bom.id),
        )
        day = np.datetime64(on, "D")
        valid = (np.isnat(boms["valid_from"]) | (boms["valid_from"] <= day)) & (
            np.isnat(boms["valid_to"]) | (day < boms["valid_to"])
        )
        candidates = np.flatnonzero(valid)
        _, first = np.unique(boms["item"][candidates], return_index=True)
        chosen = candidates[first]
        self.bom_id = boms["id"][chosen]
        self.bom_item = boms["item"][chosen]
        self.bom_quantity = boms["quantity"][chosen]
        dense = np.full(int(boms["id"].max(initial=0)) + 1, -1, dtype=np.int64)
        dense[self.bom_id] = np.arange(self.bom_id.size)
        self.item_bom = np.full(self.row_of.size, -1, dtype=np.int64)  # by item id
        self.item_bom[self.bom_item] = np.arange(self.bom_id.size)

        lines = read_columns(
            self.connection,
            select(
                BomComponent.bom_id.label("bom"),
                BomComponent.item_id.label("item"),
                as_float(BomComponent.quantity, flat).label("quantity"),
                as_float(BomComponent.scrap_factor, flat).label("scrap"),
                BomComponent.alternate_group.label("group"),
                BomComponent.priority.label("priority"),
                BomComponent.valid_from.label("valid_from"),
                BomComponent.valid_to.label("valid_to"),
            ).order_by(BomComponent.bom_id, BomComponent.line),
        )
        self.lines = _BomRows.of(lines, dense)
        line_rows = self.lines.rows
        named = line_rows["group"] != None  # noqa: E711  (numpy compares element-wise)
        line_rows["group_code"] = np.full(named.size, -1, dtype=np.int64)
        groups = line_rows["bom"][named].astype(str) + "/" + line_rows["group"][named].astype(str)
        line_rows["group_code"][named] = pd.factorize(groups)[0]

        outputs = read_columns(
            self.connection,
            select(
                BomOutput.bom_id.label("bom"),
                BomOutput.item_id.label("item"),
                as_float(BomOutput.quantity, flat).label("quantity"),
            ).order_by(BomOutput.id),
        )
        self.outputs = _BomRows.of(outputs, dense)
        output_rows = self.outputs.rows
        unmade = self.item_bom[output_rows["item"]] < 0  # a co-product is made by the runs that yield it
        co_products, first_output = np.unique(output_rows["item"][unmade], return_index=True)
        self.item_bom[co_products] = output_rows["bom"][unmade][first_output]

        members = np.concatenate([self.bom_item, line_rows["item"], output_rows["item"]])
        member_bom = np.concatenate([np.arange(self.bom_id.size), line_rows["bom"], output_rows["bom"]])
        order = np.argsort(member_bom, kind="stable")
        self.member_item = members[order]
        self.member_start, self.member_count = _starts_and_counts(member_bom[order], self.bom_id.size)

    def _supply(
        self, item: np.ndarray, site: np.ndarray, values: Columns | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per node: the site it is transferred from (-1 if none) and the BOM that makes it (-1 if none)."""
        values = self.effective(item, site) if values is None else values
        procurement, source = values["procurement"], values["transfer_from_site"]
        transfer = (procurement == PROCUREMENT_CODES[Procurement.TRANSFER]) & (source >= 0) & (source != site)
        bought = procurement == PROCUREMENT_CODES[Procurement.BUY]
        bom = np.where(transfer | bought, -1, self.item_bom[item])
        return np.where(transfer, source, -1), bom

    def close(self, item: np.ndarray, site: np.ndarray) -> NodeSet:
        """Every node the seeds need, directly or through what supplies them, each once, in the order found."""
        frontier = _in_order_unique(_key(item, site))
        found = [frontier]
        seen = np.sort(frontier)
        while frontier.size:
            item, site = frontier >> SITE_BITS, frontier & ((1 << SITE_BITS) - 1)
            source, bom = self._supply(item, site)
            moved = source >= 0
            made = bom >= 0
            spans = _spans(self.member_start[bom[made]], self.member_count[bom[made]])
            candidates = np.concatenate(
                [
                    _key(item[moved], source[moved]),
                    _key(self.member_item[spans], np.repeat(site[made], self.member_count[bom[made]])),
                ]
            )
            candidates = _in_order_unique(candidates)
            frontier = candidates[~np.isin(candidates, seen, assume_unique=True)]
            found.append(frontier)
            seen = np.union1d(seen, frontier)
        return NodeSet.of(np.concatenate(found))

    def structure(self, nodes: NodeSet, site_row: np.ndarray) -> tuple[Nodes, Boms, np.ndarray]:
        """The engine's nodes and BOMs: one engine BOM per (BOM, site) used."""
        items = self.effective(nodes.item, nodes.site)
        from_site, bom = self._supply(nodes.item, nodes.site, items)
        made = bom >= 0
        engine_pairs, node_pair = np.unique(_key(bom[made], nodes.site[made]), return_inverse=True)
        node_bom = np.full(nodes.size, -1, dtype=np.int64)
        node_bom[made] = node_pair
        procurement = np.where(
            from_site >= 0,
            PROCUREMENT_CODES[Procurement.TRANSFER],
            np.where(made, PROCUREMENT_CODES[Procurement.MAKE], PROCUREMENT_CODES[Procurement.BUY]),
        )
        engine_nodes = Nodes.of(
            item=nodes.item,
            site=site_row[nodes.site],
            procurement=procurement,
            phantom=(items["item_type"] == ItemType.PHANTOM.value) & made,
            lead_time=np.nan_to_num(items["lead_time"]),
            lot_size_rule=_codes(items["lot_size_rule"], LOT_SIZE_RULES),
            fixed_order_quantity=items["fixed_order_quantity"],
            order_periods=np.where(items["order_periods"] < 0, np.nan, items["order_periods"]),
            ordering_cost=np.nan_to_num(items["ordering_cost"]),
            holding_cost_rate=np.nan_to_num(items["holding_cost_rate"]),
            unit_cost=np.nan_to_num(items["unit_cost"]),
            min_order_quantity=items["min_order_quantity"],
            order_multiple=items["order_multiple"],
            max_order_quantity=items["max_order_quantity"],
            safety_stock=np.nan_to_num(items["safety_stock"]),
            policy=items["policy"],
            reorder_point=items["reorder_point"],
            order_quantity=items["order_quantity"],
            order_up_to=items["order_up_to"],
            review_weeks=np.maximum(items["review_weeks"], 1),
            yield_rate=np.nan_to_num(items["yield_rate"], nan=1.0),
            bom=node_bom,
            source=np.where(from_site >= 0, nodes.find(nodes.item, np.maximum(from_site, 0)), -1),
        )
        engine_bom = engine_pairs >> SITE_BITS
        engine_site = engine_pairs & ((1 << SITE_BITS) - 1)
        return engine_nodes, self._boms(nodes, engine_bom, engine_site), self.bom_id[engine_bom]

    def _boms(self, nodes: NodeSet, bom: np.ndarray, site: np.ndarray) -> Boms:
        """Each engine BOM (a BOM at a site) with its lines and outputs as that site's nodes."""
        lines, line_bom, line_site = self.lines.of_boms(bom, site)
        outputs, output_bom, output_site = self.outputs.of_boms(bom, site)
        return Boms.of(
            main=nodes.find(self.bom_item[bom], site),
            quantity=self.bom_quantity[bom],
            line_bom=line_bom,
            line_component=nodes.find(lines["item"], line_site),
            line_quantity=lines["quantity"],
            line_scrap=np.nan_to_num(lines["scrap"]),
            line_group=lines["group_code"],
            line_priority=lines["priority"],
            line_valid_from=lines["valid_from"],
            line_valid_to=lines["valid_to"],
            output_bom=output_bom,
            output_node=nodes.find(outputs["item"], output_site),
            output_quantity=outputs["quantity"],
        )

    def suppliers(self) -> SupplierItems:
        flat = self.connection.dialect.name
        rows = read_columns(
            self.connection,
            select(
                SupplierItem.item_id.label("item"),
                SupplierItem.supplier_id.label("supplier"),
                SupplierItem.rank.label("rank"),
                as_float(SupplierItem.lead_time_days, flat).label("lead_time"),
                as_float(SupplierItem.min_order_quantity, flat).label("min_order_quantity"),
                as_float(SupplierItem.order_multiple, flat).label("order_multiple"),
                as_float(SupplierItem.quota_share, flat).label("quota_share"),
            ),
        )
        if not rows["item"].size:
            return SupplierItems.empty()
        lead_time = np.nan_to_num(rows["lead_time"])
        for (supplier, item), days in learned_supplier_lead_times(self.connection).items():
            lead_time[(rows["supplier"] == supplier) & (rows["item"] == item)] = days
        return SupplierItems.of(
            item=rows["item"],
            supplier=rows["supplier"],
            rank=rows["rank"],
            lead_time=lead_time,
            min_order_quantity=rows["min_order_quantity"],
            order_multiple=rows["order_multiple"],
            quota_share=rows["quota_share"],
        )


def working_days(connection: Connection, sites: list[int], start: dt.date, end: dt.date) -> np.ndarray:
    """Per site, whether each day from ``start`` to ``end`` is worked: a day is worked when any
    work center of the site has a shift on that weekday and it is not a holiday of its calendar.
    A site without work centers (a warehouse) works Monday to Friday."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    calendars: dict[int, set[int]] = defaultdict(set)
    for site, calendar in connection.execute(select(WorkCenter.site_id, WorkCenter.calendar_id).distinct()):
        calendars[site].add(calendar)
    shift_days: dict[int, set[int]] = defaultdict(set)
    for calendar, day in connection.execute(select(CalendarShift.calendar_id, CalendarShift.weekday).distinct()):
        shift_days[calendar].add(day)
    holidays: dict[int, set[np.datetime64]] = defaultdict(set)
    for calendar, holiday in connection.execute(select(CalendarHoliday.calendar_id, CalendarHoliday.day)):
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


def release_date(connection: Connection, site: int, lead_time: float, due: dt.date) -> dt.date:
    """The release date of an order due on ``due`` at ``site`` with ``lead_time`` days, as MRP derives it:
    the due date less the lead time (rounded up to whole days) counted in the site's working days."""
    days = int(np.ceil(lead_time - 1e-9))
    start = due - dt.timedelta(days=CALENDAR_MARGIN_DAYS + 2 * days)
    calendar = Calendar.of(start=start, working=working_days(connection, [site], start, due))
    released = calendar.release_dates(0, days, np.array([due], dtype="datetime64[D]"))
    result: dt.date = released[0].astype(dt.date)
    return result


PROCUREMENT_CODES = {word: code for code, word in enumerate(PROCUREMENTS)}
#: Numbers an item-site may override: the loader's name -> the item-site column (see :meth:`_Catalog.effective`).
OVERRIDDEN_NUMBERS = {
    "lead_time": "lead_time_days",
    "fixed_order_quantity": "fixed_order_quantity",
    "min_order_quantity": "min_order_quantity",
    "order_multiple": "order_multiple",
    "max_order_quantity": "max_order_quantity",
    "safety_stock": "safety_stock",
    "reorder_point": "reorder_point",
    "order_quantity": "order_quantity",
    "order_up_to": "order_up_to",
}
POLICY_NUMBERS = ("reorder_point", "order_quantity", "order_up_to")


def _starts_and_counts(dense_bom: np.ndarray, boms: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each BOM's rows start and how many there are, for rows sorted by BOM."""
    counts = np.bincount(dense_bom, minlength=boms)
    return np.cumsum(counts) - counts, counts


@dataclass(frozen=True)
class _BomRows:
    """Lines or outputs of the chosen BOMs, sorted by dense BOM index (in their order within
    a BOM), and where each BOM's rows start and how many there are."""

    rows: Columns
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, rows: Columns, dense: np.ndarray) -> _BomRows:
        bom = np.where(rows["bom"] < dense.size, dense[np.minimum(rows["bom"], dense.size - 1)], -1)
        keep = np.flatnonzero(bom >= 0)
        keep = keep[np.argsort(bom[keep], kind="stable")]
        grouped = {name: column[keep] for name, column in rows.items()}
        grouped["bom"] = bom[keep]
        return cls(grouped, *_starts_and_counts(grouped["bom"], int(dense.max(initial=-1)) + 1))

    def of_boms(self, bom: np.ndarray, site: np.ndarray) -> tuple[Columns, np.ndarray, np.ndarray]:
        """The rows of every engine BOM (a BOM at a site), with the engine BOM and the site of each."""
        counts = self.count[bom]
        spans = _spans(self.start[bom], counts)
        return (
            {name: column[spans] for name, column in self.rows.items()},
            np.repeat(np.arange(bom.size), counts),
            np.repeat(site, counts),
        )
