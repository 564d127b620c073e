"""The stock ledger's write path: a posting of signed moves and the balances they change.

Every posting runs inside the caller's unit of work:

1. An idempotency key, if given, is claimed with ``INSERT .. ON CONFLICT DO NOTHING``;
   a key already claimed returns the first posting instead of posting again.
2. The moves are appended. Nothing is ever updated or deleted in ``stock_move``.
3. Each balance is changed by one atomic statement, balance after balance in a fixed
   key order so that concurrent postings cannot deadlock: stock coming in by an upsert
   (``INSERT .. ON CONFLICT DO UPDATE SET on_hand = on_hand + delta``, which creates a
   new balance), stock going out by ``UPDATE .. SET on_hand = on_hand + delta WHERE
   <enough stock> RETURNING``. PostgreSQL re-checks the ``WHERE`` against the newest
   committed row after waiting for its lock, so two writers can never both take the
   last unit (read committed is enough). This comes last, so that the row locks
   are held for as short a time as possible.

An error anywhere leaves the unit of work to roll back: no move without its balance.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plantops.db.base import Quantity, table_of
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


#: The same expression as the unique index, spelled exactly as the index is (conflict target).
_LOT_INDEX = text("coalesce(lot_id, 0)")


_POSTINGS = table_of(StockPosting)
_MOVES = table_of(StockMove)
_BALANCES = table_of(StockBalance)
_BALANCE_INDEX: list[Any] = [_BALANCES.c.item_id, _BALANCES.c.location_id, _LOT_INDEX]

#: Take stock out of (or release reserved stock at) one balance, if there is enough.
_TAKE_FROM_BALANCE = (
    update(_BALANCES)
    .where(
        _BALANCES.c.item_id == bindparam("k_item"),
        _BALANCES.c.location_id == bindparam("k_location"),
        func.coalesce(_BALANCES.c.lot_id, literal_column("0", Integer)) == bindparam("k_lot"),  # as indexed
        or_(
            _BALANCES.c.on_hand + bindparam("delta", type_=Quantity)
            >= _BALANCES.c.reserved - bindparam("released", type_=Quantity),
            exists().where(Item.id == _BALANCES.c.item_id, Item.allow_negative_stock),
        ),
    )
    .values(
        on_hand=_BALANCES.c.on_hand + bindparam("delta", type_=Quantity),
        reserved=_BALANCES.c.reserved - bindparam("released", type_=Quantity),
    )
    .returning(_BALANCES.c.id)
)


@dataclass(frozen=True)
class _Upserts:
    """The dialect-specific ``INSERT .. ON CONFLICT`` statements, built once per dialect."""

    claim_posting: Any  # a new posting, unless its idempotency key was claimed before
    create_balance: Any  # a zero balance, unless there is one
    add_to_balance: Any  # a new balance, or add on-hand and reserved to the one there is


@functools.cache
def _upserts(dialect_name: str) -> _Upserts:
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    add = dialect.insert(_BALANCES)
    return _Upserts(
        claim_posting=dialect.insert(_POSTINGS)
        .on_conflict_do_nothing(index_elements=[_POSTINGS.c.idempotency_key])
        .returning(_POSTINGS.c.id),
        create_balance=dialect.insert(_BALANCES).on_conflict_do_nothing(index_elements=_BALANCE_INDEX),
        add_to_balance=add.on_conflict_do_update(
            index_elements=_BALANCE_INDEX,
            set_={
                "on_hand": _BALANCES.c.on_hand + add.excluded.on_hand,
                "reserved": _BALANCES.c.reserved + add.excluded.reserved,
            },
        ),
    )


_NEW_POSTING = insert(_POSTINGS).returning(_POSTINGS.c.id)
_NEW_MOVE = insert(_MOVES).returning(_MOVES.c.id)
_NEW_MOVES = insert(_MOVES).returning(_MOVES.c.id, sort_by_parameter_order=True)


class _NegativeAllowed:
    """Whether an item allows negative stock, asked of the database at most once per item and posting."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._known: dict[int, bool] = {}

    def __call__(self, item_id: int) -> bool:
        if item_id not in self._known:
            self._known[item_id] = bool(
                self._connection.scalar(select(Item.allow_negative_stock).where(Item.id == item_id))
            )
        return self._known[item_id]


def post_moves(session: Session, posting: Posting, lines: Sequence[MoveLine], *, now: dt.datetime) -> PostingResult:
    """Append ``lines`` as one posting and update their balances; the caller commits.

    The statements are SQLAlchemy Core on the session's connection (same transaction):
    the ledger keeps no ORM objects, so the ORM's per-statement work would be overhead.
    """
    connection = session.connection()
    if posting.idempotency_key is not None:
        claimed = connection.execute(
            _upserts(connection.dialect.name).claim_posting, _posting_values(posting, now)
        ).scalar()
        if claimed is None:
            return replay(session, posting.idempotency_key)
        posting_id = int(claimed)
    else:
        posting_id = connection.execute(_NEW_POSTING, _posting_values(posting, now)).scalar_one()

    effective_at = posting.effective_at or now
    rows = [
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
    ]
    if len(rows) == 1:
        move_ids = [connection.execute(_NEW_MOVE, rows[0]).scalar_one()]
    elif rows:
        move_ids = list(connection.scalars(_NEW_MOVES, rows))
    else:
        move_ids = []
    # Last, so that the balances' row locks are held for as short a time as possible.
    _apply_to_balances(connection, lines)
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


def _apply_to_balances(connection: Connection, lines: Sequence[MoveLine]) -> None:
    """Change every balance the lines touch, one balance at a time in key order.

    Taking the row locks (and the insert slots of new balances) in one global order
    is what keeps two postings from deadlocking: a transfer A -> B and one B -> A both
    lock the lower key first, so one waits for the other instead of each holding what
    the other needs. Per balance, in the common cases one statement does the work:

    * stock comes in (and nothing reserved is released): an upsert adds the quantity,
      creating the balance if it is new;
    * stock goes out, or reserved stock is released: a conditional ``UPDATE .. WHERE
      on_hand + delta >= reserved - released`` (true anyway for an item that allows
      negative stock) ``RETURNING``; no row means not enough stock, or no balance yet.
    """
    deltas: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    releases: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (line.item_id, line.location_id, line.lot_id)
        deltas[key] += line.quantity
        releases[key] += line.releases
    negative_allowed = _NegativeAllowed(connection)
    for key in sorted(deltas, key=lambda k: (k[0], k[1], k[2] or 0)):
        delta, released = deltas[key], releases[key]
        if delta > 0 and not released:
            _add_to_balance(connection, key, delta, released)
        elif delta == 0 and not released:
            # A net-zero line changes nothing; an item allowing negative stock still gets its balance row.
            if negative_allowed(key[0]):
                _add_to_balance(connection, key, delta, released)
        else:
            if delta > 0:  # stock in while releasing reserved stock: the balance must exist to be checked
                connection.execute(
                    _upserts(connection.dialect.name).create_balance,
                    {"item_id": key[0], "location_id": key[1], "lot_id": key[2], "on_hand": 0, "reserved": 0},
                )
            changed = connection.execute(
                _TAKE_FROM_BALANCE,
                {"k_item": key[0], "k_location": key[1], "k_lot": key[2] or 0, "delta": delta, "released": released},
            ).first()
            if changed is None:
                if not negative_allowed(key[0]):
                    _raise_insufficient(connection, key, -delta)
                _add_to_balance(connection, key, delta, released)  # the first move of a negative-allowed balance


def _add_to_balance(connection: Connection, key: BalanceKey, delta: Decimal, released: Decimal) -> None:
    """Unconditionally add ``delta`` to on-hand (and take ``released`` from reserved), creating the balance."""
    connection.execute(
        _upserts(connection.dialect.name).add_to_balance,
        {"item_id": key[0], "location_id": key[1], "lot_id": key[2], "on_hand": delta, "reserved": -released},
    )


def _balance_filter(key: BalanceKey) -> ColumnElement[bool]:
    item_id, location_id, lot_id = key
    return and_(
        StockBalance.item_id == item_id,
        StockBalance.location_id == location_id,
        func.coalesce(StockBalance.lot_id, 0) == (lot_id or 0),
    )


def available(session: Session | Connection, key: BalanceKey) -> Decimal:
    """On-hand minus reserved at one balance (0 where there is none)."""
    row = session.execute(select(StockBalance.on_hand - StockBalance.reserved).where(_balance_filter(key))).scalar()
    return Decimal(row) if row is not None else Decimal(0)


def _raise_insufficient(session: Session | Connection, key: BalanceKey, requested: Decimal) -> None:
    item = session.scalar(select(Item.code).where(Item.id == key[0])) or str(key[0])
    location = session.scalar(select(Location.code).where(Location.id == key[1])) or str(key[1])
    lot = session.scalar(select(Lot.code).where(Lot.id == key[2])) if key[2] else None
    raise InsufficientStockError(item, location, lot, requested, max(available(session, key), Decimal(0)))
