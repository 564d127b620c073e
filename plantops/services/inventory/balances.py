"""Reading the ledger: on-hand per balance, and the proof that balances equal their moves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockBalance, StockMove, StockReservation
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.errors import ValidationError
from plantops.services.inventory.references import item_ref, location_ref, site_id
from plantops.vocabulary import ReservationStatus


@dataclass(frozen=True)
class Balance:
    item: str
    site: str
    location: str
    lot: str | None
    expiry: dt.date | None
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def on_hand(
    uow: UnitOfWork,
    *,
    item: str | None = None,
    location: str | None = None,
    site: str | None = None,
    include_zero: bool = False,
) -> list[Balance]:
    """Balances by item, site, location and lot, with reserved and available."""
    with uow:
        session = uow.session
        query = _balances(session, item, location, site, include_zero).order_by(Item.code, Location.code, Lot.code)
        return [Balance(*row) for row in session.execute(query)]


#: The columns a page of balances may be sorted by.
BALANCE_COLUMNS = ("item", "site", "location", "lot", "expiry", "on_hand", "reserved", "available")
MAX_PAGE = 1000


def balance_page(
    uow: UnitOfWork,
    *,
    item: str | None = None,
    location: str | None = None,
    site: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[Balance]]:
    """A page of the balances (not zero) matching every filter, in ``sort`` order (column names
    of :data:`BALANCE_COLUMNS`, ``-`` first for descending), and how many match in all."""
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError("balances", "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError("balances", "offset", f"must not be negative, not {offset}")
    columns = {
        "item": Item.code,
        "site": Site.code,
        "location": Location.code,
        "lot": Lot.code,
        "expiry": Lot.expiry_date,
        "on_hand": StockBalance.on_hand,
        "reserved": StockBalance.reserved,
        "available": StockBalance.on_hand - StockBalance.reserved,
    }
    order = []
    for word in sort:
        column = columns.get(word.removeprefix("-"))
        if column is None:
            known = ", ".join(BALANCE_COLUMNS)
            raise ValidationError("balances", "sort", f"unknown column {word.removeprefix('-')!r} (known: {known})")
        order.append(column.desc() if word.startswith("-") else column.asc())
    with uow:
        session = uow.session
        query = _balances(session, item, location, site, include_zero=False)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.order_by(*order, Item.code, Location.code, Lot.code).offset(offset).limit(limit))
        return total, [Balance(*row) for row in rows]


def balances_per_location(uow: UnitOfWork) -> list[tuple[str, int]]:
    """How many balances (not zero) each location holds, by location code."""
    with uow:
        query = (
            select(Location.code, func.count())
            .join(StockBalance, StockBalance.location_id == Location.id)
            .where((StockBalance.on_hand != 0) | (StockBalance.reserved != 0))
            .group_by(Location.code)
            .order_by(Location.code)
        )
        return [(code, count) for code, count in uow.session.execute(query)]


def _balances(
    session: Session, item: str | None, location: str | None, site: str | None, include_zero: bool
) -> Select[*tuple[Any, ...]]:
    query: Select[*tuple[Any, ...]] = (
        select(
            Item.code,
            Site.code,
            Location.code,
            Lot.code,
            Lot.expiry_date,
            StockBalance.on_hand,
            StockBalance.reserved,
        )
        .join(Item, Item.id == StockBalance.item_id)
        .join(Location, Location.id == StockBalance.location_id)
        .join(Site, Site.id == Location.site_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
    )
    if item is not None:
        query = query.where(StockBalance.item_id == item_ref(session, item).id)
    if location is not None:
        query = query.where(StockBalance.location_id == location_ref(session, location).id)
    if site is not None:
        query = query.where(Location.site_id == site_id(session, site))
    if not include_zero:
        query = query.where((StockBalance.on_hand != 0) | (StockBalance.reserved != 0))
    return query


@dataclass
class LedgerCheck:
    """What ``verify`` looked at and every inconsistency it found (none in a sound ledger)."""

    moves: int = 0
    balances: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def verify(uow: UnitOfWork) -> LedgerCheck:
    """Prove the ledger's invariants over the whole database.

    1. On-hand of every (item, location, lot) equals the sum of its moves.
    2. No balance is negative unless its item allows negative stock.
    3. Reserved is never negative, never above on-hand, and equals what the open
       reservations on that balance still hold.
    """
    check = LedgerCheck()
    with uow:
        session = uow.session
        sums: dict[tuple[int, int, int], Decimal] = {}
        for item_id, location_id, lot, total, count in session.execute(
            select(
                StockMove.item_id,
                StockMove.location_id,
                func.coalesce(StockMove.lot_id, literal_column("0")),
                func.sum(StockMove.quantity),
                func.count(),
            ).group_by(StockMove.item_id, StockMove.location_id, func.coalesce(StockMove.lot_id, literal_column("0")))
        ):
            sums[(item_id, location_id, lot)] = Decimal(total)
            check.moves += count
        held: dict[int, Decimal] = defaultdict(Decimal)
        for balance_id, quantity in session.execute(
            select(StockReservation.balance_id, StockReservation.reserved_quantity).where(
                StockReservation.status == ReservationStatus.OPEN
            )
        ):
            held[balance_id] += quantity
        codes = dict(session.execute(select(Item.id, Item.code)).all())
        places = dict(session.execute(select(Location.id, Location.code)).all())
        lots = dict(session.execute(select(Lot.id, Lot.code)).all())
        negative_ok = set(session.scalars(select(Item.id).where(Item.allow_negative_stock)))
        for balance_id, item_id, location_id, lot, on_hand_qty, reserved in session.execute(
            select(
                StockBalance.id,
                StockBalance.item_id,
                StockBalance.location_id,
                func.coalesce(StockBalance.lot_id, 0),
                StockBalance.on_hand,
                StockBalance.reserved,
            )
        ):
            check.balances += 1
            where = f"{codes[item_id]} at {places[location_id]}" + (f" lot {lots.get(lot, f'#{lot}')}" if lot else "")
            moved = sums.pop((item_id, location_id, lot), Decimal(0))
            if moved != on_hand_qty:
                check.problems.append(f"{where}: on-hand {on_hand_qty} but its moves sum to {moved}")
            if on_hand_qty < 0 and item_id not in negative_ok:
                check.problems.append(f"{where}: on-hand {on_hand_qty} is negative")
            if reserved < 0 or (reserved > on_hand_qty and item_id not in negative_ok):
                check.problems.append(f"{where}: reserved {reserved} with on-hand {on_hand_qty}")
            if held[balance_id] != reserved:
                check.problems.append(f"{where}: reserved {reserved} but open reservations hold {held[balance_id]}")
        for (item_id, location_id, _lot), moved in sums.items():
            check.problems.append(
                f"{codes[item_id]} at {places[location_id]}: moves sum to {moved} but there is no balance"
            )
    return check
