"""``plantops purchase``: buying. ``requisition`` (by hand or from the plan's buys, list, cancel),
``proposals`` (open requisitions by supplier and week, confirmed into a draft purchase order),
``rfq`` (ask several suppliers, enter their quotations by hand or from CSV, compare, award), and
from :mod:`plantops.cli.purchase_orders`: ``order``, ``receive``, ``return``, ``invoice``,
``scorecard`` and ``sourcing``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli import purchase_orders
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
from plantops.cli.postings import quantity_of
from plantops.errors import ValidationError
from plantops.services.inventory.ledger import quantity_text
from plantops.services.purchasing import requisitions as reqs
from plantops.services.purchasing import rfqs
from plantops.services.purchasing.requisitions import RequisitionView
from plantops.services.purchasing.rfqs import Comparison, QuotationIn, QuotedPrice, RfqLineIn, RfqView
from plantops.vocabulary import RequisitionStatus, RfqStatus

app = typer.Typer(no_args_is_help=True)
requisition_app = typer.Typer(no_args_is_help=True, help="Requisitions: requests to buy.")
proposals_app = typer.Typer(no_args_is_help=True, help="Purchase proposals: open requisitions by supplier and week.")
rfq_app = typer.Typer(no_args_is_help=True, help="Requests for quotation: quote, compare, award.")
app.add_typer(requisition_app, name="requisition")
app.add_typer(proposals_app, name="proposals")
app.add_typer(rfq_app, name="rfq")
app.add_typer(purchase_orders.order_app, name="order")
app.add_typer(purchase_orders.invoice_app, name="invoice")
app.command("receive", context_settings=NUMBER_ARGUMENTS)(purchase_orders.receive)
app.command("return", context_settings=NUMBER_ARGUMENTS)(purchase_orders.return_goods)
app.command("scorecard")(purchase_orders.scorecard)
app.command("sourcing")(purchase_orders.sourcing)

Day = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"])]
RfqNumber = Annotated[str, typer.Argument(help="RFQ number (RFQ-...).")]
Sort = Annotated[str, typer.Option(help="Columns to sort by, comma-separated, '-' first for descending.")]
Limit = Annotated[int, typer.Option(min=1, max=1000, help="Rows at most.")]


def _words(sort: str) -> list[str]:
    return [w.strip() for w in sort.split(",") if w.strip()]


@requisition_app.command("create", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def create_requisition(
    item: Annotated[str, typer.Argument(help="The item to buy.")],
    site: Annotated[str, typer.Argument(help="The site it is for.")],
    quantity: Annotated[str, typer.Argument(help="Quantity in the item's unit.")],
    due: Annotated[dt.datetime, typer.Option("--due", formats=["%Y-%m-%d"], help="When it is needed.")],
    supplier: Annotated[str | None, typer.Option(help="The proposed supplier (default: rank 1).")] = None,
) -> None:
    """Request to buy an item."""
    with plantops() as ops:
        made = reqs.create_requisition(
            ops.uow(), item=item, site=site, quantity=quantity_of(quantity), due_date=due.date(), supplier=supplier
        )
    console.print(f"Requisition {made.number} created: {quantity_text(made.quantity)} {made.unit} of {made.item}.")
    _print_requisitions([made], "Requisition")


@requisition_app.command("from-plan")
@reports_errors
def from_plan(
    due_by: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Planned buys due on or before.")],
    site: Annotated[str | None, typer.Option(help="Only this site's buys.")] = None,
) -> None:
    """Requisition the planned buys of the plan in force; they are marked released."""
    with plantops() as ops:
        made = reqs.requisitions_from_plan(ops.uow(), due_by=due_by.date(), site=site)
    console.print(f"{len(made)} requisitions made from the plan's buys due by {due_by.date()}.")
    if made:
        _print_requisitions(made, "Requisitions from the plan")


@requisition_app.command("list")
@reports_errors
def list_requisitions(
    status: Annotated[RequisitionStatus | None, typer.Option(help="Only this status.")] = None,
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this proposed supplier.")] = None,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    sort: Sort = "",
    limit: Limit = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """Requisitions, newest first."""
    with plantops() as ops:
        found = reqs.requisitions(
            ops.uow(), status=status, item=item, supplier=supplier, site=site, sort=_words(sort), limit=limit
        )
    columns = ["Requisition", "Item", "Site", "Quantity", "Due", "Supplier", "Status", "Planned", "Purchase order"]
    listing = Listing("Requisitions", columns, total=found.total)
    for r in found.requisitions:
        listing.add(
            r.number,
            r.item,
            r.site,
            r.quantity,
            r.due_date,
            r.supplier,
            r.status.value,
            r.planned_order,
            r.purchase_order,
        )
    print_listing(listing, output)


@requisition_app.command("cancel")
@reports_errors
def cancel_requisition(number: Annotated[str, typer.Argument(help="Requisition number (REQ-...).")]) -> None:
    """Cancel an open requisition."""
    with plantops() as ops:
        reqs.cancel_requisition(ops.uow(), number)
    console.print(f"Requisition {number} cancelled.")


def _print_requisitions(found: list[RequisitionView], title: str) -> None:
    table = Table(title=title)
    for column in ("Requisition", "Item", "Site", "Quantity", "Due", "Supplier", "Planned"):
        table.add_column(column)
    for r in found:
        table.add_row(
            r.number,
            r.item,
            r.site,
            quantity_text(r.quantity),
            str(r.due_date),
            r.supplier or "",
            r.planned_order or "",
        )
    print_table(table)


@proposals_app.command("list")
@reports_errors
def list_proposals(
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier.")] = None,
) -> None:
    """Open requisitions by proposed supplier, site and ISO week of the due date, priced."""
    with plantops() as ops:
        found = reqs.proposals(ops.uow(), site=site, supplier=supplier)
    if not found:
        console.print("No open requisitions with a proposed supplier.")
    for proposal in found:
        table = Table(
            title=f"{proposal.supplier} ({proposal.supplier_name}) to {proposal.site}, week {proposal.week}: "
            f"{proposal.total:,.2f} {proposal.currency}" + ("" if proposal.priced else " (lines without a price)")
        )
        for column in ("Requisition", "Item", "Quantity", "Due", "Unit price", "Amount"):
            table.add_column(column)
        for line in proposal.lines:
            table.add_row(
                line.requisition,
                line.item,
                f"{quantity_text(line.quantity)} {line.unit}",
                str(line.due_date),
                "no price" if line.unit_price is None else quantity_text(line.unit_price),
                "" if line.amount is None else f"{line.amount:,.2f}",
            )
        print_table(table)


@proposals_app.command("confirm")
@reports_errors
def confirm_proposal(
    supplier: Annotated[str, typer.Argument(help="The proposal's supplier.")],
    site: Annotated[str, typer.Argument(help="The proposal's site.")],
    week: Annotated[str, typer.Argument(help="The proposal's ISO week, e.g. 2026-W50.")],
) -> None:
    """Order a proposal: one draft purchase order with a line per requisition."""
    with plantops() as ops:
        done = reqs.confirm_proposal(ops.uow(), supplier=supplier, site=site, week=week, today=dt.date.today())
    console.print(
        f"Purchase order {done.purchase_order} (draft) made of {len(done.requisitions)} requisitions: "
        + ", ".join(done.requisitions)
    )


@rfq_app.command("create", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def create_rfq(
    supplier: Annotated[list[str], typer.Option("--supplier", help="An invited supplier; repeat (2 or more).")],
    requisition: Annotated[
        list[str] | None, typer.Option("--requisition", help="An open requisition to ask for; repeat.")
    ] = None,
    line: Annotated[list[str] | None, typer.Option("--line", help="ITEM=QUANTITY@YYYY-MM-DD; repeat.")] = None,
    site: Annotated[str | None, typer.Option(help="The site (default: the requisitions').")] = None,
    respond_by: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Quote by.")] = None,
) -> None:
    """Ask several suppliers to quote on requisitions or lines."""
    lines = [_rfq_line(text) for text in line or []]
    with plantops() as ops:
        made = rfqs.create_rfq(
            ops.uow(),
            suppliers=supplier,
            requisitions=requisition or [],
            lines=lines,
            site=site,
            respond_by=respond_by.date() if respond_by else None,
            today=dt.date.today(),
        )
    console.print(f"RFQ {made.number} created for {made.site}, inviting {', '.join(made.suppliers)}.")
    _print_rfq(made)


def _rfq_line(text: str) -> RfqLineIn:
    item, equals, rest = text.partition("=")
    quantity, at, due = rest.partition("@")
    if not equals or not at or not item.strip():
        raise ValidationError("command", "line", f"{text!r} is not ITEM=QUANTITY@YYYY-MM-DD (e.g. TUBE=400@2026-12-09)")
    try:
        day = dt.date.fromisoformat(due.strip())
    except ValueError:
        raise ValidationError("command", "line", f"{due!r} is not a date (YYYY-MM-DD)") from None
    return RfqLineIn(item.strip(), quantity_of(quantity.strip()), day)


@rfq_app.command("list")
@reports_errors
def list_rfqs(
    status: Annotated[RfqStatus | None, typer.Option(help="Only this status.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only RFQs inviting this supplier.")] = None,
    item: Annotated[str | None, typer.Option(help="Only RFQs with a line of this item.")] = None,
    sort: Sort = "",
    limit: Limit = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """RFQs, newest first."""
    with plantops() as ops:
        found = rfqs.rfqs(ops.uow(), status=status, supplier=supplier, item=item, sort=_words(sort), limit=limit)
    columns = ["RFQ", "Site", "Status", "Created", "Respond by", "Lines", "Suppliers", "Quotations"]
    listing = Listing("RFQs", columns, total=found.total)
    for r in found.rfqs:
        listing.add(r.number, r.site, r.status.value, r.created_on, r.respond_by, r.lines, r.suppliers, r.quotations)
    print_listing(listing, output)


@rfq_app.command("show")
@reports_errors
def show_rfq(number: RfqNumber) -> None:
    """An RFQ with its lines and the quotations side by side."""
    with plantops() as ops:
        found = rfqs.comparison(ops.uow(), number, today=dt.date.today())
    _print_rfq(found.rfq)
    _print_comparison(found)


@rfq_app.command("compare")
@reports_errors
def compare(number: RfqNumber) -> None:
    """The quotations side by side: a column per supplier, a row per line, the landed cost."""
    with plantops() as ops:
        found = rfqs.comparison(ops.uow(), number, today=dt.date.today())
    _print_comparison(found)


@rfq_app.command("quote", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def quote(
    number: RfqNumber,
    supplier: Annotated[str, typer.Argument(help="The quoting supplier.")],
    valid_until: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The quotation's last valid day.")],
    price: Annotated[list[str], typer.Option("--price", help="LINE:MIN_QUANTITY:UNIT_PRICE:LEAD_TIME_DAYS; repeat.")],
    freight: Annotated[str, typer.Option(help="Freight for the whole.")] = "0",
    currency: Annotated[str | None, typer.Option(help="Default: the supplier's currency.")] = None,
) -> None:
    """Enter (or replace) a supplier's quotation."""
    quotation = QuotationIn(
        supplier,
        valid_until.date(),
        [_price(text) for text in price],
        freight=quantity_of(freight, "freight"),
        currency=currency,
    )
    with plantops() as ops:
        view = rfqs.enter_quotation(ops.uow(), number, quotation, today=dt.date.today())
    console.print(f"Quotation of {supplier} entered on {view.number}: {len(quotation.prices)} prices.")


def _price(text: str) -> QuotedPrice:
    parts = text.split(":")
    if len(parts) != 4:
        raise ValidationError("command", "price", f"{text!r} is not LINE:MIN_QUANTITY:UNIT_PRICE:LEAD_TIME_DAYS")
    line, minimum, unit_price, days = parts
    if not line.strip().isdigit():
        raise ValidationError("command", "price", f"line {line!r} is not a line number")
    return QuotedPrice(
        int(line),
        quantity_of(minimum, "min_quantity"),
        quantity_of(unit_price, "unit_price"),
        quantity_of(days, "lead_time_days"),
    )


@rfq_app.command("import")
@reports_errors
def import_quotations(
    number: RfqNumber,
    path: Annotated[
        Path, typer.Argument(help="CSV: supplier,line,min_quantity,unit_price,lead_time_days,valid_until,freight")
    ],
) -> None:
    """Enter quotations from a CSV file, all or nothing."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError("command", "path", f"cannot read {path}: {error.strerror}") from None
    text = rfqs.csv_text(data)
    with plantops() as ops:
        view = rfqs.import_quotations(ops.uow(), number, text, today=dt.date.today(), source=path.name)
    console.print(f"Quotations entered on {view.number}: {', '.join(q.supplier for q in view.quotations)}.")


@rfq_app.command("award")
@reports_errors
def award(
    number: RfqNumber,
    supplier: Annotated[str | None, typer.Option(help="Award the whole RFQ to this supplier.")] = None,
    line: Annotated[list[str] | None, typer.Option("--line", help="LINE=SUPPLIER; repeat for every line.")] = None,
) -> None:
    """Award the RFQ, whole or line by line, into draft purchase orders."""
    chosen = dict(_award_line(text) for text in line) if line else None
    with plantops() as ops:
        done = rfqs.award(ops.uow(), number, supplier=supplier, lines=chosen, today=dt.date.today())
    console.print(f"RFQ {number} awarded: draft purchase orders {', '.join(done.purchase_orders)}.")


def _award_line(text: str) -> tuple[int, str]:
    line, equals, supplier = text.partition("=")
    if not equals or not line.strip().isdigit() or not supplier.strip():
        raise ValidationError("command", "line", f"{text!r} is not LINE=SUPPLIER (e.g. 1=S1)")
    return int(line), supplier.strip()


@rfq_app.command("cancel")
@reports_errors
def cancel_rfq(number: RfqNumber) -> None:
    """Cancel an open RFQ; its requisitions are open again."""
    with plantops() as ops:
        rfqs.cancel_rfq(ops.uow(), number)
    console.print(f"RFQ {number} cancelled; its requisitions are open again.")


def _print_rfq(view: RfqView) -> None:
    table = Table(title=f"{view.number} for {view.site}: {view.status.value}, created {view.created_on}")
    for column in ("Line", "Item", "Quantity", "Due", "Requisition"):
        table.add_column(column)
    for line in view.lines:
        table.add_row(
            str(line.line),
            line.item,
            f"{quantity_text(line.quantity)} {line.unit}",
            str(line.due_date),
            line.requisition or "",
        )
    print_table(table)
    if view.purchase_orders:
        console.print(f"Awarded as {', '.join(view.purchase_orders)}.")


def _print_comparison(found: Comparison) -> None:
    table = Table(title=f"{found.rfq.number}: quotations as of {found.today} (* cheapest)")
    table.add_column("Line")
    for supplier in found.suppliers:
        state = " (expired)" if supplier.expired else "" if supplier.quoted else " (no quotation)"
        table.add_column(f"{supplier.code}{state}")
    for row in found.rows:
        cells = [f"{row.line.line} {row.line.item} {quantity_text(row.line.quantity)} by {row.line.due_date}"]
        for cell in row.cells:
            if not cell.quoted or cell.unit_price is None or cell.bought_quantity is None:
                cells.append("no quote")
                continue
            minimum = f" (min {quantity_text(cell.bought_quantity)})" if cell.below_minimum else ""
            late = "" if cell.on_time else " LATE"
            cells.append(
                f"{'*' if cell.cheapest else ''}{_money(cell.amount)} @ {quantity_text(cell.unit_price)}{minimum}, "
                f"{quantity_text(cell.lead_time_days or Decimal(0))} d{late}"
            )
        table.add_row(*cells)
    totals = ["Landed cost"]
    for supplier in found.suppliers:
        if supplier.landed_cost is None:
            totals.append("")
            continue
        partial = "" if supplier.complete else " (not all lines)"
        mark = "*" if supplier.cheapest else ""
        totals.append(f"{mark}{_money(supplier.landed_cost)} {supplier.currency}{partial}")
    table.add_row(*totals)
    print_table(table)
    for supplier in found.suppliers:
        if supplier.warning:
            console.print(f"[yellow]Poor score:[/] {supplier.warning}")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"
