"""Commands on the whole plant's master data: seed the demo plant, import, export."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli.common import console, plantops, reports_errors, step_progress
from plantops.cli.database import prepare_scheduler
from plantops.errors import ValidationError
from plantops.services import catalog, demo, demo_purchases, master_data
from plantops.services.catalog import PlantSummary
from plantops.services.master_data.files import is_workbook
from plantops.services.master_data.importer import ImportReport
from plantops.services.master_data.sheets import SHEET_NAMES

app = typer.Typer()

STEPS = len(SHEET_NAMES) + 1  # validation, then each sheet


@app.command(name="demo")
@reports_errors
def seed_demo(
    scale: Annotated[
        int | None, typer.Option(min=1, help="Build a synthetic plant of this many items instead.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same plant.")] = 42,
    as_of: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The plant's today (default: today).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(help="Delete everything in the database first (refused where it holds work of users)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --replace: delete users' work too (users, postings, runs).")
    ] = False,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Then plan it end to end: forecast, inventory policies, MRP and a two-week schedule.",
        ),
    ] = False,
) -> None:
    """Seed the demo plant (bicycles and a dairy) and print what it contains; with --plan, plan it end to end."""
    clock = dt.datetime.now(dt.UTC)
    now = dt.datetime.combine(as_of.date(), clock.timetz()) if as_of else clock  # the plant's clock
    today = now.date()
    with plantops(migrate_schema=True) as ops:
        if replace:
            if not force:
                demo.require_only_demo_work(ops.uow())
            ops.reset()
        with step_progress(STEPS + 1, "Seeding") as progress:
            if scale is None:
                report = demo.seed_demo_plant(ops.uow(), as_of=today, seed=seed, progress=progress)
                bought = demo_purchases.seed_purchasing_history(ops.uow(), as_of=today, seed=seed, user=demo.DEMO_USER)
            else:
                report = demo.seed_synthetic_plant(ops.uow(), n_items=scale, as_of=today, seed=seed, progress=progress)
        summary = catalog.summarize_plant(ops.uow())
        url = ops.engine.url.render_as_string()
    kind = "Demo plant" if scale is None else f"Synthetic plant of {scale} items"
    console.print(f"{kind} (seed {seed}, as of {today}) seeded into {url}: {report.total} records.")
    if scale is None:
        console.print(
            f"Purchasing history: {bought.orders} orders, {bought.receipts} received, {bought.invoices} invoices "
            f"({bought.blocked_invoices} blocked by the three-way match)."
        )
    _print_summary(summary)
    prepare_scheduler()
    if plan:
        _plan_end_to_end(now)


def _plan_end_to_end(now: dt.datetime) -> None:
    steps = ("forecast", "policies", "plan", "schedule")
    with plantops() as ops, step_progress(len(steps), "Planning") as progress:
        done = demo.plan_end_to_end(ops.uow(), now=now, run_by=demo.DEMO_USER, step=progress)
    forecast, plan, schedule = done.forecast, done.plan, done.schedule
    console.print(
        f"{forecast.number}: {forecast.series} item-site forecasts for {forecast.horizon} weeks, published to MRP."
    )
    console.print(f"{done.policies.number}: {done.policies.lines} inventory policies, {done.policies_applied} applied.")
    exceptions = sum(plan.exceptions.values())
    console.print(f"{plan.number}: {plan.planned_orders} planned orders, {exceptions} exception messages.")
    console.print(
        f"{schedule.number}: {schedule.operations} operations of {schedule.orders} orders scheduled "
        f"({schedule.status.value}), {schedule.late_orders} late, "
        f"all done by {schedule.finishes_at:%Y-%m-%d %H:%M} UTC."
    )
    console.print(
        "Next: `plantops plan exceptions`, `plantops schedule show`, or `plantops user add NAME --role planner`"
        " and `plantops serve` for the web app."
    )


@app.command(name="import")
@reports_errors
def import_(
    path: Annotated[Path, typer.Argument(help="A folder of CSV files (one per sheet) or an .xlsx workbook.")],
) -> None:
    """Import master data; any bad row rejects the whole import and lists every problem."""
    with plantops(migrate_schema=True) as ops, step_progress(STEPS, "Importing") as progress:
        report = master_data.import_path(ops.uow(), path, posted_by=getpass.getuser(), progress=progress)
    _print_report(report)


@app.command()
@reports_errors
def export(
    path: Annotated[Path, typer.Argument(help="A folder for CSV files, or a file name ending in .xlsx.")],
) -> None:
    """Export all master data (and on-hand stock) as CSV files or one XLSX workbook."""
    if path.is_file() and not is_workbook(path):
        raise ValidationError(
            "export", "path", f"{path} is a file: give a folder for the CSV files, or a file name ending in .xlsx"
        )
    with plantops() as ops:
        try:
            counts = master_data.export_path(ops.uow(), path)
        except OSError as error:
            raise ValidationError(
                "export", "path", f"cannot write {error.filename or path}: {error.strerror}"
            ) from None
    console.print(f"Exported {sum(counts.values())} rows in {len(counts)} sheets to {path}.")


def _print_report(report: ImportReport) -> None:
    table = Table("sheet", "inserted", "updated", title="Imported")
    for name in report.inserted:
        table.add_row(name, str(report.inserted[name]), str(report.updated[name]))
    if report.stock_lines:
        table.add_row("opening_stock", f"{report.stock_lines} moves", "")
    console.print(table)


def _print_summary(summary: PlantSummary) -> None:
    table = Table("sheet", "rows", title="What the database holds")
    for name, count in summary.counts.items():
        if count:
            table.add_row(name, str(count))
    console.print(table)
    shapes = ", ".join(f"{count} {shape.value}" for shape, count in sorted(summary.boms_by_shape.items()))
    console.print(f"BOMs by process shape: {shapes or 'none'}")
