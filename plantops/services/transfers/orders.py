"""Transfer orders themselves: create one by hand or release a planned transfer as one, cancel what
has not shipped, and read them (one, a page of them, the open ones between two sites)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from plantops import bounds
from plantops.db.audit import acting_user
from plantops.db.catalog import Item, Unit
from plantops.db.planning import PlannedOrder
from plantops.db.session import UnitOfWork
from plantops.db.sites import Site
from plantops.db.transfers import TransferOrder, TransferOrderLine
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.references import (
    ItemRef,
    check_quantity,
    item_ref,
    site_id,
)
from plantops.services.sorting import order_by
from plantops.vocabulary import OrderStatus, Tracking

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
        return order_view(session, number)

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


def cancel(uow: UnitOfWork, number: str) -> TransferOrderView:
    """Cancel what has not shipped.

    With nothing shipped the order is cancelled. Once goods have shipped they are on their
    way and must still be received: each line is cut to what it shipped (a line that
    shipped nothing is removed) and the order stays open until they arrive, or closes at
    once if they all have.
    """

    def work(session: Session) -> TransferOrderView:
        order = order_row(session, number, lock=True)
        check_open(order, "cancel")
        lines = session.scalars(
            select(TransferOrderLine)
            .where(TransferOrderLine.order_id == order.id)
            .execution_options(populate_existing=True)
        ).all()
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
        return order_view(session, number)

    return uow.run(work)


def order_row(session: Session, number: str, *, lock: bool = False) -> TransferOrder:
    query = select(TransferOrder).where(TransferOrder.number == number)
    order = session.scalars(query.with_for_update() if lock else query).first()
    if order is None:
        raise NotFoundError(RECORD, number)
    return order


def check_open(order: TransferOrder, action: str) -> None:
    if order.status is not OrderStatus.OPEN:
        raise ValidationError(RECORD, "status", f"{order.number} is {order.status.value}: nothing more to {action}")


def transfer_order(uow: UnitOfWork, number: str) -> TransferOrderView:
    """Transfer order ``number`` with its lines."""
    with uow:
        return order_view(uow.session, number)


def order_view(session: Session, number: str) -> TransferOrderView:
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
        order = order_by(sort, TRANSFER_SORTS, "transfer orders")
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
