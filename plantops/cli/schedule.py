"""``plantops schedule``: schedule the work on finite capacity, read the schedule, repair it after a disruption."""

from __future__ import annotations

import datetime as dt
import getpass
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo

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
from plantops.services.scheduling import dispatch as dispatching
from plantops.services.scheduling import lateness, moves, queries, runs
from plantops.services.scheduling.queries import RunView, WorkCenterSequence
from plantops.services.scheduling.runs import ScheduleRequest, ScheduleSummary
from plantops.vocabulary import ScheduleRunKind

app = typer.Typer()

#: The longest Gantt chart: every day a schedule's work may reach (its longest horizon, and the overflow past it).
GANTT_DAYS = 7 * runs.MAX_WEEKS * (1 + runs.OVERFLOW)
#: The widest Gantt chart, in columns.
GANTT_WIDTH = 1000
TimeLimit = Annotated[float, typer.Option(min=0, max=runs.MAX_TIME_LIMIT_S, help="Seconds the solver may search.")]
Seed = Annotated[int, typer.Option(help="Random seed of the search.")]
Workers = Annotated[int, typer.Option(help="Solver threads.")]


def _instant(text: str, option: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(
            f"{text!r} is not a date and time such as 2026-11-24T06:00 or 2026-11-24T05:00Z", param_hint=option
        ) from error


@app.callback(invoke_without_command=True)
@reports_errors
def run(
    context: typer.Context,
    weeks: Annotated[int, typer.Option(help="Horizon in weeks.")] = 4,
    time_limit: TimeLimit = 10.0,
    seed: Seed = 0,
    workers: Workers = 2,
    planned: Annotated[bool, typer.Option(help="Schedule the make orders of the plan in force too.")] = True,
    start: Annotated[str | None, typer.Option(help="Horizon start (ISO, with a zone or in UTC; default: now).")] = None,
) -> None:
    """Schedule released work orders and planned make orders on the work centers' calendars."""
    if context.invoked_subcommand is not None:
        return
    begins = _instant(start, "--start") if start else dt.datetime.now(dt.UTC)
    request = ScheduleRequest(
        horizon_start=begins if begins.utcoffset() is not None else begins.replace(tzinfo=dt.UTC),
        weeks=weeks,
        time_limit_s=time_limit,
        seed=seed,
        workers=workers,
        include_planned=planned,
    )
    with plantops() as ops, step_progress(3, "Scheduling") as progress:
        summary = runs.schedule_work(ops.uow(), request, progress=progress)
    _print_summary(summary)


@app.command()
@reports_errors
def show(
    resource: Annotated[str | None, typer.Option(help="Only this work center.")] = None,
    late: Annotated[bool, typer.Option(help="Only the late orders.")] = False,
    days: Annotated[int, typer.Option(min=1, max=GANTT_DAYS, help="Days the Gantt chart spans.")] = 7,
    width: Annotated[int, typer.Option(min=20, max=GANTT_WIDTH, help="Columns of the Gantt chart.")] = 112,
) -> None:
    """Per work center: the sequence of operations, load and a text Gantt chart; late orders; the critical path."""
    with plantops() as ops:
        run_view = queries.run_in_force(ops.uow())
        found = [] if late else queries.sequences(ops.uow(), work_center=resource)
        overdue = lateness.why_late(ops.uow())
        critical = [] if late or resource else queries.critical_path(ops.uow())
    _print_run(run_view)
    for sequence in found:
        _print_sequence(sequence, run_view, days=days, width=width)
    table = Table(
        "order", "item", "weight", "due", "completes", "late by", "why", title=f"Late orders ({len(overdue)})"
    )
    for order in overdue:
        zone = ZoneInfo(order.time_zone)
        table.add_row(
            order.number,
            order.item,
            str(order.weight),
            f"{order.due_at.astimezone(zone):%a %d %b %H:%M}",
            f"{order.completion_at.astimezone(zone):%a %d %b %H:%M}",
            _duration(order.lateness_minutes),
            order.cause.value if order.cause else "",
        )
    print_table(table)
    if critical:
        console.print(
            "Critical path: " + " -> ".join(f"{op.order}/{op.sequence} on {op.work_center}" for op in critical)
        )


@app.command()
@reports_errors
def disrupt(
    resource: Annotated[str, typer.Argument(help="Work center code.")],
    from_: Annotated[str, typer.Option("--from", help="Down from (ISO; without a zone: the site's local time).")],
    to: Annotated[str, typer.Option(help="Down until (ISO; without a zone: the site's local time).")],
    reason: Annotated[str, typer.Option(help="Why it is down.")] = "",
    time_limit: TimeLimit = 10.0,
    seed: Seed = 0,
    workers: Workers = 2,
) -> None:
    """Record that a work center is down and repair the schedule, moving as few operations as possible."""
    starts_at, ends_at = _instant(from_, "--from"), _instant(to, "--to")
    with plantops() as ops, step_progress(3, "Repairing") as progress:
        summary = runs.disrupt(
            ops.uow(),
            resource,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            now=dt.datetime.now(dt.UTC),
            time_limit_s=time_limit,
            seed=seed,
            workers=workers,
            progress=progress,
        )
    _print_summary(summary)


@app.command(context_settings=NUMBER_ARGUMENTS)
@reports_errors
def rush(
    item: Annotated[str, typer.Argument(help="Item code.")],
    quantity: Annotated[str, typer.Argument(help="Quantity to make.")],
    due: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Due date.")],
    number: Annotated[str | None, typer.Option(help="Work order number (default RUSH-n).")] = None,
    weight: Annotated[int, typer.Option(help="How much more its lateness weighs than an ordinary order's.")] = (
        runs.RUSH_WEIGHT
    ),
    time_limit: TimeLimit = 10.0,
    seed: Seed = 0,
    workers: Workers = 2,
) -> None:
    """Release a rush work order and repair the schedule around it."""
    try:
        amount = Decimal(quantity)
    except InvalidOperation as error:
        raise typer.BadParameter(f"{quantity!r} is not a number", param_hint="QUANTITY") from error
    with plantops() as ops, step_progress(3, "Repairing") as progress:
        summary = runs.rush_order(
            ops.uow(),
            item,
            amount,
            due=due.date(),
            number=number,
            weight=weight,
            now=dt.datetime.now(dt.UTC),
            time_limit_s=time_limit,
            seed=seed,
            workers=workers,
            progress=progress,
        )
    _print_summary(summary)


@app.command()
@reports_errors
def late(output: FormatOption = Format.TABLE) -> None:
    """The late orders of the schedule, latest first, and why each is late: its due date was already out
    of reach (before the schedule's start, or before its routing could finish), or it queued for capacity."""
    with plantops() as ops:
        overdue = lateness.why_late(ops.uow())
    listing = Listing(
        f"Late orders ({len(overdue)})",
        [
            "order",
            "source",
            "item",
            "due",
            "completes",
            Column("late by", _duration),
            "why",
            "earliest completion",
            Column("queued", lambda m: "" if m is None else _duration(m)),
        ],
    )
    for o in overdue:
        zone = ZoneInfo(o.time_zone)
        earliest = o.earliest_completion_at.astimezone(zone) if o.earliest_completion_at else None
        listing.add(
            o.number,
            o.source,
            o.item,
            o.due_at.astimezone(zone),
            o.completion_at.astimezone(zone),
            o.lateness_minutes,
            o.cause,
            earliest,
            o.queued_minutes,
        )
    print_listing(listing, output)


@app.command("dispatch")
@reports_errors
def dispatch_list(
    resource: Annotated[str, typer.Argument(help="Work center code.")],
    date: Annotated[
        dt.datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="The day (the site's; default today).")
    ] = None,
    shift: Annotated[str | None, typer.Option(help="A shift of that day in the work center's calendar.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Or a window from (ISO; the site's time).")] = None,
    to: Annotated[str | None, typer.Option(help="Until (ISO; the site's time).")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """A work center's dispatch list: its operations in sequence for a shift, a day or a time window."""
    with plantops() as ops:
        found = dispatching.dispatch_list(
            ops.uow(),
            resource,
            day=date.date() if date else None if from_ or to else dt.date.today(),
            shift=shift,
            starts_at=_instant(from_, "--from") if from_ else None,
            ends_at=_instant(to, "--to") if to else None,
        )
    zone = ZoneInfo(found.time_zone)
    span = f"{found.starts_at:%a %Y-%m-%d %H:%M} to {found.ends_at:%a %Y-%m-%d %H:%M} ({found.time_zone})"
    listing = Listing(
        f"{found.work_center} {found.name}, {found.shift + ' shift, ' if found.shift else ''}{span}; {found.schedule}",
        [
            "order",
            "item",
            "step",
            "operation",
            "quantity",
            "unit",
            "start",
            "end",
            Column("setup", lambda minutes: _duration(minutes) if minutes else ""),
            "started",
        ],
    )
    for line in found.lines:
        listing.add(
            line.order,
            line.item,
            line.sequence,
            line.operation,
            line.quantity,
            line.unit,
            line.starts_at.astimezone(zone),
            line.ends_at.astimezone(zone),
            line.setup_minutes,
            line.started,
        )
    print_listing(listing, output)


@app.command()
@reports_errors
def move(
    order: Annotated[str, typer.Argument(help="Order number.")],
    step: Annotated[int, typer.Argument(help="The operation's step (sequence) in its routing.")],
    start: Annotated[str, typer.Option(help="New start (ISO; without a zone: the site's local time).")],
    unit: Annotated[
        int | None, typer.Option(help="Unit of its work center, 1 for the first (default: its own).")
    ] = None,
    time_limit: TimeLimit = 10.0,
    seed: Seed = 0,
    workers: Workers = 2,
) -> None:
    """Pin an operation at a start (and unit of its work center) and repair the schedule around it."""
    starts_at = _instant(start, "--start")
    with plantops() as ops, step_progress(3, "Repairing") as progress:
        summary = moves.move_operation(
            ops.uow(),
            order,
            step,
            starts_at=starts_at,
            unit=unit,
            now=dt.datetime.now(dt.UTC),
            time_limit_s=time_limit,
            seed=seed,
            workers=workers,
            progress=progress,
        )
    _print_summary(summary)


@app.command()
@reports_errors
def undo() -> None:
    """Undo the last move: the schedule before it is in force again."""
    with plantops() as ops:
        undone = moves.undo_move(ops.uow(), run_by=getpass.getuser())
    console.print(f"{undone.number}: {undone.restores} is in force again (undid {undone.undid}: {undone.reason}).")


def _print_summary(summary: ScheduleSummary) -> None:
    quality = "proven optimal" if summary.proven_optimal else f"{summary.status.value}, bound {summary.bound:,.0f}"
    timing = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in summary.seconds.items())
    console.print(
        f"{summary.number}: {counted(summary.operations, 'operation')} of {counted(summary.orders, 'order')} scheduled "
        f"({quality}; objective {summary.objective:,.0f}); the last ends {summary.finishes_at:%Y-%m-%d %H:%M} UTC; "
        f"{counted(summary.late_orders, 'late order')}; {timing}."
    )
    if summary.without_routing:
        console.print(f"Not scheduled (no routing): {', '.join(summary.without_routing)}")
    if summary.kind == ScheduleRunKind.REPAIR:
        console.print(f"{counted(len(summary.moves), 'operation')} moved.")
        if summary.moves:
            table = Table("order", "step", "work center", "start before", "start now", title="Moved operations")
            for move in summary.moves:
                center = move.work_center_after
                if move.work_center_before != center:
                    center = f"{move.work_center_before} -> {center}"
                table.add_row(
                    move.order,
                    str(move.sequence),
                    center,
                    f"{move.starts_before:%a %d %b %H:%M}",
                    f"{move.starts_after:%a %d %b %H:%M}",
                )
            print_table(table)


def _print_run(run: RunView) -> None:
    quality = "proven optimal" if run.proven_optimal else f"{run.status.value}, bound {run.bound:,.0f}"
    what = f"repair: {run.reason}" if run.reason else run.kind.value
    console.print(
        f"{run.number} ({what}) by {run.run_by}: {run.horizon_start:%Y-%m-%d %H:%M} to "
        f"{run.horizon_end:%Y-%m-%d %H:%M} UTC, {quality}, objective {run.objective:,.0f}"
        + (f", {counted(run.moved_operations, 'operation')} moved" if run.moved_operations is not None else "")
    )


def _print_sequence(sequence: WorkCenterSequence, run: RunView, *, days: int, width: int) -> None:
    if not sequence.operations:
        console.print(f"{sequence.work_center} {sequence.name}: no operations")
        return
    zone = ZoneInfo(sequence.time_zone)
    table = Table(
        "start",
        "end",
        "unit",
        "order",
        "item",
        "step",
        "setup",
        "",
        title=f"{sequence.work_center} {sequence.name} ({counted(sequence.units, 'unit')}, load {sequence.load:.0%}, "
        f"utilisation {sequence.utilisation:.0%}; {sequence.time_zone})",
    )
    for op in sequence.operations:
        flags = " ".join(
            word for word, on in (("started", op.frozen), ("critical", op.critical), ("late", op.late)) if on
        )
        table.add_row(
            f"{op.starts_at.astimezone(zone):%a %d %b %H:%M}",
            f"{op.ends_at.astimezone(zone):%a %d %b %H:%M}",
            str(op.unit + 1),
            op.order,
            op.item,
            f"{op.sequence} {op.name}",
            _duration(op.setup_minutes) if op.setup_minutes else "",
            flags,
        )
    print_table(table)
    start = run.horizon_start.astimezone(zone)
    chart = queries.gantt(sequence, start=start, end=start + dt.timedelta(days=days), width=width)
    per_day = width / days
    ruler = "".join(
        f"{(start + dt.timedelta(days=d)):%a %d}".ljust(round((d + 1) * per_day) - round(d * per_day))[
            : round((d + 1) * per_day) - round(d * per_day)
        ]
        for d in range(days)
    )
    console.print(f"         {ruler}", highlight=False)
    for unit, row in enumerate(chart.rows, start=1):
        console.print(f"unit {unit:<3} [bold]{row}[/bold]", highlight=False)
    if chart.legend:
        console.print(
            "  ".join(f"{symbol}={op.order}/{op.sequence}" for symbol, op in chart.legend.items()), highlight=False
        )


def _duration(minutes: int) -> str:
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours}h{mins:02d}"
