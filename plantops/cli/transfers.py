"""``plantops transfer``: transfer orders between sites: create, list, show, ship and receive in
parts, cancel, and the stock in transit. A planned transfer becomes one with ``plantops plan release``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli.common import (
    NUMBER_ARGUMENTS,
    Format,
    FormatOption,
    Listing,
    console,
    plantops,
    print_listing,
    print_table,
    reports_errors,
)
from plantops.cli.postings import At, Key, Lot, Reason, print_posting, quantity_of, who
from plantops.errors import ValidationError
from plantops.services import transfers
from plantops.services.inventory.ledger import quantity_text
from plantops.services.transfers import Arrival, Shipment, TransferLine, TransferOrderView, TransferPosting
from plantops.vocabulary import OrderStatus

app = typer.Typer(no_args_is_help=True)

Number = Annotated[str, typer.Argument(help="Transfer order number (TO-...).")]
LineNumber = Annotated[int, typer.Argument(min=1, help="The order's line.")]
Quantity = Annotated[str, typer.Argument(help="Quantity in the item's unit.")]


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def create(
    from_site: Annotated[str, typer.Argument(help="The site the goods ship from.")],
    to_site: Annotated[str, typer.Argument(help="The site they go to.")],
    line: Annotated[list[str], typer.Option("--line", help="ITEM=QUANTITY; repeat for more lines.")],
    ship_date: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="When it ships.")],
    due_date: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="When it is due at the destination.")],
) -> None:
    """Create a transfer order from one site to another."""
    lines = [_transfer_line(text) for text in line]
    with plantops() as ops:
        order = transfers.create_transfer_order(
            ops.uow(),
            from_site=from_site,
            to_site=to_site,
            ship_date=ship_date.date(),
            due_date=due_date.date(),
            lines=lines,
            today=dt.date.today(),
        )
    console.print(f"Transfer order {order.number} created: {order.from_site} -> {order.to_site}.")
    _print_order(order)


def _transfer_line(text: str) -> TransferLine:
    item, equals, quantity = text.partition("=")
    if not equals or not item.strip():
        raise ValidationError("command", "line", f"{text!r} is not ITEM=QUANTITY (e.g. BIKE-CITY-M=20)")
    return TransferLine(item.strip(), quantity_of(quantity.strip()))


@app.command(name="list")
@reports_errors
def list_orders(
    status: Annotated[OrderStatus | None, typer.Option(help="Only orders in this status.")] = None,
    site: Annotated[str | None, typer.Option(help="Only orders from or to this site.")] = None,
    item: Annotated[str | None, typer.Option(help="Only orders with a line of this item.")] = None,
    sort: Annotated[str, typer.Option(help="Columns to sort by, comma-separated, '-' first for descending.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows at most.")] = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """Transfer orders, newest first, with what has shipped and arrived."""
    words = [w.strip() for w in sort.split(",") if w.strip()]
    with plantops() as ops:
        found = transfers.transfer_orders(ops.uow(), status=status, site=site, item=item, sort=words, limit=limit)
    columns = ["Order", "From", "To", "Status", "Ship", "Due", "Lines", "Quantity", "Shipped", "Received", "Planned"]
    listing = Listing("Transfer orders", columns, total=found.total)
    for o in found.orders:
        listing.add(
            o.number,
            o.from_site,
            o.to_site,
            o.status.value,
            o.ship_date,
            o.due_date,
            o.lines,
            o.quantity,
            o.shipped_quantity,
            o.received_quantity,
            o.planned_order,
        )
    print_listing(listing, output)


@app.command()
@reports_errors
def show(number: Number) -> None:
    """A transfer order with its lines."""
    with plantops() as ops:
        order = transfers.transfer_order(ops.uow(), number)
    _print_order(order)


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def ship(
    number: Number,
    line: LineNumber,
    quantity: Quantity,
    location: Annotated[str, typer.Argument(help="A location of the source site.")],
    lot: Lot = None,
    reason: Reason = "",
    key: Key = None,
    at: At = None,
) -> None:
    """Ship (part of) a line into transit; without --lot, lots first expiry first."""
    with plantops() as ops:
        posted = transfers.ship(
            ops.uow(),
            number,
            [Shipment(line, quantity_of(quantity), location, lot)],
            who(reason=reason, key=key, at=at),
        )
    _print_posted(posted)


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def receive(
    number: Number,
    line: LineNumber,
    quantity: Quantity,
    location: Annotated[str, typer.Argument(help="A location of the destination site.")],
    lot: Lot = None,
    reason: Reason = "",
    key: Key = None,
    at: At = None,
) -> None:
    """Receive (part of) a line from transit; without --lot, the lots the order shipped, first shipped first."""
    with plantops() as ops:
        posted = transfers.receive(
            ops.uow(), number, [Arrival(line, quantity_of(quantity), location, lot)], who(reason=reason, key=key, at=at)
        )
    _print_posted(posted)


@app.command()
@reports_errors
def cancel(number: Number) -> None:
    """Cancel what has not shipped: the whole order if nothing has, else the rest (what shipped still arrives)."""
    with plantops() as ops:
        order = transfers.cancel(ops.uow(), number)
    if order.status is OrderStatus.CANCELLED:
        console.print(f"Transfer order {number} cancelled.")
    else:
        console.print(f"Transfer order {number}: the unshipped rest is cancelled; it is {order.status.value}.")
    _print_order(order)


@app.command(name="in-transit")
@reports_errors
def in_transit(
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    site: Annotated[str | None, typer.Option(help="Only stock on its way to this site.")] = None,
    order: Annotated[str | None, typer.Option(help="Only this transfer order.")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Stock in transit per item, destination, order and lot, valued at the item's unit cost."""
    with plantops() as ops:
        found = transfers.in_transit(ops.uow(), item=item, site=site, order=order)
    listing = Listing("Stock in transit", ["Item", "To site", "Order", "Lot", "Quantity", "Unit cost", "Value"])
    for row in found:
        listing.add(row.item, row.site, row.order, row.lot, row.quantity, row.unit_cost, row.value)
    print_listing(listing, output)


def _print_posted(posted: TransferPosting) -> None:
    print_posting(posted.posting)
    _print_order(posted.order)


def _print_order(order: TransferOrderView) -> None:
    planned = f", released from {order.planned_order}" if order.planned_order else ""
    table = Table(
        title=f"{order.number} {order.from_site} -> {order.to_site}: {order.status.value}, "
        f"ships {order.ship_date}, due {order.due_date}{planned}"
    )
    for column in ("Line", "Item", "Unit", "Quantity", "Shipped", "In transit", "Received"):
        table.add_column(column)
    for line in order.lines:
        table.add_row(
            str(line.line),
            line.item,
            line.unit,
            quantity_text(line.quantity),
            quantity_text(line.shipped_quantity),
            quantity_text(line.in_transit),
            quantity_text(line.received_quantity),
        )
    print_table(table)
