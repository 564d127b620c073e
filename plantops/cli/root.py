"""The ``plantops`` command: every group and command, imported from its module only when it runs.

A command's module pulls in what the command needs (the database, the forecasting
libraries, the web app), which takes seconds; ``plantops --help`` and ``plantops stock
onhand`` need none of the others. The root therefore knows each command by name, module
and a one-line summary (shown by ``--help``), and imports the module when the command is
invoked, the pattern Click documents as "lazily loading subcommands".
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer._click.core import Command, Context  # Typer's own Click
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup

import plantops


@dataclass(frozen=True)
class Entry:
    """Where a command lives: the ``app`` Typer of ``module``, whole (a group) or only its ``command``."""

    module: str
    summary: str
    command: str | None = None


COMMANDS: dict[str, Entry] = {
    "init": Entry("plantops.cli.database", "Create the database, or upgrade it to the newest schema.", command="init"),
    "demo": Entry("plantops.cli.app", "Seed the demo plant; with --plan, plan it end to end.", command="demo"),
    "import": Entry("plantops.cli.app", "Import master data from CSV files or an XLSX workbook.", command="import"),
    "export": Entry("plantops.cli.app", "Export all master data as CSV files or one XLSX workbook.", command="export"),
    "show": Entry("plantops.cli.show", "Show a record in detail."),
    "stock": Entry("plantops.cli.stock", "Stock: receipts, issues, moves, reservations and the ledger."),
    "plan": Entry(
        "plantops.cli.plan", "Material requirements planning: run the plan, read it, firm and release orders."
    ),
    "transfer": Entry(
        "plantops.cli.transfers", "Transfer orders between sites: create, ship and receive in parts, stock in transit."
    ),
    "purchase": Entry(
        "plantops.cli.purchasing", "Buying: requisitions, purchase proposals, RFQs with quotations, compare and award."
    ),
    "orders": Entry(
        "plantops.cli.orders", "Orders: the purchase and sales order books, promising a new line, cancelling."
    ),
    "policy": Entry(
        "plantops.cli.policy",
        "Inventory policies: safety stock, reorder points and order quantities per item and site.",
    ),
    "forecast": Entry(
        "plantops.cli.forecast",
        "Demand forecasting: forecast, publish to MRP, override, launch new items, track accuracy.",
    ),
    "schedule": Entry(
        "plantops.cli.schedule",
        "Finite-capacity scheduling: schedule the work, read the schedule, repair it after a disruption.",
    ),
    "user": Entry("plantops.cli.user", "Users of the HTTP API: add them, grant roles, issue tokens and API keys."),
    "jobs": Entry("plantops.cli.jobs", "Background jobs: list, follow and cancel them; declare recurring jobs."),
    "worker": Entry("plantops.cli.worker", "Run queued jobs until interrupted.", command="worker"),
    "serve": Entry("plantops.cli.serve", "Serve the HTTP API and the web app until interrupted.", command="serve"),
}


USAGE_EXIT_CODE = 2  # what Click gives a usage error, and the CLI any refused input


class _NotLoaded(TyperCommand):
    """A command whose module is not imported yet: its name and summary, for ``--help``."""


def load(name: str) -> Command:
    """Import the module of the command ``name`` and build its Click command (a group for a whole module)."""
    entry = COMMANDS[name]
    module = importlib.import_module(entry.module)
    group = typer.main.get_group(module.app)
    if entry.command is not None:
        return group.commands[entry.command]
    group.name, group.help = name, entry.summary
    return group


class LazyCommands(TyperGroup):
    """The root group: lists every command from :data:`COMMANDS`, imports one only when it is invoked."""

    def __init__(self, **attributes: object) -> None:
        super().__init__(**attributes)  # type: ignore[arg-type]
        for name, entry in COMMANDS.items():
            self.add_command(_NotLoaded(name, help=entry.summary), name)

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        if args and isinstance(self.commands.get(args[0]), _NotLoaded):
            self.commands[args[0]] = load(args[0])
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a usage error (unknown option, bad value) is one line on stderr and exit code 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            outcome = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as error:
            error.show()
            sys.exit(USAGE_EXIT_CODE)
        except ClickException as error:
            where = f"{error.ctx.command_path}: " if isinstance(error, UsageError) and error.ctx else ""
            typer.echo(f"error: {where}{error.format_message()}", err=True)
            sys.exit(USAGE_EXIT_CODE)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(outcome if isinstance(outcome, int) else 0)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"plantops {plantops.__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="plantops",
    cls=LazyCommands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """PlantOps: production and operations management, from demand to delivery."""
