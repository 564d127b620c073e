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

On PostgreSQL a posting of one line in business codes (a receipt, return, issue, scrap
or adjustment) has a shorter road, :func:`post_single_line`: the same steps as one
statement, sent in one round trip and committed on its own (see there). Postings of
several balances (a move, production, a reversal), against a reservation, or whose
line the statement does not take as it is, take the general road above.
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
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plantops.db.base import Quantity, table_of
from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockBalance, StockMove, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.errors import PlantOpsError
from plantops.vocabulary import MoveType, Tracking

BalanceKey = tuple[int, int, int | None]


class InsufficientStockError(PlantOpsError):
    """An issue, transfer or reservation asked for more than is available; nothing was posted."""

    def __init__(self, item: str, location: str, lot: str | None, requested: Decimal, available: Decimal) -> None:
        self.available = available
        where = f"{location}" + (f" lot {lot}" if lot else "")
        super().__init__(
            f"item {item} at {where}: quantity: {quantity_text(requested)} requested "
            f"but only {quantity_text(available)} available"
        )


def quantity_text(value: Decimal) -> str:
    """A quantity as a planner writes it: no trailing zeros, no exponent, no minus zero."""
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


# --------------------------------------------------------------------------- one statement


@dataclass(frozen=True)
class SingleLine:
    """One line in business codes: ``quantity`` > 0 comes in (at ``unit_cost``, default the
    item's standard cost, into a lot expiring on ``expiry``), < 0 goes out (at cost 0)."""

    move_type: MoveType
    item: str
    location: str
    lot: str | None
    quantity: Decimal
    unit_cost: Decimal | None = None
    expiry: dt.date | None = None


@dataclass(frozen=True)
class PostedLine:
    posting_id: int
    move_id: int
    quantity: Decimal  # as stored


#: :func:`post_single_line`'s statement. ``line`` resolves the codes and yields a row only
#: when the line passes every check of the general road (``references.check_quantity``,
#: the lot rules, a lot that exists) and its idempotency key is new. Each write then
#: feeds the next: the balance changes only for a ``line`` row (coming in, or for an item
#: allowing negative stock, by the upsert; going out otherwise by the update whose
#: ``WHERE`` keeps on-hand at or above reserved), the posting is inserted only for a
#: changed balance and the move only for an inserted posting. So the statement writes
#: all of it or nothing, and returns the move, or no row.
_SINGLE_LINE_POSTING = text(
    f"""
WITH line AS (
    SELECT i.id AS item_id, l.id AS location_id, lot.id AS lot_id,
           i.allow_negative_stock AS negative_allowed, i.standard_cost
    FROM item AS i
    JOIN unit AS u ON u.id = i.unit_id
    JOIN location AS l ON l.code = CAST(:location AS VARCHAR)
    LEFT JOIN lot ON lot.item_id = i.id AND lot.code = CAST(:lot AS VARCHAR)
    WHERE i.code = CAST(:item AS VARCHAR)
      AND round(CAST(:quantity AS NUMERIC), u.decimals) = CAST(:quantity AS NUMERIC)
      AND (i.tracking <> '{Tracking.SERIAL.value}' OR CAST(:quantity AS NUMERIC) = 1)
      AND (i.tracking = '{Tracking.NONE.value}') = (CAST(:lot AS VARCHAR) IS NULL)
      AND (CAST(:lot AS VARCHAR) IS NULL OR lot.id IS NOT NULL)
      AND (CAST(:expiry AS DATE) IS NULL OR lot.expiry_date IS NULL OR lot.expiry_date = CAST(:expiry AS DATE))
      AND NOT EXISTS (SELECT FROM stock_posting WHERE idempotency_key = CAST(:key AS VARCHAR))
),
taken AS (
    UPDATE stock_balance AS b
    SET on_hand = b.on_hand + CAST(:delta AS NUMERIC)
    FROM line
    WHERE NOT CAST(:incoming AS BOOLEAN) AND NOT line.negative_allowed
      AND b.item_id = line.item_id AND b.location_id = line.location_id
      AND coalesce(b.lot_id, 0) = coalesce(line.lot_id, 0)
      AND b.on_hand + CAST(:delta AS NUMERIC) >= b.reserved
    RETURNING b.id
),
added AS (
    INSERT INTO stock_balance (item_id, location_id, lot_id, on_hand, reserved)
    SELECT item_id, location_id, lot_id, CAST(:delta AS NUMERIC), 0
    FROM line
    WHERE CAST(:incoming AS BOOLEAN) OR negative_allowed
    ON CONFLICT (item_id, location_id, coalesce(lot_id, 0))
    DO UPDATE SET on_hand = stock_balance.on_hand + excluded.on_hand
    RETURNING id
),
posting AS (
    INSERT INTO stock_posting (idempotency_key, posted_at, posted_by, source_document, reason)
    SELECT CAST(:key AS VARCHAR), CAST(:posted_at AS TIMESTAMPTZ), CAST(:posted_by AS VARCHAR),
           CAST(:source_document AS VARCHAR), CAST(:reason AS VARCHAR)
    FROM (SELECT id FROM taken UNION ALL SELECT id FROM added) AS changed
    RETURNING id
),
move AS (
    INSERT INTO stock_move (posting_id, move_type, item_id, location_id, lot_id, quantity, unit_cost, effective_at)
    SELECT posting.id, CAST(:move_type AS VARCHAR), line.item_id, line.location_id, line.lot_id,
           CAST(:delta AS NUMERIC),
           CASE WHEN CAST(:incoming AS BOOLEAN)
                THEN coalesce(CAST(:unit_cost AS NUMERIC), line.standard_cost) ELSE 0 END,
           CAST(:effective_at AS TIMESTAMPTZ)
    FROM posting CROSS JOIN line
    RETURNING posting_id, id, quantity
)
SELECT posting_id, id, quantity FROM move
"""
)


@functools.cache
def _single_line_sql() -> str:
    """The statement in psycopg's parameter style, compiled once."""
    return _SINGLE_LINE_POSTING.compile(dialect=psycopg.dialect()).string  # type: ignore[no-untyped-call]


def single_statement_postings(uow: UnitOfWork) -> bool:
    """Whether :func:`post_single_line` can run on this database (PostgreSQL through psycopg)."""
    engine = uow.engine
    return engine is not None and engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


def post_single_line(uow: UnitOfWork, posting: Posting, line: SingleLine, *, now: dt.datetime) -> PostedLine | None:
    """Post one line in business codes as one statement in a transaction of its own.

    The steps of :func:`post_moves` (claim the idempotency key, append the move, change
    the balance on the same condition) and the code lookups and checks of the general
    road, as one data-modifying statement (see ``_SINGLE_LINE_POSTING``): one round
    trip, autocommitted, instead of the general road's seven (``BEGIN``, five statements,
    ``COMMIT``) and its session. Only a change to one balance, with no reservation
    released, goes this way: a single statement cannot take the row locks of two
    balances in a fixed order.

    Returns None, having changed nothing, whenever the outcome is anything but a new
    posting: an unknown code, a quantity or lot the item does not take, a lot still to
    be created, an idempotency key posted before (or claimed by a concurrent posting,
    which fails this statement's insert), or not enough stock. The caller then takes the
    general road, which posts, replays, or raises the same error it always did.
    """
    if posting.reverses_posting_id is not None or line.quantity == 0:
        return None
    incoming = line.quantity > 0
    parameters = {
        "item": line.item,
        "location": line.location,
        "lot": line.lot,
        "quantity": abs(line.quantity),
        "delta": line.quantity,
        "incoming": incoming,
        "unit_cost": line.unit_cost if incoming else None,
        "expiry": line.expiry if incoming else None,
        "key": posting.idempotency_key,
        "posted_at": now,
        "posted_by": posting.posted_by,
        "source_document": posting.source_document,
        "reason": posting.reason,
        "move_type": line.move_type.value,
        "effective_at": posting.effective_at or now,
    }
    try:
        row = uow.run_statement(_single_line_sql(), parameters)
    except IntegrityError as error:
        if _claimed_concurrently(error):
            return None
        raise
    if row is None:
        return None
    posting_id, move_id, quantity = row
    return PostedLine(int(posting_id), int(move_id), Decimal(quantity))


def _claimed_concurrently(error: IntegrityError) -> bool:
    """The idempotency key was committed by another posting after this statement began."""
    unique_violation = getattr(error.orig, "sqlstate", None) == "23505"
    return unique_violation and getattr(getattr(error.orig, "diag", None), "table_name", None) == _POSTINGS.name
