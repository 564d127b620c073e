"""``plantops orders``: the purchase and sales order books (``orders book purchase``), a promise
for a new sales order line, and cancelling a sales order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import typer

from plantops.cli.common import NUMBER_ARGUMENTS, Format, Listing, console, plantops, print_listing, reports_errors
from plantops.services import order_book
from plantops.services.inventory.availability import promise
from plantops.services.sales.orders import cancel_sales_order

app = typer.Typer(no_args_is_help=True)

Sort = Annotated[str, typer.Option(help="Columns to sort by, comma-separated, '-' first for descending.")]
Limit = Annotated[int, typer.Option(min=1, max=order_book.MAX_PAGE, help="Rows at most.")]
Output = Annotated[Format, typer.Option("--format", help="table, csv or json.")]


def _print(found: order_book.OrderPage, partner: str, output: Format) -> None:
    columns = ["Order", partner, "Site", "Status", "Next due", "Lines", "Open quantity", "Open value"]
    listing = Listing(f"{partner}s' orders", columns, total=found.total)
    for o in found.orders:
        listing.add(o.number, o.partner, o.site, o.status.value, o.due_date, o.lines, o.open_quantity, o.open_value)
    print_listing(listing, output)


@app.command(name="book")
@reports_errors
def book_of_orders(
    book: Annotated[order_book.Book, typer.Argument(help="purchase or sales.")],
    partner: Annotated[str | None, typer.Option(help="Only this supplier's or customer's orders.")] = None,
    status: Annotated[str | None, typer.Option(help="Only orders in this status (e.g. open, confirmed).")] = None,
    sort: Sort = "due_date",
    limit: Limit = 50,
    output: Output = Format.TABLE,
) -> None:
    """Purchase or sales orders with what they still have to deliver or ship, by the next due date."""
    words = [w.strip() for w in sort.split(",") if w.strip()]
    with plantops() as ops:
        found = order_book.orders(ops.uow(), book, partner=partner, status=status, sort=words, limit=limit)
    _print(found, "Supplier" if book is order_book.Book.PURCHASE else "Customer", output)


@app.command(name="promise", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def promise_line(
    item: Annotated[str, typer.Argument(help="Item code.")],
    site: Annotated[str, typer.Argument(help="The site that ships it.")],
    quantity: Annotated[Decimal, typer.Argument(help="Quantity wanted.")],
    wanted: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The date the customer wants it.")],
) -> None:
    """The earliest date a new sales order line can be promised, from available-to-promise."""
    with plantops() as ops:
        found = promise(ops.uow(), item=item, site=site, quantity=quantity, wanted=wanted.date(), today=dt.date.today())
    if found.promised == found.wanted:
        console.print(f"{found.quantity} {item} can be promised on {found.wanted}.")
    elif found.promised:
        console.print(
            f"Not on {found.wanted} (only {found.available} available then): the earliest promise is {found.promised}."
        )
    else:
        console.print(f"{found.quantity} {item} cannot be promised within a year from stock and open orders.")


@app.command()
@reports_errors
def cancel(number: Annotated[str, typer.Argument(help="Sales order number.")]) -> None:
    """Cancel a sales order that nothing has shipped from."""
    with plantops() as ops:
        cancel_sales_order(ops.uow(), number)
    console.print(f"Sales order {number} cancelled.")
