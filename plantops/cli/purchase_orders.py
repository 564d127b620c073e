"""``plantops purchase order|receive|return|invoice|scorecard``: purchase orders from draft to closed,
receipts and returns against their lines, supplier invoices matched three ways, supplier scorecards.

Approvals use the approval limits of the PlantOps user named like the shell's user; a shell user
who is no PlantOps user acts as an administrator, as every other command does.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from plantops.bootstrap import PlantOps
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
from plantops.cli.postings import At, Key, Lot, print_posting, quantity_of, who
from plantops.errors import NotFoundError, ValidationError
from plantops.services import access
from plantops.services.inventory.ledger import quantity_text
from plantops.services.purchasing import documents, invoices, lifecycle, orders, receiving, scorecards, sourcing_advice
from plantops.services.purchasing.invoices import InvoiceView
from plantops.services.purchasing.orders import PurchaseOrderView
from plantops.services.purchasing.receiving import PurchasePosting
from plantops.vocabulary import InvoiceStatus, PurchaseStatus, Role

order_app = typer.Typer(no_args_is_help=True, help="Purchase orders: create, approve, send, confirm, revise, close.")
invoice_app = typer.Typer(no_args_is_help=True, help="Supplier invoices: enter, match three ways, approve.")

Number = Annotated[str, typer.Argument(help="Purchase order number (PO-...).")]
Day = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"])]
Supplier = Annotated[str, typer.Argument(help="Supplier code.")]
InvoiceNumber = Annotated[str, typer.Argument(help="The supplier's invoice number.")]


@order_app.command("create", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def create(
    supplier: Supplier,
    site: Annotated[str, typer.Argument(help="The site it is delivered to.")],
    line: Annotated[
        list[str], typer.Option("--line", help="ITEM=QUANTITY@DUE[@PRICE], e.g. TUBE=500@2026-12-04; repeat.")
    ],
) -> None:
    """Create a draft purchase order; a line without a price takes the supplier's price break."""
    lines = [_order_line(text) for text in line]
    with plantops() as ops:
        order = orders.create_purchase_order(
            ops.uow(), supplier=supplier, site=site, lines=lines, today=dt.date.today()
        )
    console.print(f"Purchase order {order.number} created as a draft.")
    _print_order(order)


def _order_line(text: str) -> orders.PurchaseLine:
    item, equals, rest = text.partition("=")
    parts = rest.split("@")
    if not equals or not item.strip() or len(parts) not in (2, 3):
        raise ValidationError("command", "line", f"{text!r} is not ITEM=QUANTITY@DUE[@PRICE] (TUBE=500@2026-12-04)")
    price = quantity_of(parts[2], "unit_price") if len(parts) == 3 else None
    return orders.PurchaseLine(item.strip(), quantity_of(parts[0]), _date(parts[1], "due_date"), price)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("command", field, f"{text!r} is not a date (2026-12-04)") from None


@order_app.command("list")
@reports_errors
def list_orders(
    status: Annotated[PurchaseStatus | None, typer.Option(help="Only orders in this status.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only orders to this supplier.")] = None,
    item: Annotated[str | None, typer.Option(help="Only orders with a line of this item.")] = None,
    sort: Annotated[str, typer.Option(help="Columns to sort by, comma-separated, '-' first for descending.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows at most.")] = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """Purchase orders, newest first, with their totals and next due date."""
    words = [w.strip() for w in sort.split(",") if w.strip()]
    with plantops() as ops:
        found = orders.purchase_orders(ops.uow(), status=status, supplier=supplier, item=item, sort=words, limit=limit)
    columns = ["Order", "Supplier", "Site", "Status", "Ordered", "Rev", "Lines", "Total", "Currency", "Next due"]
    listing = Listing("Purchase orders", columns, total=found.total)
    for o in found.orders:
        listing.add(
            o.number,
            o.supplier,
            o.site,
            lifecycle.status_text(o.status),
            o.order_date,
            o.revision,
            o.lines,
            f"{o.total:.2f}",
            o.currency,
            o.next_due,
        )
    print_listing(listing, output)


@order_app.command()
@reports_errors
def show(number: Number) -> None:
    """A purchase order with its lines, receipts and revisions."""
    with plantops() as ops:
        order = orders.purchase_order(ops.uow(), number)
    _print_order(order)


@order_app.command()
@reports_errors
def approve(number: Number) -> None:
    """Approve a draft order within your approval limit."""
    with plantops() as ops:
        order = lifecycle.approve(ops.uow(), number, _roles(ops))
    console.print(f"{order.number} approved ({order.total:,.2f} {order.currency}).")


def _roles(ops: PlantOps) -> frozenset[Role]:
    """The roles of the PlantOps user named like the shell's user; an administrator's otherwise."""
    try:
        return frozenset(access.get_user(ops.uow(), getpass.getuser()).roles)
    except NotFoundError:
        return frozenset({Role.ADMIN})


@order_app.command()
@reports_errors
def send(number: Number) -> None:
    """Mark an approved order as sent (write its PDF or CSV with ``order pdf`` / ``order csv``)."""
    with plantops() as ops:
        order = lifecycle.send(ops.uow(), number, now=dt.datetime.now(dt.UTC))
    console.print(f"{order.number} is sent.")


@order_app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def confirm(
    number: Number,
    line: Annotated[list[str], typer.Option("--line", help="LINE=DATE, the supplier's date, e.g. 1=2026-12-07.")],
) -> None:
    """Record the supplier's confirmed date per line."""
    dates: dict[int, dt.date] = {}
    for text in line:
        position, equals, day = text.partition("=")
        if not equals or not position.strip().isdigit():
            raise ValidationError("command", "line", f"{text!r} is not LINE=DATE (1=2026-12-07)")
        dates[int(position)] = _date(day, "confirmed_date")
    with plantops() as ops:
        order = lifecycle.confirm(ops.uow(), number, dates)
    console.print(f"{order.number} is {lifecycle.status_text(order.status)}.")
    _print_order(order)


@order_app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def revise(
    number: Number,
    reason: Annotated[str, typer.Option(help="Why it changes (required once sent).")] = "",
    line: Annotated[int | None, typer.Option(min=1, help="The line to change.")] = None,
    quantity: Annotated[str | None, typer.Option(help="Its new quantity.")] = None,
    due: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Its new due date.")] = None,
    price: Annotated[str | None, typer.Option(help="Its new unit price.")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="A new line ITEM=QUANTITY@DUE[@PRICE].")] = None,
) -> None:
    """Change a line or add lines; once sent, as the order's next revision."""
    changes = [
        lifecycle.LineChange(None, new.quantity, new.due_date, new.unit_price, new.item)
        for new in (_order_line(text) for text in add or [])
    ]
    if line is not None:
        changes.append(
            lifecycle.LineChange(
                line,
                quantity_of(quantity) if quantity is not None else None,
                due.date() if due is not None else None,
                quantity_of(price, "unit_price") if price is not None else None,
            )
        )
    with plantops() as ops:
        order = lifecycle.revise(ops.uow(), number, changes, reason)
    console.print(f"{order.number} is at revision {order.revision}.")
    _print_order(order)


@order_app.command()
@reports_errors
def cancel(number: Number) -> None:
    """Cancel an order of which nothing was received."""
    with plantops() as ops:
        order = lifecycle.cancel(ops.uow(), number)
    console.print(f"{order.number} is cancelled.")


@order_app.command()
@reports_errors
def close(number: Number) -> None:
    """Close an order: nothing more is expected on it."""
    with plantops() as ops:
        order = lifecycle.close(ops.uow(), number)
    console.print(f"{order.number} is closed.")


@order_app.command()
@reports_errors
def pdf(number: Number, out: Annotated[Path, typer.Option(help="The file to write.")]) -> None:
    """Write the order as a PDF for the supplier."""
    with plantops() as ops:
        content = documents.order_pdf(ops.uow(), number, company=ops.settings.company_name)
    out.write_bytes(content)
    console.print(f"{number} written to {out} ({len(content):,} bytes).")


@order_app.command(name="csv")
@reports_errors
def csv_(number: Number, out: Annotated[Path, typer.Option(help="The file to write.")]) -> None:
    """Write the order's lines as CSV for the supplier."""
    with plantops() as ops:
        out.write_text(documents.order_csv(ops.uow(), number), encoding="utf-8")
    console.print(f"{number} written to {out}.")


@reports_errors
def receive(
    number: Number,
    line: Annotated[str, typer.Argument(help="The line number, or the scanned reference PO-.../LINE.")],
    quantity: Annotated[str, typer.Argument(help="Quantity received, in the item's unit.")],
    location: Annotated[str, typer.Argument(help="Where it is put (a location of the order's site).")],
    lot: Lot = None,
    expiry: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The lot's expiry date.")] = None,
    key: Key = None,
    at: At = None,
) -> None:
    """Receive goods against a line of a purchase order (within its over-receipt tolerance)."""
    arrival = receiving.PurchaseArrival(
        int(line) if line.isdigit() else line,
        quantity_of(quantity),
        location,
        lot,
        expiry.date() if expiry is not None else None,
    )
    with plantops() as ops:
        posted = receiving.receive(ops.uow(), number, [arrival], who(key=key, at=at))
    _print_posted(posted)


@reports_errors
def return_goods(
    number: Number,
    line: Annotated[int, typer.Argument(min=1, help="The order's line.")],
    quantity: Annotated[str, typer.Argument(help="Quantity sent back.")],
    location: Annotated[str, typer.Argument(help="Where it is taken from.")],
    reason: Annotated[str, typer.Option(help="Why it goes back (required).")],
    lot: Lot = None,
    key: Key = None,
    at: At = None,
) -> None:
    """Return received goods to the supplier, with a debit note."""
    with plantops() as ops:
        posted = receiving.return_to_supplier(
            ops.uow(),
            number,
            line=line,
            quantity=quantity_of(quantity),
            location=location,
            lot=lot,
            reason=reason,
            who=who(reason=reason, key=key, at=at),
        )
    _print_posted(posted)


def _print_posted(posted: PurchasePosting) -> None:
    print_posting(posted.posting)
    console.print(f"{posted.order.number} is {lifecycle.status_text(posted.order.status)}.")
    _print_order(posted.order)


@invoice_app.command("enter", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def enter_invoice(
    supplier: Supplier,
    number: InvoiceNumber,
    line: Annotated[list[str], typer.Option("--line", help="ORDER/LINE=QUANTITY@PRICE, e.g. PO-000001/1=500@2.6.")],
    date: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The invoice date.")],
) -> None:
    """Enter a supplier invoice and match it three ways."""
    lines = [_invoice_line(text) for text in line]
    with plantops() as ops:
        view = invoices.enter_invoice(
            ops.uow(), supplier=supplier, number=number, invoice_date=date.date(), lines=lines
        )
    _print_invoice(view)


def _invoice_line(text: str) -> invoices.InvoiceLine:
    reference, equals, rest = text.partition("=")
    order, slash, position = reference.rpartition("/")
    quantity, at, price = rest.partition("@")
    if not (equals and slash and at) or not position.strip().isdigit():
        raise ValidationError("command", "line", f"{text!r} is not ORDER/LINE=QUANTITY@PRICE (PO-000001/1=500@2.6)")
    return invoices.InvoiceLine(order.strip(), int(position), quantity_of(quantity), quantity_of(price, "unit_price"))


@invoice_app.command("list")
@reports_errors
def list_invoices(
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's invoices.")] = None,
    status: Annotated[InvoiceStatus | None, typer.Option(help="Only invoices in this status.")] = None,
    order: Annotated[str | None, typer.Option(help="Only invoices with a line of this purchase order.")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Supplier invoices, newest first, with how many lines are blocked."""
    with plantops() as ops:
        found = invoices.invoices(ops.uow(), supplier=supplier, status=status, order=order)
    listing = Listing("Supplier invoices", ["Supplier", "Invoice", "Date", "Status", "Lines", "Blocked"])
    for i in found:
        listing.add(i.supplier, i.number, i.invoice_date, i.status.value, i.lines, i.blocked_lines)
    print_listing(listing, output)


@invoice_app.command("show")
@reports_errors
def show_invoice(supplier: Supplier, number: InvoiceNumber) -> None:
    """An invoice with each line's match."""
    with plantops() as ops:
        _print_invoice(invoices.invoice(ops.uow(), supplier=supplier, number=number))


@invoice_app.command("match")
@reports_errors
def match_invoice(supplier: Supplier, number: InvoiceNumber) -> None:
    """Match an invoice again with what has arrived since."""
    with plantops() as ops:
        _print_invoice(invoices.match_again(ops.uow(), supplier=supplier, number=number))


@invoice_app.command("approve")
@reports_errors
def approve_invoice(supplier: Supplier, number: InvoiceNumber) -> None:
    """Approve a matched invoice for payment."""
    with plantops() as ops:
        _print_invoice(invoices.approve_for_payment(ops.uow(), supplier=supplier, number=number))


@reports_errors
def scorecard(
    supplier: Supplier,
    months: Annotated[int, typer.Option(min=1, max=scorecards.MAX_MONTHS, help="Months up to this one.")] = 12,
    output: FormatOption = Format.TABLE,
) -> None:
    """A supplier's scorecard per month; a month with nothing due or received has no score."""
    with plantops() as ops:
        card = scorecards.scorecard(ops.uow(), supplier, today=dt.date.today(), months=months)
    columns = ["Month", "Lines due", "OTIF %", "Receipts", "Lead time", "Trend", "Price var %", "ppm", "Score"]
    listing = Listing(f"Scorecard of {card.supplier} ({card.name})", columns)
    for m in [*card.months, card.overall]:
        listing.add(
            "overall" if m is card.overall else f"{m.month:%Y-%m}",
            m.lines_due,
            _one(m.on_time_in_full),
            m.receipts,
            _one(m.lead_time_mean),
            _one(m.lead_time_trend),
            _one(m.price_variance_percent),
            _one(m.quality_ppm, 0),
            _one(m.score, 0),
        )
    print_listing(listing, output)
    if card.warning and output is Format.TABLE:
        console.print(f"[yellow]Poor score:[/] {card.warning}")


@reports_errors
def sourcing(
    item: Annotated[str, typer.Argument(help="The item to source.")],
    stockout_cost: Annotated[float, typer.Option(min=0.000001, help="Cost per unit short per year.")],
    demand: Annotated[
        float | None, typer.Option(min=0.000001, help="Units per year (default: consumed over the last 365 days).")
    ] = None,
    disruption: Annotated[
        list[str] | None,
        typer.Option(help="SUPPLIER:RATE:RECOVERY per year, instead of the rates learned from deliveries."),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """How to split an item's demand over its suppliers under disruption (EOQ with disruptions)."""
    given: dict[str, sourcing_advice.Disruption] = {}
    for text in disruption or []:
        parts = text.split(":")
        if len(parts) != 3:
            raise ValidationError("command", "disruption", f"{text!r} is not SUPPLIER:RATE:RECOVERY (SUP-X:2:18)")
        given[parts[0]] = sourcing_advice.Disruption(
            float(quantity_of(parts[1], "disruption")), float(quantity_of(parts[2], "disruption"))
        )
    with plantops() as ops:
        advice = sourcing_advice.advise(
            ops.uow(), item, stockout_cost=stockout_cost, today=dt.date.today(), demand_rate=demand, disruptions=given
        )
    columns = [
        "Supplier",
        "Rank",
        "Price",
        "Disruptions/yr",
        "Recoveries/yr",
        "Learned from",
        "Share",
        "Order qty",
        "Cost/yr",
        "Alone/yr",
    ]
    listing = Listing(f"Sourcing {advice.item}: {advice.demand_rate:,.0f} a year ({advice.demand_basis})", columns)
    for s in advice.suppliers:
        listing.add(
            s.supplier,
            s.rank,
            f"{s.unit_price:.2f}",
            f"{s.disruption_rate:.2f}",
            f"{s.recovery_rate:.1f}",
            s.disruption_basis,
            f"{s.share:.0%}",
            f"{s.order_quantity:,.0f}",
            f"{s.expected_cost:,.0f}",
            f"{s.single_sourcing_cost:,.0f}",
        )
    print_listing(listing, output)
    if output is Format.TABLE:
        console.print(f"Expected cost of the recommended split: {advice.total_cost:,.0f} a year.")


def _one(value: float | None, places: int = 1) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _print_order(order: PurchaseOrderView) -> None:
    table = Table(
        title=f"{order.number} to {order.supplier} ({order.supplier_name}), {lifecycle.status_text(order.status)}, "
        f"revision {order.revision}: {order.total:,.2f} {order.currency}"
    )
    for column in ("Line", "Item", "Quantity", "Received", "Returned", "Invoiced", "Price", "Due", "Confirmed"):
        table.add_column(column)
    for line in order.lines:
        table.add_row(
            str(line.line),
            line.item,
            f"{quantity_text(line.quantity)} {line.unit}",
            quantity_text(line.received_quantity),
            quantity_text(line.returned_quantity),
            quantity_text(line.invoiced_quantity),
            quantity_text(line.unit_price),
            str(line.due_date),
            str(line.confirmed_date or ""),
        )
    print_table(table)


def _print_invoice(view: InvoiceView) -> None:
    table = Table(title=f"{view.supplier} invoice {view.number} of {view.invoice_date}: {view.status.value}")
    for column in ("Line", "Order", "Item", "Quantity", "Price", "Ordered", "Received", "Order price", "Problem"):
        table.add_column(column)
    for line in view.lines:
        table.add_row(
            str(line.line),
            f"{line.order}/{line.order_line}",
            line.item,
            quantity_text(line.quantity),
            quantity_text(line.unit_price),
            quantity_text(line.ordered_quantity),
            quantity_text(line.received_quantity),
            quantity_text(line.order_price),
            line.problem or "matches",
        )
    print_table(table)
