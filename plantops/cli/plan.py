"""``plantops plan``: run material requirements planning and work with its result."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli.common import (
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
    step_progress,
)
from plantops.services.planning import pegging as peggings
from plantops.services.planning import queries, runs
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.queries import OrderView
from plantops.vocabulary import PlanExceptionKind, Procurement

app = typer.Typer()

ROW_NAMES = {
    "gross_requirements": "Gross requirements",
    "scheduled_receipts": "Scheduled receipts",
    "projected_on_hand": "Projected on hand",
    "net_requirements": "Net requirements",
    "planned_order_receipts": "Planned order receipts",
    "planned_order_releases": "Planned order releases",
}


@app.callback(invoke_without_command=True)
@reports_errors
def run(
    context: typer.Context,
    weeks: Annotated[int, typer.Option(help="Planning horizon in weeks.")] = 52,
    start: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Today of the plan.")] = None,
    frozen: Annotated[int, typer.Option(help="Weeks of frozen fence: no new orders due inside.")] = 0,
    slushy: Annotated[int, typer.Option(help="Weeks of slushy fence: new orders flagged.")] = 0,
    forecast_backward: Annotated[int, typer.Option(help="Weeks before its own an order consumes forecast.")] = 1,
    forecast_forward: Annotated[int, typer.Option(help="Weeks after its own an order consumes forecast.")] = 1,
) -> None:
    """Plan what to make, buy and transfer, and when; the new plan replaces the old one only when complete."""
    if context.invoked_subcommand is not None:
        return
    request = PlanRequest(
        start=start.date() if start else dt.date.today(),
        weeks=weeks,
        frozen_weeks=frozen,
        slushy_weeks=slushy,
        forecast_backward=forecast_backward,
        forecast_forward=forecast_forward,
    )
    with plantops() as ops, step_progress(3, "Planning") as progress:
        summary = runs.run_plan(ops.uow(), request, progress=progress)
    timing = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in summary.seconds.items())
    console.print(
        f"{summary.number}: {counted(summary.planned_orders, 'planned order')} for "
        f"{counted(summary.nodes, 'item at a site', 'items at sites')} "
        f"({counted(summary.firm_orders_kept, 'firm order')} kept); {timing}."
    )
    if summary.exceptions:
        console.print("Exceptions: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in summary.exceptions.items()))


@app.command()
@reports_errors
def show(
    item: Annotated[str, typer.Argument(help="Item code.")],
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    weeks: Annotated[int, typer.Option(min=1, help="How many weeks to show.")] = 12,
) -> None:
    """The time-phased MRP record of an item, as in the textbook table."""
    with plantops() as ops:
        tables = queries.mrp_table(ops.uow(), item=item, site=site)
    for t in tables:
        table = Table(
            "",
            *(f"{d:%d %b}" for d in t.buckets[:weeks]),
            title=f"{t.item} at {t.site} ({t.run}, low-level code {t.low_level_code})",
        )
        for name, label in ROW_NAMES.items():
            table.add_row(label, *(_n(v) for v in t.rows[name][:weeks]))
        print_table(table)


@app.command()
@reports_errors
def exceptions(
    kind: Annotated[PlanExceptionKind | None, typer.Option(help="Only this kind.")] = None,
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    output: FormatOption = Format.TABLE,
) -> None:
    """Exception messages of the plan: expedite, defer, cancel, past due, below safety stock, late demand."""
    with plantops() as ops:
        run_number, found = queries.plan_exceptions(ops.uow(), kind=kind, item=item, limit=limit)
        total = queries.count_plan_exceptions(ops.uow(), kind=kind, item=item)
    columns = ["week of", "kind", "item", "site", "document", "message"]
    listing = Listing(f"Exceptions of {run_number}", columns, total=total)
    for e in found:
        listing.add(e.date, e.kind, e.item, e.site, e.document, e.message)
    print_listing(listing, output)


@app.command()
@reports_errors
def orders(
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    kind: Annotated[Procurement | None, typer.Option(help="make, buy or transfer.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    output: FormatOption = Format.TABLE,
) -> None:
    """Planned orders, by release date."""
    with plantops() as ops:
        run_number, found = queries.planned_orders(ops.uow(), item=item, kind=kind, limit=limit)
        total = queries.count_planned_orders(ops.uow(), item=item, kind=kind)
    quantity = Column("quantity", text=_n)
    columns: list[Column | str] = [
        "order",
        "kind",
        "item",
        "site",
        quantity,
        "release",
        "due",
        "from",
        "status",
        "released as",
    ]
    listing = Listing(f"Planned orders of {run_number}", columns, total=total)
    for o in found:
        where = (o.item, o.site)
        listing.add(
            o.number,
            o.kind,
            *where,
            o.quantity,
            o.release_date,
            o.due_date,
            o.supplier or o.source_site,
            o.status,
            o.released_as,
        )
    print_listing(listing, output)


@app.command()
@reports_errors
def peg(order: Annotated[str, typer.Argument(help="Planned order number, e.g. P3-12.")]) -> None:
    """The end demands a planned order serves, through every BOM level."""
    with plantops() as ops:
        view, lines = peggings.pegging(ops.uow(), order)
    _print_order(view)
    table = Table("serves", "item", "site", "week of", "quantity", "demand", title=f"Pegging of {view.number}")
    for line in lines:
        table.add_row(
            line.kind.replace("_", " "),
            line.item,
            line.site,
            str(line.week or ""),
            _n(line.quantity),
            line.demand or "",
        )
    print_table(table)


@app.command(name="firm")
@reports_errors
def firm_order(order: Annotated[str, typer.Argument(help="Planned order number.")]) -> None:
    """Firm a planned order: later runs keep it as it is."""
    with plantops() as ops:
        _print_order(queries.firm(ops.uow(), order))


@app.command(name="release")
@reports_errors
def release_order(order: Annotated[str, typer.Argument(help="Planned order number.")]) -> None:
    """Release a planned order as a purchase order (buy) or a work order (make)."""
    with plantops() as ops:
        _print_order(queries.release(ops.uow(), order, today=dt.date.today()))


def _print_order(o: OrderView) -> None:
    status = o.status.value + (f" as {o.released_as}" if o.released_as else "")
    console.print(
        f"{o.number}: {o.kind.value} {_n(o.quantity)} {o.item} at {o.site}, release {o.release_date}, "
        f"due {o.due_date} ({status})"
    )


def _n(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "" if number == 0 else f"{number:,.6g}"
