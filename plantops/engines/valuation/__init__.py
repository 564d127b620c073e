"""Inventory valuation at any instant (FIFO, moving average, standard cost), computed on read."""

from plantops.engines.valuation.methods import (
    MAX_MOVE_QUANTITY,
    MILLIONTHS,
    TRANSFER_TYPES,
    Costing,
    ItemValue,
    StockMoves,
    Valuation,
    epoch_microseconds,
    transfer_flags,
    value_item,
    value_items,
)

__all__ = [
    "MAX_MOVE_QUANTITY",
    "MILLIONTHS",
    "TRANSFER_TYPES",
    "Costing",
    "ItemValue",
    "StockMoves",
    "Valuation",
    "epoch_microseconds",
    "transfer_flags",
    "value_item",
    "value_items",
]
