"""Counted stock: bring on-hand to what was counted by posting only the differences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plantops.db.inventory import StockBalance
from plantops.services.inventory.ledger import BalanceKey, MoveLine, Posting, PostingResult, post_moves
from plantops.vocabulary import MoveType


@dataclass(frozen=True)
class CountedStock:
    """A counted quantity of an item at a location (and lot), at a unit cost."""

    item_id: int
    location_id: int
    lot_id: int | None
    quantity: Decimal
    unit_cost: Decimal | None = None


def post_counted_stock(
    session: Session, counts: Sequence[CountedStock], posting: Posting, *, move_type: MoveType, now: dt.datetime
) -> PostingResult | None:
    """Post the difference between each count and the ledger's on-hand; None if all agree.

    Counting the same quantities twice posts nothing the second time. The caller commits.
    """
    current = balances_for_update(session, [(c.item_id, c.location_id, c.lot_id) for c in counts])
    lines = []
    for count in counts:
        difference = (
            count.quantity - current.get((count.item_id, count.location_id, count.lot_id), (Decimal(0), Decimal(0)))[0]
        )
        if difference:
            lines.append(
                MoveLine(
                    move_type, count.item_id, count.location_id, count.lot_id, difference, count.unit_cost or Decimal(0)
                )
            )
    return post_moves(session, posting, lines, now=now) if lines else None


def balances_for_update(session: Session, keys: Sequence[BalanceKey]) -> dict[BalanceKey, tuple[Decimal, Decimal]]:
    """(on-hand, reserved) of the balances named by ``keys``, locked until the transaction ends."""
    found: dict[BalanceKey, tuple[Decimal, Decimal]] = {}
    wanted = {(i, loc, lot or 0) for i, loc, lot in keys}
    item_ids = sorted({k[0] for k in keys})
    for start in range(0, len(item_ids), 5000):
        rows = session.execute(
            select(
                StockBalance.item_id,
                StockBalance.location_id,
                StockBalance.lot_id,
                StockBalance.on_hand,
                StockBalance.reserved,
            )
            .where(StockBalance.item_id.in_(item_ids[start : start + 5000]))
            .order_by(StockBalance.item_id, StockBalance.location_id, StockBalance.lot_id)
            .with_for_update()
        )
        for item_id, location_id, lot_id, on_hand, reserved in rows:
            if (item_id, location_id, lot_id or 0) in wanted:
                found[(item_id, location_id, lot_id)] = (on_hand, reserved)
    return found
