"""Lead times learned from receipts: calendar days from a purchase order's date to each receipt of it.

A receipt is a ledger move of type receipt whose posting names the order (the posting's
document is the order number, or ``number/line``) into a location of the order's site. The
policy service measures lead time and its deviation per item and site from these; MRP plans a
supplier item flagged ``learned_lead_time`` with the mean of its receipts from that supplier.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from plantops.db.inventory import StockMove, StockPosting
from plantops.db.procurement import PurchaseOrder, PurchaseOrderLine, SupplierItem
from plantops.db.sites import Location
from plantops.vocabulary import MoveType

#: (supplier id, item id, site id) -> calendar days from order to receipt, one per receipt.
ObservedLeadTimes = dict[tuple[int, int, int], list[float]]

#: Receipts needed before a learned lead time replaces the quoted one.
MIN_RECEIPTS = 3


def purchase_lead_times(session: Session | Connection) -> ObservedLeadTimes:
    """Calendar days from order to receipt per (supplier, item, site), from receipts that name their order."""
    orders = {
        number: (supplier, site, ordered)
        for number, supplier, site, ordered in session.execute(
            select(PurchaseOrder.number, PurchaseOrder.supplier_id, PurchaseOrder.site_id, PurchaseOrder.order_date)
        )
    }
    ordered_items = set(
        session.execute(
            select(PurchaseOrder.number, PurchaseOrderLine.item_id).join(
                PurchaseOrderLine, PurchaseOrderLine.order_id == PurchaseOrder.id
            )
        )
    )
    days: ObservedLeadTimes = defaultdict(list)
    for document, item, site, moved in session.execute(
        select(StockPosting.source_document, StockMove.item_id, Location.site_id, StockMove.effective_at)
        .join(StockMove, StockMove.posting_id == StockPosting.id)
        .join(Location, Location.id == StockMove.location_id)
        .where(StockMove.move_type == MoveType.RECEIPT, StockPosting.source_document != "")
    ):
        number = document.split("/", 1)[0]
        order = orders.get(number)
        if order is None or order[1] != site or (number, item) not in ordered_items:
            continue
        days[(order[0], item, site)].append(float((moved.date() - order[2]).days))
    return days


def learned_supplier_lead_times(session: Session | Connection) -> dict[tuple[int, int], float]:
    """The mean lead time per (supplier, item) over all sites, for supplier items that plan with the
    learned lead time and have at least :data:`MIN_RECEIPTS` receipts (MRP reads it on a connection)."""
    flagged = {
        (supplier, item)
        for supplier, item in session.execute(
            select(SupplierItem.supplier_id, SupplierItem.item_id).where(SupplierItem.learned_lead_time.is_(True))
        )
    }
    if not flagged:
        return {}
    pooled: dict[tuple[int, int], list[float]] = defaultdict(list)
    for (supplier, item, _site), observed in purchase_lead_times(session).items():
        if (supplier, item) in flagged:
            pooled[(supplier, item)] += observed
    return {key: sum(days) / len(days) for key, days in pooled.items() if len(days) >= MIN_RECEIPTS}
