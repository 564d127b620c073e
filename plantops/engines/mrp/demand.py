"""Independent demand per node and bucket, and scheduled receipts with their need dates.

**Forecast consumption** (the SAP / APICS convention): sales orders consume the forecast
of their own bucket first, then of up to ``B = forecast_backward`` buckets before it,
nearest first, then of up to ``F = forecast_forward`` buckets after it, nearest first.
Orders are taken bucket by bucket from the first (earlier orders consume first); the
independent demand of a bucket is its orders plus its forecast left unconsumed
(Vollmann et al., "Demand management", forecast consumption). Orders dated before the
first bucket count in bucket 0; forecast before it is dropped; anything on or after
the horizon end is left out.

**Rescheduling assumption** (APICS dictionary, "rescheduling assumption"; Orlicky):
open orders can be moved in more easily than new ones can be released and received, so
all scheduled receipts are applied to the gross requirements before any planned order is
created. A receipt's *need bucket* is the first bucket in which the gross requirements
accumulated from bucket 0, plus safety stock, exceed the available on-hand plus the
receipts due before it (taken by due date, then id). For netting a receipt counts in
``min(due, need)``; the record still shows it in its due bucket, and the difference is an
expedite / defer / cancel message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plantops.engines.mrp._checks import F64, I64, Bool
from plantops.engines.mrp.problem import MrpProblem
from plantops.engines.mrp.structure import TOL, ranges


def _bucketed(row: I64, bucket: I64, quantity: F64, rows: int, horizon: int) -> F64:
    flat = np.bincount(row * horizon + bucket, weights=quantity, minlength=rows * horizon)
    table: F64 = flat.astype(np.float64, copy=False).reshape(rows, horizon)
    return table


def demand_lines(problem: MrpProblem, nodes: I64 | None = None) -> tuple[I64, I64, Bool]:
    """Lines of ``nodes`` (all when None) that fall into the horizon, in array order, and their buckets."""
    demands, settings = problem.demands, problem.settings
    lines = np.arange(len(demands)) if nodes is None else np.flatnonzero(np.isin(demands.node, nodes))
    bucket = settings.bucket_of(demands.date[lines])
    forecast = demands.forecast[lines]
    keep = (bucket < settings.horizon) & ((bucket >= 0) | ~forecast)
    return lines[keep], np.maximum(bucket[keep], 0), forecast[keep]


def independent_demand(problem: MrpProblem, nodes: I64 | None = None) -> tuple[F64, F64, F64]:
    """Sales orders, forecast and forecast left after consumption, per node of ``nodes`` (rows) and bucket."""
    settings = problem.settings
    rows = len(problem.nodes) if nodes is None else nodes.size
    lines, bucket, forecast = demand_lines(problem, nodes)
    node = problem.demands.node[lines]
    row = node if nodes is None else np.searchsorted(nodes, node)
    quantity = problem.demands.quantity[lines]
    orders = _bucketed(row[~forecast], bucket[~forecast], quantity[~forecast], rows, settings.horizon)
    forecasts = _bucketed(row[forecast], bucket[forecast], quantity[forecast], rows, settings.horizon)
    left = consume_forecast(orders, forecasts, settings.forecast_backward, settings.forecast_forward)
    return orders, forecasts, left


def consume_forecast(orders: F64, forecast: F64, backward: int, forward: int) -> F64:
    """Forecast left after the orders consumed it (see the module docstring); rows are independent."""
    left = forecast.copy()
    both = np.flatnonzero((orders > 0).any(axis=1) & (forecast > 0).any(axis=1))
    if both.size == 0:
        return left
    remaining, wanted = left[both], orders[both]
    horizon = orders.shape[1]
    for t in range(horizon):
        need = wanted[:, t].copy()
        if not (need > 0).any():
            continue
        window = [t, *range(t - 1, max(t - backward, 0) - 1, -1), *range(t + 1, min(t + forward, horizon - 1) + 1)]
        for s in window:
            take = np.minimum(need, remaining[:, s])
            remaining[:, s] -= take
            need -= take
    left[both] = remaining
    return left


@dataclass(frozen=True, eq=False)
class ReceiptBook:
    """Scheduled receipts inside the horizon, sorted by (node, due date, id); ``start[n]`` is node ``n``'s first."""

    index: I64  # position in problem.receipts
    node: I64
    bucket: I64  # due bucket (past due: 0)
    quantity: F64
    firm: Bool
    rank: I64  # position within its node
    start: I64  # N + 1 offsets

    @classmethod
    def build(cls, problem: MrpProblem) -> ReceiptBook:
        receipts, settings = problem.receipts, problem.settings
        bucket = settings.bucket_of(receipts.due)
        inside = np.flatnonzero(bucket < settings.horizon)
        order = inside[np.lexsort((receipts.id[inside], receipts.due[inside], receipts.node[inside]))]
        node = receipts.node[order]
        start = np.searchsorted(node, np.arange(len(problem.nodes) + 1)).astype(np.int64)
        return cls(
            index=order,
            node=node,
            bucket=np.maximum(bucket[order], 0),
            quantity=receipts.quantity[order],
            firm=receipts.firm[order],
            rank=np.arange(order.size) - start[node],
            start=start,
        )

    def of_nodes(self, nodes: I64) -> I64:
        """Positions (in this book) of the receipts of ``nodes``, node by node."""
        return ranges(self.start[nodes], self.start[nodes + 1] - self.start[nodes])

    def scheduled(self, nodes: I64, horizon: int, need: I64 | None = None) -> F64:
        """Receipts per node of ``nodes`` and bucket: due buckets, or netting buckets ``min(due, need)``."""
        at = self.of_nodes(nodes)
        row = np.repeat(np.arange(nodes.size), self.start[nodes + 1] - self.start[nodes])
        bucket = self.bucket[at] if need is None else np.minimum(self.bucket[at], need[at])
        return _bucketed(row, bucket, self.quantity[at], nodes.size, horizon)


def need_buckets(book: ReceiptBook, nodes: I64, available: F64, safety: F64, gross: F64) -> tuple[I64, I64]:
    """Book positions of the receipts of ``nodes`` and each one's need bucket (``T``: not needed).

    ``available``, ``safety`` are per node of ``nodes``; ``gross`` is their gross requirements (rows x T).
    """
    at = book.of_nodes(nodes)
    if at.size == 0:
        return at, np.zeros(0, np.int64)
    counts = book.start[nodes + 1] - book.start[nodes]
    row = np.repeat(np.arange(nodes.size), counts)
    before = available[row].copy()  # available from on-hand and the receipts due before this one
    rank = book.rank[at]
    quantity = book.quantity[at]
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(int(rank.max()) + 2))
    for r in range(1, bounds.size - 1):
        here = by_rank[bounds[r] : bounds[r + 1]]
        before[here] = before[here - 1] + quantity[here - 1]
    covered = np.cumsum(gross, axis=1) + safety[:, None]
    need = (covered[row] <= before[:, None] + TOL).sum(axis=1).astype(np.int64)
    return at, need
