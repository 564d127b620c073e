"""Node x bucket tables that plans share: a base array plus the rows one plan changed.

A net-change run must not copy the regenerative run's ``N x T`` tables (42 MB each at
100,000 nodes and 52 buckets); it keeps the base and records the rows it recomputed.
"""

from __future__ import annotations

import numpy as np

from plantops.engines.mrp._checks import F64, I64

#: An overlay larger than this share of the nodes is folded into a new base.
COMPACT_SHARE = 1 / 16


class RowStore:
    """Rows ``0 .. N - 1`` of width ``T``: ``base`` where no overlay row replaces it."""

    __slots__ = ("base", "nodes", "rows")

    def __init__(self, base: F64, nodes: I64 | None = None, rows: F64 | None = None) -> None:
        self.base = base
        self.nodes: I64 = np.zeros(0, np.int64) if nodes is None else nodes
        self.rows: F64 = np.zeros((0, base.shape[1])) if rows is None else rows

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.base.shape[0]), int(self.base.shape[1])

    def get(self, index: I64) -> F64:
        """A new ``len(index) x T`` array of the rows ``index``."""
        out: F64 = self.base[index]
        if self.nodes.size and index.size:
            position = np.minimum(np.searchsorted(self.nodes, index), self.nodes.size - 1)
            hit = self.nodes[position] == index
            out[hit] = self.rows[position[hit]]
        return out

    def row(self, node: int) -> F64:
        row: F64 = self.get(np.array([node], np.int64))[0]
        return row

    def with_rows(self, index: I64, values: F64) -> RowStore:
        """A new store where rows ``index`` are ``values`` (this one is unchanged)."""
        if index.size == 0:
            return self
        nodes = np.concatenate([self.nodes, index])
        rows = np.concatenate([self.rows, values])
        unique, first_from_end = np.unique(nodes[::-1], return_index=True)
        store = RowStore(self.base, unique, rows[nodes.size - 1 - first_from_end])
        if store.nodes.size > COMPACT_SHARE * self.base.shape[0]:
            return RowStore(store.full())
        return store

    def full(self) -> F64:
        """The whole table as a new array."""
        table = self.base.copy()
        if self.nodes.size:
            table[self.nodes] = self.rows
        return table
