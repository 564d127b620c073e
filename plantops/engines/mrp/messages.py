"""Exception messages: what the planner should act on (Vollmann et al., MRP chapter, "exception messages").

- **expedite / defer / cancel** a scheduled receipt whose need bucket (see
  :mod:`~plantops.engines.mrp.demand`) is before / after its due bucket, or that is not
  needed within the horizon;
- **past due**: a planned order whose release date is before today (it is released in
  bucket 0 and arrives late by that many days), or a scheduled receipt due before today;
- **late demand**, with its cause: *lead time* (the covering planned order is past due),
  *frozen fence* (projected available goes below zero inside the frozen fence, where no
  new order may fall due; quantity: the shortage added in that bucket), *no supply* (a
  made node without a BOM or a transfer node without a source; same quantity);
- **below safety stock**: inside the frozen fence, projected available is between zero
  and safety stock (quantity: how far below);
- **slushy fence**: a new planned order falls due inside the slushy fence (allowed, but
  to be looked at).

Quantities below ``1e-6`` are rounding noise and raise nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from plantops.engines.mrp._checks import F64, I64
from plantops.engines.mrp._state import PlanState
from plantops.engines.mrp.kinds import (
    BELOW_SAFETY_STOCK,
    CANCEL,
    DEFER,
    EXCEPTION_KINDS,
    EXPEDITE,
    FROZEN_FENCE,
    LATE_CAUSES,
    LATE_DEMAND,
    LEAD_TIME,
    NO_SUPPLY,
    PAST_DUE,
    SLUSHY_FENCE,
    ExceptionKind,
    LateCause,
)
from plantops.engines.mrp.problem import MrpProblem

if TYPE_CHECKING:
    from plantops.engines.mrp.result import PlannedOrders

NOISE = 1e-6
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class MrpException:
    """One message. ``receipt`` indexes ``problem.receipts``; ``order`` indexes the planned orders the
    messages were found for (a past-due or slushy-fence order, or the past-due order that makes demand
    late); ``need_bucket`` is where a receipt is needed; ``days_late`` is how many days before today a
    past-due release or receipt was due."""

    kind: ExceptionKind
    node: int
    bucket: int
    quantity: float
    receipt: int | None = None
    need_bucket: int | None = None
    cause: LateCause | None = None
    days_late: int = 0
    order: int | None = None


@dataclass(frozen=True, eq=False)
class Exceptions:
    """Exception messages as arrays, sorted by node, bucket and kind; iterate for :class:`MrpException` values."""

    kind: np.ndarray[tuple[int], np.dtype[np.int8]]
    node: I64
    bucket: I64
    quantity: F64
    receipt: I64  # -1: none
    need_bucket: I64  # -1: none
    cause: np.ndarray[tuple[int], np.dtype[np.int8]]  # -1: none
    days_late: I64
    order: I64  # -1: none

    def __len__(self) -> int:
        return int(self.kind.size)

    def __getitem__(self, index: int) -> MrpException:
        receipt, need, cause = int(self.receipt[index]), int(self.need_bucket[index]), int(self.cause[index])
        order = int(self.order[index])
        return MrpException(
            kind=EXCEPTION_KINDS[int(self.kind[index])],
            node=int(self.node[index]),
            bucket=int(self.bucket[index]),
            quantity=float(self.quantity[index]),
            receipt=receipt if receipt >= 0 else None,
            need_bucket=need if need >= 0 else None,
            cause=LATE_CAUSES[cause] if cause >= 0 else None,
            days_late=int(self.days_late[index]),
            order=order if order >= 0 else None,
        )

    def __iter__(self) -> Iterator[MrpException]:
        return (self[i] for i in range(len(self)))

    def of_kind(self, kind: ExceptionKind) -> list[MrpException]:
        code = EXCEPTION_KINDS.index(kind)
        return [self[int(i)] for i in np.flatnonzero(self.kind == code)]


def find_exceptions(problem: MrpProblem, state: PlanState, nodes: I64, orders: PlannedOrders) -> Exceptions:
    """The messages of ``nodes`` (sorted), given their planned ``orders``."""
    structure, book, settings = state.structure, state.book, problem.settings
    horizon, today = structure.horizon, settings.today
    parts: list[tuple[int, I64, I64, F64, I64, I64, int, I64, I64]] = []

    def add(
        kind: int,
        node: I64,
        bucket: I64,
        quantity: F64,
        receipt: I64 | None = None,
        need: I64 | None = None,
        cause: int = -1,
        days: I64 | None = None,
        order: I64 | None = None,
    ) -> None:
        missing = np.full(node.size, -1, np.int64)
        parts.append(
            (
                kind,
                node,
                bucket,
                quantity,
                missing if receipt is None else receipt,
                missing if need is None else need,
                cause,
                np.zeros(node.size, np.int64) if days is None else days,
                missing if order is None else order,
            )
        )

    at = book.of_nodes(nodes)
    due, need = book.bucket[at], state.need[at]
    for kind, mask in ((EXPEDITE, need < due), (DEFER, (need > due) & (need < horizon)), (CANCEL, need >= horizon)):
        rows = at[mask]
        add(
            kind,
            book.node[rows],
            book.bucket[rows],
            book.quantity[rows],
            book.index[rows],
            np.where(need[mask] < horizon, need[mask], -1),
        )
    late = problem.receipts.due[book.index[at]] < today
    if late.any():
        rows = at[late]
        days = ((today - problem.receipts.due[book.index[rows]]) / _DAY).astype(np.int64)
        add(PAST_DUE, book.node[rows], book.bucket[rows], book.quantity[rows], book.index[rows], days=days)

    past = orders.release_date < today
    if past.any():
        days = ((today - orders.release_date[past]) / _DAY).astype(np.int64)
        late_orders = np.flatnonzero(past)
        add(
            PAST_DUE,
            orders.node[past],
            orders.due_bucket[past],
            orders.receipt_quantity[past],
            days=days,
            order=late_orders,
        )
        add(
            LATE_DEMAND,
            orders.node[past],
            orders.due_bucket[past],
            orders.receipt_quantity[past],
            cause=LEAD_TIME,
            days=days,
            order=late_orders,
        )
    slushy = (orders.due_bucket >= settings.frozen_buckets) & (orders.due_bucket < settings.slushy_buckets)
    if slushy.any():
        add(
            SLUSHY_FENCE,
            orders.node[slushy],
            orders.due_bucket[slushy],
            orders.receipt_quantity[slushy],
            order=np.flatnonzero(slushy),
        )

    watched = nodes[(structure.fence[nodes] > 0) | structure.no_supply[nodes]]
    if watched.size:
        _shortages(state, watched, add)

    if not parts:
        empty = np.zeros(0, np.int64)
        return Exceptions(
            empty.astype(np.int8), empty, empty, np.zeros(0), empty, empty, empty.astype(np.int8), empty, empty
        )
    kinds = np.concatenate([np.full(p[1].size, p[0], np.int8) for p in parts])
    node = np.concatenate([p[1] for p in parts])
    bucket = np.concatenate([p[2] for p in parts])
    order = np.lexsort((kinds, bucket, node))
    return Exceptions(
        kind=kinds[order],
        node=node[order],
        bucket=bucket[order],
        quantity=np.concatenate([p[3] for p in parts])[order],
        receipt=np.concatenate([p[4] for p in parts])[order],
        need_bucket=np.concatenate([p[5] for p in parts])[order],
        cause=np.concatenate([np.full(p[1].size, p[6], np.int8) for p in parts])[order],
        days_late=np.concatenate([p[7] for p in parts])[order],
        order=np.concatenate([p[8] for p in parts])[order],
    )


def _shortages(state: PlanState, nodes: I64, emit: Callable[..., None]) -> None:
    """Late demand inside the frozen fence or without supply, and dips below safety stock inside the fence."""
    structure, horizon = state.structure, state.structure.horizon
    gross = state.gross.get(nodes)
    netting = state.book.scheduled(nodes, horizon, state.need)
    balance = state.available[nodes, None] + np.cumsum(netting + state.receipts.get(nodes) - gross, axis=1)
    shortage = np.maximum(-balance, 0.0)
    added = np.diff(shortage, axis=1, prepend=0.0)
    column = np.arange(horizon)[None, :]
    no_supply = structure.no_supply[nodes, None]
    inside = column < structure.fence[nodes, None]
    row, t = np.nonzero((added > NOISE) & (inside | no_supply))
    if row.size:
        cause = np.where(no_supply[row, 0], NO_SUPPLY, FROZEN_FENCE)
        for code in (NO_SUPPLY, FROZEN_FENCE):
            pick = cause == code
            emit(LATE_DEMAND, nodes[row[pick]], t[pick], added[row[pick], t[pick]], cause=code)
    safety = structure.safety_stock[nodes, None]
    below = inside & (balance < safety - NOISE) & (balance > -NOISE)
    row, t = np.nonzero(below)
    if row.size:
        emit(BELOW_SAFETY_STOCK, nodes[row], t, (safety - balance)[row, t])
