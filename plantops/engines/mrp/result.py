"""What a run returns: the time-phased records, the planned orders and (lazily) the exceptions.

The ``N x T`` tables are built when first read (a net-change plan shares its stores with
the plan it came from, so reading one table costs a copy). :meth:`MrpPlan.record`,
:meth:`MrpPlan.orders_for` and :meth:`MrpPlan.exceptions_for` read only the given nodes:
what a service writes back after a net-change run (``changed_nodes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp._checks import F64, I64, Dates
from plantops.engines.mrp._state import PlanState
from plantops.engines.mrp.kinds import BUY, FOQ, MAKE, ORDER_KINDS, TRANSFER, OrderKind
from plantops.engines.mrp.lotsizing import split_orders
from plantops.engines.mrp.messages import NOISE, Exceptions, find_exceptions
from plantops.engines.mrp.problem import MrpProblem
from plantops.engines.mrp.quota import sourced_orders


@dataclass(frozen=True, eq=False)
class PlannedOrders:
    """Planned orders, one element each, sorted by node, due bucket and split.

    ``quantity`` is what to order or start; ``receipt_quantity`` is what it yields
    (``quantity x yield``; for a run of a BOM with co-products, the main product's output).
    ``bom`` is set for made orders, ``supplier`` for bought ones (the preferred supplier, or
    the one the quota arrangement chose, :mod:`~plantops.engines.mrp.quota`; -1 if none),
    ``source`` for transfers. ``driver`` is the node whose requirement caused
    the order: the node itself, or for a joint run, the output that needed it most.
    """

    node: I64
    kind: np.ndarray[tuple[int], np.dtype[np.int8]]
    release_bucket: I64
    release_date: Dates
    due_bucket: I64
    due_date: Dates
    quantity: F64
    receipt_quantity: F64
    bom: I64
    supplier: I64
    source: I64
    driver: I64

    def __len__(self) -> int:
        return int(self.node.size)

    def kind_of(self, order: int) -> OrderKind:
        return ORDER_KINDS[int(self.kind[order])]


@dataclass(frozen=True)
class MrpRecord:
    """The time-phased record of one node (Vollmann et al., MRP chapter), one value per bucket.

    ``projected_on_hand`` counts scheduled receipts in their due buckets (what happens if
    nobody acts on the expedite messages); ``net_requirements`` is how far below safety
    stock the projected available balance would fall in a bucket without that bucket's
    planned receipt (scheduled receipts at their netting buckets).
    """

    node: int
    gross_requirements: F64
    scheduled_receipts: F64
    projected_on_hand: F64
    net_requirements: F64
    planned_order_receipts: F64
    planned_order_releases: F64


@dataclass(frozen=True, eq=False)
class MrpPlan:
    """The result of :func:`~plantops.engines.mrp.plan` or :func:`~plantops.engines.mrp.replan`.

    ``changed_nodes`` are the nodes this run recomputed (all of them for a regenerative run).
    """

    problem: MrpProblem
    state: PlanState
    changed_nodes: I64
    _order_cache: dict[bytes, PlannedOrders] = field(default_factory=dict, repr=False)

    @property
    def low_level_codes(self) -> I64:
        return self.state.structure.level

    @cached_property
    def _tables(self) -> tuple[F64, F64, F64, F64, F64, F64]:
        return _records(self.state, np.arange(self.state.structure.count, dtype=np.int64))

    @property
    def gross_requirements(self) -> F64:
        return self._tables[0]

    @property
    def scheduled_receipts(self) -> F64:
        return self._tables[1]

    @property
    def projected_on_hand(self) -> F64:
        return self._tables[2]

    @property
    def net_requirements(self) -> F64:
        return self._tables[3]

    @property
    def planned_order_receipts(self) -> F64:
        return self._tables[4]

    @property
    def planned_order_releases(self) -> F64:
        return self._tables[5]

    def record(self, node: int) -> MrpRecord:
        tables = _records(self.state, np.array([node], np.int64))
        return MrpRecord(node, *(table[0] for table in tables))

    @cached_property
    def orders(self) -> PlannedOrders:
        """Every planned order (phantoms have none: they are blown through)."""
        return self.orders_for(np.arange(self.state.structure.count, dtype=np.int64))

    def orders_for(self, nodes: ArrayLike) -> PlannedOrders:
        """The planned orders of ``nodes`` only (the last answer is kept for :meth:`exceptions_for`)."""
        rows = np.unique(np.asarray(nodes, np.int64))
        key = rows.tobytes()
        if key not in self._order_cache:
            self._order_cache.clear()
            self._order_cache[key] = _orders(self.problem, self.state, rows)
        return self._order_cache[key]

    @cached_property
    def exceptions(self) -> Exceptions:
        """Every exception message of the plan."""
        every = np.arange(self.state.structure.count, dtype=np.int64)
        return find_exceptions(self.problem, self.state, every, self.orders)

    def exceptions_for(self, nodes: ArrayLike) -> Exceptions:
        """The exception messages of ``nodes`` only."""
        rows = np.unique(np.asarray(nodes, np.int64))
        return find_exceptions(self.problem, self.state, rows, self.orders_for(rows))


def _records(state: PlanState, nodes: I64) -> tuple[F64, F64, F64, F64, F64, F64]:
    structure, horizon = state.structure, state.structure.horizon
    gross = state.gross.get(nodes)
    receipts = state.receipts.get(nodes)
    scheduled = state.book.scheduled(nodes, horizon)
    netting = state.book.scheduled(nodes, horizon, state.need)
    available = state.available[nodes, None]
    on_hand = available + np.cumsum(scheduled + receipts - gross, axis=1)
    balance = available + np.cumsum(netting + receipts - gross, axis=1)
    net = np.maximum(structure.safety_stock[nodes, None] - (balance - receipts), 0.0)
    releases = state.to_release(nodes, state.orders.get(nodes))
    return gross, scheduled, on_hand, net, receipts, releases


def _orders(problem: MrpProblem, state: PlanState, nodes: I64) -> PlannedOrders:
    structure, settings = state.structure, problem.settings
    nodes = nodes[~problem.nodes.phantom[nodes]]
    table = state.orders.get(nodes)
    row, due = np.nonzero(table > NOISE)  # float residue of netting is no order
    node = nodes[row]
    total = table[row, due]
    rule = problem.nodes.lot_size_rule[node]
    lot = np.where(rule == FOQ, problem.nodes.fixed_order_quantity[node], structure.max_quantity[node])
    lot = np.where(structure.joint_driver[node], structure.max_quantity[node], lot)
    count, quantity = split_orders(total, lot)
    node, due = np.repeat(node, count), np.repeat(due, count)
    pair = structure.times.pair[node]
    release_bucket = structure.times.release_bucket[pair, due]
    release_date = structure.times.release_date[pair, due]
    procurement = problem.nodes.procurement[node]
    supplier = np.where(procurement == BUY, structure.supplier[node], -1)
    quotas = structure.quotas
    sourced, candidate = sourced_orders(quotas, node, state.sourcing, due)
    if sourced.size:
        row = quotas.times.pair[candidate]
        release_bucket[sourced] = quotas.times.release_bucket[row, due[sourced]]
        release_date[sourced] = quotas.times.release_date[row, due[sourced]]
        supplier[sourced] = quotas.supplier[candidate]
    driver = node.copy()
    joint = np.flatnonzero(structure.joint_driver[node])
    for position in joint.tolist():
        runs = state.joints[int(problem.nodes.bom[node[position]])]
        driver[position] = runs.driver[due[position]]
    yield_rate = structure.yield_rate[node]
    return PlannedOrders(
        node=node,
        kind=procurement.astype(np.int8),
        release_bucket=release_bucket,
        release_date=release_date,
        due_bucket=due.astype(np.int64),
        due_date=settings.buckets[due],
        quantity=quantity,
        receipt_quantity=quantity * yield_rate,
        bom=np.where(procurement == MAKE, problem.nodes.bom[node], -1),
        supplier=supplier,
        source=np.where(procurement == TRANSFER, problem.nodes.source[node], -1),
        driver=driver,
    )
