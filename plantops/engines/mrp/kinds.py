"""The closed sets of words of the MRP engine, and the small integer codes its arrays hold.

Input arrays hold :class:`~plantops.vocabulary.Procurement` and
:class:`~plantops.vocabulary.LotSizeRule` as ``int8`` codes (the position of the word in
:data:`PROCUREMENTS` / :data:`LOT_SIZE_RULES`), and :class:`~plantops.vocabulary.ReplenishmentPolicy`
as 1 + its position in :data:`POLICIES` (0: no policy); result arrays hold :class:`OrderKind`,
:class:`ExceptionKind` and :class:`LateCause` the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.errors import ValidationError
from plantops.vocabulary import LotSizeRule, PlanExceptionKind, Procurement, ReplenishmentPolicy

#: What a planned order asks for: a work order (make), a purchase order (buy) or a transfer.
OrderKind = Procurement
#: An action or a warning for the planner (the words planning's tables store).
ExceptionKind = PlanExceptionKind


class LateCause(StrEnum):
    """Why demand is late."""

    LEAD_TIME = "lead_time"  # the covering order would have to be released before today
    FROZEN_FENCE = "frozen_fence"  # no new order may fall due inside the frozen fence
    NO_SUPPLY = "no_supply"  # nothing can supply the node: a made item without BOM, a transfer without source


class PegKind(StrEnum):
    """What a pegging line points at: an end demand, or supply that serves no demand."""

    SALES_ORDER = "sales_order"
    FORECAST = "forecast"
    SAFETY_STOCK = "safety_stock"
    ALLOCATION = "allocation"
    EXCESS = "excess"


class SupplyKind(StrEnum):
    """What covers a demand at its node."""

    ON_HAND = "on_hand"
    RECEIPT = "receipt"
    PLANNED_ORDER = "planned_order"
    CO_PRODUCT = "co_product"
    BLOW_THROUGH = "blow_through"
    SHORTAGE = "shortage"


PROCUREMENTS: tuple[Procurement, ...] = (Procurement.MAKE, Procurement.BUY, Procurement.TRANSFER)
LOT_SIZE_RULES: tuple[LotSizeRule, ...] = (
    LotSizeRule.LOT_FOR_LOT,
    LotSizeRule.FIXED_ORDER_QUANTITY,
    LotSizeRule.ECONOMIC_ORDER_QUANTITY,
    LotSizeRule.PERIOD_ORDER_QUANTITY,
    LotSizeRule.WAGNER_WHITIN,
)
POLICIES: tuple[ReplenishmentPolicy, ...] = (ReplenishmentPolicy.REORDER_POINT, ReplenishmentPolicy.MIN_MAX)
ORDER_KINDS: tuple[OrderKind, ...] = (OrderKind.MAKE, OrderKind.BUY, OrderKind.TRANSFER)
EXCEPTION_KINDS: tuple[ExceptionKind, ...] = tuple(ExceptionKind)
LATE_CAUSES: tuple[LateCause, ...] = tuple(LateCause)

MAKE, BUY, TRANSFER = 0, 1, 2
LFL, FOQ, EOQ, POQ, WW = 0, 1, 2, 3, 4
NO_POLICY, REORDER_POINT, MIN_MAX = 0, 1, 2
EXPEDITE, DEFER, CANCEL, PAST_DUE, BELOW_SAFETY_STOCK, LATE_DEMAND, SLUSHY_FENCE = range(7)
LEAD_TIME, FROZEN_FENCE, NO_SUPPLY = range(3)


def encode(values: ArrayLike | Iterable[Any], words: Sequence[str], record: str, field: str) -> NDArray[np.int8]:
    """``int8`` codes of ``values`` given as words (or their strings) or as codes already."""
    array = values if isinstance(values, np.ndarray) else np.asarray(list(values))  # type: ignore[arg-type]
    if array.ndim != 1:
        raise ValidationError(record, field, "must be a one-dimensional array")
    if array.dtype.kind in "iu":
        if array.size and (int(array.min()) < 0 or int(array.max()) >= len(words)):
            raise ValidationError(record, field, f"codes must be between 0 and {len(words) - 1}")
        return array.astype(np.int8)
    lookup = {str(word): code for code, word in enumerate(words)}
    codes = np.empty(array.size, np.int8)
    for position, value in enumerate(array.tolist()):
        code = lookup.get(str(value))
        if code is None:
            raise ValidationError(record, field, f"row {position}: {value!r} is not one of {sorted(lookup)}")
        codes[position] = code
    return codes


def encode_policies(values: ArrayLike | Iterable[Any], record: str, field: str) -> NDArray[np.int8]:
    """Policy codes: 0 for none (code 0, NaN, None, "" or "none"), else 1 + the word's position in :data:`POLICIES`."""
    array = values if isinstance(values, np.ndarray) else np.asarray(list(values))  # type: ignore[arg-type]
    if array.dtype.kind == "f" and (np.isnan(array) | (array == np.round(array))).all():
        array = np.nan_to_num(array, nan=0.0).astype(np.int64)
    if array.dtype.kind not in "iu":
        array = np.asarray(["none" if value is None or value == "" else str(value) for value in array.tolist()])
    return encode(array, ("none", *POLICIES), record, field)
