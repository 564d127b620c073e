"""The supply network of items at sites, read from the catalog as MRP plans it.

A node is an (item, site) pair. Demand at a node is its own (sales, forecast) plus what
its users need: a transferred item's node at the site it comes from supplies it (one for
one); a made item's BOM runs at the same site consume the BOM's inputs, per run
``quantity / (1 - scrap)``. A BOM with co-products runs for the output that needs the
most runs (its *driver*); the others come along. The main product needs
``1 / yield`` runs per unit made. Alternates are replaced by the group's primary line;
phantoms pass their demand through; services are bought but never stocked.

Each node reads its item's planning parameters *at its site*: an ``item_site`` record's
values where it sets them, the item's own otherwise (:mod:`plantops.services.item_sites`),
so a site may buy what another makes, or take it from another source with its own lead
time. As there, an item transferred from the very site it is at is made there (bought,
when it has no BOM).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.catalog import Bom, BomComponent, BomOutput, Item, Unit
from plantops.db.sites import CalendarShift, Site, WorkCenter
from plantops.services.item_sites import site_columns
from plantops.vocabulary import ItemType, LotSizeRule, Procurement

NodeKey = tuple[int, int]  # (item id, site id)
#: Working days a week of a site without work centers (a warehouse): Monday to Friday.
WAREHOUSE_WORKING_DAYS = 5


@dataclass(frozen=True)
class ItemFacts:
    """An item's planning parameters at a site (the effective ones) and what the policy needs to know of it."""

    id: int
    code: str
    item_type: ItemType
    procurement: Procurement
    transfer_from_site_id: int | None
    lead_time_days: Decimal
    standard_cost: Decimal
    holding_cost_rate: Decimal | None
    ordering_cost: Decimal | None
    safety_stock: Decimal
    lot_size_rule: LotSizeRule
    fixed_order_quantity: Decimal | None
    min_order_quantity: Decimal | None
    order_multiple: Decimal | None
    max_order_quantity: Decimal | None
    yield_rate: Decimal
    decimals: int

    @property
    def stocked(self) -> bool:
        """Phantoms are blown through and services are never stocked: neither gets a policy."""
        return self.item_type not in (ItemType.PHANTOM, ItemType.SERVICE)


@dataclass(frozen=True)
class BomRun:
    """A BOM run at a site: per run, the outputs it yields and the inputs it consumes."""

    outputs: list[tuple[int, float]]  # (node, units per run, after the main product's yield)
    inputs: list[tuple[int, float]]  # (node, units per run, scrap included)


@dataclass
class SupplyNetwork:
    """Nodes in an order where every node comes after all of its users; ``facts`` are each node's
    item's parameters at the node's site."""

    nodes: list[NodeKey]
    facts: list[ItemFacts]
    sites: dict[int, str]
    working_days: dict[int, int]  # site -> working days a week
    transfer_from: dict[int, int] = field(default_factory=dict)  # node -> node it is transferred from
    made_by: dict[int, int] = field(default_factory=dict)  # node -> run it is made by
    runs: list[BomRun] = field(default_factory=list)

    def item(self, node: int) -> ItemFacts:
        return self.facts[node]

    def site(self, node: int) -> int:
        return self.nodes[node][1]


def read_network(session: Session, seeds: list[NodeKey], today: dt.date) -> SupplyNetwork:
    """The nodes the ``seeds`` need, directly or through what supplies them, users first."""
    catalog = _Catalog(session, today)
    keys: list[NodeKey] = []
    index: dict[NodeKey, int] = {}
    pending = deque(dict.fromkeys(seeds))
    while pending:
        key = pending.popleft()
        if key in index:
            continue
        index[key] = len(keys)
        keys.append(key)
        pending.extend(k for k in catalog.supplied_from(key) if k not in index)
    suppliers: dict[int, set[int]] = defaultdict(set)
    transfer_from: dict[int, int] = {}
    made_by: dict[int, int] = {}
    runs: list[BomRun] = []
    run_of: dict[tuple[int, int], int] = {}
    for key, node in index.items():
        item, site = key
        source = catalog.transfer_source(item, site)
        if source is not None:
            transfer_from[node] = index[(item, source)]
            suppliers[node].add(index[(item, source)])
            continue
        bom = catalog.making_bom(item, site)
        if bom is None:
            continue
        if (bom, site) not in run_of:
            run_of[(bom, site)] = len(runs)
            runs.append(catalog.bom_run(bom, site, index))
        made_by[node] = run_of[(bom, site)]
        suppliers[node].update(n for n, _ in runs[run_of[(bom, site)]].inputs)
    order = _users_first(len(keys), suppliers)
    renumber = {old: new for new, old in enumerate(order)}
    runs = [
        BomRun([(renumber[n], q) for n, q in run.outputs], [(renumber[n], q) for n, q in run.inputs]) for run in runs
    ]
    return SupplyNetwork(
        nodes=[keys[old] for old in order],
        facts=[catalog.at_site(*keys[old]) for old in order],
        sites=catalog.sites,
        working_days=read_working_days(session),
        transfer_from={renumber[n]: renumber[s] for n, s in transfer_from.items()},
        made_by={renumber[n]: r for n, r in made_by.items()},
        runs=runs,
    )


def _users_first(size: int, suppliers: dict[int, set[int]]) -> list[int]:
    """Kahn's algorithm on "is supplied by": a node once every node it supplies is placed."""
    users = [0] * size
    for supplied in suppliers.values():
        for node in supplied:
            users[node] += 1
    ready = deque(n for n in range(size) if users[n] == 0)
    order: list[int] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for supplier in sorted(suppliers.get(node, ())):
            users[supplier] -= 1
            if users[supplier] == 0:
                ready.append(supplier)
    return order


class _Catalog:
    """Items, their records per site, the BOMs in force and the sites, read once."""

    def __init__(self, session: Session, today: dt.date) -> None:
        self.session, self.today = session, today
        self.items = {
            row.id: ItemFacts(**row._asdict())
            for row in session.execute(
                select(
                    Item.id,
                    Item.code,
                    Item.item_type,
                    Item.procurement,
                    Item.transfer_from_site_id,
                    Item.lead_time_days,
                    Item.standard_cost,
                    Item.holding_cost_rate,
                    Item.ordering_cost,
                    Item.safety_stock,
                    Item.lot_size_rule,
                    Item.fixed_order_quantity,
                    Item.min_order_quantity,
                    Item.order_multiple,
                    Item.max_order_quantity,
                    Item.yield_rate,
                    Unit.decimals,
                ).join(Unit, Unit.id == Item.unit_id)
            )
        }
        self.sites = dict(session.execute(select(Site.id, Site.code)).all())
        self.overrides = _site_overrides(session)
        self.with_bom = set(session.scalars(select(Bom.item_id).distinct()))
        self.effective: dict[NodeKey, ItemFacts] = {}
        self.bom_of: dict[int, int] = {}
        self.boms: dict[int, Any] = {}
        for row in session.execute(
            select(Bom.id, Bom.item_id, Bom.quantity, Bom.valid_from, Bom.valid_to).order_by(
                Bom.item_id, Bom.priority, Bom.id
            )
        ):
            if _in_force(row.valid_from, row.valid_to, today) and row.item_id not in self.bom_of:
                self.bom_of[row.item_id] = row.id
                self.boms[row.id] = row
        self.lines: dict[int, list[Any]] = defaultdict(list)
        primary: dict[tuple[int, str], Any] = {}
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
            if line.bom_id not in self.boms or not _in_force(line.valid_from, line.valid_to, today):
                continue
            if line.alternate_group is None:
                self.lines[line.bom_id].append(line)
            elif (key := (line.bom_id, line.alternate_group)) not in primary or line.priority < primary[key].priority:
                primary[key] = line
        for (bom, _), line in primary.items():
            self.lines[bom].append(line)
        self.outputs: dict[int, list[Any]] = defaultdict(list)
        for output in session.execute(select(BomOutput.bom_id, BomOutput.item_id, BomOutput.quantity)):
            if output.bom_id in self.boms:
                self.outputs[output.bom_id].append(output)
                self.bom_of.setdefault(output.item_id, output.bom_id)  # a co-product is made by its runs

    def at_site(self, item: int, site: int) -> ItemFacts:
        """The item's parameters at the site: the site's record's where it sets them, else the item's."""
        key = (item, site)
        found = self.effective.get(key)
        if found is None:
            found = _effective(self.items[item], self.overrides.get(key, {}), site, item in self.with_bom)
            self.effective[key] = found
        return found

    def transfer_source(self, item: int, site: int) -> int | None:
        facts = self.at_site(item, site)
        return facts.transfer_from_site_id if facts.procurement is Procurement.TRANSFER else None

    def making_bom(self, item: int, site: int) -> int | None:
        return None if self.at_site(item, site).procurement is Procurement.BUY else self.bom_of.get(item)

    def supplied_from(self, key: NodeKey) -> list[NodeKey]:
        item, site = key
        source = self.transfer_source(item, site)
        if source is not None:
            return [(item, source)]
        bom = self.making_bom(item, site)
        if bom is None:
            return []
        main = self.boms[bom].item_id
        return [
            (main, site),
            *((output.item_id, site) for output in self.outputs[bom]),
            *((line.item_id, site) for line in self.lines[bom]),
        ]

    def bom_run(self, bom: int, site: int, index: dict[NodeKey, int]) -> BomRun:
        row = self.boms[bom]
        main_yield = float(self.items[row.item_id].yield_rate)
        outputs = [(index[(row.item_id, site)], float(row.quantity) * main_yield)]
        outputs += [(index[(o.item_id, site)], float(o.quantity)) for o in self.outputs[bom]]
        inputs = [
            (index[(line.item_id, site)], float(line.quantity) / (1.0 - float(line.scrap_factor)))
            for line in self.lines[bom]
        ]
        return BomRun(outputs, inputs)


#: Item-site columns that override the item's own value of the same name, as :class:`ItemFacts` calls them.
_OVERRIDDEN = {
    "procurement": "procurement",
    "transfer_from_site": "transfer_from_site_id",
    "lead_time_days": "lead_time_days",
    "lot_size_rule": "lot_size_rule",
    "fixed_order_quantity": "fixed_order_quantity",
    "min_order_quantity": "min_order_quantity",
    "order_multiple": "order_multiple",
    "max_order_quantity": "max_order_quantity",
    "safety_stock": "safety_stock",
}
_MICRO = Decimal("0.000001")


def _site_overrides(session: Session) -> dict[NodeKey, dict[str, Any]]:
    """Per (item, site) with a record, the values it sets, as :class:`ItemFacts` types them."""
    columns = site_columns(session.connection())
    if not columns["item"].size:
        return {}
    typed: dict[str, list[Any]] = {}
    for name, field_name in _OVERRIDDEN.items():
        column = columns[name]
        if name == "procurement":
            typed[field_name] = [None if v is None else Procurement(v) for v in column.tolist()]
        elif name == "lot_size_rule":
            typed[field_name] = [None if v is None else LotSizeRule(v) for v in column.tolist()]
        elif name == "transfer_from_site":
            typed[field_name] = [None if v < 0 else v for v in column.tolist()]
        else:  # decimals read as floats: back to the exact value (six decimals) they were stored as
            set_at = ~np.isnan(column)
            typed[field_name] = [
                Decimal(repr(v)).quantize(_MICRO) if s else None
                for v, s in zip(column.tolist(), set_at.tolist(), strict=True)
            ]
    overrides: dict[NodeKey, dict[str, Any]] = {}
    for row, key in enumerate(zip(columns["item"].tolist(), columns["site"].tolist(), strict=True)):
        overrides[key] = {name: values[row] for name, values in typed.items() if values[row] is not None}
    return overrides


def _effective(item: ItemFacts, overrides: dict[str, Any], site: int, has_bom: bool) -> ItemFacts:
    """``item`` with the site's values, and the rule of :func:`plantops.services.item_sites.planning_in`
    that an item transferred from its own site is made there (bought without a BOM)."""
    facts = replace(item, **overrides) if overrides else item
    if facts.procurement is Procurement.TRANSFER and facts.transfer_from_site_id == site:
        return replace(facts, procurement=Procurement.MAKE if has_bom else Procurement.BUY, transfer_from_site_id=None)
    return facts


def read_working_days(session: Session) -> dict[int, int]:
    """Per site, the weekdays any of its work centers has a shift on (Monday to Friday without any)."""
    days: dict[int, set[int]] = defaultdict(set)
    for site, weekday in session.execute(
        select(WorkCenter.site_id, CalendarShift.weekday)
        .join(CalendarShift, CalendarShift.calendar_id == WorkCenter.calendar_id)
        .distinct()
    ):
        days[site].add(weekday)
    return {site: len(days[site]) or WAREHOUSE_WORKING_DAYS for site in session.scalars(select(Site.id))}


def _in_force(valid_from: dt.date | None, valid_to: dt.date | None, today: dt.date) -> bool:
    return (valid_from is None or valid_from <= today) and (valid_to is None or today < valid_to)
