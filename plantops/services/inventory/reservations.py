"""Reservations: stock set aside for a document, taken first-expiry-first-out.

A reservation raises ``reserved`` on one balance with a conditional update
(``on_hand - reserved >= quantity``), so concurrent reservations can never set aside
more than is on hand. Available = on-hand - reserved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plantops import bounds
from plantops.db.base import text_length
from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockBalance, StockReservation
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.errors import NotFoundError, ValidationError
from plantops.services.inventory.ledger import InsufficientStockError
from plantops.services.inventory.references import check_quantity, item_ref, location_ref, lot_id, site_id
from plantops.vocabulary import ReservationStatus

_DOCUMENT_LENGTH = text_length(StockReservation, "document")


@dataclass(frozen=True)
class Pick:
    """Where to take stock from: a location and lot, with its expiry and the quantity to take."""

    location: str
    lot: str | None
    expiry: dt.date | None
    quantity: Decimal


@dataclass(frozen=True)
class Reservation:
    number: str
    document: str
    item: str
    location: str
    lot: str | None
    quantity: Decimal
    reserved_quantity: Decimal
    status: ReservationStatus


def pick_suggestion(
    uow: UnitOfWork, *, item: str, quantity: Decimal, site: str | None = None, location: str | None = None
) -> list[Pick]:
    """First-expiry-first-out picks covering ``quantity`` from available stock (fewer if short)."""
    with uow:
        return _fefo(uow.session, item, quantity, site=site, location=location)


def _fefo(session: Session, item: str, quantity: Decimal, *, site: str | None, location: str | None) -> list[Pick]:
    ref = item_ref(session, item)
    check_quantity(ref, quantity, record="pick")
    available = StockBalance.on_hand - StockBalance.reserved
    query = (
        select(Location.code, Lot.code, Lot.expiry_date, available)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.item_id == ref.id, available > 0)
        .order_by(Lot.expiry_date.is_(None), Lot.expiry_date, Lot.code, Location.code)
    )
    if site is not None:
        query = query.where(Location.site_id == site_id(session, site))
    if location is not None:
        query = query.where(Location.id == location_ref(session, location).id)
    picks: list[Pick] = []
    remaining = quantity
    for location_code, lot_code, expiry, free in session.execute(query):
        if remaining <= 0:
            break
        take = min(remaining, free)
        picks.append(Pick(location_code, lot_code, expiry, take))
        remaining -= take
    return picks


def reserve(
    uow: UnitOfWork,
    *,
    item: str,
    location: str,
    quantity: Decimal,
    document: str,
    user: str,
    lot: str | None = None,
) -> list[Reservation]:
    """Reserve ``quantity`` at a location for ``document``: the given lot, or lots FEFO.

    All or nothing: if less is available, nothing is reserved and the error says how much is.
    """
    if not document:
        raise ValidationError("reservation", "document", "is required: the sales order, work order or transfer")
    bounds.check_text("reservation", "document", document, max_length=_DOCUMENT_LENGTH)

    def work(session: Session) -> list[Reservation]:
        ref = item_ref(session, item)
        check_quantity(ref, quantity, record="reservation")
        place = location_ref(session, location)
        if lot is not None:
            picks = [Pick(place.code, lot, None, quantity)]
        else:
            picks = _fefo(session, item, quantity, site=None, location=location)
        made = []
        for pick in picks:
            balance_id = _reserve_on_balance(
                session, ref.id, place.id, lot_id(session, ref, pick.lot, record="reservation"), pick.quantity
            )
            if balance_id is None:
                break
            made.append(_record(session, balance_id, document, pick.quantity, user))
        if sum((r.quantity for r in made), Decimal(0)) < quantity:
            free = sum((p.quantity for p in _fefo(session, item, quantity, site=None, location=location)), Decimal(0))
            taken = sum((r.quantity for r in made), Decimal(0))
            raise InsufficientStockError(item, location, lot, quantity, free + taken)
        return [_view(session, number) for number in (r.number for r in made)]

    return uow.run(work)


def _reserve_on_balance(
    session: Session, item_id: int, location_id: int, lot: int | None, quantity: Decimal
) -> int | None:
    return session.execute(
        update(StockBalance)
        .where(
            StockBalance.item_id == item_id,
            StockBalance.location_id == location_id,
            StockBalance.lot_id.is_(None) if lot is None else StockBalance.lot_id == lot,
            StockBalance.on_hand - StockBalance.reserved >= quantity,
        )
        .values(reserved=StockBalance.reserved + quantity)
        .returning(StockBalance.id)
    ).scalar()


@dataclass(frozen=True)
class _Made:
    number: str
    quantity: Decimal


def _record(session: Session, balance_id: int, document: str, quantity: Decimal, user: str) -> _Made:
    number = f"RES-{secrets.token_hex(5).upper()}"
    session.execute(
        insert(StockReservation).values(
            number=number,
            balance_id=balance_id,
            document=document,
            quantity=quantity,
            reserved_quantity=quantity,
            status=ReservationStatus.OPEN,
            created_at=dt.datetime.now(dt.UTC),
            created_by=user,
        )
    )
    return _Made(number, quantity)


def release(uow: UnitOfWork, number: str) -> Reservation:
    """Give back what a reservation still holds."""

    def work(session: Session) -> Reservation:
        row = session.execute(
            select(
                StockReservation.id,
                StockReservation.balance_id,
                StockReservation.reserved_quantity,
                StockReservation.status,
            )
            .where(StockReservation.number == number)
            .with_for_update()
        ).first()
        if row is None:
            raise NotFoundError("reservation", number)
        if row.status is not ReservationStatus.OPEN:
            raise ValidationError("release", "reservation", f"reservation {number} is already {row.status.value}")
        session.execute(
            update(StockBalance)
            .where(StockBalance.id == row.balance_id)
            .values(reserved=StockBalance.reserved - row.reserved_quantity)
        )
        session.execute(
            update(StockReservation)
            .where(StockReservation.id == row.id)
            .values(reserved_quantity=0, status=ReservationStatus.RELEASED)
        )
        return _view(session, number)

    return uow.run(work)


def reservations_for(uow: UnitOfWork, document: str) -> list[Reservation]:
    with uow:
        numbers = uow.session.scalars(
            select(StockReservation.number).where(StockReservation.document == document).order_by(StockReservation.id)
        ).all()
        return [_view(uow.session, n) for n in numbers]


def _view(session: Session, number: str) -> Reservation:
    row = session.execute(
        select(
            StockReservation.number,
            StockReservation.document,
            Item.code,
            Location.code,
            Lot.code,
            StockReservation.quantity,
            StockReservation.reserved_quantity,
            StockReservation.status,
        )
        .join(StockBalance, StockBalance.id == StockReservation.balance_id)
        .join(Item, Item.id == StockBalance.item_id)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockReservation.number == number)
    ).one()
    return Reservation(*row)
