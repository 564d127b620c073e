"""Transfer orders: stock sent from one site to another, shipped and received in parts.

A transfer order is created by hand or released from a planned transfer
(:func:`release_planned_transfer`, called by the planning service's ``release_order``);
it is shipped and received in parts (:mod:`.shipping`), each as a stock posting under the
order's number, and what is on its way is read from the ledger (:mod:`.in_transit`).
Every refusal names the field and the reason, and changes nothing.
"""

from plantops.services.transfers.in_transit import InTransit, in_transit
from plantops.services.transfers.orders import (
    MAX_LINES,
    TRANSFER_SORTS,
    TransferLine,
    TransferLineView,
    TransferOrderPage,
    TransferOrderSummary,
    TransferOrderView,
    cancel,
    create_transfer_order,
    open_transfer_orders,
    release_planned_transfer,
    transfer_order,
    transfer_orders,
)
from plantops.services.transfers.shipping import (
    Arrival,
    Shipment,
    TransferPosting,
    receive,
    ship,
    ship_item,
    sites_of,
)

__all__ = [
    "MAX_LINES",
    "TRANSFER_SORTS",
    "Arrival",
    "InTransit",
    "Shipment",
    "TransferLine",
    "TransferLineView",
    "TransferOrderPage",
    "TransferOrderSummary",
    "TransferOrderView",
    "TransferPosting",
    "cancel",
    "create_transfer_order",
    "in_transit",
    "open_transfer_orders",
    "receive",
    "release_planned_transfer",
    "ship",
    "ship_item",
    "sites_of",
    "transfer_order",
    "transfer_orders",
]
