"""The stock ledger's write path: a posting of signed moves and the balances they change.

Every posting runs inside the caller's unit of work:

1. An idempotency key, if given, is claimed with ``INSERT .. ON CONFLICT DO NOTHING``;
   a key already claimed returns the first posting instead of posting again.
2. Balance rows are created if missing (``ON CONFLICT DO NOTHING``), then changed by one
   atomic ``UPDATE .. SET on_hand = on_hand + delta WHERE <enough stock> RETURNING``,
   in a fixed key order so that concurrent postings cannot deadlock. PostgreSQL
   re-checks the ``WHERE`` against the newest committed row after waiting for its lock,
   so two writers can never both take the last unit (read committed is enough).
3. The moves are appended. Nothing is ever updated or deleted in ``stock_move``.

An error anywhere leaves the unit of work to roll back: no move without its balance.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plantops.db.base import Quantity
from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockBalance, StockMove, StockPosting
from plantops.db.sites import Location
from plantops.errors import PlantOpsError
from plantops.vocabulary import MoveType

BalanceKey = tuple[int, int, int | None]


class InsufficientStockError(PlantOpsError):
    """An issue, transfer or reservation asked for more than is available; nothing was posted."""

    def __init__(self, item: str, location: str, lot: str | None, requested: Decimal, available: Decimal) -> None:
        self.available = available
        where = f"{location}" + (f" lot {lot}" if lot else "")
        super().__init__(
            f"item {item} at {where}: quantity: {_fmt(requested)} requested but only {_fmt(available)} available"
        )


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class MoveLine:
    """One signed change of on-hand; ``releases`` lowers ``reserved`` as well (an issue of reserved stock)."""

    move_type: MoveType
    item_id: int
    location_id: int
    lot_id: int | None
    quantity: Decimal
    unit_cost: Decimal = Decimal(0)
    releases: Decimal = Decimal(0)


@dataclass(frozen=True)
class Posting:
    """What a posting is: who, why, when it happened and an optional idempotency key."""

    posted_by: str
    source_document: str = ""
    reason: str = ""
    effective_at: dt.datetime | None = None
    idempotency_key: str | None = None
    reverses_posting_id: int | None = None


@dataclass(frozen=True)
class PostingResult:
    posting_id: int
    move_ids: list[int]
    replayed: bool = False  # True when the idempotency key had been posted before


_LOT_KEY = func.coalesce(StockBalance.lot_id, 0)
#: The same expression as the unique index, spelled exactly as the index is (conflict target).
_LOT_INDEX = text("coalesce(lot_id, 0)")


def _insert_ignore(session: Session, model: type, conflict: list[Any]) -> Any:
    """``INSERT .. ON CONFLICT (conflict) DO NOTHING`` for PostgreSQL and SQLite."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing(index_elements=conflict)


def post_moves(session: Session, posting: Posting, lines: Sequence[MoveLine], *, now: dt.datetime) -> PostingResult:
    """Append ``lines`` as one posting and update their balances; the caller commits."""
    if posting.idempotency_key is not None:
        claimed = session.execute(
            _insert_ignore(session, StockPosting, [StockPosting.idempotency_key])
            .values(**_posting_values(posting, now))
            .returning(StockPosting.id)
        ).scalar()
        if claimed is None:
            return replay(session, posting.idempotency_key)
        posting_id = int(claimed)
    else:
        posting_id = session.execute(
            insert(StockPosting).values(**_posting_values(posting, now)).returning(StockPosting.id)
        ).scalar_one()

    _apply_to_balances(session, lines)
    effective_at = posting.effective_at or now
    move_ids = list(
        session.scalars(
            insert(StockMove).returning(StockMove.id, sort_by_parameter_order=True),
            [
                {
                    "posting_id": posting_id,
                    "move_type": line.move_type,
                    "item_id": line.item_id,
                    "location_id": line.location_id,
                    "lot_id": line.lot_id,
                    "quantity": line.quantity,
                    "unit_cost": line.unit_cost,
                    "effective_at": effective_at,
                }
                for line in lines
            ],
        )
    )
    return PostingResult(posting_id, move_ids)


def replay(session: Session, idempotency_key: str) -> PostingResult:
    """The result of the posting that first used ``idempotency_key``."""
    posting_id = session.execute(
        select(StockPosting.id).where(StockPosting.idempotency_key == idempotency_key)
    ).scalar_one()
    move_ids = list(
        session.scalars(select(StockMove.id).where(StockMove.posting_id == posting_id).order_by(StockMove.id))
    )
    return PostingResult(posting_id, move_ids, replayed=True)


def _posting_values(posting: Posting, now: dt.datetime) -> dict[str, object]:
    return {
        "idempotency_key": posting.idempotency_key,
        "posted_at": now,
        "posted_by": posting.posted_by,
        "source_document": posting.source_document,
        "reason": posting.reason,
        "reverses_posting_id": posting.reverses_posting_id,
    }


def _apply_to_balances(session: Session, lines: Sequence[MoveLine]) -> None:
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    releases: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (line.item_id, line.location_id, line.lot_id)
        deltas[key] += line.quantity
        releases[key] += line.releases
    negative_allowed = _items_allowing_negative(session, {k[0] for k in deltas})
    keys = sorted(deltas, key=lambda k: (k[0], k[1], k[2] or 0))
    created = [k for k in keys if deltas[k] > 0 or k[0] in negative_allowed]
    if created:
        session.execute(
            _insert_ignore(session, StockBalance, [StockBalance.item_id, StockBalance.location_id, _LOT_INDEX]),
            [{"item_id": k[0], "location_id": k[1], "lot_id": k[2], "on_hand": 0, "reserved": 0} for k in created],
        )
    unconditional = [k for k in keys if (deltas[k] >= 0 and not releases[k]) or k[0] in negative_allowed]
    if unconditional:
        balances = StockBalance.__table__
        session.execute(
            update(balances)
            .where(
                balances.c.item_id == bindparam("k_item"),
                balances.c.location_id == bindparam("k_location"),
                func.coalesce(balances.c.lot_id, 0) == bindparam("k_lot"),
            )
            .values(
                on_hand=balances.c.on_hand + bindparam("delta", type_=Quantity),
                reserved=balances.c.reserved - bindparam("released", type_=Quantity),
            ),
            [
                {"k_item": k[0], "k_location": k[1], "k_lot": k[2] or 0, "delta": deltas[k], "released": releases[k]}
                for k in unconditional
            ],
        )
    checked = set(unconditional)
    for key in (k for k in keys if k not in checked):
        delta, released = deltas[key], releases[key]
        changed = session.execute(
            update(StockBalance)
            .where(_balance_filter(key), StockBalance.on_hand + delta >= StockBalance.reserved - released)
            .values(on_hand=StockBalance.on_hand + delta, reserved=StockBalance.reserved - released)
            .returning(StockBalance.id)
        ).first()
        if changed is None:
            _raise_insufficient(session, key, -delta)


def _balance_filter(key: BalanceKey) -> ColumnElement[bool]:
    item_id, location_id, lot_id = key
    return and_(
        StockBalance.item_id == item_id,
        StockBalance.location_id == location_id,
        (lot_id or 0) == _LOT_KEY,
    )


def _items_allowing_negative(session: Session, item_ids: set[int]) -> set[int]:
    return set(session.scalars(select(Item.id).where(Item.id.in_(item_ids), Item.allow_negative_stock)))


def available(session: Session, key: BalanceKey) -> Decimal:
    """On-hand minus reserved at one balance (0 where there is none)."""
    row = session.execute(select(StockBalance.on_hand - StockBalance.reserved).where(_balance_filter(key))).scalar()
    return Decimal(row) if row is not None else Decimal(0)


def _raise_insufficient(session: Session, key: BalanceKey, requested: Decimal) -> None:
    item = session.scalar(select(Item.code).where(Item.id == key[0])) or str(key[0])
    location = session.scalar(select(Location.code).where(Location.id == key[1])) or str(key[1])
    lot = session.scalar(select(Lot.code).where(Lot.id == key[2])) if key[2] else None
    raise InsufficientStockError(item, location, lot, requested, max(available(session, key), Decimal(0)))
