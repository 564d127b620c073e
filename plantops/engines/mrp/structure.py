"""The static part of a run: low-level codes, effective planning parameters, explosion matrices.

Everything here depends only on master data (nodes, BOMs, supplier items, calendar,
settings), so a net-change run reuses it unchanged.

Low-level codes (Orlicky 1975, ch. 9) are computed on arrays by Kahn's algorithm in
waves: the wave in which a node's last user is removed is 1 + the deepest user's code.
The "uses" edges are: every output of a BOM in use (its main product and co-products)
uses every component of the BOM; a transfer node uses its source node (distribution
requirements planning). The outputs of one multi-output BOM are merged first, so they
share a code and are netted together (see :mod:`~plantops.engines.mrp.netting`).

Explosion (Vollmann et al., MRP chapter, "exploding"): per level, a sparse matrix
``A`` (scipy CSR, components x parents) holds ``quantity_per / batch / (1 - scrap)`` for
lines valid over the whole horizon and 1 for transfers, so one product ``A @ X`` turns
the level's planned order releases ``X`` (parents x buckets) into its components'
dependent gross requirements. Lines whose effectivity changes inside the horizon, and
alternate groups, are kept apart (they depend on the release date or on stock).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from plantops.engines.mrp._checks import F64, I64, Bool, Dates
from plantops.engines.mrp.kinds import BUY, LFL, MAKE, NO_POLICY, TRANSFER
from plantops.engines.mrp.problem import MrpProblem
from plantops.engines.mrp.quota import Quotas, build_quotas
from plantops.engines.mrp.timeline import LeadTimeTable
from plantops.errors import BomCycleError

TOL = 1e-9


def ranges(starts: I64, counts: I64) -> I64:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    counts = np.asarray(counts, np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    first = np.cumsum(counts) - counts
    result: I64 = np.arange(total, dtype=np.int64) + np.repeat(np.asarray(starts, np.int64) - first, counts)
    return result


@dataclass(frozen=True, eq=False)
class AltGroup:
    """Alternate lines of one BOM for one parent, primary first (lowest priority number)."""

    parent: int
    components: I64
    factors: F64
    valid: Bool  # lines x buckets, by the release date of an order due in each bucket
    component_list: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class JointGroup:
    """A BOM with co-products: its outputs (main first), output per batch, and which outputs drive runs."""

    bom: int
    main: int
    outputs: I64
    per_batch: F64
    driver: Bool


@dataclass(frozen=True, eq=False)
class LevelExplosion:
    """How the orders of one level's parents become their components' requirements."""

    parents: I64  # exploding nodes of the level, columns of ``matrix``
    components: I64  # sorted rows of ``matrix``
    matrix: Any  # scipy CSR, components x parents
    by_parent: Any  # the transpose, parents x components (which components a changed parent touches)
    eff_parent: I64  # lines valid in part of the horizon
    eff_component: I64
    eff_factor: F64
    eff_valid: Bool  # lines x buckets
    eff_by_component: I64  # the time-limited lines ordered by component (stable), to find a node's lines
    groups: tuple[AltGroup, ...]
    group_parent: I64  # per group
    group_components: I64  # the groups' components, group after group
    group_start: I64  # where each group's components start in ``group_components``
    groups_of: dict[int, tuple[int, ...]]  # component -> the groups (in order) that use it


@dataclass(frozen=True, eq=False)
class Structure:
    """Static data of a run, per node (``N``) and per level."""

    count: int
    horizon: int
    level: I64
    levels: tuple[I64, ...]
    lead_time: I64
    supplier: I64
    min_quantity: F64
    multiple: F64
    max_quantity: F64
    safety_stock: F64
    yield_rate: F64
    fence: I64
    lot_for_lot: Bool  # plain lot-for-lot (no limits, no policy): the vectorised path
    policy: Bool  # planned by an inventory policy (safety stock 0 here: the policy's levels protect it)
    no_supply: Bool
    joint_driver: Bool
    times: LeadTimeTable
    due_of_release: I64  # per row of ``times``: due bucket of an order released in each bucket (T: none)
    holding_cost: F64  # H per unit and year: holding cost rate x unit cost
    period_years: F64  # length of each bucket in years (days / 365)
    explosion: tuple[LevelExplosion, ...]
    component_of_level: Bool  # levels x N: the node is a component (or transfer source) of that level's parents
    sparse_of_level: Bool  # levels x N: ... through time-limited lines or alternate groups of that level
    pull: Any  # scipy CSR: one row per (component, level) of the matrices, columns are parent nodes
    pull_start: I64  # N + 1: node n's rows of ``pull`` are pull_start[n] .. pull_start[n + 1] - 1
    pull_level: I64  # the level of each row of ``pull``
    joints: tuple[tuple[JointGroup, ...], ...]
    relation_parent: I64  # every non-alternate explosion relation, sorted by component (for pegging)
    relation_component: I64
    relation_factor: F64
    relation_line: I64  # BOM line, or -1 for a transfer
    used_bom: Bool
    quotas: Quotas  # the bought nodes whose purchases are split by quota, and their candidate suppliers

    def release_bucket(self, nodes: I64) -> I64:
        """Release bucket of an order of each node due in each bucket (rows x T)."""
        result: I64 = self.times.release_bucket[self.times.pair[nodes]]
        return result

    def due_bucket(self, nodes: I64) -> I64:
        """Due bucket of an order of each node released in each bucket (rows x T; ``T``: after the horizon)."""
        result: I64 = self.due_of_release[self.times.pair[nodes]]
        return result


def build(problem: MrpProblem) -> Structure:
    """Low-level codes, effective parameters and explosion data of ``problem``'s master data."""
    nodes, boms, settings = problem.nodes, problem.boms, problem.settings
    count, horizon = len(nodes), settings.horizon
    used = np.zeros(len(boms), np.bool_)
    makers = (nodes.bom >= 0) & (nodes.procurement == MAKE)
    used[nodes.bom[makers]] = True
    exploding = makers.copy()
    exploding[makers] = boms.main[nodes.bom[makers]] == np.flatnonzero(makers)

    lead, supplier, minimum, multiple = _sourcing(problem)
    phantom = nodes.phantom
    lead = np.where(phantom, 0, lead)
    bounded = (multiple > 0) & np.isfinite(nodes.max_order_quantity)
    maximum = nodes.max_order_quantity.copy()
    maximum[bounded] = np.maximum(
        np.floor(maximum[bounded] / multiple[bounded] + TOL) * multiple[bounded], multiple[bounded]
    )
    no_supply = ((nodes.procurement == MAKE) & (nodes.bom < 0)) | ((nodes.procurement == TRANSFER) & (nodes.source < 0))
    times = LeadTimeTable.build(problem.calendar, settings, nodes.site, lead)

    joint_groups, driver = _joint_groups(problem, used)
    level = _low_level_codes(problem, used, joint_groups)
    depth = int(level.max(initial=-1)) + 1
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(depth + 1))
    levels = tuple(order[bounds[k] : bounds[k + 1]] for k in range(depth))

    plain = ((nodes.lot_size_rule == LFL) & (minimum == 0) & (multiple == 0) & np.isinf(maximum)) | phantom
    policy = (nodes.policy != NO_POLICY) & ~driver
    quotas = build_quotas(problem)
    explosion, relations = _explosion(problem, used, exploding, level, depth, times)
    joints = tuple(tuple(g for g in joint_groups if level[g.main] == k) for k in range(depth))
    component_of_level = np.zeros((depth, count), np.bool_)
    sparse_of_level = np.zeros((depth, count), np.bool_)
    for k, part in enumerate(explosion):
        component_of_level[k, part.components] = True
        sparse_of_level[k, part.eff_component] = True
        sparse_of_level[k, part.group_components] = True
    component_of_level |= sparse_of_level
    pull, pull_start, pull_level = _pull(explosion, count)
    return Structure(
        count=count,
        horizon=horizon,
        level=level,
        levels=levels,
        lead_time=lead,
        supplier=supplier,
        min_quantity=np.where(phantom, 0.0, minimum),
        multiple=np.where(phantom, 0.0, multiple),
        max_quantity=np.where(phantom, np.inf, maximum),
        safety_stock=np.where(phantom | policy, 0.0, nodes.safety_stock),
        yield_rate=np.where(phantom | driver, 1.0, nodes.yield_rate),
        fence=np.where(phantom, 0, settings.frozen_buckets).astype(np.int64),
        lot_for_lot=plain & ~driver & ~policy & ~quotas.has_quota,
        policy=policy,
        no_supply=no_supply,
        joint_driver=driver,
        times=times,
        due_of_release=_due_of_release(times, settings.buckets),
        holding_cost=nodes.holding_cost_rate * nodes.unit_cost,
        period_years=settings.bucket_days / 365.0,
        explosion=explosion,
        component_of_level=component_of_level,
        sparse_of_level=sparse_of_level,
        pull=pull,
        pull_start=pull_start,
        pull_level=pull_level,
        joints=joints,
        relation_parent=relations[0],
        relation_component=relations[1],
        relation_factor=relations[2],
        relation_line=relations[3],
        used_bom=used,
        quotas=quotas,
    )


def _due_of_release(times: LeadTimeTable, buckets: Dates) -> I64:
    """Per row of ``times``, the due bucket of an order released at the start of each bucket ``t``: the first
    due bucket whose release date is on or after ``buckets[t]`` (``T`` if none in the horizon).

    Release dates do not decrease with the due bucket, so the release bucket of that due bucket is
    ``t`` itself whenever some release date falls in bucket ``t`` (always, unless ``t`` has no
    working day); with weekly buckets, a Monday-to-Friday calendar and a lead time of ``5 L``
    working days it is ``t + L``. Releases before the first bucket (past due) never match.
    """
    due = np.empty(times.release_date.shape, np.int64)
    for row, dates in enumerate(times.release_date):
        due[row] = np.searchsorted(dates, buckets, side="left")
    return due


def _sourcing(problem: MrpProblem) -> tuple[I64, I64, F64, F64]:
    """Lead time, preferred supplier, minimum and multiple per node (rank 1 supplier overrides the item)."""
    nodes, suppliers = problem.nodes, problem.suppliers
    lead = nodes.lead_time.copy()
    supplier = np.full(len(nodes), -1, np.int64)
    minimum = nodes.min_order_quantity.copy()
    multiple = nodes.order_multiple.copy()
    if len(suppliers):
        order = np.lexsort((np.arange(len(suppliers)), suppliers.rank, suppliers.item))
        items = suppliers.item[order]
        first = order[np.r_[True, items[1:] != items[:-1]]]
        known = suppliers.item[first]
        position = np.clip(np.searchsorted(known, nodes.item), 0, known.size - 1)
        found = (known[position] == nodes.item) & (nodes.procurement == BUY)
        row = first[position[found]]
        lead[found] = suppliers.lead_time[row]
        supplier[found] = suppliers.supplier[row]
        minimum[found] = np.where(
            suppliers.min_order_quantity[row] > 0, suppliers.min_order_quantity[row], minimum[found]
        )
        multiple[found] = np.where(suppliers.order_multiple[row] > 0, suppliers.order_multiple[row], multiple[found])
    return lead, supplier, minimum, multiple


def _joint_groups(problem: MrpProblem, used: Bool) -> tuple[list[JointGroup], Bool]:
    nodes, boms = problem.nodes, problem.boms
    driver = np.zeros(len(nodes), np.bool_)
    groups: list[JointGroup] = []
    for bom in np.unique(boms.output_bom).tolist():
        if not used[bom]:
            continue
        rows = np.flatnonzero(boms.output_bom == bom)
        outputs = np.concatenate([[boms.main[bom]], boms.output_node[rows]]).astype(np.int64)
        drives = (nodes.bom[outputs] == bom) & (nodes.procurement[outputs] == MAKE)
        driver[outputs[drives]] = True
        per_batch = np.concatenate([[boms.quantity[bom]], boms.output_quantity[rows]])
        groups.append(JointGroup(bom, int(boms.main[bom]), outputs, per_batch, drives))
    return groups, driver


def _low_level_codes(problem: MrpProblem, used: Bool, joint_groups: list[JointGroup]) -> I64:
    nodes, boms = problem.nodes, problem.boms
    count = len(nodes)
    representative = np.arange(count)
    for group in joint_groups:  # outputs of one joint BOM share a code
        roots = {int(_find(representative, int(o))) for o in group.outputs}
        target = min(roots)
        for root in roots:
            representative[root] = target
    for node in range(count):
        if representative[node] != node:
            representative[node] = _find(representative, node)
    lines = np.flatnonzero(used[boms.line_bom])
    parents = [boms.main[boms.line_bom[lines]]]
    children = [boms.line_component[lines]]
    # co-products need no edges of their own: they share their main product's representative
    transfer = np.flatnonzero(nodes.source >= 0)
    parents.append(transfer)
    children.append(nodes.source[transfer])
    parent = representative[np.concatenate(parents).astype(np.int64)]
    child = representative[np.concatenate(children).astype(np.int64)]
    edges = np.unique(parent * count + child)
    parent, child = edges // count, edges % count
    if (parent == child).any():
        bad = int(parent[parent == child][0])
        raise BomCycleError([problem.nodes.label(bad), problem.nodes.label(bad)])
    indegree = np.bincount(child, minlength=count)
    starts = np.searchsorted(parent, np.arange(count))
    degree = np.bincount(parent, minlength=count)
    level = np.full(count, -1, np.int64)
    frontier = np.flatnonzero((indegree == 0) & (representative == np.arange(count)))
    wave = 0
    while frontier.size:
        level[frontier] = wave
        reached = child[ranges(starts[frontier], degree[frontier])]
        indegree -= np.bincount(reached, minlength=count)
        candidates = np.unique(reached)
        frontier = candidates[indegree[candidates] == 0]
        wave += 1
    roots = representative == np.arange(count)
    if (level[roots] < 0).any():
        raise BomCycleError(_cycle(problem, parent, child, np.flatnonzero(roots & (level < 0))))
    result: I64 = level[representative]
    return result


def _find(representative: I64, node: int) -> int:
    while representative[node] != node:
        representative[node] = representative[representative[node]]
        node = int(representative[node])
    return node


def _cycle(problem: MrpProblem, parent: I64, child: I64, stuck: I64) -> list[str]:
    inside = np.isin(parent, stuck) & np.isin(child, stuck)
    used_by: dict[int, set[int]] = {}
    for p, c in zip(parent[inside].tolist(), child[inside].tolist(), strict=True):
        used_by.setdefault(c, set()).add(p)
    try:
        graphlib.TopologicalSorter(used_by).prepare()
    except graphlib.CycleError as error:
        return [problem.nodes.label(n) for n in error.args[1]]
    return [problem.nodes.label(int(n)) for n in stuck[:2]]  # pragma: no cover - Kahn found a cycle


def _explosion(
    problem: MrpProblem, used: Bool, exploding: Bool, level: I64, depth: int, times: LeadTimeTable
) -> tuple[tuple[LevelExplosion, ...], tuple[I64, I64, F64, I64]]:
    nodes, boms = problem.nodes, problem.boms
    lines = np.flatnonzero(used[boms.line_bom] & exploding[boms.main[boms.line_bom]])
    parent = boms.main[boms.line_bom[lines]]
    component = boms.line_component[lines]
    factor = boms.line_factor[lines]
    valid_from, valid_to = boms.line_valid_from[lines], boms.line_valid_to[lines]
    limited = np.flatnonzero(~np.isnat(valid_from) | ~np.isnat(valid_to))
    release = times.release_date[times.pair[parent[limited]]]  # limited lines x T
    start, end = valid_from[limited, None], valid_to[limited, None]
    limited_valid = (np.isnat(start) | (release >= start)) & (np.isnat(end) | (release < end))
    always = np.ones(lines.size, np.bool_)
    never = np.zeros(lines.size, np.bool_)
    always[limited] = limited_valid.all(axis=1)
    never[limited] = ~limited_valid.any(axis=1)
    position = np.full(lines.size, -1, np.int64)
    position[limited] = np.arange(limited.size)

    def valid(rows: I64) -> Bool:
        table = np.ones((rows.size, times.release_date.shape[1]), np.bool_)
        inside = position[rows] >= 0
        table[inside] = limited_valid[position[rows[inside]]]
        return table

    group_key = np.where(
        boms.line_group[lines] >= 0,
        boms.line_bom[lines] * (int(boms.line_group.max(initial=0)) + 1) + boms.line_group[lines],
        -1,
    )
    keys, sizes = np.unique(group_key[group_key >= 0], return_counts=True)
    alternates = np.isin(group_key, keys[sizes > 1])
    in_matrix = ~alternates & always
    partial = ~alternates & ~always & ~never

    transfer = np.flatnonzero((nodes.procurement == TRANSFER) & (nodes.source >= 0))
    all_parent = np.concatenate([parent[in_matrix], transfer])
    all_component = np.concatenate([component[in_matrix], nodes.source[transfer]])
    all_factor = np.concatenate([factor[in_matrix], np.ones(transfer.size)])

    result: list[LevelExplosion] = []
    for k in range(depth):
        here = level[all_parent] == k
        p, c, f = all_parent[here], all_component[here], all_factor[here]
        parents = np.unique(np.concatenate([p, parent[(level[parent] == k) & (partial | alternates)]]))
        components = np.unique(c)
        matrix = sparse.csr_array(
            (f, (np.searchsorted(components, c), np.searchsorted(parents, p))), shape=(components.size, parents.size)
        )
        matrix.sum_duplicates()
        matrix.sort_indices()
        eff = np.flatnonzero(partial & (level[parent] == k))
        groups = _alt_groups(
            lines, alternates & (level[parent] == k), group_key, parent, component, factor, valid, boms
        )
        result.append(
            LevelExplosion(
                parents=parents,
                components=components,
                matrix=matrix,
                by_parent=matrix.T.tocsr(),
                eff_parent=parent[eff],
                eff_component=component[eff],
                eff_factor=factor[eff],
                eff_valid=valid(eff),
                eff_by_component=np.argsort(component[eff], kind="stable").astype(np.int64),
                groups=groups,
                group_parent=np.array([g.parent for g in groups], np.int64),
                group_components=np.concatenate([g.components for g in groups]) if groups else np.zeros(0, np.int64),
                group_start=np.cumsum([0] + [g.components.size for g in groups]).astype(np.int64),
                groups_of=_groups_of(groups),
            )
        )
    keep = ~alternates & ~never
    rel_parent = np.concatenate([parent[keep], transfer])
    rel_component = np.concatenate([component[keep], nodes.source[transfer]])
    rel_factor = np.concatenate([factor[keep], np.ones(transfer.size)])
    rel_line = np.concatenate([lines[keep], np.full(transfer.size, -1)])
    order = np.argsort(rel_component, kind="stable")
    return tuple(result), (rel_parent[order], rel_component[order], rel_factor[order], rel_line[order].astype(np.int64))


def _alt_groups(
    lines: I64,
    selected: Bool,
    group_key: I64,
    parent: I64,
    component: I64,
    factor: F64,
    valid: Callable[[I64], Bool],
    boms: Any,
) -> tuple[AltGroup, ...]:
    rows = np.flatnonzero(selected)
    if rows.size == 0:
        return ()
    order = rows[np.lexsort((lines[rows], boms.line_priority[lines[rows]], group_key[rows]))]
    keys = group_key[order]
    cut = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    return tuple(
        AltGroup(
            int(parent[order[a]]),
            component[order[a:b]],
            factor[order[a:b]],
            valid(order[a:b]),
            tuple(component[order[a:b]].tolist()),
        )
        for a, b in zip(cut[:-1].tolist(), cut[1:].tolist(), strict=True)
    )


def _groups_of(groups: tuple[AltGroup, ...]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        for component in group.component_list:
            found.setdefault(component, []).append(index)
    return {component: tuple(indexes) for component, indexes in found.items()}


def _pull(explosion: tuple[LevelExplosion, ...], count: int) -> tuple[Any, I64, I64]:
    """All levels' matrices as one, a row per (component, level), each row's entries in its level's order."""
    node_parts, level_parts, data, columns, lengths = [], [], [], [], []
    for k, part in enumerate(explosion):
        matrix = part.matrix
        node_parts.append(part.components)
        level_parts.append(np.full(part.components.size, k, np.int64))
        data.append(matrix.data)
        columns.append(part.parents[matrix.indices])
        lengths.append(np.diff(matrix.indptr))
    node = np.concatenate(node_parts) if node_parts else np.zeros(0, np.int64)
    level = np.concatenate(level_parts) if level_parts else np.zeros(0, np.int64)
    length = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    order = np.lexsort((level, node))
    offsets = np.concatenate([[0], np.cumsum(length)])
    entries = ranges(offsets[order], length[order])
    flat_data = np.concatenate(data) if data else np.zeros(0)
    flat_columns = np.concatenate(columns) if columns else np.zeros(0, np.int64)
    pull = sparse.csr_array(
        (flat_data[entries], flat_columns[entries], np.concatenate([[0], np.cumsum(length[order])])),
        shape=(order.size, count),
    )
    start = np.searchsorted(node[order], np.arange(count + 1)).astype(np.int64)
    return pull, start, level[order]
