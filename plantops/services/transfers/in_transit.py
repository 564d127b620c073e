"""Stock in transit: what transfer orders shipped and their destinations have not yet received."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from plantops.db.catalog import Item
from plantops.db.inventory import Lot, StockMove, StockPosting
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.services.inventory.references import (
    item_ref,
    site_id,
)
from plantops.services.inventory.valuation import CENTS, value_inventory
from plantops.services.transfers.orders import order_row
from plantops.vocabulary import LocationKind


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
            order_row(session, order)
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
