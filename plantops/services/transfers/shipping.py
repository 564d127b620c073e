"""Shipping and receiving on a transfer order, each as one stock posting under the order's number.

Shipping moves the goods from a location of the source site into the destination site's
in-transit location (``<site>-TRANSIT``, made on first use); receiving moves them from there
into a location of the destination. A receipt takes only what this order shipped and has not
yet received, read from the ledger's moves of the order's document. The lines' shipped and
received quantities change in the posting's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plantops.db.base import table_of
from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockMove, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.db.transfers import TransferOrder, TransferOrderLine
from plantops.errors import ValidationError
from plantops.services.inventory.ledger import MoveLine, post_moves, quantity_text
from plantops.services.inventory.references import (
    ItemRef,
    check_quantity,
    item_ref,
    location_ref,
    lot_id,
)
from plantops.services.inventory.reservations import pick_suggestion
from plantops.services.inventory.stock import PostingSummary, Who, summarize
from plantops.services.transfers.orders import (
    MAX_LINES,
    RECORD,
    TransferOrderView,
    check_open,
    order_row,
    order_view,
    transfer_order,
)
from plantops.vocabulary import LocationKind, MoveType, OrderStatus, Tracking


@dataclass(frozen=True)
class Shipment:
    """Ship ``quantity`` of order line ``line`` from ``location`` (a location of the source site).

    ``lot`` is the lot of a lot-tracked item; without one, lots are taken first expiry first.
    """

    line: int
    quantity: Decimal
    location: str
    lot: str | None = None


@dataclass(frozen=True)
class Arrival:
    """Receive ``quantity`` of order line ``line`` into ``location`` (a location of the destination).

    ``lot`` must be a lot this order shipped; without one, lots in transit on the order
    are taken in the order they were shipped.
    """

    line: int
    quantity: Decimal
    location: str
    lot: str | None = None


@dataclass(frozen=True)
class TransferPosting:
    """A shipment or receipt: the order as it now stands and the posting that moved the stock."""

    order: TransferOrderView
    posting: PostingSummary


def ship(uow: UnitOfWork, number: str, shipments: Sequence[Shipment], who: Who) -> TransferPosting:
    """Ship from the source site into the destination's in-transit location, in one posting.

    A line ships whole or in parts, never more than it still has to ship. A shipment of a
    lot-tracked item without a lot takes the location's lots first expiry first; if they
    hold too little, nothing ships.
    """
    _check_given(shipments, "shipments")
    picked = _pick_lots(uow, number, shipments)

    def work(session: Session) -> TransferPosting:
        order = _locked(session, number)
        check_open(order, "ship")
        lines = _lines_by_number(session, order)
        transit = _transit_location(session, order.to_site_id)
        moves: list[MoveLine] = []
        shipped: dict[int, Decimal] = defaultdict(Decimal)
        for shipment in picked:
            line, item = _line_of(lines, shipment.line, "shipment")
            check_quantity(item, shipment.quantity, record="shipment")
            shipped[line.line] += shipment.quantity
            left = line.quantity - line.shipped_quantity
            if shipped[line.line] > left:
                raise ValidationError(
                    "shipment",
                    "quantity",
                    f"line {line.line} ({item.code}) has {quantity_text(left)} left to ship: "
                    f"{quantity_text(shipped[line.line])} is more",
                )
            source = location_ref(session, shipment.location)
            if source.site_id != order.from_site_id:
                raise ValidationError(
                    "shipment",
                    "location",
                    f"{source.code} is in site {source.site}: "
                    f"{number} ships from {_site_code(session, order.from_site_id)}",
                )
            lot = lot_id(session, item, shipment.lot, record="shipment")
            moves += [
                MoveLine(MoveType.TRANSFER_OUT, item.id, source.id, lot, -shipment.quantity),
                MoveLine(MoveType.TRANSFER_IN, item.id, transit, lot, shipment.quantity),
            ]
        posting = _posted(uow, session, order, who, moves, shipped, "shipped_quantity")
        return TransferPosting(order_view(session, number), posting)

    return uow.run(work)


def receive(uow: UnitOfWork, number: str, arrivals: Sequence[Arrival], who: Who) -> TransferPosting:
    """Receive from the in-transit location into the destination site, in one posting.

    A line is received whole or in parts (the rest stays in transit), never more than this
    order shipped of it, and only lots this order shipped and has not yet received. The
    order closes once every line has arrived in full.
    """
    _check_given(arrivals, "arrivals")

    def work(session: Session) -> TransferPosting:
        order = _locked(session, number)
        check_open(order, "receive")
        lines = _lines_by_number(session, order)
        transit = _transit_location(session, order.to_site_id)
        on_the_way = _in_transit_on_order(session, order, transit, {line.item_id for line, _ in lines.values()})
        moves: list[MoveLine] = []
        received: dict[int, Decimal] = defaultdict(Decimal)
        for arrival in arrivals:
            line, item = _line_of(lines, arrival.line, "receipt")
            check_quantity(item, arrival.quantity, record="receipt")
            received[line.line] += arrival.quantity
            left = line.shipped_quantity - line.received_quantity
            if received[line.line] > left:
                raise ValidationError(
                    "receipt",
                    "quantity",
                    f"line {line.line} ({item.code}) has {quantity_text(left)} in transit on {number}: "
                    f"{quantity_text(received[line.line])} is more",
                )
            target = location_ref(session, arrival.location)
            if target.site_id != order.to_site_id or target.id == transit:
                raise ValidationError(
                    "receipt",
                    "location",
                    f"{target.code} is not a storage place of {_site_code(session, order.to_site_id)}, "
                    f"where {number} arrives",
                )
            for lot, quantity in _lots_to_receive(session, on_the_way, item, arrival, number):
                moves += [
                    MoveLine(MoveType.TRANSFER_OUT, item.id, transit, lot, -quantity),
                    MoveLine(MoveType.TRANSFER_IN, item.id, target.id, lot, quantity),
                ]
        posting = _posted(uow, session, order, who, moves, received, "received_quantity")
        if all(line.received_quantity == line.quantity for line, _ in _lines_by_number(session, order).values()):
            order.status = OrderStatus.CLOSED
            session.flush()
        return TransferPosting(order_view(session, number), posting)

    return uow.run(work)


def ship_item(
    uow: UnitOfWork, number: str, *, item: str, quantity: Decimal, location: str, lot: str | None, who: Who
) -> TransferPosting:
    """Ship ``quantity`` of ``item`` on the order's first line of it with that much left to ship
    (how the stock page moves stock to another site); see :func:`ship`."""
    order = transfer_order(uow, number)
    lines = [line for line in order.lines if line.item == item]
    if not lines:
        raise ValidationError("shipment", "transfer_order", f"{number} has no line of {item}")
    line = next((line for line in lines if line.to_ship >= quantity), lines[0])
    return ship(uow, number, [Shipment(line.line, quantity, location, lot)], who)


def sites_of(uow: UnitOfWork, location: str, to_location: str) -> tuple[str, str]:
    """The sites of two locations: whether a move between them is one for a transfer order."""
    with uow:
        return location_ref(uow.session, location).site, location_ref(uow.session, to_location).site


def _check_given(entries: Sequence[Any], field: str) -> None:
    if not entries:
        raise ValidationError(RECORD, field, "at least one line (line, quantity, location) is required")
    if len(entries) > MAX_LINES:
        raise ValidationError(RECORD, field, f"{len(entries)} entries: at most {MAX_LINES}")


def _pick_lots(uow: UnitOfWork, number: str, shipments: Sequence[Shipment]) -> list[Shipment]:
    """The shipments with a lot for each lot-tracked item: the one given, or the location's
    lots first expiry first (:func:`~plantops.services.inventory.reservations.pick_suggestion`).

    Read before the posting's transaction: if stock moves in between, the ledger refuses
    the posting and nothing ships.
    """
    with uow:
        order = order_row(uow.session, number)
        items = {
            line: (code, tracking)
            for line, code, tracking in uow.session.execute(
                select(TransferOrderLine.line, Item.code, Item.tracking)
                .join(Item, Item.id == TransferOrderLine.item_id)
                .where(TransferOrderLine.order_id == order.id)
            )
        }
    picked: list[Shipment] = []
    for shipment in shipments:
        item, tracking = items.get(shipment.line, ("", Tracking.NONE))
        if shipment.lot is not None or tracking is Tracking.NONE:
            picked.append(shipment)
            continue
        picks = pick_suggestion(uow, item=item, quantity=shipment.quantity, location=shipment.location)
        found = sum((pick.quantity for pick in picks), Decimal(0))
        if found < shipment.quantity:
            raise ValidationError(
                "shipment",
                "quantity",
                f"{shipment.location} holds {quantity_text(found)} of {item} free to ship: "
                f"{quantity_text(shipment.quantity)} is more",
            )
        picked += [replace(shipment, quantity=pick.quantity, lot=pick.lot) for pick in picks]
    return picked


def _posted(
    uow: UnitOfWork,
    session: Session,
    order: TransferOrder,
    who: Who,
    moves: list[MoveLine],
    quantities: dict[int, Decimal],
    column: str,
) -> PostingSummary:
    """Post ``moves`` under the order's number and add ``quantities`` to the lines' ``column``
    (not again when the idempotency key had posted them before)."""
    as_order = Who(who.user, order.number, who.reason, who.effective_at, who.idempotency_key)
    result = post_moves(session, as_order.posting(uow.posting_window), moves, now=dt.datetime.now(dt.UTC))
    if not result.replayed:
        for line, quantity in quantities.items():
            session.execute(
                update(TransferOrderLine)
                .where(TransferOrderLine.order_id == order.id, TransferOrderLine.line == line)
                .values({column: getattr(TransferOrderLine, column) + quantity})
            )
        session.flush()
    return summarize(session, result)


def _locked(session: Session, number: str) -> TransferOrder:
    return order_row(session, number, lock=True)


def _lines_by_number(session: Session, order: TransferOrder) -> dict[int, tuple[TransferOrderLine, ItemRef]]:
    rows = session.execute(
        select(TransferOrderLine, Item.code)
        .join(Item, Item.id == TransferOrderLine.item_id)
        .where(TransferOrderLine.order_id == order.id)
        .order_by(TransferOrderLine.line)
        .execution_options(populate_existing=True)
    ).all()
    return {line.line: (line, item_ref(session, code)) for line, code in rows}


def _line_of(
    lines: dict[int, tuple[TransferOrderLine, ItemRef]], number: int, record: str
) -> tuple[TransferOrderLine, ItemRef]:
    found = lines.get(number)
    if found is None:
        known = ", ".join(str(n) for n in lines) or "none"
        raise ValidationError(record, "line", f"the order has no line {number} (its lines: {known})")
    return found


def _site_code(session: Session, site: int) -> str:
    return session.scalar(select(Site.code).where(Site.id == site)) or str(site)


def _transit_location(session: Session, site: int) -> int:
    """The in-transit location of ``site``: ``<site code>-TRANSIT``, made on first use."""
    found = session.scalar(
        select(Location.id).where(Location.site_id == site, Location.kind == LocationKind.TRANSIT).order_by(Location.id)
    )
    if found is not None:
        return found
    code, name = session.execute(select(Site.code, Site.name).where(Site.id == site)).one()
    transit_code = f"{code}-TRANSIT"
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(  # two first shipments at once must both find it
        dialect.insert(table_of(Location))
        .values(code=transit_code, name=f"In transit to {name}", site_id=site, kind=LocationKind.TRANSIT)
        .on_conflict_do_nothing(index_elements=["code"])
    )
    made = session.execute(
        select(Location.id, Location.site_id, Location.kind).where(Location.code == transit_code)
    ).one()
    if made.site_id != site or made.kind is not LocationKind.TRANSIT:
        raise ValidationError(
            "location", "code", f"{transit_code} is taken by another location: it is needed for stock in transit"
        )
    return int(made.id)


#: (item id, lot id) -> quantity in transit on one order, lots in the order they first shipped.
OnTheWay = dict[tuple[int, int | None], Decimal]


def _in_transit_on_order(session: Session, order: TransferOrder, transit: int, items: set[int]) -> OnTheWay:
    """What this order shipped and has not received, per item and lot, read from the ledger's moves."""
    rows = session.execute(
        select(StockMove.item_id, StockMove.lot_id, func.sum(StockMove.quantity))
        .join(StockPosting, StockPosting.id == StockMove.posting_id)
        .where(
            StockMove.item_id.in_(items),
            StockMove.location_id == transit,
            StockPosting.source_document == order.number,
        )
        .group_by(StockMove.item_id, StockMove.lot_id)
        .order_by(func.min(StockMove.id))
    )
    return {(item, lot): quantity for item, lot, quantity in rows if quantity > 0}


def _lots_to_receive(
    session: Session, on_the_way: OnTheWay, item: ItemRef, arrival: Arrival, number: str
) -> list[tuple[int | None, Decimal]]:
    """The lots an arrival takes out of transit, taken off ``on_the_way``: the given lot, or
    the order's lots of the item in the order they shipped."""
    if arrival.lot is not None or item.tracking is Tracking.NONE:
        lot = lot_id(session, item, arrival.lot, record="receipt")
        there = on_the_way.get((item.id, lot), Decimal(0))
        if there < arrival.quantity:
            lots = [
                f"{_lot_code(session, lot_of)} ({quantity_text(q)})"
                for (item_of, lot_of), q in on_the_way.items()
                if item_of == item.id and lot_of is not None
            ]
            field = "lot" if arrival.lot is not None else "quantity"
            what = f"lot {arrival.lot}" if arrival.lot is not None else item.code
            also = f"; in transit: {', '.join(lots)}" if lots else ""
            raise ValidationError(
                "receipt",
                field,
                f"{number} has {quantity_text(there)} of {what} in transit: "
                f"{quantity_text(arrival.quantity)} cannot be received{also}",
            )
        on_the_way[(item.id, lot)] = there - arrival.quantity
        return [(lot, arrival.quantity)]
    taken: list[tuple[int | None, Decimal]] = []
    remaining = arrival.quantity
    for (item_of, lot_of), there in on_the_way.items():
        if item_of != item.id or there <= 0 or remaining <= 0:
            continue
        take = min(there, remaining)
        taken.append((lot_of, take))
        on_the_way[(item_of, lot_of)] = there - take
        remaining -= take
    if remaining > 0:
        raise ValidationError(
            "receipt",
            "quantity",
            f"{number} has {quantity_text(arrival.quantity - remaining)} of {item.code} in transit: "
            f"{quantity_text(arrival.quantity)} cannot be received",
        )
    return taken


def _lot_code(session: Session, lot: int) -> str:
    return session.scalar(select(Lot.code).where(Lot.id == lot)) or str(lot)
