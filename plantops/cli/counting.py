"""``plantops stock count``: cycle count lists by ABC class, counts, and posting the differences."""

from __future__ import annotations

import datetime as dt
import getpass
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli.common import NUMBER_ARGUMENTS, console, counted, plantops, print_table, reports_errors
from plantops.errors import ValidationError
from plantops.services.inventory import counting
from plantops.services.inventory.counting import CountList
from plantops.vocabulary import AbcClass

app = typer.Typer(help="Cycle counting: lists by ABC class and frequency, counts, adjustments.", no_args_is_help=True)


@app.command()
@reports_errors
def create(
    abc: Annotated[list[AbcClass] | None, typer.Option(help="Only these ABC classes (repeat the option).")] = None,
    location: Annotated[str | None, typer.Option(help="Only this location.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many lines, most overdue first.")] = None,
) -> None:
    """Make a count list of the balances due for counting (A every 30 days, B 90, C 180)."""
    with plantops() as ops:
        made = counting.create_count_list(
            ops.uow(),
            today=dt.date.today(),
            abc_classes=set(abc) if abc else None,
            location=location,
            limit=limit,
            created_by=getpass.getuser(),
        )
    _print(made)


@app.command()
@reports_errors
def show(number: Annotated[str, typer.Argument(help="Count list number, e.g. CC-000001.")]) -> None:
    """A count list with what was expected and what was counted."""
    with plantops() as ops:
        _print(counting.read_count_list(ops.uow(), number))


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def record(
    number: Annotated[str, typer.Argument(help="Count list number.")],
    item: Annotated[str, typer.Argument(help="Item code.")],
    location: Annotated[str, typer.Argument(help="Location code.")],
    quantity: Annotated[str, typer.Argument(help="The quantity found.")],
    lot: Annotated[str | None, typer.Option(help="Lot or serial number.")] = None,
) -> None:
    """Record what was found for one line of a count list."""
    try:
        counted = Decimal(quantity)
    except InvalidOperation:
        raise ValidationError("count", "quantity", f"{quantity!r} is not a number") from None
    with plantops() as ops:
        _print(counting.record_counts(ops.uow(), number, [(item, location, lot, counted)]))


@app.command()
@reports_errors
def post(number: Annotated[str, typer.Argument(help="Count list number.")]) -> None:
    """Post the differences between the counts and the ledger as adjustments."""
    with plantops() as ops:
        result = counting.post_count(ops.uow(), number, posted_by=getpass.getuser(), now=dt.datetime.now(dt.UTC))
    console.print(
        f"Count list {result.number} posted (posting {result.posting_id}): "
        f"{len(result.adjusted)} of {counted(len(result.lines), 'line')} adjusted."
    )
    for line in result.adjusted:
        console.print(
            f"  {line.item} at {line.location}{' lot ' + line.lot if line.lot else ''}: "
            f"{line.difference.normalize():+f}"
        )


def _print(count_list: CountList) -> None:
    table = Table(
        "item",
        "location",
        "lot",
        "expected",
        "counted",
        title=f"Count list {count_list.number} ({count_list.status.value})",
    )
    for line in count_list.lines:
        counted = "" if line.counted is None else f"{line.counted.normalize():f}"
        table.add_row(line.item, line.location, line.lot or "", f"{line.expected.normalize():f}", counted)
    print_table(table)
