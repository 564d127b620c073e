"""What an item's stock was worth at an instant, computed on read from its moves.

The stock ledger is append-only, so the value at any instant *T* is a function of the
moves effective at or before *T*. Computing it on read means that a backdated move
(a receipt keyed in a week late) changes every later valuation without rewriting
anything: there is no "repost".

Cost formulas (IAS 2 *Inventories* §25 and §27; Kieso, Weygandt & Warfield,
*Intermediate Accounting*, ch. 8 "Valuation of Inventories: A Cost-Basis Approach",
perpetual FIFO and moving-average examples):

- **FIFO** (first-in, first-out): the items bought or made first are the first to go
  out, so the stock on hand is the most recent receipts (IAS 2 §27). The value of
  on-hand ``Q`` is therefore the newest incoming layers whose quantities add up to
  ``Q``: with layers ``(q_k, c_k)`` in effective order and ``N_k`` the quantity
  received after layer ``k``, layer ``k`` keeps ``clip(Q - N_k, 0, q_k)`` units.
  ``N_k`` is a reverse cumulative sum, so all items are valued in a few numpy passes
  with no layer queue.
- **Moving average** (weighted average "as each additional shipment is received",
  IAS 2 §27): a receipt of ``q`` at ``c`` onto ``Q`` at average ``a`` gives the
  average ``(Q a + q c) / (Q + q)``; an outgoing move leaves the average unchanged.
  One pass over the moves in effective order.
- **Standard cost** (IAS 2 §21; Horngren, Datar & Rajan, *Cost Accounting*, the
  chapters on standard costs and variances): on-hand ``Q`` is worth ``Q x standard``;
  the difference from the actual cost of a move is a variance, not inventory value.

Rules this engine applies to every method:

1. **Order.** Moves count in order of ``effective_at`` (when stock physically moved,
   not when it was keyed), ties at the same instant in order of ``move_id``. Moves
   effective after ``as_of`` are ignored; one effective exactly at ``as_of`` counts.
2. **Scope.** An item is valued as a whole, over all its locations. Transfers
   (``TRANSFER_OUT`` / ``TRANSFER_IN``) only move stock between locations, so they
   change neither quantity nor value and are ignored, whatever their ``unit_cost``.
   A transfer out whose transfer in is not yet posted (goods in transit) therefore
   stays in the valuation: the company still owns the goods.
3. **Direction.** Any other move with a positive quantity is *incoming* (``RECEIPT``,
   ``OPENING``, ``PRODUCTION_OUTPUT``, ``RETURN``, a positive ``ADJUSTMENT``) and adds
   a layer at its ``unit_cost``; one with a negative quantity is *outgoing* (``ISSUE``,
   ``PRODUCTION_CONSUMPTION``, ``SCRAP``, a negative ``ADJUSTMENT``) and takes stock at
   the method's cost: FIFO layers oldest first, or the current moving average. A
   reversal follows its sign (a negative receipt goes out like an issue).
4. **Incoming at zero cost.** A ``unit_cost`` of exactly 0 means "no cost was given"
   (a return from the floor, a count that found more), not "free": the move is valued
   at the item's current cost - the moving average under moving average, the cost of
   the latest incoming layer that had a cost under FIFO - so that it neither dilutes
   the average nor adds a zero-cost layer. With no earlier cost it stays at 0.
5. **Negative on-hand** (items allowed to go below zero). Outgoing moves beyond the
   stock on hand leave a shortfall that the next receipts fill first (FIFO) or that is
   settled at the next receipt's cost (moving average: a receipt onto on-hand at or
   below zero sets the average to the receipt's own cost). A negative on-hand at
   ``as_of`` is valued at the current unit cost - FIFO: the latest incoming layer's
   cost; moving average: the average; standard: the standard cost - so its value is
   negative and ``value = quantity x unit_cost`` still holds.
6. **Unit cost** reported is ``value / quantity`` when on-hand is positive, else the
   current unit cost of rule 5 (what the next zero-cost receipt would be valued at).

Quantities are taken to the ledger's 6 decimals and summed as whole millionths in
64-bit integers, so on-hand is exact (up to 9.2 million million units per item);
costs and values are float64.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.bounds import MAX_QUANTITY
from plantops.errors import ValidationError
from plantops.vocabulary import MoveType, ValuationMethod

#: Quantities are counted in whole millionths, the ledger's resolution.
MILLIONTHS = 1_000_000
#: The largest quantity of one move: the bound every layer enforces (a float64 counts
#: its millionths exactly, as it does up to 9.0e9 units).
MAX_MOVE_QUANTITY = float(MAX_QUANTITY)
#: Move types that only relocate stock and so never change an item's value.
TRANSFER_TYPES = frozenset({MoveType.TRANSFER_OUT, MoveType.TRANSFER_IN})

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_METHOD_CODES = {ValuationMethod.FIFO: 0, ValuationMethod.MOVING_AVERAGE: 1, ValuationMethod.STANDARD: 2}

Instant = int | np.datetime64 | dt.datetime


def epoch_microseconds(when: dt.datetime) -> int:
    """Microseconds from 1970-01-01 UTC to the aware instant ``when``."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("valuation", "as_of", f"{when.isoformat()} needs a time zone")
    return (when - _EPOCH) // dt.timedelta(microseconds=1)


def transfer_flags(move_types: Iterable[MoveType | str]) -> NDArray[np.bool_]:
    """``True`` for each move type that is one side of a transfer between locations."""
    return np.fromiter((MoveType(t) in TRANSFER_TYPES for t in move_types), dtype=np.bool_)


@dataclass(frozen=True)
class StockMoves:
    """Moves of one or many items, one array element per move (build with :meth:`of`).

    ``item`` is the index of the move's item in the ``costings`` given to
    :func:`value_items`; ``quantity`` is signed (in the item's unit); ``effective_at``
    is in microseconds since 1970-01-01 UTC; ``move_id`` breaks ties at equal times.
    The moves may come in any order: the engine sorts by (item, effective_at, move_id).
    """

    item: NDArray[np.int64]
    quantity_millionths: NDArray[np.int64]
    unit_cost: NDArray[np.float64]
    effective_at: NDArray[np.int64]
    move_id: NDArray[np.int64]
    is_transfer: NDArray[np.bool_]

    @classmethod
    def of(
        cls,
        *,
        quantity: ArrayLike,
        unit_cost: ArrayLike,
        effective_at: ArrayLike,
        move_id: ArrayLike | None = None,
        is_transfer: ArrayLike | None = None,
        item: ArrayLike | None = None,
    ) -> StockMoves:
        """Validate and convert the arrays.

        ``effective_at`` may be integer microseconds or ``datetime64``; ``move_id``
        defaults to the position (ties keep the given order); ``is_transfer`` defaults
        to no transfers (see :func:`transfer_flags`); ``item`` defaults to all 0 (one item).
        """
        quantities = _vector(quantity, np.float64, "quantity")
        size = quantities.size
        costs = _vector(unit_cost, np.float64, "unit_cost", size)
        if not (np.isfinite(quantities).all() and np.isfinite(costs).all()):
            raise ValidationError("valuation", "quantity", "quantities and unit costs must be finite numbers")
        if size and float(np.abs(quantities).max()) > MAX_MOVE_QUANTITY:
            raise ValidationError(
                "valuation", "quantity", f"a move of more than {MAX_QUANTITY:,} units, the bound for every quantity"
            )
        times = np.asarray(effective_at)
        if times.dtype.kind == "M":
            times = times.astype("datetime64[us]").view(np.int64)
        return cls(
            item=np.zeros(size, np.int64) if item is None else _vector(item, np.int64, "item", size),
            quantity_millionths=np.rint(quantities * MILLIONTHS).astype(np.int64),
            unit_cost=costs,
            effective_at=_vector(times, np.int64, "effective_at", size),
            move_id=np.arange(size, dtype=np.int64) if move_id is None else _vector(move_id, np.int64, "move_id", size),
            is_transfer=np.zeros(size, np.bool_)
            if is_transfer is None
            else _vector(is_transfer, np.bool_, "is_transfer", size),
        )

    def __len__(self) -> int:
        return int(self.item.size)


@dataclass(frozen=True)
class Costing:
    """How one item is valued; ``standard_cost`` is used by the standard method only."""

    method: ValuationMethod
    standard_cost: float = 0.0


@dataclass(frozen=True)
class ItemValue:
    """One item at the as-of instant: on-hand, what it is worth and the unit cost."""

    method: ValuationMethod
    quantity: float
    value: float
    unit_cost: float


@dataclass(frozen=True)
class Valuation:
    """Many items at the as-of instant, element ``i`` for ``costings[i]``."""

    methods: tuple[ValuationMethod, ...]
    quantity: NDArray[np.float64]
    value: NDArray[np.float64]
    unit_cost: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.methods)

    def item(self, index: int) -> ItemValue:
        return ItemValue(
            self.methods[index],
            float(self.quantity[index]),
            float(self.value[index]),
            float(self.unit_cost[index]),
        )

    @property
    def total_value(self) -> float:
        return float(self.value.sum())


def value_item(moves: StockMoves, costing: Costing, as_of: Instant) -> ItemValue:
    """The value of one item's stock at ``as_of`` (every move's ``item`` must be 0)."""
    return value_items(moves, [costing], as_of).item(0)


def value_items(moves: StockMoves, costings: Sequence[Costing], as_of: Instant) -> Valuation:
    """The value of each item's stock at ``as_of``, by each item's own method.

    See the module docstring for the rules. ``as_of`` is microseconds since the epoch,
    a ``datetime64`` or an aware ``datetime``.
    """
    count = len(costings)
    if len(moves) and (int(moves.item.min()) < 0 or int(moves.item.max()) >= count):
        raise ValidationError("valuation", "item", f"item indexes must be between 0 and {count - 1}")
    cutoff = _instant(as_of)
    counted = (~moves.is_transfer) & (moves.effective_at <= cutoff) & (moves.quantity_millionths != 0)
    item, units, cost = moves.item[counted], moves.quantity_millionths[counted], moves.unit_cost[counted]
    order = np.lexsort((moves.move_id[counted], moves.effective_at[counted], item))
    item, units, cost = item[order], units[order], cost[order]

    on_hand = np.zeros(count, np.int64)
    np.add.at(on_hand, item, units)
    methods = np.array([_METHOD_CODES[c.method] for c in costings], dtype=np.int8)
    standard = np.array([c.standard_cost for c in costings], dtype=np.float64)

    fifo_value, fifo_cost = _fifo(item, units, cost, on_hand, methods == _METHOD_CODES[ValuationMethod.FIFO])
    average = _moving_average(item, units, cost, methods == _METHOD_CODES[ValuationMethod.MOVING_AVERAGE])
    unit_cost = np.select(
        [methods == _METHOD_CODES[ValuationMethod.FIFO], methods == _METHOD_CODES[ValuationMethod.MOVING_AVERAGE]],
        [fifo_cost, average],
        standard,
    )
    quantity = on_hand / MILLIONTHS
    value = np.where(methods == _METHOD_CODES[ValuationMethod.FIFO], fifo_value, quantity * unit_cost)
    return Valuation(tuple(c.method for c in costings), quantity, value, unit_cost)


def _fifo(
    item: NDArray[np.int64],
    units: NDArray[np.int64],
    cost: NDArray[np.float64],
    on_hand: NDArray[np.int64],
    selected: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Value and unit cost per item under FIFO: on-hand is the newest incoming layers.

    ``item, units, cost`` are sorted by item, then effective order. Only the items in
    ``selected`` are valued; the others get 0.
    """
    count = on_hand.size
    layers = (units > 0) & selected[item]
    item, units, cost = item[layers], units[layers], _carry_known_cost(item[layers], cost[layers])
    value = np.zeros(count, np.float64)
    latest_cost = np.zeros(count, np.float64)
    if item.size:
        last = np.flatnonzero(np.append(item[1:] != item[:-1], True))  # each item's newest layer
        latest_cost[item[last]] = cost[last]
        # Units received after each layer: the item's total minus the running total.
        # (A running total that wraps past 2**63 still gives exact differences.)
        running = np.cumsum(units)
        item_total = np.zeros(count, np.int64)
        item_total[item[last]] = running[last]
        newer = item_total[item] - running
        kept = np.clip(on_hand[item] - newer, 0, units)
        value = np.bincount(item, weights=kept * cost, minlength=count) / MILLIONTHS
    value = np.where(on_hand < 0, on_hand / MILLIONTHS * latest_cost, value)
    positive = on_hand > 0
    unit_cost = np.where(positive, value / np.where(positive, on_hand, 1) * MILLIONTHS, latest_cost)
    return value, unit_cost


def _carry_known_cost(item: NDArray[np.int64], cost: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each zero cost replaced by the same item's latest earlier non-zero cost (rule 4)."""
    position = np.arange(cost.size)
    known = np.maximum.accumulate(np.where(cost != 0, position, -1)) if cost.size else position
    source = np.maximum(known, 0)
    found = (known >= 0) & (item[source] == item)
    return np.where(found, cost[source], 0.0)


def _moving_average(
    item: NDArray[np.int64], units: NDArray[np.int64], cost: NDArray[np.float64], selected: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """The moving average per item after its last move, in one pass (0 for others)."""
    average = np.zeros(selected.size, np.float64)
    rows = selected[item]
    current, on_hand, mean = -1, 0, 0.0
    for index, quantity, unit_cost in zip(item[rows].tolist(), units[rows].tolist(), cost[rows].tolist(), strict=True):
        if index != current:
            if current >= 0:
                average[current] = mean
            current, on_hand, mean = index, 0, 0.0
        if quantity > 0:
            received_at = unit_cost if unit_cost != 0 else mean
            mean = (on_hand * mean + quantity * received_at) / (on_hand + quantity) if on_hand > 0 else received_at
        on_hand += quantity
    if current >= 0:
        average[current] = mean
    return average


def _instant(when: Instant) -> int:
    if isinstance(when, dt.datetime):
        return epoch_microseconds(when)
    if isinstance(when, np.datetime64):
        return int(when.astype("datetime64[us]").astype(np.int64))
    return int(when)


def _vector(values: Any, dtype: Any, name: str, size: int | None = None) -> Any:
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 1:
        raise ValidationError("valuation", name, "must be a one-dimensional array")
    if size is not None and array.size != size:
        raise ValidationError("valuation", name, f"has {array.size} values, expected {size} (one per move)")
    return array
