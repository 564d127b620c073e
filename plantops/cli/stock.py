"""``plantops stock``: post moves, reserve, and look at the ledger."""

from __future__ import annotations

import datetime as dt
import getpass
from decimal import Decimal
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from plantops.cli import counting
from plantops.cli.common import (
    NUMBER_ARGUMENTS,
    Column,
    Format,
    FormatOption,
    Listing,
    console,
    counted,
    plantops,
    print_listing,
    print_table,
    reports_errors,
)
from plantops.cli.postings import At, Key, Lot, Reason, instant, print_posting, quantity_of, who
from plantops.errors import ValidationError
from plantops.services.inventory import balances, genealogy, moves, reservations, stock
from plantops.services.inventory.genealogy import LotNode
from plantops.services.inventory.ledger import quantity_text
from plantops.services.inventory.stock import StockLine
from plantops.vocabulary import MoveType

app = typer.Typer(no_args_is_help=True)
app.add_typer(counting.app, name="count")

Item = Annotated[str, typer.Argument(help="Item code.")]
Location = Annotated[str, typer.Argument(help="Location code.")]
Qty = Annotated[str, typer.Argument(help="Quantity in the item's unit.")]
Document = Annotated[str, typer.Option(help="Source document (order number, delivery note).")]


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def receive(
    item: Item,
    location: Location,
    quantity: Qty,
    lot: Lot = None,
    expiry: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Expiry of a new lot.")] = None,
    unit_cost: Annotated[str | None, typer.Option(help="Cost per unit (default: standard cost).")] = None,
    document: Document = "",
    reason: Reason = "",
    key: Key = None,
    at: At = None,
) -> None:
    """Receive goods into a location."""
    line = StockLine(
        item,
        location,
        quantity_of(quantity),
        lot,
        quantity_of(unit_cost, "unit_cost") if unit_cost else None,
        expiry.date() if expiry else None,
    )
    with plantops() as ops:
        print_posting(stock.receive(ops.uow(), line, who(document, reason, key=key, at=at)))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def issue(
    item: Item,
    location: Location,
    quantity: Qty,
    lot: Lot = None,
    reservation: Annotated[str | None, typer.Option(help="Issue reserved stock of this reservation.")] = None,
    document: Document = "",
    key: Key = None,
    at: At = None,
) -> None:
    """Issue goods out of a location."""
    with plantops() as ops:
        line = StockLine(item, location, quantity_of(quantity), lot)
        print_posting(stock.issue(ops.uow(), line, who(document, key=key, at=at), reservation=reservation))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def move(
    item: Item,
    from_location: Location,
    to_location: Location,
    quantity: Qty,
    lot: Lot = None,
    key: Key = None,
    at: At = None,
) -> None:
    """Move stock to another location of its site (to another site: `plantops transfer ship`)."""
    with plantops() as ops:
        line = StockLine(item, from_location, quantity_of(quantity), lot)
        print_posting(stock.move(ops.uow(), line, to_location, who(key=key, at=at)))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def adjust(
    item: Item,
    location: Location,
    quantity: Qty,
    reason: Reason = "",
    lot: Lot = None,
    decrease: Annotated[bool, typer.Option(help="Lower on-hand instead of raising it.")] = False,
    at: At = None,
) -> None:
    """Correct on-hand by a quantity, up (default) or down, with a reason."""
    with plantops() as ops:
        line = StockLine(item, location, quantity_of(quantity), lot)
        print_posting(stock.adjust(ops.uow(), line, who(reason=reason, at=at), increase=not decrease))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def scrap(item: Item, location: Location, quantity: Qty, reason: Reason = "", lot: Lot = None) -> None:
    """Scrap stock, with a reason."""
    with plantops() as ops:
        print_posting(stock.scrap(ops.uow(), StockLine(item, location, quantity_of(quantity), lot), who(reason=reason)))


@app.command(name="return", context_settings=NUMBER_ARGUMENTS)
@reports_errors
def return_(item: Item, location: Location, quantity: Qty, lot: Lot = None, document: Document = "") -> None:
    """Take back goods returned by a customer."""
    with plantops() as ops:
        line = StockLine(item, location, quantity_of(quantity), lot)
        print_posting(stock.return_stock(ops.uow(), line, who(document)))


@app.command()
@reports_errors
def produce(
    consume: Annotated[list[str], typer.Option(help="A component used: ITEM,LOCATION,QTY[,LOT]. Repeatable.")],
    output: Annotated[list[str], typer.Option(help="A product made: ITEM,LOCATION,QTY[,LOT]. Repeatable.")],
    document: Document = "",
) -> None:
    """Consume components and put away what was made (main, co- and by-products), linking lots."""
    consumed = [_stock_line(text, "consume") for text in consume]
    produced = [_stock_line(text, "output") for text in output]
    with plantops() as ops:
        print_posting(stock.produce(ops.uow(), consumed, produced, who(document)))


def _stock_line(text: str, field: str) -> StockLine:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (3, 4):
        raise ValidationError("production", field, f"{text!r} is not ITEM,LOCATION,QTY[,LOT]")
    return StockLine(parts[0], parts[1], quantity_of(parts[2], field), parts[3] if len(parts) == 4 else None)


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def reverse(posting: Annotated[int, typer.Argument(help="The posting number to undo.")], reason: Reason = "") -> None:
    """Post the exact opposite of a posting (moves are never edited or deleted)."""
    with plantops() as ops:
        print_posting(stock.reverse(ops.uow(), posting, who(reason=reason)))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def reserve(
    item: Item,
    location: Location,
    quantity: Qty,
    document: Annotated[str, typer.Option(help="Sales order, work order or transfer it is for.")] = "",
    lot: Lot = None,
) -> None:
    """Reserve stock for a document (lots first-expiry-first-out unless one is given)."""
    with plantops() as ops:
        made = reservations.reserve(
            ops.uow(),
            item=item,
            location=location,
            quantity=quantity_of(quantity),
            document=document,
            user=getpass.getuser(),
            lot=lot,
        )
    for r in made:
        lot_text = f" lot {r.lot}" if r.lot else ""
        console.print(
            f"Reserved {r.quantity.normalize():f} {r.item} at {r.location}{lot_text} for {r.document}: {r.number}"
        )


@app.command()
@reports_errors
def release(number: Annotated[str, typer.Argument(help="Reservation number.")]) -> None:
    """Release what a reservation still holds."""
    with plantops() as ops:
        r = reservations.release(ops.uow(), number)
    console.print(f"Released reservation {r.number} ({r.item} at {r.location} for {r.document}).")


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def pick(
    item: Item,
    quantity: Qty,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
) -> None:
    """Suggest where to pick from, first expiry first out."""
    with plantops() as ops:
        picks = reservations.pick_suggestion(ops.uow(), item=item, quantity=quantity_of(quantity), site=site)
    table = Table("location", "lot", "expiry", "take", title=f"Pick {quantity} {item} (FEFO)")
    for p in picks:
        table.add_row(p.location, p.lot or "", str(p.expiry or ""), f"{p.quantity.normalize():f}")
    print_table(table)
    short = quantity_of(quantity) - sum((p.quantity for p in picks), Decimal(0))
    if short > 0:
        console.print(f"[yellow]Short by {short.normalize():f}: not enough available stock.[/yellow]")


@app.command()
@reports_errors
def onhand(
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    location: Annotated[str | None, typer.Option(help="Only this location.")] = None,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many balances.")] = 100,
    output: FormatOption = Format.TABLE,
) -> None:
    """On-hand, reserved and available per item, location and lot."""
    with plantops() as ops:
        rows = balances.on_hand(ops.uow(), item=item, location=location, site=site)
    columns = ["item", "site", "location", "lot", "expiry", "on hand", "reserved", "available"]
    listing = Listing("On hand", columns, total=len(rows))
    for b in rows[:limit]:
        listing.add(b.item, b.site, b.location, b.lot, b.expiry, b.on_hand, b.reserved, b.available)
    print_listing(listing, output)


@app.command(name="moves")
@reports_errors
def ledger_moves(
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    location: Annotated[str | None, typer.Option(help="Only this location.")] = None,
    lot: Annotated[str | None, typer.Option(help="Only this lot.")] = None,
    move_type: Annotated[MoveType | None, typer.Option("--type", help="Only this kind of move.")] = None,
    document: Annotated[str | None, typer.Option(help="Only postings of this source document.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=moves.MAX_PAGE, help="At most this many.")] = 50,
    output: FormatOption = Format.TABLE,
) -> None:
    """The ledger's moves, newest first."""
    wanted = moves.MoveFilter(item=item, location=location, lot=lot, move_type=move_type, document=document)
    with plantops() as ops:
        total, found = moves.list_moves(ops.uow(), wanted, limit=limit)
    columns = ["move", "posting", "type", "item", "location", "lot", "quantity"]
    listing = Listing("Stock moves, newest first", [*columns, "effective", "by", "document"], total=total)
    for m in found:
        where = (m.item, m.location, m.lot)
        listing.add(m.move, m.posting, m.move_type, *where, m.quantity, m.effective_at, m.posted_by, m.document)
    print_listing(listing, output)


@app.command()
@reports_errors
def verify() -> None:
    """Prove that every balance equals the sum of its moves, and that none breaks a rule."""
    with plantops() as ops:
        check = balances.verify(ops.uow())
    if check.sound:
        console.print(
            f"Ledger sound: {counted(check.balances, 'balance')}, each equal to the sum of its moves "
            f"({counted(check.moves, 'move')} in all)."
        )
        return
    for problem in check.problems:
        console.print(f"[red]{problem}[/red]")
    raise typer.Exit(1)


@app.command()
@reports_errors
def trace(
    item: Item,
    lot: Annotated[str, typer.Argument(help="Lot or serial number.")],
    forward: Annotated[bool, typer.Option(help="Where the lot went, instead of what went into it.")] = False,
) -> None:
    """The genealogy of a lot: what went into it, or (--forward) where it went."""
    with plantops() as ops:
        root = genealogy.trace(ops.uow(), item=item, lot=lot, direction="forward" if forward else "backward")
    tree = Tree(f"[bold]{root.item} lot {root.lot}[/bold] ({'used in' if forward else 'made from'})")
    _grow(tree, root)
    console.print(tree)


def _grow(tree: Tree, node: LotNode) -> None:
    for child in node.links:
        used = f"  [dim]({quantity_text(child.quantity)} consumed)[/dim]" if child.quantity is not None else ""
        _grow(tree.add(f"{child.item} lot {child.lot}{used}"), child)


@app.command()
@reports_errors
def atp(
    item: Item,
    site: Annotated[str | None, typer.Option(help="Only this site (default: all).")] = None,
    weeks: Annotated[int, typer.Option(help="Weeks to project.")] = 12,
    start: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First week (default: today).")
    ] = None,
) -> None:
    """Projected stock and available-to-promise per week, from on-hand, open receipts and orders."""
    from plantops.services.inventory import availability  # numpy: imported when this command runs

    first = start.date() if start else dt.date.today()
    with plantops() as ops:
        projection = availability.projected_stock(ops.uow(), item=item, site=site, start=first, weeks=weeks)
    title = f"{projection.item} at {projection.site or 'all sites'}: on hand {quantity_text(projection.on_hand)}"
    table = Table("week of", "demand", "receipts", "projected", "ATP", "cumulative ATP", title=title)
    for p in projection.periods:
        style = "red" if p.projected_on_hand < 0 else None
        table.add_row(
            str(p.start),
            quantity_text(p.demand),
            quantity_text(p.receipts),
            quantity_text(p.projected_on_hand),
            quantity_text(p.atp),
            quantity_text(p.cumulative_atp),
            style=style,
        )
    print_table(table)
    if projection.past_due_demand or projection.past_due_receipts:
        console.print(
            f"Past due, counted in the first week: demand {quantity_text(projection.past_due_demand)}, "
            f"receipts {quantity_text(projection.past_due_receipts)}."
        )


@app.command()
@reports_errors
def value(
    as_of: Annotated[str | None, typer.Option(help="Instant to value at, ISO with zone (default: now).")] = None,
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Inventory value at any past instant (FIFO, moving average or standard per item), without reposting."""
    from plantops.services.inventory import valuation as inventory_value  # numpy: imported when this command runs

    when = instant(as_of) or dt.datetime.now(dt.UTC)
    with plantops() as ops:
        valuation = inventory_value.value_inventory(ops.uow(), as_of=when, item=item)
    money = Column("value", text=lambda value: f"{value:,.2f}")
    listing = Listing(f"Inventory value at {valuation.as_of}", ["item", "method", "quantity", "unit cost", money])
    for v in valuation.items.values():
        listing.add(v.item, v.method, v.quantity, v.unit_cost, v.value)
    print_listing(listing, output)
    if output is Format.TABLE:
        console.print(f"Total: {valuation.total_value:,.2f}")
