"""What changes between planning runs: stock, demand lines and scheduled receipts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp import _checks as check
from plantops.engines.mrp._checks import F64, I64, Bool, Dates

_STOCK = "mrp stock"
_DEMANDS = "mrp demands"
_RECEIPTS = "mrp receipts"


@dataclass(frozen=True, eq=False)
class Stock:
    """Per node: ``on_hand`` now, and ``allocated`` (already reserved, e.g. for released work orders).

    Allocations reduce what is available to plan: ``available = on_hand - allocated``.
    """

    on_hand: F64
    allocated: F64

    @classmethod
    def of(cls, *, on_hand: ArrayLike, allocated: ArrayLike | None = None) -> Stock:
        # Balances and what is still to come in sum what users entered: they are not bounded by it.
        stock = check.floats(on_hand, _STOCK, "on_hand", None, minimum=None, maximum=None)
        return cls(on_hand=stock, allocated=check.floats(allocated, _STOCK, "allocated", stock.size, maximum=None))

    @classmethod
    def zeros(cls, nodes: int) -> Stock:
        return cls.of(on_hand=np.zeros(nodes))

    def __len__(self) -> int:
        return int(self.on_hand.size)


@dataclass(frozen=True, eq=False)
class Demands:
    """Independent demand lines: sales order lines and forecast entries.

    ``id`` is the caller's key (sales order line id, forecast id) and comes back in
    pegging. A sales line is due on ``date``; a forecast entry counts in the bucket that
    contains ``date`` (its period start). Lower ``priority`` numbers are served first
    when pegging; ``forecast`` tells forecast entries from sales order lines.
    """

    id: I64
    node: I64
    date: Dates
    quantity: F64
    priority: I64
    forecast: Bool

    @classmethod
    def of(
        cls,
        *,
        node: ArrayLike,
        date: ArrayLike,
        quantity: ArrayLike,
        id: ArrayLike | None = None,
        priority: ArrayLike | None = None,
        forecast: ArrayLike | None = None,
    ) -> Demands:
        nodes = check.ints(node, _DEMANDS, "node", None)
        size = nodes.size
        return cls(
            id=np.arange(size, dtype=np.int64) if id is None else check.ints(id, _DEMANDS, "id", size),
            node=nodes,
            date=check.dates(date, _DEMANDS, "date", size),
            quantity=check.floats(quantity, _DEMANDS, "quantity", size),
            priority=check.ints(priority, _DEMANDS, "priority", size, 5),
            forecast=check.bools(forecast, _DEMANDS, "forecast", size),
        )

    @classmethod
    def empty(cls) -> Demands:
        return cls.of(node=[], date=[], quantity=[])

    def __len__(self) -> int:
        return int(self.node.size)


@dataclass(frozen=True, eq=False)
class Receipts:
    """Scheduled receipts: open purchase order lines, open work orders, transfers in transit, firm planned orders.

    ``quantity`` is what is still to come in (ordered minus received), due on ``due``.
    ``firm`` marks firm planned orders: kept as they are like any scheduled receipt, but,
    not being released yet, they still explode into their components' (or, for a transfer
    node, their source's) requirements, released the node's lead time before ``due``.
    """

    id: I64
    node: I64
    due: Dates
    quantity: F64
    firm: Bool

    @classmethod
    def of(
        cls,
        *,
        node: ArrayLike,
        due: ArrayLike,
        quantity: ArrayLike,
        id: ArrayLike | None = None,
        firm: ArrayLike | None = None,
    ) -> Receipts:
        nodes = check.ints(node, _RECEIPTS, "node", None)
        size = nodes.size
        return cls(
            id=np.arange(size, dtype=np.int64) if id is None else check.ints(id, _RECEIPTS, "id", size),
            node=nodes,
            due=check.dates(due, _RECEIPTS, "due", size),
            quantity=check.floats(quantity, _RECEIPTS, "quantity", size, maximum=None),
            firm=check.bools(firm, _RECEIPTS, "firm", size),
        )

    @classmethod
    def empty(cls) -> Receipts:
        return cls.of(node=[], due=[], quantity=[])

    def __len__(self) -> int:
        return int(self.node.size)
