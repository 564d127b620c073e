"""Everything a plan keeps so that a net-change run can reuse it, and the tables derived from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plantops.engines.mrp._checks import F64, I64
from plantops.engines.mrp._rows import RowStore
from plantops.engines.mrp.demand import ReceiptBook
from plantops.engines.mrp.netting import JointRuns
from plantops.engines.mrp.quota import sourced_release_bucket
from plantops.engines.mrp.structure import Structure


@dataclass(frozen=True, eq=False)
class AltEntries:
    """What one alternate group asked of its components: ``quantity`` of ``component`` in release ``bucket``,
    for the parent's orders due in bucket ``due``, in the order they were added."""

    component: I64
    bucket: I64
    quantity: F64
    due: I64

    @classmethod
    def join(cls, parts: tuple[AltEntries, ...]) -> AltEntries:
        if not parts:
            return cls.none()
        return cls(
            np.concatenate([p.component for p in parts]),
            np.concatenate([p.bucket for p in parts]),
            np.concatenate([p.quantity for p in parts]),
            np.concatenate([p.due for p in parts]),
        )

    @classmethod
    def none(cls) -> AltEntries:
        empty = np.zeros(0, np.int64)
        return cls(empty, empty, np.zeros(0), empty)

    def same_as(self, other: AltEntries) -> bool:
        return (
            np.array_equal(self.component, other.component)
            and np.array_equal(self.bucket, other.bucket)
            and np.array_equal(self.quantity, other.quantity)
            and np.array_equal(self.due, other.due)
        )


@dataclass(frozen=True, eq=False)
class PlanState:
    """The stores of a plan: node x bucket rows and the per-receipt, per-run and per-group results."""

    structure: Structure
    book: ReceiptBook
    available: F64
    independent: RowStore  # independent demand (orders + forecast left), by bucket
    gross: RowStore
    receipts: RowStore  # planned order receipts (co-product receipts included), by due bucket
    orders: RowStore  # planned order quantities, by due bucket
    releases: RowStore  # planned and firm planned orders that explode, by release bucket (exploding nodes)
    need: I64  # need bucket per receipt of the book (T: not needed)
    joints: dict[int, JointRuns]  # by BOM
    sourcing: dict[int, I64]  # by node buying by quota: its candidate supplier per due bucket (-1: no order)
    alternates: tuple[tuple[AltEntries, ...], ...]  # by level, by group
    flat_alternates: tuple[AltEntries, ...]  # by level, the groups' entries one after the other

    def explodable(self, nodes: I64) -> F64:
        """Order quantities by due bucket that explode: planned orders plus firm planned receipts (order units)."""
        quantity = self.orders.get(nodes)
        book = self.book
        at = book.of_nodes(nodes)
        firm = at[book.firm[at]]
        if firm.size:
            counts = book.start[nodes + 1] - book.start[nodes]
            row = np.repeat(np.arange(nodes.size), counts)[book.firm[at]]
            np.add.at(
                quantity, (row, book.bucket[firm]), book.quantity[firm] / self.structure.yield_rate[book.node[firm]]
            )
        return quantity

    def to_release(self, nodes: I64, by_due: F64) -> F64:
        """Quantities by due bucket moved to their release buckets (rows follow ``nodes``)."""
        rows, horizon = by_due.shape
        bucket = self.structure.release_bucket(nodes)
        quotas = self.structure.quotas
        for row in np.flatnonzero(quotas.has_quota[nodes]).tolist():
            choice = self.sourcing.get(int(nodes[row]))
            if choice is not None:
                bucket[row] = sourced_release_bucket(quotas, choice, bucket[row])
        flat = (np.arange(rows)[:, None] * horizon + bucket).ravel()
        moved = np.bincount(flat, weights=by_due.ravel(), minlength=rows * horizon)
        result: F64 = moved.astype(np.float64, copy=False).reshape(rows, horizon)
        return result

    def effective_buckets(self) -> I64:
        """Netting bucket of each receipt of the book: its due bucket, or earlier when needed earlier."""
        result: I64 = np.minimum(self.book.bucket, self.need)
        return result
