"""Inventory use cases on the stock ledger.

Stock changes only through postings of moves; balances per (item, location, lot) are
written in the same transaction as the moves that change them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plantops.db.inventory import StockBalance, StockMove, StockPosting
from plantops.vocabulary import MoveType

BalanceKey = tuple[int, int, int | None]


@dataclass(frozen=True)
class CountedStock:
    """A counted quantity of an item at a location (and lot), at a unit cost."""

    item_id: int
    location_id: int
    lot_id: int | None
    quantity: Decimal
    unit_cost: Decimal | None = None


def post_counted_stock(
    session: Session,
    counts: Sequence[CountedStock],
    *,
    posted_by: str,
    source_document: str,
    effective_at: dt.datetime | None = None,
) -> int:
    """Bring on-hand to the counted quantities with one posting of opening moves.

    Only differences are posted, so posting the same counts twice changes nothing the
    second time. Returns the number of moves posted. The caller commits.
    """
    now = effective_at or dt.datetime.now(dt.UTC)
    keys = [(c.item_id, c.location_id, c.lot_id) for c in counts]
    current = _balances_for_update(session, keys)
    moves: list[dict[str, object]] = []
    new_balances: list[dict[str, object]] = []
    changed_balances: list[dict[str, object]] = []
    for count, key in zip(counts, keys, strict=True):
        balance_id, on_hand = current.get(key, (None, Decimal(0)))
        difference = count.quantity - on_hand
        if difference == 0:
            continue
        moves.append(
            {
                "move_type": MoveType.OPENING,
                "item_id": count.item_id,
                "location_id": count.location_id,
                "lot_id": count.lot_id,
                "quantity": difference,
                "unit_cost": count.unit_cost or Decimal(0),
                "effective_at": now,
            }
        )
        if balance_id is None:
            new_balances.append(
                {
                    "item_id": key[0],
                    "location_id": key[1],
                    "lot_id": key[2],
                    "on_hand": count.quantity,
                    "reserved": Decimal(0),
                }
            )
        else:
            changed_balances.append({"id": balance_id, "on_hand": count.quantity})
    if not moves:
        return 0
    posting_id = session.execute(
        insert(StockPosting).returning(StockPosting.id),
        {"posted_at": now, "posted_by": posted_by, "source_document": source_document, "reason": "counted stock"},
    ).scalar_one()
    session.execute(insert(StockMove), [{**m, "posting_id": posting_id} for m in moves])
    if new_balances:
        session.execute(insert(StockBalance), new_balances)
    if changed_balances:
        session.execute(update(StockBalance), changed_balances)
    return len(moves)


def _balances_for_update(session: Session, keys: Sequence[BalanceKey]) -> dict[BalanceKey, tuple[int, Decimal]]:
    """Current (id, on_hand) of the balances named by ``keys``, locked until commit."""
    found: dict[BalanceKey, tuple[int, Decimal]] = {}
    wanted = {(i, loc, lot or 0) for i, loc, lot in keys}
    item_ids = sorted({k[0] for k in keys})
    for chunk_start in range(0, len(item_ids), 5000):
        chunk = item_ids[chunk_start : chunk_start + 5000]
        rows = session.execute(
            select(
                StockBalance.id,
                StockBalance.item_id,
                StockBalance.location_id,
                StockBalance.lot_id,
                StockBalance.on_hand,
            )
            .where(StockBalance.item_id.in_(chunk))
            .order_by(StockBalance.id)
            .with_for_update()
        )
        for balance_id, item_id, location_id, lot_id, on_hand in rows:
            if (item_id, location_id, lot_id or 0) in wanted:
                found[(item_id, location_id, lot_id)] = (balance_id, on_hand)
    return found
