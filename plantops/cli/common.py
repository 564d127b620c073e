"""What every command shares: the console, lists and tables, error reporting, opening the database."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError as SettingsError
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import ArgumentError, OperationalError

from plantops.bootstrap import PlantOps, build
from plantops.db import revision
from plantops.errors import PlantOpsError, ValidationError

console = Console()
P = ParamSpec("P")
R = TypeVar("R")


errors = Console(stderr=True, soft_wrap=True)
ERROR_EXIT_CODE = 2
#: Columns: wider than any table, for measuring a table's natural width.
UNBOUNDED = 1_000_000


#: Context settings of a command with a number among its arguments: "-5" is not taken for an unknown option
#: but reaches the argument, whose own check refuses it naming the field.
NUMBER_ARGUMENTS = {"ignore_unknown_options": True}


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a PlantOps error into one line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PlantOpsError as error:
            _fail(str(error))
        except OperationalError as error:
            _fail(f"database error: {_first_line(error.orig or error)}")

    return wrapper


def _fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/bold red] {escape(message)}", markup=True, highlight=False)
    raise typer.Exit(ERROR_EXIT_CODE)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and its noun, singular for exactly one: "1 unit", "2 units", "0 units".

    ``plural`` is for nouns that do not just take an "s" ("1 item at a site", "2 items at sites").
    """
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def print_table(table: Table) -> None:
    """Print ``table`` with every value whole.

    In a terminal narrower than the table, long values fold onto further lines instead of
    ending in an ellipsis; piped or logged (no terminal, where Rich assumes 80 columns) the
    table is printed as wide as its values need.
    """
    for column in table.columns:
        column.overflow = "fold"
    if console.is_terminal:
        console.print(table)
        return
    Console(file=console.file, width=max(console.width, _widest(table))).print(table)


def _widest(table: Table) -> int:
    """Columns enough for ``table`` on one line a row: its text cells' lengths, padding and rules.

    Counting the raw text (markup included) is quick and may only overstate the width, which a
    table that does not expand ignores; any other kind of cell is measured by Rich.
    """
    unbounded = console.options.update_width(UNBOUNDED)
    widths = [
        max(
            cell_len(cell) if isinstance(cell, str) else console.measure(cell, options=unbounded).maximum
            for cell in (column.header, *column.cells)
        )
        for column in table.columns
    ]
    return sum(widths) + 3 * len(widths) + 1  # a space either side of each value, a rule between and around


class Format(enum.StrEnum):
    """How a list command prints its rows."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", help="table (for people), csv or json (one object per row, for programs).")
]


def cell_text(value: object) -> str:
    """A value as a table cell: quantities without trailing zeros, times to the minute, words for enums."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


@dataclass(frozen=True)
class Shown:
    """A cell whose table text is its own (e.g. rounded to its item's unit); CSV and JSON get ``value``."""

    value: object
    text: str


def _data(value: object) -> object:
    """A value for CSV and JSON: exact decimals as text, times in ISO 8601, enums as their words."""
    if isinstance(value, Shown):
        return _data(value.value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return cell_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Column:
    """A column of a list: its heading and how a table shows its values (CSV and JSON get them as they are)."""

    name: str
    text: Callable[[Any], str] = cell_text


@dataclass
class Listing:
    """Rows of a list command; ``total`` is how many the query found when ``limit`` cut the rows short."""

    title: str
    columns: Sequence[Column | str]
    rows: list[Sequence[object]] = field(default_factory=list)
    total: int | None = None
    styles: list[str | None] = field(default_factory=list)

    def add(self, *values: object, style: str | None = None) -> None:
        self.rows.append(values)
        self.styles.append(style)


def print_listing(listing: Listing, output: Format) -> None:
    """Print ``listing`` as a Rich table, CSV or JSON; a table says when the limit held rows back."""
    columns = [c if isinstance(c, Column) else Column(c) for c in listing.columns]
    names = [c.name for c in columns]
    if output is Format.CSV:
        writer = csv.writer(_Echo(), lineterminator="\n")
        writer.writerow(names)
        writer.writerows([[_data(v) for v in row] for row in listing.rows])
        return
    if output is Format.JSON:
        records = [dict(zip(names, (_data(v) for v in row), strict=True)) for row in listing.rows]
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    title = listing.title
    if listing.total is not None and listing.total > len(listing.rows):
        title += f" ({len(listing.rows)} of {listing.total}; --limit shows more)"
    table = Table(title=title)
    for column in columns:
        table.add_column(column.name)
    for row, style in zip(listing.rows, listing.styles or [None] * len(listing.rows), strict=True):
        cells = (v.text if isinstance(v, Shown) else c.text(v) for c, v in zip(columns, row, strict=True))
        table.add_row(*cells, style=style)
    print_table(table)


class _Echo:
    """A file-like target for :mod:`csv` that writes each row through ``typer.echo``."""

    def write(self, text: str) -> None:
        typer.echo(text, nl=False)


@contextmanager
def plantops(*, migrate_schema: bool = False, check_schema: bool = True) -> Iterator[PlantOps]:
    """PlantOps on the configured database; its schema must be current unless we migrate it."""
    try:
        ops = build()
    except SettingsError as error:  # a PLANTOPS_ variable of the wrong kind
        first = error.errors()[0]
        name = "PLANTOPS_" + "_".join(str(part) for part in first["loc"]).upper()
        raise ValidationError("settings", name, first["msg"]) from None
    except ArgumentError as error:  # a URL SQLAlchemy cannot read, or of a database it does not know
        raise ValidationError("settings", "PLANTOPS_DATABASE_URL", _first_line(error)) from None
    try:
        if migrate_schema:
            ops.migrate()
        elif check_schema and not revision.schema_is_current(ops.engine):
            raise PlantOpsError(
                f"the database {ops.engine.url.render_as_string()} is not initialised or is out of date: "
                "run `plantops init`"
            )
        yield ops
    finally:
        ops.close()


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def progress_bar() -> Progress:
    """A transient progress bar on the console, shown only in a terminal (piped output stays the result alone)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


@contextmanager
def step_progress(total: int, description: str) -> Iterator[Callable[[str], None]]:
    """A progress bar advanced once per named step; yields the callback services take."""
    with progress_bar() as progress:
        task = progress.add_task(description, total=total)
        started = False

        def advance(step: str) -> None:
            nonlocal started
            if started:
                progress.advance(task)
            started = True
            progress.update(task, description=f"{description}: {step}")

        yield advance
        progress.update(task, completed=total)
