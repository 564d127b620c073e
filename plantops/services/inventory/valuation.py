"""Inventory valuation at any instant, computed on read from the stock ledger.

"What was the stock worth at time T" is answered from the append-only moves effective
at or before T (:mod:`plantops.engines.valuation` has the rules). A backdated move
therefore needs no repost: the next valuation simply includes it. This use case only
reads; its unit of work is rolled back, never committed.

Quantities and unit costs are rounded to 6 decimal places (the ledger's scale), values
to 2 (cents, half up); the total is the sum of the rounded item values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import as_epoch_microseconds, as_millionths, table_of
from plantops.db.catalog import Item
from plantops.db.inventory import StockMove, StockMoveCost
from plantops.db.session import UnitOfWork
from plantops.engines.valuation import (
    MILLIONTHS,
    TRANSFER_TYPES,
    Costing,
    StockMoves,
    epoch_microseconds,
    value_items,
)
from plantops.errors import NotFoundError, ValidationError
from plantops.vocabulary import ValuationMethod

SIX_PLACES = Decimal("0.000001")
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class ItemValuation:
    """One item's on-hand over all locations at the as-of instant and what it is worth."""

    item: str
    method: ValuationMethod
    quantity: Decimal  # 6 decimal places, exact
    unit_cost: Decimal  # 6 decimal places
    value: Decimal  # 2 decimal places


@dataclass(frozen=True)
class InventoryValuation:
    """The valuation at ``as_of`` (UTC) per item code, in code order, and its total."""

    as_of: dt.datetime
    items: dict[str, ItemValuation]
    total_value: Decimal


def value_inventory(uow: UnitOfWork, *, as_of: dt.datetime, item: str | None = None) -> InventoryValuation:
    """The value of the stock at ``as_of``: of ``item``, or of every item moved by then.

    Raises :class:`ValidationError` for an ``as_of`` without a time zone and
    :class:`NotFoundError` for an unknown item code. Writes nothing.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValidationError("valuation", "as_of", f"{as_of.isoformat()} needs a time zone")
    bounds.check_date("valuation", "as_of", as_of)
    as_of = as_of.astimezone(dt.UTC)
    with uow:
        session = uow.session
        items_query = select(Item.id, Item.code, Item.valuation_method, Item.standard_cost).order_by(Item.code)
        moves_query = (
            select(*_move_columns(session.get_bind().dialect.name))
            .outerjoin(StockMoveCost, StockMoveCost.move_id == StockMove.id)
            .where(StockMove.effective_at <= as_of)
        )
        if item is not None:
            items = session.execute(items_query.where(Item.code == item)).all()
            if not items:
                raise NotFoundError("item", item)
            moves = session.connection().execute(moves_query.where(StockMove.item_id == items[0].id)).all()
        else:
            # Moves first: the items read next include every item they name (moves are
            # only ever appended), even if another transaction commits in between.
            moves = session.connection().execute(moves_query).all()
            moved = select(StockMove.item_id).where(StockMove.effective_at <= as_of).distinct()
            items = session.execute(items_query.where(Item.id.in_(moved))).all()

    index = {row.id: position for position, row in enumerate(items)}
    move_ids, item_ids, is_transfer, quantities, unit_costs, effective_at = (
        list(column) for column in (zip(*moves, strict=True) if moves else [()] * 6)
    )
    size = len(moves)
    stock_moves = StockMoves.of(
        item=np.fromiter((index[i] for i in item_ids), dtype=np.int64, count=size),
        quantity=np.array(quantities, dtype=np.int64) / MILLIONTHS,
        unit_cost=np.array(unit_costs, dtype=np.int64) / MILLIONTHS,
        effective_at=_epoch_microseconds(effective_at),
        move_id=np.array(move_ids, dtype=np.int64),
        is_transfer=np.array(is_transfer, dtype=np.bool_),
    )
    costings = [Costing(row.valuation_method, float(row.standard_cost)) for row in items]
    result = value_items(stock_moves, costings, epoch_microseconds(as_of))

    lines = {
        row.code: ItemValuation(
            item=row.code,
            method=row.valuation_method,
            quantity=_decimal(result.quantity[position], SIX_PLACES),
            unit_cost=_decimal(result.unit_cost[position], SIX_PLACES),
            value=_decimal(result.value[position], CENTS),
        )
        for position, row in enumerate(items)
    }
    total = sum((line.value for line in lines.values()), Decimal(0)).quantize(CENTS)
    return InventoryValuation(as_of=as_of, items=lines, total_value=total)


def _move_columns(dialect: str) -> tuple[Any, ...]:
    """The moves as plain numbers: id, item id, is-transfer flag (the engine's
    :data:`TRANSFER_TYPES`), quantity and unit cost in whole millionths (the invoiced cost of a
    receipt where :func:`set_receipt_costs` recorded one), effective time."""
    flag = StockMove.move_type.in_(sorted(TRANSFER_TYPES))
    return (
        StockMove.id,
        StockMove.item_id,
        flag,
        as_millionths(StockMove.quantity, dialect),
        as_millionths(func.coalesce(StockMoveCost.unit_cost, StockMove.unit_cost), dialect),
        as_epoch_microseconds(StockMove.effective_at, dialect),
    )


def set_receipt_costs(session: Session, moves: list[int], unit_cost: Decimal, *, document: str, user: str) -> None:
    """Value receipt ``moves`` at ``unit_cost`` from now on (a supplier's invoiced price, IAS 2 §10-11:
    the cost of purchase is the purchase price), in the caller's unit of work. Valuation is computed on
    read, so every valuation after those receipts changes with it; the moves themselves stay as posted.
    A later cost for the same move replaces the earlier one."""
    bounds.check_amount("valuation", "unit_cost", unit_cost)
    if not moves:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = dt.datetime.now(dt.UTC)
    rows = [
        {"move_id": move, "unit_cost": unit_cost, "document": document, "set_at": now, "set_by": user} for move in moves
    ]
    statement = dialect.insert(table_of(StockMoveCost))
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["move_id"],
            set_={
                "unit_cost": statement.excluded.unit_cost,
                "document": statement.excluded.document,
                "set_at": statement.excluded.set_at,
                "set_by": statement.excluded.set_by,
            },
        ),
        rows,
    )


def _epoch_microseconds(times: list[Any]) -> NDArray[np.int64]:
    """Effective times as read by :func:`_move_columns`: ISO text (SQLite) or epoch microseconds."""
    if times and isinstance(times[0], str):
        return np.array(times, dtype="datetime64[us]").view(np.int64)
    return np.array(times, dtype=np.int64)


def _decimal(number: float, places: Decimal) -> Decimal:
    """The float as a decimal of ``places`` (from its shortest repr, so 2.675 -> 2.68)."""
    exact = Decimal(repr(float(number))).quantize(places, rounding=ROUND_HALF_UP)
    return exact if exact else abs(exact)  # no "-0.00"
