"""The MRP run: regenerative (:func:`plan`) and net change (:func:`replan`).

Nodes are netted level by level in low-level-code order (Orlicky 1975): a node is netted
once all of its users have been, so its gross requirements are complete. A level's
gross requirements are *pulled*: independent demand, then, level by level above it, the
dependent demand of each parent level (one sparse product for the lines valid over the
whole horizon, the time-limited lines, then the alternate groups, in a fixed order).
Both runs compute a node in exactly the same way, so a net-change run that recomputes
only the nodes whose inputs may have changed gives the same plan, to the last bit, as a
regenerative run (the tests check this on random changes).

Net change: the nodes named by the changes are dirty. At each level the dirty nodes are
netted again; a node whose explodable orders changed makes its components dirty, and an
alternate group is decided again when its parent changed or one of its components'
state did. Everything else is reused from the previous plan.

Rules (Vollmann et al., MRP chapter, unless noted):

- **Gross to net** per node: available = on-hand - allocated; scheduled receipts under the
  rescheduling assumption (:mod:`~plantops.engines.mrp.demand`); a planned receipt whenever
  the projected available balance would fall below safety stock; lot sizes and limits in
  :mod:`~plantops.engines.mrp.lotsizing`.
- **Yield and scrap**: a planned order of ``q`` yields ``q x yield_rate``; a component's
  requirement is ``q x quantity_per / batch quantity / (1 - scrap_factor)``, released with
  the parent order (in its release bucket).
- **Make / buy / transfer**: made nodes get work orders on their BOM; bought nodes get
  purchase orders on the rank-1 supplier item, whose lead time (and minimum and multiple,
  when given) replace the node's, or, for items with quota shares, on the supplier the quota
  arrangement picks for each order (:mod:`~plantops.engines.mrp.quota`); transfer nodes get
  transfers from their source node, whose gross requirements they become in the release
  bucket (distribution requirements planning). A made node without BOM or a transfer node without source gets no orders.
- **Phantoms** are netted lot-for-lot with no lead time, safety stock or fences: their own
  stock is used first (as SAP does), the rest is blown through to their components in the
  same bucket; they get no planned orders.
- **Effectivity**: a BOM line applies to an order whose release date is in
  ``[valid_from, valid_to)``. **Alternates**: the greedy rule of :func:`_decide`.
  **Co-products**: the joint runs of :mod:`~plantops.engines.mrp.netting`.
- **Inventory policies**: a node with a reorder-point (r, Q) or min-max (s, S) policy is
  planned by it instead of by safety stock and lot-size rule, reviewing its inventory
  position every review period (:mod:`~plantops.engines.mrp.policies`).
- **Time fences**: no new order may fall due inside the frozen fence (the shortfall is
  covered by the first order after it and reported); new orders inside the slushy fence
  are reported. Firm planned orders are scheduled receipts that still explode.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import replace

import numpy as np
from scipy import sparse

from plantops.engines.mrp._checks import F64, I64, Bool
from plantops.engines.mrp._rows import RowStore
from plantops.engines.mrp._state import AltEntries, PlanState
from plantops.engines.mrp.demand import ReceiptBook, independent_demand, need_buckets
from plantops.engines.mrp.netting import joint_runs, net
from plantops.engines.mrp.problem import MrpChanges, MrpProblem
from plantops.engines.mrp.result import MrpPlan
from plantops.engines.mrp.structure import TOL, AltGroup, LevelExplosion, build, ranges
from plantops.errors import ValidationError

_MASTER = ("nodes", "boms", "suppliers", "calendar", "settings")


def plan(problem: MrpProblem) -> MrpPlan:
    """A regenerative MRP run over every node of ``problem``."""
    structure = build(problem)
    count, horizon = structure.count, structure.horizon
    orders, _, left = independent_demand(problem)
    book = ReceiptBook.build(problem)
    state = PlanState(
        structure=structure,
        book=book,
        available=problem.stock.on_hand - problem.stock.allocated,
        independent=RowStore(orders + left),
        gross=RowStore(np.zeros((count, horizon))),
        receipts=RowStore(np.zeros((count, horizon))),
        orders=RowStore(np.zeros((count, horizon))),
        releases=RowStore(np.zeros((count, horizon))),
        need=np.full(book.node.size, horizon, np.int64),
        joints={},
        sourcing={},
        alternates=tuple(tuple(AltEntries.none() for _ in level.groups) for level in structure.explosion),
        flat_alternates=tuple(AltEntries.none() for _ in structure.explosion),
    )
    run = _Run(state, None, problem)
    return MrpPlan(problem, run.execute(np.ones(count, np.bool_)), np.arange(count, dtype=np.int64))


def replan(plan: MrpPlan, problem: MrpProblem, changes: MrpChanges) -> MrpPlan:
    """A net-change run: ``problem`` is ``plan``'s problem with new transactions on the nodes in ``changes``.

    ``problem`` must share the master data objects of ``plan.problem`` (use
    :meth:`MrpProblem.replace`) and ``changes`` must name every node whose stock, demand
    lines or receipts differ (:meth:`MrpChanges.between` finds them). The result equals
    ``plan(problem)``; ``plan`` itself is unchanged and stays valid.
    """
    before = plan.problem
    for name in _MASTER:
        if getattr(problem, name) is not getattr(before, name):
            raise ValidationError("mrp replan", name, "differs from the previous plan's: run a regenerative plan")
    problem.validate_transactions()
    state = plan.state
    count = state.structure.count
    touched = np.zeros(count, np.bool_)
    nodes = np.unique(changes.nodes)
    if nodes.size and (nodes[0] < 0 or nodes[-1] >= count):
        raise ValidationError("mrp changes", "nodes", f"must be between 0 and {count - 1}")
    touched[nodes] = True
    independent = state.independent
    if nodes.size and problem.demands is not before.demands:
        orders, _, left = independent_demand(problem, nodes)
        independent = independent.with_rows(nodes, orders + left)
    book, need = state.book, state.need
    if problem.receipts is not before.receipts:
        book = ReceiptBook.build(problem)
        need = np.full(book.node.size, state.structure.horizon, np.int64)
        kept = np.flatnonzero(~touched[book.node])
        need[kept] = state.need[state.book.start[book.node[kept]] + book.rank[kept]]
    start = replace(
        state,
        book=book,
        available=problem.stock.on_hand - problem.stock.allocated,
        independent=independent,
        need=need.copy(),
        joints=dict(state.joints),
        sourcing=dict(state.sourcing),
    )
    run = _Run(start, state, problem)
    result = run.execute(touched.copy())
    return MrpPlan(problem, result, np.flatnonzero(run.recomputed))


class _Run:
    """One run over the levels; ``old`` is the previous plan's state (None: regenerative)."""

    def __init__(self, state: PlanState, old: PlanState | None, problem: MrpProblem) -> None:
        self.current = state
        self.old = old
        self.full = old is None
        self.problem = problem
        self.alternates = list(state.alternates)
        self.flat_alternates: dict[int, AltEntries] = dict(enumerate(state.flat_alternates))
        self.changed = np.zeros(state.structure.count, np.bool_)
        self.recomputed = np.zeros(state.structure.count, np.bool_)

    def execute(self, dirty: Bool) -> PlanState:
        structure = self.current.structure
        for level, nodes in enumerate(structure.levels):
            rows = nodes if self.full else nodes[dirty[nodes]]
            groups = structure.joints[level]
            if not self.full and groups and rows.size:
                extra = [g.outputs for g in groups if dirty[g.outputs].any()]
                if extra:
                    rows = np.union1d(rows, np.concatenate(extra))
            if rows.size:
                self._net_level(level, rows, dirty)
            if self.full:
                parents = structure.explosion[level].parents
                self.current.releases.base[parents] = self.current.to_release(parents, self.current.explodable(parents))
            if structure.explosion[level].groups:
                self._alternates(level, dirty)
        flat = tuple(self._flat_alternates(level) for level in range(len(self.alternates)))
        return replace(self.current, alternates=tuple(self.alternates), flat_alternates=flat)

    def _net_level(self, level: int, rows: I64, dirty: Bool) -> None:
        state, structure, problem = self.current, self.current.structure, self.problem
        self.recomputed[rows] = True
        horizon = structure.horizon
        gross = self.accumulate(rows, level - 1, with_alternates=True)
        available = state.available[rows]
        at, need = need_buckets(state.book, rows, available, structure.safety_stock[rows], gross)
        state.need[at] = need
        scheduled = state.book.scheduled(rows, horizon, state.need)
        flow = scheduled - gross
        receipts = np.zeros(flow.shape)
        orders = np.zeros(flow.shape)
        for group in structure.joints[level]:
            local = np.searchsorted(rows, group.outputs)
            if local.max() >= rows.size or not np.array_equal(rows[local], group.outputs):
                continue
            runs = joint_runs(structure, group, available[local], flow[local])
            self.current.joints[group.bom] = runs
            orders[local[0]] = runs.quantity
            receipts[local] = runs.outputs
            others = local[~group.driver]
            flow[others] += runs.outputs[~group.driver]
        regular = np.flatnonzero(~structure.joint_driver[rows])
        planned, quantity, sourcing = net(
            problem, structure, rows[regular], available[regular], flow[regular], gross[regular]
        )
        self.current.sourcing.update(sourcing)
        receipts[regular] += planned
        orders[regular] = quantity
        if self.old is None:
            state.gross.base[rows] = gross
            state.receipts.base[rows] = receipts
            state.orders.base[rows] = orders
            self.changed[rows] = True
            return
        before = self.old.explodable(rows)
        self.current = replace(
            state,
            gross=state.gross.with_rows(rows, gross),
            receipts=state.receipts.with_rows(rows, receipts),
            orders=state.orders.with_rows(rows, orders),
        )
        after = self.current.explodable(rows)
        changed = ~(after == before).all(axis=1)
        self.current = replace(
            self.current, releases=self.current.releases.with_rows(rows, self.current.to_release(rows, after))
        )
        parents = rows[changed]
        self.changed[parents] = True
        explosion = structure.explosion[level]
        if parents.size and explosion.parents.size:
            position = np.minimum(np.searchsorted(explosion.parents, parents), explosion.parents.size - 1)
            columns = position[explosion.parents[position] == parents]
            dirty[explosion.components[explosion.by_parent[columns].indices]] = True
        if parents.size and explosion.eff_parent.size:
            dirty[explosion.eff_component[np.isin(explosion.eff_parent, parents)]] = True

    def accumulate(self, rows: I64, upto: int, *, with_alternates: bool) -> F64:
        """Gross requirements of ``rows`` (sorted) from independent demand and parent levels ``0 .. upto``.

        Per parent level, in this order: the sparse product of the lines valid over the
        whole horizon, the time-limited lines (line by line), the alternate groups' entries
        (group by group; at ``upto`` only ``with_alternates``). Every run adds in this
        order, which is what makes a net-change run equal a regenerative one.
        """
        state, structure = self.current, self.current.structure
        gross = state.independent.get(rows)
        pull = structure.pull
        counts = structure.pull_start[rows + 1] - structure.pull_start[rows]
        pairs = ranges(structure.pull_start[rows], counts)
        local = np.repeat(np.arange(rows.size), counts)
        keep = structure.pull_level[pairs] <= upto
        pairs, local = pairs[keep], local[keep]
        products = np.zeros((0, structure.horizon))
        if pairs.size:
            sizes = (pull.indptr[pairs + 1] - pull.indptr[pairs]).astype(np.int64)
            entries = ranges(pull.indptr[pairs].astype(np.int64), sizes)
            columns, compact_columns = np.unique(pull.indices[entries], return_inverse=True)
            compact = sparse.csr_array(
                (pull.data[entries], compact_columns, np.concatenate([[0], np.cumsum(sizes)])),
                shape=(pairs.size, columns.size),
            )
            products = compact @ state.releases.get(columns)
        pair_level = structure.pull_level[pairs]
        levels = np.union1d(pair_level, np.flatnonzero(structure.sparse_of_level[: upto + 1, rows].any(axis=1)))
        for level in levels.tolist():
            explosion = structure.explosion[level]
            here = np.flatnonzero(pair_level == level)
            if here.size:
                gross[local[here]] += products[here]
            if explosion.eff_component.size:
                lines = self._lines_of(explosion, rows)
                if lines.size:
                    parents = np.unique(explosion.eff_parent[lines])
                    quantity = state.explodable(parents)[np.searchsorted(parents, explosion.eff_parent[lines])]
                    values = explosion.eff_factor[lines, None] * quantity * explosion.eff_valid[lines]
                    bucket = structure.release_bucket(explosion.eff_parent[lines])
                    row = np.repeat(np.searchsorted(rows, explosion.eff_component[lines]), structure.horizon)
                    nonzero = values.ravel() != 0
                    np.add.at(gross, (row[nonzero], bucket.ravel()[nonzero]), values.ravel()[nonzero])
            if level < upto or with_alternates:
                alternates = self._flat_alternates(level)
                if alternates.component.size:
                    position = np.minimum(np.searchsorted(rows, alternates.component), rows.size - 1)
                    mine = rows[position] == alternates.component
                    np.add.at(
                        gross,
                        (np.searchsorted(rows, alternates.component[mine]), alternates.bucket[mine]),
                        alternates.quantity[mine],
                    )
        return gross

    @staticmethod
    def _lines_of(explosion: LevelExplosion, rows: I64) -> I64:
        """The time-limited lines of ``explosion`` whose component is in ``rows``, in line order."""
        ordered = explosion.eff_component[explosion.eff_by_component]
        low = np.searchsorted(ordered, rows, side="left")
        high = np.searchsorted(ordered, rows, side="right")
        lines: I64 = np.sort(explosion.eff_by_component[ranges(low, high - low)])
        return lines

    def _flat_alternates(self, level: int) -> AltEntries:
        if level not in self.flat_alternates:
            self.flat_alternates[level] = AltEntries.join(self.alternates[level])
        return self.flat_alternates[level]

    def _alternates(self, level: int, dirty: Bool) -> None:
        """Decide the level's alternate groups in order (:func:`_decide`), reusing those with unchanged inputs.

        A group is decided again when its parent's orders changed or one of its
        components' state may have changed (dirty), including by a group before it on
        this level that was decided differently. A component's state before group ``g``
        is its requirements from the parent levels plus, in order, what the groups before
        ``g`` that use it asked of it.
        """
        state, explosion = self.current, self.current.structure.explosion[level]
        groups = explosion.groups
        previous = self.alternates[level]
        if self.full:
            stale = np.ones(len(groups), np.bool_)
        else:
            touched = np.logical_or.reduceat(dirty[explosion.group_components], explosion.group_start[:-1])
            stale = self.changed[explosion.group_parent] | touched
        if not stale.any():
            return
        candidates = np.flatnonzero(stale)
        tracked = np.unique(
            explosion.group_components[
                ranges(explosion.group_start[candidates], np.diff(explosion.group_start)[candidates])
            ]
        )
        rows = dict(zip(tracked.tolist(), self.accumulate(tracked, level, with_alternates=False), strict=True))
        applied = dict.fromkeys(rows, 0)  # how many of the component's groups are in its row
        parents = np.unique(explosion.group_parent[candidates])
        wanted = dict(zip(parents.tolist(), state.explodable(parents), strict=True))
        buckets = dict(zip(parents.tolist(), state.structure.release_bucket(parents), strict=True))
        scheduled = dict(zip(tracked.tolist(), state.book.scheduled(tracked, state.structure.horizon), strict=True))
        decided = list(previous)
        changed = False
        chunk: list[int] = []  # stale groups decided together: no two share a component
        frontier = len(groups)  # the first later group using a component of the chunk: the chunk ends before it

        def state_before(component: int, index: int) -> None:
            if component not in rows:
                single = np.array([component])
                rows[component] = self.accumulate(single, level, with_alternates=False)[0]
                scheduled[component] = state.book.scheduled(single, state.structure.horizon)[0]
                applied[component] = 0
            users = explosion.groups_of[component]
            while applied[component] < len(users) and users[applied[component]] < index:
                _apply(rows[component], decided[users[applied[component]]], component)
                applied[component] += 1

        def flush() -> None:
            nonlocal changed, frontier
            frontier = len(groups)
            if not chunk:
                return
            batch = [groups[g] for g in chunk]
            wants = np.array([wanted[g.parent] for g in batch])
            results = _decide(state, batch, wants, np.array([buckets[g.parent] for g in batch]), rows, scheduled)
            for index, entries in zip(chunk, results, strict=True):
                group = groups[index]
                decided[index] = entries
                for component in group.component_list:
                    _apply(rows[component], entries, component)
                    applied[component] += 1
                if self.full or not entries.same_as(previous[index]):
                    changed = True
                    if not self.full:
                        dirty[group.components] = True
                        for component in group.component_list:
                            for user in explosion.groups_of[component]:
                                if user > index and not stale[user]:
                                    stale[user] = True
                                    heapq.heappush(queue, user)
            chunk.clear()

        queue = candidates.tolist()
        while queue or chunk:
            if not queue:
                flush()  # may make later groups stale
                continue
            index = heapq.heappop(queue)
            group = groups[index]
            if index >= frontier:  # a group in between may see what the chunk decides
                flush()
                if queue and queue[0] < index:  # the flush made an earlier group stale: it goes first
                    heapq.heappush(queue, index)
                    continue
            for component in group.component_list:
                state_before(component, index)
            if group.parent not in wanted:
                parent = np.array([group.parent])
                wanted[group.parent] = state.explodable(parent)[0]
                buckets[group.parent] = state.structure.release_bucket(parent)[0]
            chunk.append(index)
            for component in group.component_list:
                users = explosion.groups_of[component]
                later = bisect.bisect_right(users, index)
                if later < len(users):
                    frontier = min(frontier, users[later])
        flush()
        if changed:
            self.alternates[level] = tuple(decided)
            self.flat_alternates.pop(level, None)


def _apply(row: F64, entries: AltEntries, component: int) -> None:
    mine = entries.component == component
    np.add.at(row, entries.bucket[mine], entries.quantity[mine])


def _decide(
    state: PlanState,
    groups: list[AltGroup],
    wanted: F64,
    bucket: I64,
    gross: dict[int, F64],
    scheduled: dict[int, F64],
) -> list[AltEntries]:
    """Split each parent's need for an alternate group between the group's lines (a greedy rule).

    ``wanted`` / ``bucket``: the parents' explodable order quantities by due bucket and
    their release buckets (groups x T); ``gross`` / ``scheduled``: each component's gross
    requirements known so far and its scheduled receipts. The groups share no component,
    so they are decided together; each group's result is what it would be alone.

    In each bucket, in priority order, a line takes what its component has available
    *from stock and scheduled receipts* for the parent's orders released then: the least
    projected available balance (above safety stock) from that bucket to the horizon end,
    given the requirements known so far, less what earlier buckets already took. What no
    line covers from stock goes to the primary (the first line valid at the release
    date), which then gets planned orders. Limits: the greedy rule looks at one group at
    a time, in a fixed order, with the requirements known when the parent's level is
    exploded (components' later users are not seen); it never plans orders for an
    alternate, and it does not split for cost.
    """
    structure = state.structure
    count, horizon = wanted.shape
    width = max(g.components.size for g in groups)
    valid = np.zeros((count, width, horizon), np.bool_)
    component = np.zeros((count, width), np.int64)
    factor = np.ones((count, width))
    for row, group in enumerate(groups):
        size = group.components.size
        valid[row, :size] = group.valid
        component[row, :size] = group.components
        factor[row, :size] = group.factors
    remaining = wanted.copy()
    taken = np.zeros((count, width, horizon))
    for line in range(width):
        want = np.where(valid[:, line], remaining, 0.0)
        present = np.flatnonzero((want > TOL).any(axis=1))
        if present.size == 0:
            continue
        nodes = component[present, line]
        known = np.array([gross[int(n)] for n in nodes])
        receipts = np.array([scheduled[int(n)] for n in nodes])
        projected = state.available[nodes, None] + np.cumsum(receipts - known, axis=1)
        lowest_ahead = np.minimum.accumulate(projected[:, ::-1], axis=1)[:, ::-1]
        free = np.maximum(lowest_ahead - structure.safety_stock[nodes, None], 0.0)
        capacity = np.take_along_axis(free, bucket[present], axis=1) / factor[present, line, None]
        total = np.cumsum(want[present], axis=1)
        served = total + np.minimum(0.0, np.minimum.accumulate(capacity - total, axis=1))
        served = np.clip(np.diff(served, axis=1, prepend=0.0), 0.0, want[present])
        taken[present, line] += served
        remaining[present] -= served
    first = np.argmax(valid, axis=1)  # groups x T: the primary line in each bucket
    short_row, short_due = np.nonzero(valid.any(axis=1))
    taken[short_row, first[short_row, short_due], short_due] += remaining[short_row, short_due]
    results = []
    for row, group in enumerate(groups):
        lines, due = np.nonzero(taken[row, : group.components.size] > 0)
        results.append(
            AltEntries(
                component=group.components[lines],
                bucket=bucket[row, due],
                quantity=taken[row, lines, due] * group.factors[lines],
                due=due.astype(np.int64),
            )
        )
    return results
