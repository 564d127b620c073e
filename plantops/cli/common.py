"""What every command shares: the console, error reporting, opening the database."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import OperationalError

from plantops.bootstrap import PlantOps, build
from plantops.db import migrate
from plantops.errors import PlantOpsError

console = Console()
P = ParamSpec("P")
R = TypeVar("R")


errors = Console(stderr=True, soft_wrap=True)
ERROR_EXIT_CODE = 2


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a PlantOps error into one line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PlantOpsError as error:
            _fail(str(error))
        except OperationalError as error:
            _fail(f"database error: {error.orig}")

    return wrapper


def _fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/bold red] {escape(message)}", markup=True, highlight=False)
    raise typer.Exit(ERROR_EXIT_CODE)


@contextmanager
def plantops(*, migrate_schema: bool = False, check_schema: bool = True) -> Iterator[PlantOps]:
    """PlantOps on the configured database; its schema must be current unless we migrate it."""
    ops = build()
    try:
        if migrate_schema:
            ops.migrate()
        elif check_schema and migrate.current_revision(ops.engine) != migrate.head_revision(ops.engine):
            raise PlantOpsError(
                f"the database {ops.engine.url.render_as_string()} is not initialised or is out of date: "
                "run `plantops init`"
            )
        yield ops
    finally:
        ops.close()


@contextmanager
def step_progress(total: int, description: str) -> Iterator[Callable[[str], None]]:
    """A progress bar advanced once per named step; yields the callback services take."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
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
