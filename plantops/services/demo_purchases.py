"""The demo plant's purchasing history: three months of orders to each supplier, received (some late,
some short), consumed, invoiced (one invoice with a price that does not match), so that the buyer's
pages, the supplier scorecards and the lead times learned from receipts have something true to show.

Everything goes through the purchasing and stock services, as a buyer and a receiver would do it,
recorded as the demo user's. What arrived is consumed by production the next day, so the demo's
stock on hand today is the one its master data gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import select

from plantops.db.catalog import Item
from plantops.db.procurement import Supplier, SupplierItem
from plantops.db.session import UnitOfWork
from plantops.db.sites import Location, Site
from plantops.services.inventory import stock
from plantops.services.inventory.stock import StockLine, Who
from plantops.services.purchasing import invoices, lifecycle, orders, receiving
from plantops.services.purchasing.invoices import InvoiceLine
from plantops.services.purchasing.orders import PurchaseLine
from plantops.services.purchasing.receiving import PurchaseArrival
from plantops.vocabulary import InvoiceStatus, ItemType, LocationKind, Role, Tracking

#: Orders to each supplier, so many weeks before today.
WEEKS_AGO = (13, 10, 7, 4)
#: The supplier whose deliveries run late (an overseas source).
LATE_SUPPLIER = "SUP-TAIPEI"
#: The supplier of the one invoice whose price does not match its order.
PRICE_MISMATCH = "SUP-VELOPARTS"


@dataclass(frozen=True)
class PurchasingHistory:
    orders: int
    receipts: int
    invoices: int
    blocked_invoices: int


@dataclass(frozen=True)
class _Source:
    supplier: str
    item: str
    site: str
    lead_days: int
    quantity: Decimal
    tracking: Tracking
    shelf_life_days: int | None


def seed_purchasing_history(uow: UnitOfWork, *, as_of: dt.date, seed: int, user: str) -> PurchasingHistory:
    """Order from every supplier's preferred items at each of :data:`WEEKS_AGO`, and receive, consume
    and invoice what has arrived by ``as_of``; ``seed`` draws the delivery delays."""
    rng = np.random.default_rng(seed)
    uow = uow.acting_as(user)
    sources = _sources(uow)
    places = _receiving_places(uow)
    counts = {"orders": 0, "receipts": 0, "invoices": 0, "blocked": 0}
    for supplier in sorted({source.supplier for source in sources}):
        mine = [source for source in sources if source.supplier == supplier][:3]
        for round_number, weeks in enumerate(WEEKS_AGO):
            ordered = as_of - dt.timedelta(weeks=weeks)
            number = _order(uow, mine, ordered)
            counts["orders"] += 1
            delay = int(rng.choice([8, 5, 12] if supplier == LATE_SUPPLIER else [-1, 0, 0, 0, 1, 3]))
            short = round_number == 1  # the second order of each supplier arrives short and is closed
            arrived = _receive(uow, number, mine, places, ordered, delay, short=short, as_of=as_of, user=user)
            if not arrived:
                continue
            counts["receipts"] += 1
            mismatch = supplier == PRICE_MISMATCH and round_number == 0
            state = _invoice(uow, supplier, number, arrived + dt.timedelta(days=3), mismatch=mismatch)
            counts["invoices"] += 1
            counts["blocked"] += state is InvoiceStatus.BLOCKED
    return PurchasingHistory(counts["orders"], counts["receipts"], counts["invoices"], counts["blocked"])


def _sources(uow: UnitOfWork) -> list[_Source]:
    """Each supplier's preferred (rank 1) items, at the site whose orders buy them most, with a typical quantity."""
    with uow:
        rows = uow.session.execute(
            select(
                Supplier.code,
                Item.code,
                SupplierItem.lead_time_days,
                SupplierItem.min_order_quantity,
                Item.tracking,
                Item.shelf_life_days,
            )
            .join(Supplier, Supplier.id == SupplierItem.supplier_id)
            .join(Item, Item.id == SupplierItem.item_id)
            .where(SupplierItem.rank == 1, Item.item_type != ItemType.SERVICE)
            .order_by(Supplier.code, Item.code)
        ).all()
    site = _buying_sites(uow)
    return [
        _Source(
            supplier,
            item,
            site.get(item, next(iter(site.values()), "")),
            int(lead),
            Decimal(minimum or 100) * 2,
            tracking,
            shelf_life,
        )
        for supplier, item, lead, minimum, tracking, shelf_life in rows
        if item in site
    ]


def _buying_sites(uow: UnitOfWork) -> dict[str, str]:
    """The site each bought item is delivered to: that of its open purchase orders in the demo."""
    page = orders.purchase_orders(uow, limit=1000)
    sites: dict[str, str] = {}
    for summary in page.orders:
        for line in orders.purchase_order(uow, summary.number).lines:
            sites.setdefault(line.item, summary.site)
    return sites


def _receiving_places(uow: UnitOfWork) -> dict[str, str]:
    """Per site, where goods are received: its receiving location, else its first storage location."""
    with uow:
        rows = uow.session.execute(
            select(Site.code, Location.code, Location.kind)
            .join(Site, Site.id == Location.site_id)
            .where(Location.kind.in_([LocationKind.RECEIVING, LocationKind.STORAGE]))
            .order_by(Site.code, Location.kind != LocationKind.RECEIVING, Location.code)
        ).all()
    places: dict[str, str] = {}
    for site, location, _kind in rows:
        places.setdefault(site, location)
    return places


def _order(uow: UnitOfWork, sources: list[_Source], ordered: dt.date) -> str:
    site = sources[0].site
    due = ordered + dt.timedelta(days=max(source.lead_days for source in sources if source.site == site))
    lines = [PurchaseLine(source.item, source.quantity, due) for source in sources if source.site == site]
    order = orders.create_purchase_order(uow, supplier=sources[0].supplier, site=site, lines=lines, today=ordered)
    lifecycle.approve(uow, order.number, frozenset({Role.ADMIN}))
    lifecycle.send(uow, order.number, now=dt.datetime.combine(ordered, dt.time(9), dt.UTC))
    lifecycle.confirm(uow, order.number, {line.line: line.due_date for line in order.lines})
    return order.number


def _receive(
    uow: UnitOfWork,
    number: str,
    sources: list[_Source],
    places: dict[str, str],
    ordered: dt.date,
    delay: int,
    *,
    short: bool,
    as_of: dt.date,
    user: str,
) -> dt.date | None:
    """Receive the order ``delay`` days after its lines are due (90 % of it when ``short``, then close it),
    and consume it the day after; None when that is not before ``as_of``."""
    order = orders.purchase_order(uow, number)
    arrived = max(line.due_date for line in order.lines) + dt.timedelta(days=delay)
    if arrived >= as_of - dt.timedelta(days=1):
        return None
    at = dt.datetime.combine(arrived, dt.time(10), dt.UTC)
    place = places[order.site]
    tracked = {source.item: source for source in sources}
    arrivals = []
    for line in order.lines:
        source = tracked[line.item]
        quantity = (line.quantity * Decimal("0.9")).to_integral_value() if short else line.quantity
        lot = f"{number}-{line.line}" if source.tracking is not Tracking.NONE else None
        expiry = arrived + dt.timedelta(days=source.shelf_life_days) if lot and source.shelf_life_days else None
        arrivals.append(PurchaseArrival(line.line, quantity, place, lot, expiry))
    receiving.receive(uow, number, arrivals, Who(user, effective_at=at))
    if short:
        lifecycle.close(uow, number)
    consumed = at + dt.timedelta(days=1)
    for arrival, line in zip(arrivals, order.lines, strict=True):
        stock.issue(
            uow,
            StockLine(line.item, place, arrival.quantity, arrival.lot),
            Who(user, document=number, reason="consumed in production", effective_at=consumed),
        )
    return arrived


def _invoice(uow: UnitOfWork, supplier: str, number: str, day: dt.date, *, mismatch: bool) -> InvoiceStatus:
    """Invoice what the order received at its prices (6 % above on one line when ``mismatch``), and
    approve it for payment where it matches."""
    order = orders.purchase_order(uow, number)
    lines = [
        InvoiceLine(
            number,
            line.line,
            line.received_quantity,
            (line.unit_price * Decimal("1.06")).quantize(Decimal("0.01")) if mismatch and n == 0 else line.unit_price,
        )
        for n, line in enumerate(order.lines)
        if line.received_quantity > 0
    ]
    invoice_number = f"INV-{number.removeprefix('PO-')}"
    entered = invoices.enter_invoice(uow, supplier=supplier, number=invoice_number, invoice_date=day, lines=lines)
    if entered.status is InvoiceStatus.MATCHED:
        invoices.approve_for_payment(uow, supplier=supplier, number=invoice_number)
    return entered.status
