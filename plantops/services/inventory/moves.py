"""Reading the stock ledger: its moves, newest first, filtered by what a user knows them by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select

from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockMove, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location
from plantops.errors import ValidationError
from plantops.services.inventory.references import item_ref, location_ref
from plantops.vocabulary import MoveType

MAX_PAGE = 1000


@dataclass(frozen=True)
class LedgerMove:
    """One move of the ledger with the posting it belongs to; ``quantity`` is signed (negative: out)."""

    move: int
    posting: int
    move_type: MoveType
    item: str
    location: str
    lot: str | None
    quantity: Decimal
    unit_cost: Decimal
    effective_at: dt.datetime
    posted_at: dt.datetime
    posted_by: str
    document: str
    reason: str


@dataclass(frozen=True)
class MoveFilter:
    """Which moves to list; every given field must hold (``since`` inclusive, ``until`` exclusive, effective time)."""

    item: str | None = None
    location: str | None = None
    lot: str | None = None
    move_type: MoveType | None = None
    document: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def list_moves(
    uow: UnitOfWork, wanted: MoveFilter, *, offset: int = 0, limit: int = 100
) -> tuple[int, list[LedgerMove]]:
    """The moves ``wanted`` names, newest first, a page at a time, and how many there are in all."""
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError("stock moves", "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError("stock moves", "offset", f"must not be negative, not {offset}")
    for name in ("since", "until"):
        moment = getattr(wanted, name)
        if moment is not None and moment.tzinfo is None:
            raise ValidationError("stock moves", name, f"{moment.isoformat()} needs a time zone")
    with uow:
        session = uow.session
        conditions = []
        if wanted.item is not None:
            conditions.append(StockMove.item_id == item_ref(session, wanted.item).id)
        if wanted.location is not None:
            conditions.append(StockMove.location_id == location_ref(session, wanted.location).id)
        if wanted.lot is not None:
            conditions.append(StockMove.lot_id.in_(select(Lot.id).where(Lot.code == wanted.lot)))
        if wanted.move_type is not None:
            conditions.append(StockMove.move_type == wanted.move_type)
        if wanted.document is not None:
            conditions.append(StockPosting.source_document == wanted.document)
        if wanted.since is not None:
            conditions.append(StockMove.effective_at >= wanted.since)
        if wanted.until is not None:
            conditions.append(StockMove.effective_at < wanted.until)
        joined = select(StockMove.id).join(StockPosting, StockPosting.id == StockMove.posting_id).where(*conditions)
        total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
        query = (
            select(
                StockMove.id,
                StockMove.posting_id,
                StockMove.move_type,
                Item.code,
                Location.code,
                Lot.code,
                StockMove.quantity,
                StockMove.unit_cost,
                StockMove.effective_at,
                StockPosting.posted_at,
                StockPosting.posted_by,
                StockPosting.source_document,
                StockPosting.reason,
            )
            .join(StockPosting, StockPosting.id == StockMove.posting_id)
            .join(Item, Item.id == StockMove.item_id)
            .join(Location, Location.id == StockMove.location_id)
            .outerjoin(Lot, Lot.id == StockMove.lot_id)
            .where(*conditions)
            .order_by(StockMove.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return total, [LedgerMove(*cast(tuple[Any, ...], row)) for row in session.execute(query)]
