"""Pegging: which end demands a planned order serves, and which supply covers a demand.

Pegging is computed on request, for the nodes a question reaches, not for the whole
plan (at 100,000 items full pegging would cost more than the run itself):

- at one node, the demand elements (allocations first, then per bucket: sales order
  lines by priority and id, dependent demand of the parents' orders, forecast left
  after consumption; safety stock last, after the horizon) are matched first in, first
  out with the supply elements (on-hand, then per bucket: scheduled receipts at their
  netting bucket, planned orders, co-product output of runs, phantom blow-through), by
  their cumulative quantities;
- :func:`peg` follows a planned order up the structure: a component's supply matched to
  a dependent demand passes on to the parent order that caused it, in proportion to what
  that order is pegged to at the parent's node (a run of a BOM with co-products passes it
  to each output in proportion to its output per batch). What no demand takes is
  ``EXCESS`` (lot sizes, minimums). The lines add up to the order's receipt quantity.
- :func:`peg_receipt` does the same for a scheduled receipt (an open purchase order line,
  work order or firm planned order);
- :func:`supply_of` lists the supply covering one sales order line or forecast entry at
  its node, and a ``SHORTAGE`` line for what nothing covers;
- :func:`peg_down` inverts :func:`peg`: from one demand line down the structure, the
  supply covering it at its node and, below each order that covers it, the supply
  covering that order's share of its components' dependent demand, level by level.

Nodes are visited once each, in decreasing low-level code, so shared components do not
multiply the work.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from plantops.engines.mrp.demand import demand_lines, independent_demand
from plantops.engines.mrp.kinds import PegKind, SupplyKind
from plantops.engines.mrp.result import MrpPlan
from plantops.engines.mrp.structure import TOL, JointGroup

Key = tuple[str, int]  # ("on_hand", 0), ("receipt", book position), ("order", order), ("co", order), ("blow", bucket)
_ALLOCATION, _SALES, _DEPENDENT, _FORECAST, _SAFETY = range(5)
_SUPPLY_RANK = {"on_hand": 0, "receipt": 1, "order": 2, "co": 3, "blow": 4}
_END_KINDS = {
    _ALLOCATION: PegKind.ALLOCATION,
    _SALES: PegKind.SALES_ORDER,
    _FORECAST: PegKind.FORECAST,
    _SAFETY: PegKind.SAFETY_STOCK,
}


@dataclass(frozen=True)
class PegLine:
    """Part of a planned order's receipt (``quantity``, in its units) that serves an end demand or is excess."""

    kind: PegKind
    node: int
    bucket: int  # the demand's bucket (-1: allocation, T: safety stock), or the excess supply's
    quantity: float
    demand: int | None = None  # index in problem.demands for sales orders and forecast


@dataclass(frozen=True)
class SupplyPeg:
    """Supply that covers (part of) a demand at its node."""

    kind: SupplyKind
    node: int
    bucket: int
    quantity: float
    order: int | None = None  # index in plan.orders (planned orders, co-product runs)
    receipt: int | None = None  # index in problem.receipts


@dataclass(frozen=True)
class SupplyLine:
    """Supply that serves a demand ``level`` steps down the structure (0: at the demand's own node).

    ``supply.quantity`` (in its node's units) covers a requirement needed in ``need_bucket``
    of the line at index ``parent`` of the same answer (-1: of the demand itself).
    """

    level: int
    parent: int
    need_bucket: int
    supply: SupplyPeg


@dataclass
class _Table:
    """Demand and supply elements of one node and their first-in-first-out matches."""

    demand_kind: list[int] = field(default_factory=list)
    demand_bucket: list[int] = field(default_factory=list)
    demand_quantity: list[float] = field(default_factory=list)
    demand_ref: list[int] = field(default_factory=list)  # demand index, or position in ``parents``
    demand_sort: list[tuple[int, ...]] = field(default_factory=list)
    parents: list[tuple[int, Key]] = field(default_factory=list)  # (parent node, parent supply key)
    supply_key: list[Key] = field(default_factory=list)
    supply_bucket: list[int] = field(default_factory=list)
    supply_quantity: list[float] = field(default_factory=list)
    by_supply: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # supply -> [(demand, quantity)]
    by_demand: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # demand -> [(supply, quantity)]
    _by_parent: dict[tuple[int, Key], list[int]] | None = None

    def dependents_of(self, parent: int, key: Key) -> list[int]:
        """The dependent demand elements that ``parent``'s supply element ``key`` caused here."""
        if self._by_parent is None:
            self._by_parent = defaultdict(list)
            for d, kind in enumerate(self.demand_kind):
                if kind == _DEPENDENT:
                    self._by_parent[self.parents[self.demand_ref[d]]].append(d)
        return self._by_parent.get((parent, key), [])

    def add_demand(self, kind: int, bucket: int, quantity: float, ref: int, *sort: int) -> None:
        if quantity > TOL:
            self.demand_kind.append(kind)
            self.demand_bucket.append(bucket)
            self.demand_quantity.append(quantity)
            self.demand_ref.append(ref)
            self.demand_sort.append((bucket, kind, *sort))

    def add_supply(self, key: Key, bucket: int, quantity: float) -> None:
        if quantity > TOL:
            self.supply_key.append(key)
            self.supply_bucket.append(bucket)
            self.supply_quantity.append(quantity)


class _Pegger:
    def __init__(self, plan: MrpPlan) -> None:
        self.plan = plan
        self.problem = plan.problem
        self.state = plan.state
        self.structure = plan.state.structure
        self.orders = plan.orders
        self.order_start = np.searchsorted(self.orders.node, np.arange(self.structure.count + 1))
        self.tables: dict[int, _Table] = {}
        self.joint_of: dict[int, int] = {}
        for level in self.structure.joints:
            for group in level:
                for output in group.outputs.tolist():
                    self.joint_of[output] = group.bom

    def table(self, node: int) -> _Table:
        if node not in self.tables:
            self.tables[node] = self._build(node)
        return self.tables[node]

    def _build(self, node: int) -> _Table:
        table = _Table()
        problem, state, structure = self.problem, self.state, self.structure
        horizon = structure.horizon
        on_hand = float(problem.stock.on_hand[node])
        table.add_demand(_ALLOCATION, -1, float(problem.stock.allocated[node]) + max(-on_hand, 0.0), -1)
        nodes = np.array([node])
        lines, bucket, forecast = demand_lines(problem, nodes)
        demands = problem.demands
        for line, b in zip(lines[~forecast].tolist(), bucket[~forecast].tolist(), strict=True):
            table.add_demand(
                _SALES, b, float(demands.quantity[line]), line, int(demands.priority[line]), int(demands.id[line])
            )
        _, planned, left = independent_demand(problem, nodes)
        for line, b in zip(lines[forecast].tolist(), bucket[forecast].tolist(), strict=True):
            share = left[0, b] / planned[0, b] if planned[0, b] > 0 else 0.0
            table.add_demand(_FORECAST, b, float(demands.quantity[line]) * share, line, int(demands.id[line]))
        self._dependent(node, table)
        table.add_demand(_SAFETY, horizon, float(structure.safety_stock[node]), -1)

        table.add_supply(("on_hand", 0), -1, max(on_hand, 0.0))
        book = state.book
        effective = state.effective_buckets()
        for position in book.of_nodes(nodes).tolist():
            table.add_supply(("receipt", position), int(effective[position]), float(book.quantity[position]))
        if problem.nodes.phantom[node]:
            for t, quantity in enumerate(state.receipts.row(node).tolist()):
                table.add_supply(("blow", t), t, quantity)
        elif node in self.joint_of:
            group = self._group(node)
            main = group.main
            share = float(group.per_batch[list(group.outputs).index(node)] / group.per_batch[0])
            for order in range(int(self.order_start[main]), int(self.order_start[main + 1])):
                kind = "order" if node == main else "co"
                quantity = float(self.orders.receipt_quantity[order]) * (1.0 if node == main else share)
                table.add_supply((kind, order), int(self.orders.due_bucket[order]), quantity)
            if node != main:
                self._own_orders(node, table)
        else:
            self._own_orders(node, table)
        self._match(table)
        return table

    def _own_orders(self, node: int, table: _Table) -> None:
        for order in range(int(self.order_start[node]), int(self.order_start[node + 1])):
            table.add_supply(
                ("order", order), int(self.orders.due_bucket[order]), float(self.orders.receipt_quantity[order])
            )

    def components_of(self, parent: int) -> list[int]:
        """The nodes ``parent``'s orders explode into: BOM components (alternates among them) or a transfer's source."""
        structure = self.structure
        found = set(structure.relation_component[structure.relation_parent == parent].tolist())
        for level, groups in enumerate(structure.explosion):
            for group, entries in zip(groups.groups, self.state.alternates[level], strict=True):
                if group.parent == parent:
                    found.update(entries.component.tolist())
        return sorted(found)

    def _group(self, node: int) -> JointGroup:
        bom = self.joint_of[node]
        return next(g for level in self.structure.joints for g in level if g.bom == bom)

    def outputs_of(self, parent: int, key: Key) -> list[tuple[int, float]]:
        """Where a parent supply element's receipts go: the parent, or every output of a joint run by output share."""
        if key[0] != "order" or parent not in self.joint_of:
            return [(parent, 1.0)]
        group = self._group(parent)
        weights = group.per_batch / group.per_batch.sum()
        return [(int(o), float(w)) for o, w in zip(group.outputs.tolist(), weights.tolist(), strict=True)]

    def supply_peg(self, node: int, table: _Table, s: int, quantity: float) -> SupplyPeg:
        kind, ref = table.supply_key[s]
        bucket = table.supply_bucket[s]
        if kind == "on_hand":
            return SupplyPeg(SupplyKind.ON_HAND, node, bucket, quantity)
        if kind == "receipt":
            return SupplyPeg(SupplyKind.RECEIPT, node, bucket, quantity, receipt=int(self.state.book.index[ref]))
        if kind == "blow":
            return SupplyPeg(SupplyKind.BLOW_THROUGH, node, bucket, quantity)
        supply = SupplyKind.PLANNED_ORDER if kind == "order" else SupplyKind.CO_PRODUCT
        return SupplyPeg(supply, node, bucket, quantity, order=ref)

    def _explodable(self, parent: int) -> list[tuple[Key, int, float]]:
        """Supply elements of ``parent`` that explode: (key, due bucket, order quantity)."""
        result: list[tuple[Key, int, float]] = []
        if self.problem.nodes.phantom[parent]:
            for t, quantity in enumerate(self.state.orders.row(parent).tolist()):
                if quantity > 0:
                    result.append((("blow", t), t, quantity))
        else:
            for order in range(int(self.order_start[parent]), int(self.order_start[parent + 1])):
                result.append(
                    (("order", order), int(self.orders.due_bucket[order]), float(self.orders.quantity[order]))
                )
        book = self.state.book
        for position in book.of_nodes(np.array([parent])).tolist():
            if book.firm[position]:
                quantity = float(book.quantity[position] / self.structure.yield_rate[parent])
                result.append((("receipt", position), int(book.bucket[position]), quantity))
        return result

    def _dependent(self, node: int, table: _Table) -> None:
        structure, boms = self.structure, self.problem.boms
        first, last = np.searchsorted(structure.relation_component, [node, node + 1])
        for relation in range(int(first), int(last)):
            parent = int(structure.relation_parent[relation])
            factor = float(structure.relation_factor[relation])
            line = int(structure.relation_line[relation])
            pair = structure.times.pair[parent]
            for key, due, quantity in self._explodable(parent):
                release = structure.times.release_date[pair, due]
                if line >= 0:
                    start, end = boms.line_valid_from[line], boms.line_valid_to[line]
                    if (not np.isnat(start) and release < start) or (not np.isnat(end) and release >= end):
                        continue
                self._add_dependent(
                    table, parent, key, int(structure.times.release_bucket[pair, due]), factor * quantity
                )
        for level, groups in enumerate(structure.explosion):
            for group, entries in zip(groups.groups, self.state.alternates[level], strict=True):
                mine = np.flatnonzero(entries.component == node)
                if mine.size == 0:
                    continue
                supplies = self._explodable(group.parent)
                for entry in mine.tolist():
                    due = int(entries.due[entry])
                    cell = [(key, quantity) for key, d, quantity in supplies if d == due]
                    total = sum(quantity for _, quantity in cell)
                    for key, quantity in cell:
                        self._add_dependent(
                            table,
                            group.parent,
                            key,
                            int(entries.bucket[entry]),
                            float(entries.quantity[entry]) * quantity / total,
                        )

    @staticmethod
    def _add_dependent(table: _Table, parent: int, key: Key, bucket: int, quantity: float) -> None:
        table.parents.append((parent, key))
        table.add_demand(_DEPENDENT, bucket, quantity, len(table.parents) - 1, parent, _SUPPLY_RANK[key[0]], key[1])

    @staticmethod
    def _match(table: _Table) -> None:
        demand_order = sorted(range(len(table.demand_sort)), key=table.demand_sort.__getitem__)
        supply_order = sorted(
            range(len(table.supply_key)),
            key=lambda s: (table.supply_bucket[s], _SUPPLY_RANK[table.supply_key[s][0]], table.supply_key[s][1]),
        )
        demand_end = np.cumsum([table.demand_quantity[d] for d in demand_order])
        supply_end = np.cumsum([table.supply_quantity[s] for s in supply_order])
        if demand_end.size == 0 or supply_end.size == 0:
            return
        limit = min(float(demand_end[-1]), float(supply_end[-1]))
        cuts = np.unique(np.concatenate([[0.0], demand_end, supply_end]))
        cuts = cuts[cuts <= limit + TOL]
        for low, high in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            if high - low <= TOL:
                continue
            middle = (low + high) / 2
            d = demand_order[int(np.searchsorted(demand_end, middle))]
            s = supply_order[int(np.searchsorted(supply_end, middle))]
            table.by_supply.setdefault(s, []).append((d, high - low))
            table.by_demand.setdefault(d, []).append((s, high - low))


def peg(plan: MrpPlan, order: int) -> tuple[PegLine, ...]:
    """The end demands that planned order ``order`` (an index of ``plan.orders``) serves, over all levels."""
    pegger = _Pegger(plan)
    orders = pegger.orders
    if not 0 <= order < len(orders):
        raise IndexError(f"order {order} is not in the plan ({len(orders)} orders)")
    return _peg_up(pegger, int(orders.node[order]), ("order", order), float(orders.receipt_quantity[order]))


def peg_receipt(plan: MrpPlan, receipt: int) -> tuple[PegLine, ...]:
    """The end demands that scheduled receipt ``receipt`` (an index of ``problem.receipts``) serves.

    A receipt due after the horizon is planned with nothing and serves nothing: no lines.
    """
    if not 0 <= receipt < len(plan.problem.receipts):
        raise IndexError(f"receipt {receipt} is not in the plan ({len(plan.problem.receipts)} receipts)")
    book = plan.state.book
    found = np.flatnonzero(book.index == receipt)
    if found.size == 0:
        return ()
    position = int(found[0])
    return _peg_up(_Pegger(plan), int(book.node[position]), ("receipt", position), float(book.quantity[position]))


def _peg_up(pegger: _Pegger, start: int, key: Key, mass: float) -> tuple[PegLine, ...]:
    """Pass ``mass`` of supply element ``key`` at node ``start`` up to the end demands it serves."""
    pending: dict[int, dict[Key, float]] = defaultdict(lambda: defaultdict(float))
    pending[start][key] = mass
    level = pegger.structure.level
    queue = [(-int(level[start]), start)]
    out: dict[tuple[PegKind, int, int, int], float] = defaultdict(float)
    while queue:
        _, node = heapq.heappop(queue)
        masses = pending.pop(node)
        table = pegger.table(node)
        index = {key: s for s, key in enumerate(table.supply_key)}
        for key, mass in masses.items():
            s = index.get(key)
            if s is None:  # nothing (or only rounding noise) was supplied
                continue
            total = table.supply_quantity[s]
            matched = 0.0
            for d, quantity in table.by_supply.get(s, []):
                matched += quantity
                share = mass * quantity / total
                kind = table.demand_kind[d]
                if kind == _DEPENDENT:
                    parent, parent_key = table.parents[table.demand_ref[d]]
                    for target, weight in pegger.outputs_of(parent, parent_key):
                        if target not in pending:
                            heapq.heappush(queue, (-int(level[target]), target))
                        pending[target][parent_key if target == parent else ("co", parent_key[1])] += share * weight
                else:
                    demand = table.demand_ref[d] if kind in (_SALES, _FORECAST) else -1
                    out[(_END_KINDS[kind], node, table.demand_bucket[d], demand)] += share
            if total - matched > TOL:
                out[(PegKind.EXCESS, node, table.supply_bucket[s], -1)] += mass * (total - matched) / total
    return tuple(
        PegLine(kind, node, bucket, quantity, demand if demand >= 0 else None)
        for (kind, node, bucket, demand), quantity in sorted(out.items(), key=lambda item: (item[0][1], item[0][2]))
    )


def supply_of(plan: MrpPlan, demand: int) -> tuple[SupplyPeg, ...]:
    """The supply that covers demand line ``demand`` (an index of ``problem.demands``) at its node."""
    pegger = _Pegger(plan)
    node = int(plan.problem.demands.node[demand])
    table = pegger.table(node)
    result: list[SupplyPeg] = []
    covered = 0.0
    wanted = 0.0
    for d in range(len(table.demand_kind)):
        if table.demand_kind[d] in (_SALES, _FORECAST) and table.demand_ref[d] == demand:
            wanted += table.demand_quantity[d]
            for s, quantity in table.by_demand.get(d, []):
                covered += quantity
                result.append(pegger.supply_peg(node, table, s, quantity))
    if wanted - covered > TOL:
        result.append(SupplyPeg(SupplyKind.SHORTAGE, node, -1, wanted - covered))
    return tuple(result)


def peg_down(plan: MrpPlan, demand: int) -> tuple[SupplyLine, ...]:
    """The supply serving demand line ``demand`` (an index of ``problem.demands``) at every level below it.

    At the demand's node, the supply matched to it (on hand, receipts, planned orders) and
    a ``SHORTAGE`` line for what nothing covers; below each planned order, firm planned
    receipt or phantom that covers part of it, the same for that part's share of the
    dependent demand it caused at each component (or at a transfer's source site), and so
    on down. Nodes are visited once each, in increasing low-level code (every parent before
    its components), and a supply element reached along several paths is one line, its
    quantities added, under the first line that reached it: the answer grows with the nodes
    and supply below the demand, not with the paths to them. Lines come depth first: each
    line follows the line it serves.
    """
    demands = plan.problem.demands
    if not 0 <= demand < len(demands):
        raise IndexError(f"demand {demand} is not in the plan ({len(demands)} demand lines)")
    pegger = _Pegger(plan)
    start = int(demands.node[demand])
    top = pegger.table(start)
    wanted = {
        d: (1.0, -1)
        for d, kind in enumerate(top.demand_kind)
        if kind in (_SALES, _FORECAST) and top.demand_ref[d] == demand
    }
    lines: list[SupplyLine] = []
    depth = {-1: -1}
    pending: dict[int, dict[int, tuple[float, int]]] = {start: wanted}  # node -> demand element -> (share, line)
    low_level = pegger.structure.level
    queue = [(int(low_level[start]), start)]
    while queue:
        _, node = heapq.heappop(queue)
        table = pegger.table(node)
        merged: dict[Key, int] = {}  # supply key -> line index
        for d, (share, parent) in pending.pop(node).items():
            covered = 0.0
            for s, quantity in table.by_demand.get(d, []):
                covered += quantity
                _add(
                    lines,
                    merged,
                    depth,
                    parent,
                    table.demand_bucket[d],
                    table.supply_key[s],
                    pegger.supply_peg(node, table, s, quantity * share),
                )
            short = (table.demand_quantity[d] - covered) * share
            if short > TOL:
                _add(
                    lines,
                    merged,
                    depth,
                    parent,
                    table.demand_bucket[d],
                    ("shortage", 0),
                    SupplyPeg(SupplyKind.SHORTAGE, node, -1, short),
                )
        supply_index = {key: s for s, key in enumerate(table.supply_key)}
        for key, line in merged.items():
            source = _exploding(pegger, node, key)
            if source is None:
                continue
            # a run with co-products serves each output in proportion to its output per batch, as peg() passes up
            weight = dict(pegger.outputs_of(*source)).get(node, 1.0)
            fraction = weight * lines[line].supply.quantity / table.supply_quantity[supply_index[key]]
            for component in pegger.components_of(source[0]):
                caused = pegger.table(component).dependents_of(*source)
                if not caused:
                    continue
                if component not in pending:
                    pending[component] = {}
                    heapq.heappush(queue, (int(low_level[component]), component))
                for c in caused:
                    share, first = pending[component].get(c, (0.0, line))
                    pending[component][c] = (share + fraction, first)
    return _depth_first(lines)


def _add(
    lines: list[SupplyLine],
    merged: dict[Key, int],
    depth: dict[int, int],
    parent: int,
    need: int,
    key: Key,
    supply: SupplyPeg,
) -> None:
    """Add ``supply`` to the line of its supply element at its node, or start that line under ``parent``."""
    at = merged.get(key)
    if at is None:
        merged[key] = len(lines)
        depth[len(lines)] = depth[parent] + 1
        lines.append(SupplyLine(depth[parent] + 1, parent, need, supply))
        return
    line = lines[at]
    total = SupplyPeg(
        supply.kind,
        supply.node,
        line.supply.bucket,
        line.supply.quantity + supply.quantity,
        line.supply.order,
        line.supply.receipt,
    )
    lines[at] = SupplyLine(line.level, line.parent, min(line.need_bucket, need), total)


def _depth_first(lines: list[SupplyLine]) -> tuple[SupplyLine, ...]:
    """``lines`` reordered so that each line's children follow it, parents renumbered."""
    children: dict[int, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        children[line.parent].append(index)
    order: list[int] = []
    stack = list(reversed(children[-1]))
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(reversed(children[index]))
    position = {old: new for new, old in enumerate(order)}
    position[-1] = -1
    return tuple(
        SupplyLine(lines[old].level, position[lines[old].parent], lines[old].need_bucket, lines[old].supply)
        for old in order
    )


def _exploding(pegger: _Pegger, node: int, key: Key) -> tuple[int, Key] | None:
    """The (parent node, supply key) whose explosion made the dependent demand under supply ``key`` of
    ``node``: the order itself, the run yielding a co-product, a firm planned receipt, a phantom's
    blow-through; None for stock and for receipts that do not explode (purchase and work orders)."""
    kind, ref = key
    if kind in ("order", "blow"):
        return node, key
    if kind == "co":
        return int(pegger.orders.node[ref]), ("order", ref)
    if kind == "receipt" and pegger.state.book.firm[ref]:
        return node, key
    return None
