"""Quota arrangements: an item's purchases split between its suppliers by share.

SAP's quota arrangement (SAP ERP MM, "Quota Arrangement": source determination in MRP):
each source ``i`` of an item has a quota ``q_i`` and a quota-allocated quantity ``A_i``
(what has been ordered from it so far). A new order of quantity ``x`` goes to the source
with the lowest *quota rating* ``(A_i + x) / q_i``; ties go to the source ranked first.
Here ``q_i`` is the supplier item's ``quota_share`` (an item's shares sum to 1), ``A_i``
starts at 0 for every run and counts the planned buys of the same node (item at one site)
already assigned, in due-date order, and ``x`` is the order's quantity from its lot-size
rule before the supplier's minimum and multiple (which then apply, with the supplier's
lead time). Items without shares buy from their rank-1 supplier, and so do nodes planned by
an inventory policy (:mod:`~plantops.engines.mrp.policies`) and a fixed order quantity's lots
keep their size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plantops.engines.mrp._checks import F64, I64, Bool
from plantops.engines.mrp.kinds import BUY
from plantops.engines.mrp.problem import MrpProblem
from plantops.engines.mrp.timeline import LeadTimeTable

#: Relative tolerance under which two quota ratings are equal (the lower rank wins).
RATING_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Quotas:
    """The candidate suppliers of the bought nodes with quota shares, node after node, by rank.

    Node ``n``'s candidates are ``start[n] .. start[n + 1] - 1`` (none for nodes without
    shares); ``times.pair[c]`` selects candidate ``c``'s row of release buckets and dates.
    """

    has_quota: Bool  # N
    start: I64  # N + 1
    supplier: I64
    share: F64
    lead_time: I64
    min_quantity: F64
    multiple: F64
    times: LeadTimeTable

    def candidates(self, node: int) -> range:
        """Candidate rows of ``node`` (by rank, then row order)."""
        return range(int(self.start[node]), int(self.start[node + 1]))


def build_quotas(problem: MrpProblem) -> Quotas:
    """The candidate suppliers of every bought node whose item has quota shares."""
    nodes, suppliers = problem.nodes, problem.suppliers
    count = len(nodes)
    with_share = np.flatnonzero(~np.isnan(suppliers.quota_share) & (suppliers.quota_share > 0))
    order = with_share[np.lexsort((with_share, suppliers.rank[with_share], suppliers.item[with_share]))]
    items = suppliers.item[order]
    first = np.searchsorted(items, nodes.item, side="left")
    last = np.searchsorted(items, nodes.item, side="right")
    per_node = np.where(nodes.procurement == BUY, last - first, 0)
    start = np.concatenate([[0], np.cumsum(per_node)]).astype(np.int64)
    rows = order[np.repeat(first - start[:-1], per_node) + np.arange(start[-1])].astype(np.int64)
    node_of = np.repeat(np.arange(count), per_node)
    minimum = suppliers.min_order_quantity[rows]
    multiple = suppliers.order_multiple[rows]
    lead = suppliers.lead_time[rows]
    return Quotas(
        has_quota=per_node > 0,
        start=start,
        supplier=suppliers.supplier[rows],
        share=suppliers.quota_share[rows],
        lead_time=lead,
        min_quantity=np.where(minimum > 0, minimum, nodes.min_order_quantity[node_of]),
        multiple=np.where(multiple > 0, multiple, nodes.order_multiple[node_of]),
        times=LeadTimeTable.build(problem.calendar, problem.settings, nodes.site[node_of], lead),
    )


def choose(share: list[float], allocated: list[float], quantity: float) -> int:
    """Index of the candidate with the lowest quota rating ``(allocated + quantity) / share``, ties to the first."""
    best, best_rating = 0, (allocated[0] + quantity) / share[0]
    for index in range(1, len(share)):
        rating = (allocated[index] + quantity) / share[index]
        if rating < best_rating - RATING_TOLERANCE * max(abs(best_rating), 1.0):
            best, best_rating = index, rating
    return best


def sourced_release_bucket(quotas: Quotas, choice: I64, default: I64) -> I64:
    """Release bucket of an order due in each bucket: the chosen candidate's (``choice`` >= 0) or ``default``."""
    chosen = choice >= 0
    due = np.broadcast_to(np.arange(choice.shape[-1]), choice.shape)
    pair = quotas.times.pair[np.maximum(choice, 0)]
    result: I64 = np.where(chosen, quotas.times.release_bucket[pair, due], default)
    return result


def sourced_orders(quotas: Quotas, node: I64, sourcing: dict[int, I64], due: I64) -> tuple[I64, I64]:
    """The orders (``node``, ``due``) of nodes buying by quota, as positions, and the candidate chosen for each."""
    empty = np.zeros(0, np.int64)
    if not sourcing:
        return empty, empty
    positions = np.flatnonzero(quotas.has_quota[node])
    candidate = np.full(positions.size, -1, np.int64)
    for index, position in enumerate(positions.tolist()):
        choice = sourcing.get(int(node[position]))
        if choice is not None:
            candidate[index] = choice[due[position]]
    chosen = candidate >= 0
    return positions[chosen], candidate[chosen]
