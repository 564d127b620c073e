"""The whole input of one MRP run, validated across its parts, and the changes of a net-change run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp import _checks as check
from plantops.engines.mrp._checks import I64
from plantops.engines.mrp.master_data import Boms, Nodes, SupplierItems
from plantops.engines.mrp.timeline import Calendar, PlanningSettings
from plantops.engines.mrp.transactions import Demands, Receipts, Stock
from plantops.errors import ValidationError

_PROBLEM = "mrp problem"


@dataclass(frozen=True, eq=False)
class MrpProblem:
    """Master data (``nodes``, ``boms``, ``suppliers``, ``calendar``, ``settings``) and the
    transactions of the moment (``stock``, ``demands``, ``receipts``). Build with :meth:`of`.
    """

    nodes: Nodes
    boms: Boms
    suppliers: SupplierItems
    calendar: Calendar
    settings: PlanningSettings
    stock: Stock
    demands: Demands
    receipts: Receipts

    @classmethod
    def of(
        cls,
        *,
        nodes: Nodes,
        settings: PlanningSettings,
        calendar: Calendar,
        boms: Boms | None = None,
        suppliers: SupplierItems | None = None,
        stock: Stock | None = None,
        demands: Demands | None = None,
        receipts: Receipts | None = None,
    ) -> MrpProblem:
        """Check that every reference points at something that exists and that the calendar covers the buckets."""
        problem = cls(
            nodes=nodes,
            boms=boms if boms is not None else Boms.empty(),
            suppliers=suppliers if suppliers is not None else SupplierItems.empty(),
            calendar=calendar,
            settings=settings,
            stock=stock if stock is not None else Stock.zeros(len(nodes)),
            demands=demands if demands is not None else Demands.empty(),
            receipts=receipts if receipts is not None else Receipts.empty(),
        )
        problem._validate_master()
        problem.validate_transactions()
        return problem

    def replace(
        self, *, stock: Stock | None = None, demands: Demands | None = None, receipts: Receipts | None = None
    ) -> MrpProblem:
        """The same master data with other transactions (validated), e.g. for :func:`~plantops.engines.mrp.replan`."""
        problem = MrpProblem(
            nodes=self.nodes,
            boms=self.boms,
            suppliers=self.suppliers,
            calendar=self.calendar,
            settings=self.settings,
            stock=stock if stock is not None else self.stock,
            demands=demands if demands is not None else self.demands,
            receipts=receipts if receipts is not None else self.receipts,
        )
        problem.validate_transactions()
        return problem

    def _validate_master(self) -> None:
        nodes, boms, count = self.nodes, self.boms, len(self.nodes)
        check.indexes(nodes.bom, len(boms), "mrp nodes", "bom", optional=True)
        check.indexes(nodes.source, count, "mrp nodes", "source", optional=True)
        check.indexes(boms.main, count, "mrp boms", "main")
        check.indexes(boms.line_component, count, "mrp boms", "line_component")
        check.indexes(boms.output_node, count, "mrp boms", "output_node")
        if (nodes.site >= self.calendar.sites).any():
            row = check.first_bad(nodes.site >= self.calendar.sites)
            raise ValidationError(
                "mrp nodes", "site", f"node {row}: the calendar has no row for site {nodes.site[row]}"
            )
        transfer = nodes.source >= 0
        index = np.arange(count)
        bad = transfer & ((nodes.source == index) | (nodes.item[np.maximum(nodes.source, 0)] != nodes.item))
        if bad.any():
            row = check.first_bad(bad)
            raise ValidationError(
                "mrp nodes", "source", f"{nodes.label(row)}: the source must be the same item at another site"
            )
        made = np.flatnonzero(nodes.bom >= 0)
        is_output = boms.main[nodes.bom[made]] == made
        if boms.output_bom.size:
            keys = boms.output_bom * count + boms.output_node
            is_output |= np.isin(nodes.bom[made] * count + made, keys)
        if not is_output.all():
            row = int(made[~is_output][0])
            raise ValidationError("mrp nodes", "bom", f"{nodes.label(row)} is not an output of BOM {nodes.bom[row]}")
        joint = np.unique(boms.output_bom)
        used = np.unique(nodes.bom[made])
        for bom in np.intersect1d(joint, used).tolist():
            if nodes.bom[boms.main[bom]] != bom:
                raise ValidationError(
                    "mrp boms", "main", f"BOM {bom} has co-products, so its main node must be made by it"
                )
        site_of_main = nodes.site[boms.main[boms.line_bom]]
        if (nodes.site[boms.line_component] != site_of_main).any():
            row = check.first_bad(nodes.site[boms.line_component] != site_of_main)
            raise ValidationError("mrp boms", "line_component", f"line {row}: the component must be at the BOM's site")
        settings, calendar = self.settings, self.calendar
        if calendar.start > settings.buckets[0] or calendar.end < settings.buckets[-1]:
            raise ValidationError(
                "mrp calendar",
                "working",
                f"must cover {settings.buckets[0]} to {settings.buckets[-1]}; it covers {calendar.start} to "
                f"{calendar.end}",
            )

    def validate_transactions(self) -> None:
        count = len(self.nodes)
        if len(self.stock) != count:
            raise ValidationError(
                "mrp stock", "on_hand", f"has {len(self.stock)} values, expected {count} (one per node)"
            )
        check.indexes(self.demands.node, count, "mrp demands", "node")
        check.indexes(self.receipts.node, count, "mrp receipts", "node")


@dataclass(frozen=True, eq=False)
class MrpChanges:
    """The nodes whose stock, demand lines or scheduled receipts differ from the previous plan's problem."""

    nodes: I64 = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def of(cls, nodes: ArrayLike) -> MrpChanges:
        return cls(np.unique(check.ints(nodes, "mrp changes", "nodes", None)))

    @classmethod
    def between(cls, before: MrpProblem, after: MrpProblem) -> MrpChanges:
        """Every node whose transactions differ, found by comparing them line by line (in each node's order)."""
        touched = [
            np.flatnonzero(
                (before.stock.on_hand != after.stock.on_hand) | (before.stock.allocated != after.stock.allocated)
            )
        ]
        if before.demands is not after.demands:
            old, new = before.demands, after.demands
            touched.append(
                _changed_lines(
                    old.node,
                    new.node,
                    [
                        (old.id, new.id),
                        (old.date, new.date),
                        (old.quantity, new.quantity),
                        (old.priority, new.priority),
                        (old.forecast, new.forecast),
                    ],
                    len(after.nodes),
                )
            )
        if before.receipts is not after.receipts:
            old_r, new_r = before.receipts, after.receipts
            touched.append(
                _changed_lines(
                    old_r.node,
                    new_r.node,
                    [
                        (old_r.id, new_r.id),
                        (old_r.due, new_r.due),
                        (old_r.quantity, new_r.quantity),
                        (old_r.firm, new_r.firm),
                    ],
                    len(after.nodes),
                )
            )
        return cls(np.unique(np.concatenate(touched)).astype(np.int64))


def _changed_lines(old_node: I64, new_node: I64, columns: list[tuple[np.ndarray, np.ndarray]], count: int) -> I64:
    """Nodes whose sequence of lines (in array order) differs between ``old`` and ``new``."""
    old_counts = np.bincount(old_node, minlength=count)
    new_counts = np.bincount(new_node, minlength=count)
    differ = old_counts != new_counts
    old_order = np.argsort(old_node, kind="stable")
    new_order = np.argsort(new_node, kind="stable")
    old_start = np.concatenate([[0], np.cumsum(old_counts)[:-1]])
    new_start = np.concatenate([[0], np.cumsum(new_counts)[:-1]])
    sorted_new_node = new_node[new_order]
    keep = ~differ[sorted_new_node]
    rank = np.arange(new_order.size) - new_start[sorted_new_node]
    new_rows = new_order[keep]
    old_rows = old_order[(old_start[sorted_new_node] + rank)[keep]]
    unequal = np.zeros(new_rows.size, np.bool_)
    for old_column, new_column in columns:
        unequal |= old_column[old_rows] != new_column[new_rows]
    return np.unique(np.concatenate([np.flatnonzero(differ), new_node[new_rows[unequal]]])).astype(np.int64)
