"""Transfer orders: stock sent from one site to another, shipped and received in parts.

A transfer order is created by hand or released from a planned transfer
(:func:`release_planned_transfer`, called by the planning service's ``release_order``).
Shipping posts one stock posting that moves the goods from a location of the source site
into the destination site's in-transit location (``<site>-TRANSIT``, made on first use);
receiving posts one that moves them from there into a location of the destination. Both
postings carry the order's number as their document, so the ledger itself says which lots
travel on which order: a receipt may take only what this order shipped and has not yet
received. The line's shipped and received quantities change in the posting's transaction.

Every refusal names the field and the reason, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.base import table_of
from plantops.db.catalog import Item, Unit
from plantops.db.inventory import Lot, StockMove, StockPosting
from plantops.db.planning import PlannedOrder
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.db.transfers import TransferOrder, TransferOrderLine
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.ledger import MoveLine, post_moves, quantity_text
from plantops.services.inventory.references import (
    ItemRef,
    check_quantity,
    item_ref,
    location_ref,
    lot_id,
    site_id,
)
from plantops.services.inventory.reservations import pick_suggestion
from plantops.services.inventory.stock import PostingSummary, Who, summarize
from plantops.services.inventory.valuation import CENTS, value_inventory
from plantops.vocabulary import LocationKind, MoveType, OrderStatus, Tracking

RECORD = "transfer order"
NUMBER_PREFIX = "TO-"
_NUMBER = re.compile(r"^TO-(\d+)$")
MAX_LINES = 1000


@dataclass(frozen=True)
class TransferLine:
    """An item and the quantity to transfer: a line of a new order."""

    item: str
    quantity: Decimal


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
class TransferLineView:
    line: int
    item: str
    item_name: str
    unit: str
    quantity: Decimal
    shipped_quantity: Decimal
    received_quantity: Decimal
    tracking: Tracking

    @property
    def to_ship(self) -> Decimal:
        """What is still to leave the source site."""
        return self.quantity - self.shipped_quantity

    @property
    def in_transit(self) -> Decimal:
        """What has left the source and not yet arrived."""
        return self.shipped_quantity - self.received_quantity


@dataclass(frozen=True)
class TransferOrderView:
    number: str
    from_site: str
    to_site: str
    status: OrderStatus
    order_date: dt.date
    ship_date: dt.date
    due_date: dt.date
    planned_order: str | None
    created_by: str
    lines: list[TransferLineView]


@dataclass(frozen=True)
class TransferPosting:
    """A shipment or receipt: the order as it now stands and the posting that moved the stock."""

    order: TransferOrderView
    posting: PostingSummary


@dataclass(frozen=True)
class TransferOrderSummary:
    """An order of the list: its header and its lines' totals."""

    number: str
    from_site: str
    to_site: str
    status: OrderStatus
    order_date: dt.date
    ship_date: dt.date
    due_date: dt.date
    planned_order: str | None
    lines: int
    quantity: Decimal
    shipped_quantity: Decimal
    received_quantity: Decimal


@dataclass(frozen=True)
class TransferOrderPage:
    total: int
    orders: list[TransferOrderSummary]


@dataclass(frozen=True)
class InTransit:
    """Stock on the way: of ``item``, to ``site``, on ``order``, of ``lot``, in ``location``.

    ``unit_cost`` is the item's unit cost in the valuation now (transfers do not change
    it), ``value`` the quantity at that cost.
    """

    item: str
    site: str
    order: str
    lot: str | None
    location: str
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal


# --- creating -------------------------------------------------------------------------


def create_transfer_order(
    uow: UnitOfWork,
    *,
    from_site: str,
    to_site: str,
    ship_date: dt.date,
    due_date: dt.date,
    lines: Sequence[TransferLine],
    today: dt.date,
) -> TransferOrderView:
    """A new open transfer order ``TO-<nnnnnn>`` from ``from_site`` to ``to_site``."""

    def work(session: Session) -> TransferOrderView:
        number = _next_number(session)
        _insert_order(
            session,
            number=number,
            from_site=site_id(session, from_site),
            to_site=site_id(session, to_site),
            ship_date=ship_date,
            due_date=due_date,
            lines=[(item_ref(session, line.item), line.quantity) for line in lines],
            today=today,
            planned_order=None,
        )
        return _view(session, number)

    if not lines:
        raise ValidationError(RECORD, "lines", "at least one line (item and quantity) is required")
    if len(lines) > MAX_LINES:
        raise ValidationError(RECORD, "lines", f"{len(lines)} lines: at most {MAX_LINES}")
    return uow.run(work)


def release_planned_transfer(session: Session, order: PlannedOrder, *, today: dt.date) -> str:
    """Release planned transfer ``order`` as transfer order ``TO-<planned order number>``, in the
    caller's unit of work (the planning service's ``release_order``); returns its number."""
    if order.source_site_id is None:
        raise ValidationError("release", "source_site", f"{order.number} names no site to transfer from")
    number = f"{NUMBER_PREFIX}{order.number}"
    item = session.scalar(select(Item.code).where(Item.id == order.item_id))
    assert item is not None  # a planned order's item exists
    _insert_order(
        session,
        number=number,
        from_site=order.source_site_id,
        to_site=order.site_id,
        ship_date=order.release_date,
        due_date=max(order.due_date, order.release_date),
        lines=[(item_ref(session, item), order.quantity)],
        today=today,
        planned_order=order.number,
    )
    return number


def _insert_order(
    session: Session,
    *,
    number: str,
    from_site: int,
    to_site: int,
    ship_date: dt.date,
    due_date: dt.date,
    lines: list[tuple[ItemRef, Decimal]],
    today: dt.date,
    planned_order: str | None,
) -> None:
    if from_site == to_site:
        raise ValidationError(RECORD, "to_site", "is the site the goods ship from: a transfer goes to another site")
    bounds.check_date(RECORD, "ship_date", ship_date)
    bounds.check_date(RECORD, "due_date", due_date)
    if due_date < ship_date:
        raise ValidationError(RECORD, "due_date", f"{due_date} is before the ship date {ship_date}")
    for item, quantity in lines:
        check_quantity(item, quantity, record=RECORD)
    if session.scalar(select(TransferOrder.id).where(TransferOrder.number == number)) is not None:
        raise ValidationError(RECORD, "number", f"{number} exists already")
    order = TransferOrder(
        number=number,
        from_site_id=from_site,
        to_site_id=to_site,
        status=OrderStatus.OPEN,
        order_date=today,
        ship_date=ship_date,
        due_date=due_date,
        planned_order=planned_order,
        created_by=acting_user(session),
    )
    session.add(order)
    session.flush()
    session.add_all(
        TransferOrderLine(
            order_id=order.id,
            line=position,
            item_id=item.id,
            quantity=quantity,
            shipped_quantity=Decimal(0),
            received_quantity=Decimal(0),
        )
        for position, (item, quantity) in enumerate(lines, start=1)
    )
    session.flush()


def _next_number(session: Session) -> str:
    numbers = session.scalars(select(TransferOrder.number).where(TransferOrder.number.startswith(NUMBER_PREFIX)))
    highest = max((int(m.group(1)) for n in numbers if (m := _NUMBER.match(n))), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:06d}"


# --- shipping and receiving -------------------------------------------------------------


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
        _check_open(order, "ship")
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
        return TransferPosting(_view(session, number), posting)

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
        _check_open(order, "receive")
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
        return TransferPosting(_view(session, number), posting)

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


def cancel(uow: UnitOfWork, number: str) -> TransferOrderView:
    """Cancel what has not shipped.

    With nothing shipped the order is cancelled. Once goods have shipped they are on their
    way and must still be received: each line is cut to what it shipped (a line that
    shipped nothing is removed) and the order stays open until they arrive, or closes at
    once if they all have.
    """

    def work(session: Session) -> TransferOrderView:
        order = _locked(session, number)
        _check_open(order, "cancel")
        lines = [line for line, _ in _lines_by_number(session, order).values()]
        if all(line.shipped_quantity == 0 for line in lines):
            order.status = OrderStatus.CANCELLED
        else:
            session.execute(
                delete(TransferOrderLine).where(
                    TransferOrderLine.order_id == order.id, TransferOrderLine.shipped_quantity == 0
                )
            )
            session.execute(
                update(TransferOrderLine)
                .where(TransferOrderLine.order_id == order.id)
                .values(quantity=TransferOrderLine.shipped_quantity)
            )
            if all(line.shipped_quantity == line.received_quantity for line in lines):
                order.status = OrderStatus.CLOSED
        session.flush()
        return _view(session, number)

    return uow.run(work)


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
        order = _order(uow.session, number)
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


def _order(session: Session, number: str, *, lock: bool = False) -> TransferOrder:
    query = select(TransferOrder).where(TransferOrder.number == number)
    order = session.scalars(query.with_for_update() if lock else query).first()
    if order is None:
        raise NotFoundError(RECORD, number)
    return order


def _locked(session: Session, number: str) -> TransferOrder:
    return _order(session, number, lock=True)


def _check_open(order: TransferOrder, action: str) -> None:
    if order.status is not OrderStatus.OPEN:
        raise ValidationError(RECORD, "status", f"{order.number} is {order.status.value}: nothing more to {action}")


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


# --- reading ----------------------------------------------------------------------------


def transfer_order(uow: UnitOfWork, number: str) -> TransferOrderView:
    """Transfer order ``number`` with its lines."""
    with uow:
        return _view(uow.session, number)


def _view(session: Session, number: str) -> TransferOrderView:
    source, target = aliased(Site), aliased(Site)
    row = session.execute(
        select(TransferOrder, source.code, target.code)
        .join(source, source.id == TransferOrder.from_site_id)
        .join(target, target.id == TransferOrder.to_site_id)
        .where(TransferOrder.number == number)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFoundError(RECORD, number)
    order, from_site, to_site = row
    lines = session.execute(
        select(
            TransferOrderLine.line,
            Item.code,
            Item.name,
            Unit.code,
            TransferOrderLine.quantity,
            TransferOrderLine.shipped_quantity,
            TransferOrderLine.received_quantity,
            Item.tracking,
        )
        .join(Item, Item.id == TransferOrderLine.item_id)
        .join(Unit, Unit.id == Item.unit_id)
        .where(TransferOrderLine.order_id == order.id)
        .order_by(TransferOrderLine.line)
    )
    return TransferOrderView(
        number=order.number,
        from_site=from_site,
        to_site=to_site,
        status=order.status,
        order_date=order.order_date,
        ship_date=order.ship_date,
        due_date=order.due_date,
        planned_order=order.planned_order,
        created_by=order.created_by,
        lines=[TransferLineView(*line) for line in lines],
    )


_SOURCE, _TARGET = aliased(Site), aliased(Site)
_TOTALS = (
    select(
        TransferOrderLine.order_id,
        func.count().label("lines"),
        func.sum(TransferOrderLine.quantity).label("quantity"),
        func.sum(TransferOrderLine.shipped_quantity).label("shipped"),
        func.sum(TransferOrderLine.received_quantity).label("received"),
    )
    .group_by(TransferOrderLine.order_id)
    .subquery()
)

#: What the list of transfer orders may be sorted by.
TRANSFER_SORTS: dict[str, Any] = {
    "number": TransferOrder.number,
    "from_site": _SOURCE.code,
    "to_site": _TARGET.code,
    "status": TransferOrder.status,
    "order_date": TransferOrder.order_date,
    "ship_date": TransferOrder.ship_date,
    "due_date": TransferOrder.due_date,
    "planned_order": TransferOrder.planned_order,
    "lines": _TOTALS.c.lines,
    "quantity": _TOTALS.c.quantity,
    "shipped_quantity": _TOTALS.c.shipped,
    "received_quantity": _TOTALS.c.received,
}


def transfer_orders(
    uow: UnitOfWork,
    *,
    status: OrderStatus | None = None,
    site: str | None = None,
    item: str | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> TransferOrderPage:
    """A page of transfer orders, newest first unless ``sort`` names columns of :data:`TRANSFER_SORTS`
    (``-`` first for descending): of ``status``, from or to ``site``, with a line of ``item``,
    whose number or planned order contains ``search``; with how many match."""
    with uow:
        session = uow.session
        query = (
            select(
                TransferOrder.number,
                _SOURCE.code,
                _TARGET.code,
                TransferOrder.status,
                TransferOrder.order_date,
                TransferOrder.ship_date,
                TransferOrder.due_date,
                TransferOrder.planned_order,
                func.coalesce(_TOTALS.c.lines, 0),
                func.coalesce(_TOTALS.c.quantity, 0),
                func.coalesce(_TOTALS.c.shipped, 0),
                func.coalesce(_TOTALS.c.received, 0),
            )
            .join(_SOURCE, _SOURCE.id == TransferOrder.from_site_id)
            .join(_TARGET, _TARGET.id == TransferOrder.to_site_id)
            .outerjoin(_TOTALS, _TOTALS.c.order_id == TransferOrder.id)
        )
        if status is not None:
            query = query.where(TransferOrder.status == status)
        if site is not None:
            wanted = site_id(session, site)
            query = query.where(or_(TransferOrder.from_site_id == wanted, TransferOrder.to_site_id == wanted))
        if item is not None:
            with_item = select(TransferOrderLine.order_id).where(
                TransferOrderLine.item_id == item_ref(session, item).id
            )
            query = query.where(TransferOrder.id.in_(with_item))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(TransferOrder.number.ilike(pattern), TransferOrder.planned_order.ilike(pattern)))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = []
        for word in sort:
            column = TRANSFER_SORTS.get(word.removeprefix("-"))
            if column is None:
                known = ", ".join(TRANSFER_SORTS)
                raise ValidationError("transfer orders", "sort", f"no column {word!r} to sort by (known: {known})")
            order.append(column.desc() if word.startswith("-") else column.asc())
        rows = session.execute(query.order_by(*order, TransferOrder.id.desc()).offset(offset).limit(limit))
        return TransferOrderPage(total, [TransferOrderSummary(*row) for row in rows])


def open_transfer_orders(uow: UnitOfWork, *, from_site: str, to_site: str, item: str | None = None) -> list[str]:
    """The numbers of the open transfer orders from ``from_site`` to ``to_site`` (with a line of
    ``item`` still to ship), oldest first."""
    with uow:
        session = uow.session
        query = (
            select(TransferOrder.number)
            .where(
                TransferOrder.status == OrderStatus.OPEN,
                TransferOrder.from_site_id == site_id(session, from_site),
                TransferOrder.to_site_id == site_id(session, to_site),
            )
            .order_by(TransferOrder.id)
        )
        if item is not None:
            to_ship = select(TransferOrderLine.order_id).where(
                TransferOrderLine.item_id == item_ref(session, item).id,
                TransferOrderLine.shipped_quantity < TransferOrderLine.quantity,
            )
            query = query.where(TransferOrder.id.in_(to_ship))
        return list(session.scalars(query))


def in_transit(
    uow: UnitOfWork, *, item: str | None = None, site: str | None = None, order: str | None = None
) -> list[InTransit]:
    """Stock in transit per item, destination site, order and lot, with its value.

    Read from the ledger: the balance of each in-transit location's moves per order (the
    posting's document). The ledger's valuation is per item, not per location, and a
    transfer does not change an item's cost, so each quantity is valued at its item's unit
    cost in the valuation now (:func:`~plantops.services.inventory.valuation.value_inventory`).
    """
    with uow:
        session = uow.session
        quantity = func.sum(StockMove.quantity)
        query = (
            select(Item.code, Site.code, StockPosting.source_document, Lot.code, Location.code, quantity)
            .join(StockPosting, StockPosting.id == StockMove.posting_id)
            .join(Location, Location.id == StockMove.location_id)
            .join(Site, Site.id == Location.site_id)
            .join(Item, Item.id == StockMove.item_id)
            .outerjoin(Lot, Lot.id == StockMove.lot_id)
            .where(Location.kind == LocationKind.TRANSIT)
            .group_by(Item.code, Site.code, StockPosting.source_document, Lot.code, Location.code)
            .having(quantity != 0)
            .order_by(Site.code, Item.code, StockPosting.source_document, Lot.code)
        )
        if item is not None:
            query = query.where(StockMove.item_id == item_ref(session, item).id)
        if site is not None:
            query = query.where(Location.site_id == site_id(session, site))
        if order is not None:
            _order(session, order)
            query = query.where(StockPosting.source_document == order)
        rows = session.execute(query).all()
    now = dt.datetime.now(dt.UTC)
    costs = {code: value_inventory(uow, as_of=now, item=code).items[code].unit_cost for code in {r[0] for r in rows}}
    return [
        InTransit(
            item=code,
            site=site_code,
            order=document,
            lot=lot,
            location=location,
            quantity=there,
            unit_cost=costs[code],
            value=(there * costs[code]).quantize(CENTS, ROUND_HALF_UP),
        )
        for code, site_code, document, lot, location, there in rows
    ]
