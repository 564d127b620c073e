"""Stock postings in business codes: receive, issue, move, transfer, adjust, scrap, return,
produce (with co-products and lot genealogy) and reverse.

Each use case validates its input, then posts in one transaction of its own through
:func:`plantops.services.inventory.ledger.post_moves`, retrying transient conflicts.
Bad input raises a PlantOps error and posts nothing.

A single-line receipt, return, issue, scrap or adjustment tries, on PostgreSQL, the
one-statement road first (:func:`plantops.services.inventory.ledger.post_single_line`),
which posts it if it is a plain new posting and otherwise changes nothing and leaves it
to the general road: the outcome and every error are those of the general road.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import table_of, text_length
from plantops.db.catalog import Item, Unit
from plantops.db.inventory import Lot, LotLink, StockBalance, StockMove, StockPosting, StockReservation
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.ledger import (
    MoveLine,
    Posting,
    PostingResult,
    SingleLine,
    post_moves,
    post_single_line,
    single_statement_postings,
)
from plantops.services.inventory.references import (
    ItemRef,
    LocationRef,
    check_expiry,
    check_quantity,
    item_ref,
    location_ref,
    lot_for_receipt,
    lot_id,
)
from plantops.vocabulary import LocationKind, MoveType, ReservationStatus


@dataclass(frozen=True)
class Who:
    """Who posts, why, and when the stock physically moved (default: now)."""

    user: str
    document: str = ""
    reason: str = ""
    effective_at: dt.datetime | None = None
    idempotency_key: str | None = None

    def posting(self, window: bounds.PostingWindow, *, reverses: int | None = None) -> Posting:
        """The posting's header, refused unless each text fits its column and the time lies in ``window``."""
        for name, text, length in (
            ("document", self.document, text_length(StockPosting, "source_document")),
            ("reason", self.reason, text_length(StockPosting, "reason")),
            ("key", self.idempotency_key, text_length(StockPosting, "idempotency_key")),
        ):
            bounds.check_text("posting", name, text, max_length=length)
        if self.effective_at is not None:
            bounds.check_posting_time("posting", "effective_at", self.effective_at, now=_now(), window=window)
        return Posting(
            posted_by=self.user,
            source_document=self.document,
            reason=self.reason,
            effective_at=self.effective_at,
            idempotency_key=self.idempotency_key,
            reverses_posting_id=reverses,
        )


@dataclass(frozen=True)
class StockLine:
    """A quantity of an item at a location (and lot) in business codes."""

    item: str
    location: str
    quantity: Decimal
    lot: str | None = None
    unit_cost: Decimal | None = None
    expiry: dt.date | None = None


@dataclass(frozen=True)
class PostedMove:
    move_type: MoveType
    item: str
    location: str
    lot: str | None
    quantity: Decimal


@dataclass(frozen=True)
class PostingSummary:
    posting_id: int
    replayed: bool
    moves: list[PostedMove] = field(default_factory=list)


AfterPosting = Callable[[Session, PostingResult], None]
#: Validates input inside the transaction and returns the move lines, plus an optional
#: step to run once they are posted (lot genealogy).
BuildLines = Callable[[Session], tuple[list[MoveLine], AfterPosting | None]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _post(uow: UnitOfWork, who: Who, build: BuildLines, *, reverses: int | None = None) -> PostingSummary:
    def work(session: Session) -> PostingSummary:
        lines, after = build(session)
        result = post_moves(session, who.posting(uow.posting_window, reverses=reverses), lines, now=_now())
        if not result.replayed and after is not None:
            after(session, result)
        return summarize(session, result)

    return uow.run(work)


def _post_line(
    uow: UnitOfWork, who: Who, move_type: MoveType, line: StockLine, record: str, *, incoming: bool
) -> PostingSummary:
    """A posting of one line coming in or going out: in one statement where it can be, else by :func:`_post`."""
    posted = _post_in_one_statement(uow, who, move_type, line, incoming=incoming)
    if posted is not None:
        return posted
    if incoming:
        return _post(uow, who, lambda s: ([incoming_move(s, move_type, line, record, who)], None))
    return _post(uow, who, lambda s: ([outgoing_move(s, move_type, line, record)], None))


def _post_in_one_statement(
    uow: UnitOfWork, who: Who, move_type: MoveType, line: StockLine, *, incoming: bool
) -> PostingSummary | None:
    """The posting by :func:`post_single_line`, or None to take the general road.

    Only input that passes the checks needing no database goes this way (a quantity and
    a cost within their bounds, an effective time with a zone); anything else is left to
    the general road to refuse with its own error, in its own order.
    """
    if bounds.quantity_problem(line.quantity) is not None:
        return None
    if incoming and line.unit_cost is not None and bounds.amount_problem(line.unit_cost) is not None:
        return None
    if who.effective_at is not None and who.effective_at.utcoffset() is None:
        return None
    if not single_statement_postings(uow):
        return None
    single = SingleLine(
        move_type,
        line.item,
        line.location,
        line.lot,
        line.quantity if incoming else -line.quantity,
        unit_cost=line.unit_cost if incoming else None,
        expiry=line.expiry if incoming else None,
    )
    posted = post_single_line(uow, who.posting(uow.posting_window), single, now=_now())
    if posted is None:
        return None
    return PostingSummary(
        posted.posting_id, False, [PostedMove(move_type, line.item, line.location, line.lot, posted.quantity)]
    )


def receive(uow: UnitOfWork, line: StockLine, who: Who) -> PostingSummary:
    """Goods in from a supplier (or any source) at a unit cost; a new lot is created with its expiry."""
    return _post_line(uow, who, MoveType.RECEIPT, line, "receipt", incoming=True)


def return_stock(uow: UnitOfWork, line: StockLine, who: Who) -> PostingSummary:
    """Goods coming back from a customer."""
    return _post_line(uow, who, MoveType.RETURN, line, "return", incoming=True)


def issue(uow: UnitOfWork, line: StockLine, who: Who, *, reservation: str | None = None) -> PostingSummary:
    """Goods out; against a reservation, the reserved quantity is consumed first."""
    if reservation is None:
        return _post_line(uow, who, MoveType.ISSUE, line, "issue", incoming=False)

    def build(session: Session) -> tuple[list[MoveLine], None]:
        move = outgoing_move(session, MoveType.ISSUE, line, "issue")
        released = _consume_reservation(session, reservation, move, line.quantity)
        return [
            MoveLine(move.move_type, move.item_id, move.location_id, move.lot_id, move.quantity, releases=released)
        ], None

    return _post(uow, who, build)


def scrap(uow: UnitOfWork, line: StockLine, who: Who) -> PostingSummary:
    if not who.reason:
        raise ValidationError("scrap", "reason", "is required: say why the stock is scrapped")
    return _post_line(uow, who, MoveType.SCRAP, line, "scrap", incoming=False)


def adjust(uow: UnitOfWork, line: StockLine, who: Who, *, increase: bool) -> PostingSummary:
    """Correct on-hand up or down by ``line.quantity``; a reason is required."""
    if not who.reason:
        raise ValidationError("adjustment", "reason", "is required: say why on-hand is corrected")
    return _post_line(uow, who, MoveType.ADJUSTMENT, line, "adjustment", incoming=increase)


def move(uow: UnitOfWork, line: StockLine, to_location: str, who: Who) -> PostingSummary:
    """Move stock between locations of one site; stock goes to another site only on a transfer order."""

    def build(session: Session) -> tuple[list[MoveLine], None]:
        out = outgoing_move(session, MoveType.TRANSFER_OUT, line, "move")
        source, target = location_ref(session, line.location), location_ref(session, to_location)
        if source.id == target.id:
            raise ValidationError("move", "to_location", f"{to_location} is the location the stock is already in")
        if source.site_id != target.site_id:
            raise ValidationError(
                "move",
                "to_location",
                f"{target.code} is in site {target.site}, {source.code} in site {source.site}: stock goes to another "
                "site on a transfer order (ship it with `plantops transfer ship` or on the order's page)",
            )
        into = MoveLine(MoveType.TRANSFER_IN, out.item_id, target.id, out.lot_id, line.quantity)
        return [out, into], None

    return _post(uow, who, build)


def produce(uow: UnitOfWork, consumed: Sequence[StockLine], produced: Sequence[StockLine], who: Who) -> PostingSummary:
    """Consume components and put away outputs (main product, co-products, by-products).

    Every consumed lot is linked to every produced lot (genealogy), so that a recall can
    be traced both ways.
    """
    if not produced:
        raise ValidationError("production", "produced", "at least one output is required")

    def build(session: Session) -> tuple[list[MoveLine], AfterPosting]:
        ins = [outgoing_move(session, MoveType.PRODUCTION_CONSUMPTION, c, "production consumption") for c in consumed]
        outs = [incoming_move(session, MoveType.PRODUCTION_OUTPUT, p, "production output", who) for p in produced]

        def link_lots(session: Session, result: PostingResult) -> None:
            links = [
                {
                    "posting_id": result.posting_id,
                    "consumed_lot_id": i.lot_id,
                    "produced_lot_id": o.lot_id,
                    "quantity": -i.quantity,
                }
                for i in ins
                for o in outs
                if i.lot_id is not None and o.lot_id is not None
            ]
            if links:
                session.execute(insert(LotLink), links)

        return [*ins, *outs], link_lots

    return _post(uow, who, build)


def reverse(uow: UnitOfWork, posting_id: int, who: Who) -> PostingSummary:
    """Post the exact opposite of a posting, once; the original stays in the ledger."""
    if not who.reason:
        raise ValidationError("reversal", "reason", "is required: say why the posting is reversed")

    def build(session: Session) -> tuple[list[MoveLine], None]:
        original = session.get(StockPosting, posting_id)
        if original is None:
            raise NotFoundError("posting", str(posting_id))
        if original.reverses_posting_id is not None:
            raise ValidationError("reversal", "posting", f"posting {posting_id} is itself a reversal")
        already = session.scalar(select(StockPosting.id).where(StockPosting.reverses_posting_id == posting_id))
        if already is not None:
            raise ValidationError("reversal", "posting", f"posting {posting_id} was already reversed by {already}")
        moves = session.execute(
            select(
                StockMove.move_type,
                StockMove.item_id,
                StockMove.location_id,
                StockMove.lot_id,
                StockMove.quantity,
                StockMove.unit_cost,
            ).where(StockMove.posting_id == posting_id)
        ).all()
        in_transit = select(Location.id).where(
            Location.id.in_({move.location_id for move in moves}), Location.kind == LocationKind.TRANSIT
        )
        if session.scalar(in_transit.limit(1)) is not None:
            raise ValidationError(
                "reversal",
                "posting",
                f"posting {posting_id} ships or receives transfer order {original.source_document}, which counts "
                "what it shipped and received: receive what is in transit, or cancel what is not shipped",
            )
        return [MoveLine(t, i, loc, lot, -q, c) for t, i, loc, lot, q, c in moves], None

    return _post(uow, who, build, reverses=posting_id)


def incoming_move(session: Session, move_type: MoveType, line: StockLine, record: str, who: Who) -> MoveLine:
    """The move of ``line`` into stock, checked (quantity, expiry, cost) and with its lot made on first receipt."""
    item, place = _item_and_location(session, line)
    check_quantity(item, line.quantity, record=record)
    if line.expiry is not None:
        received_on = (who.effective_at or _now()).date()
        check_expiry(session, item, line.expiry, received_on=received_on, reason=who.reason, record=record)
    if line.unit_cost is not None:
        bounds.check_amount(record, "unit_cost", line.unit_cost)
    location = place or location_ref(session, line.location)
    lot = lot_for_receipt(session, item, line.lot, line.expiry, record=record)
    cost = line.unit_cost if line.unit_cost is not None else item.standard_cost
    return MoveLine(move_type, item.id, location.id, lot, line.quantity, cost)


def outgoing_move(session: Session, move_type: MoveType, line: StockLine, record: str) -> MoveLine:
    """The move of ``line`` out of stock, checked (quantity, lot); the ledger refuses it without enough stock."""
    item, place = _item_and_location(session, line)
    check_quantity(item, line.quantity, record=record)
    location = place or location_ref(session, line.location)
    lot = lot_id(session, item, line.lot, record=record)
    return MoveLine(move_type, item.id, location.id, lot, -line.quantity)


_ITEMS, _UNITS, _LOCATIONS, _SITES = (table_of(m) for m in (Item, Unit, Location, Site))
#: :func:`item_ref` and :func:`location_ref` in one round trip: the columns of ItemRef, then of LocationRef.
_ITEM_AND_LOCATION = (
    select(
        _ITEMS.c.id,
        _ITEMS.c.code,
        _UNITS.c.code,
        _UNITS.c.decimals,
        _ITEMS.c.tracking,
        _ITEMS.c.allow_negative_stock,
        _ITEMS.c.standard_cost,
        _LOCATIONS.c.id,
        _LOCATIONS.c.code,
        _SITES.c.id,
        _SITES.c.code,
    )
    .select_from(_ITEMS)
    .join(_UNITS, _UNITS.c.id == _ITEMS.c.unit_id)
    .join(_LOCATIONS, _LOCATIONS.c.code == bindparam("location"))
    .join(_SITES, _SITES.c.id == _LOCATIONS.c.site_id)
    .where(_ITEMS.c.code == bindparam("item"))
)


def _item_and_location(session: Session, line: StockLine) -> tuple[ItemRef, LocationRef | None]:
    """The line's item and location in one query (the posting's hot path).

    When either code is unknown, the item is resolved alone (raising for an unknown
    item) and the location is left to the caller, so that errors come in the same
    order as resolving them one by one: item, then quantity, then location.
    """
    row = session.connection().execute(_ITEM_AND_LOCATION, {"item": line.item, "location": line.location}).first()
    if row is None:
        return item_ref(session, line.item), None
    return ItemRef(*row[:7]), LocationRef(*row[7:])


def _consume_reservation(session: Session, number: str, move: MoveLine, quantity: Decimal) -> Decimal:
    """Lower an open reservation by what this issue takes; returns the quantity released."""
    row = session.execute(
        select(
            StockReservation.id,
            StockReservation.reserved_quantity,
            StockReservation.status,
            StockBalance.item_id,
            StockBalance.location_id,
            StockBalance.lot_id,
        )
        .join(StockBalance, StockBalance.id == StockReservation.balance_id)
        .where(StockReservation.number == number)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFoundError("reservation", number)
    if row.status is not ReservationStatus.OPEN:
        raise ValidationError("issue", "reservation", f"reservation {number} is {row.status.value}")
    if (row.item_id, row.location_id, row.lot_id) != (move.item_id, move.location_id, move.lot_id):
        raise ValidationError("issue", "reservation", f"reservation {number} is for another item, location or lot")
    released: Decimal = min(quantity, row.reserved_quantity)
    remaining = row.reserved_quantity - released
    session.execute(
        update(StockReservation)
        .where(StockReservation.id == row.id)
        .values(
            reserved_quantity=remaining,
            status=ReservationStatus.CONSUMED if remaining == 0 else ReservationStatus.OPEN,
        )
    )
    return released


_MOVES, _LOTS = (table_of(m) for m in (StockMove, Lot))
_POSTED_MOVES = (
    select(_MOVES.c.move_type, _ITEMS.c.code, _LOCATIONS.c.code, _LOTS.c.code, _MOVES.c.quantity)
    .join(_ITEMS, _ITEMS.c.id == _MOVES.c.item_id)
    .join(_LOCATIONS, _LOCATIONS.c.id == _MOVES.c.location_id)
    .outerjoin(_LOTS, _LOTS.c.id == _MOVES.c.lot_id)
    .where(_MOVES.c.posting_id == bindparam("posting_id"))
    .order_by(_MOVES.c.id)
)


def summarize(session: Session, result: PostingResult) -> PostingSummary:
    """The posting's moves in business codes."""
    rows = session.connection().execute(_POSTED_MOVES, {"posting_id": result.posting_id}).all()
    return PostingSummary(result.posting_id, result.replayed, [PostedMove(*r) for r in rows])
