"""``plantops plan``: run material requirements planning and work with its result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

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
    step_progress,
)
from plantops.errors import ValidationError
from plantops.services.planning import actions, pegging, queries, runs
from plantops.services.planning.pegging import DemandPegging, PegView, ReceiptView
from plantops.services.planning.problem import PlanRequest
from plantops.services.planning.queries import ACTIONS, OrderView
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
    columns = ["exception", "week of", "kind", "item", "site", "document", "message", "actions"]
    listing = Listing(f"Exceptions of {run_number}", columns, total=total)
    for e in found:
        listing.add(e.number, e.date, e.kind, e.item, e.site, e.document, e.message, " ".join(e.actions))
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
def peg(
    order: Annotated[
        str | None, typer.Argument(help="Planned order (P3-12), purchase order line (PO-7/1) or work order.")
    ] = None,
    demand: Annotated[
        str | None, typer.Option(help="Instead: a sales order line (SO-1001/1) or all lines of a sales order.")
    ] = None,
) -> None:
    """The end demands an order serves, through every BOM level; or, with --demand, every order serving a demand."""
    if (order is None) == (demand is None):
        raise ValidationError("peg", "order", "name an order, or a demand with --demand, not both")
    if demand is not None:
        with plantops() as ops:
            run_number, lines = pegging.demand_pegging(ops.uow(), demand)
        for line in lines:
            _print_demand(line, run_number)
        return
    with plantops() as ops:
        view, pegs = pegging.peg_up(ops.uow(), order or "")
    _print_pegs(view, pegs)


def _print_pegs(view: OrderView | ReceiptView, pegs: list[PegView]) -> None:
    if isinstance(view, OrderView):
        _print_order(view)
    else:
        console.print(f"{view.document}: {_n(view.quantity)} {view.item} at {view.site}, due {view.due_date}")
    name = view.number if isinstance(view, OrderView) else view.document
    table = Table("serves", "item", "site", "week of", "quantity", "demand", title=f"Pegging of {name}")
    for line in pegs:
        table.add_row(
            line.kind.replace("_", " "),
            line.item,
            line.site,
            str(line.week or ""),
            _n(line.quantity),
            line.demand or "",
        )
    print_table(table)


def _print_demand(line: DemandPegging, run_number: str) -> None:
    console.print(f"{line.demand}: {_n(line.quantity)} {line.item} at {line.site}, due {line.due_date}")
    table = Table(
        "level",
        "item",
        "site",
        "supply",
        "order",
        "quantity",
        "arrives",
        "needed",
        "late",
        title=f"Orders serving {line.demand} in {run_number}",
    )
    for supply in line.supply:
        late = f"{supply.late}, {supply.days_late} days" if supply.late and supply.days_late else supply.late or ""
        table.add_row(
            "  " * supply.level + str(supply.level),
            supply.item,
            supply.site,
            supply.kind.replace("_", " "),
            supply.document or "",
            _n(supply.quantity),
            str(supply.date or ""),
            str(supply.need_date or ""),
            late,
        )
    print_table(table)
    if line.limit is not None:
        console.print(f"Limited by {line.limit.cause}: {line.limit.explanation}", highlight=False)


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def change(
    order: Annotated[str, typer.Argument(help="Planned order number, e.g. P3-12.")],
    quantity: Annotated[str | None, typer.Option(help="New quantity, in the item's unit.")] = None,
    due: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="New due date.")] = None,
    supplier: Annotated[
        str | None, typer.Option(help="New supplier (bought items): one that supplies the item.")
    ] = None,
) -> None:
    """Change a planned order's quantity, due date or supplier; the change firms it, so later runs keep it."""
    amount = _quantity(quantity) if quantity is not None else None
    with plantops() as ops:
        changed = actions.change(ops.uow(), order, quantity=amount, due=due.date() if due else None, supplier=supplier)
    _print_order(changed)


@app.command(name="firm")
@reports_errors
def firm_order(orders: Annotated[list[str], typer.Argument(help="Planned order numbers.")]) -> None:
    """Firm planned orders (all of them or none): later runs keep them as they are."""
    with plantops() as ops:
        for view in actions.firm_all(ops.uow(), orders):
            _print_order(view)


@app.command(name="release")
@reports_errors
def release_order(orders: Annotated[list[str], typer.Argument(help="Planned order numbers.")]) -> None:
    """Release planned orders (all of them or none) as purchase orders (buy) or work orders (make)."""
    with plantops() as ops:
        for view in actions.release_all(ops.uow(), orders, today=dt.date.today()):
            _print_order(view)


@app.command()
@reports_errors
def act(
    exception: Annotated[str, typer.Argument(help="Exception number, e.g. E3-17 (see `plan exceptions`).")],
    action: Annotated[str, typer.Argument(help=" | ".join(ACTIONS))],
) -> None:
    """Do what an exception message asks: expedite, defer or cancel its order, or firm or release its planned order."""
    with plantops() as ops:
        done = actions.act(ops.uow(), exception, action, today=dt.date.today())
    console.print(f"{done.exception}: {done.message}.", highlight=False)


def _quantity(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError("planned order", "quantity", f"{text!r} is not a number") from None


def _print_order(o: OrderView) -> None:
    status = o.status.value + (f" as {o.released_as}" if o.released_as else "")
    console.print(
        f"{o.number}: {o.kind.value} {_n(o.quantity)} {o.item} at {o.site}, release {o.release_date}, "
        f"due {o.due_date} ({status})"
    )


def _n(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "" if number == 0 else f"{number:,.6g}"
