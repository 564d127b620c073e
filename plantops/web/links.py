"""Where every code on every page leads: the record page of an item, a supplier, an order.

A record kind is named by its sheet in the exchange format (``items``, ``suppliers``,
``purchase_orders``, ``lots``...). Most records have the generic record page at
``/records/<sheet>/<code>``; a record whose key has several parts (a lot is an item and a
lot code) has ``/records/<sheet>/by-key?part=<item>&part=<lot>``. Kinds with a page of their
own (an item with its BOM tree, a planned order of the plan) are listed in :data:`OWN_PAGES`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from plantops.services.master_data.sheets import SHEETS_BY_NAME
from plantops.vocabulary import ScheduledOrderSource

#: Record kinds whose page is not the generic record page: the address of one, by its code.
OWN_PAGES = {
    "items": "/items/{}",
    "planned_orders": "/mrp/orders/{}",
    "transfer_orders": "/transfers/{}",
    "rfqs": "/buy/rfqs/{}",
    "purchase_orders": "/buy/orders/{}",
}
#: The path of a record whose key has several parts, below ``/records/<sheet>``.
BY_KEY = "by-key"


def sheet_link(sheet: str, *key: Any) -> str:
    """The address (below the app's root) of the record of ``sheet`` whose key is ``key``."""
    own = OWN_PAGES.get(sheet)
    if own is not None:
        return own.format(quote(str(getattr(key[0], "value", key[0])), safe=""))
    return record_link(sheet, *key)


def record_link(sheet: str, *key: Any) -> str:
    """The address of the generic record page (details, lines, history, related; edit) of a record."""
    parts = [str(getattr(part, "value", part)) for part in key]
    known = SHEETS_BY_NAME.get(sheet)
    if known is not None and len(known.key) > 1:
        return f"/records/{sheet}/{BY_KEY}?{urlencode([('part', part) for part in parts])}"
    return f"/records/{sheet}/{quote(parts[0], safe='/')}"


#: The kind of record a scheduled order is, by where it comes from.
SCHEDULED_ORDERS = {
    ScheduledOrderSource.WORK_ORDER: "work_orders",
    ScheduledOrderSource.PLANNED_ORDER: "planned_orders",
}


def scheduled_order_link(source: ScheduledOrderSource, number: str) -> str:
    """The record page of an order in the schedule: a work order's, or a planned order's."""
    return sheet_link(SCHEDULED_ORDERS[source], number)
