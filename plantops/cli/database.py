"""``plantops init``: create the database or bring its schema up to date."""

from __future__ import annotations

import typer

from plantops.cli.common import console, plantops, reports_errors

app = typer.Typer()


@app.command()
@reports_errors
def init() -> None:
    """Create the database, or upgrade it to the newest schema (Alembic migrations), and compile the scheduler."""
    with plantops(check_schema=False) as ops:
        before, after = ops.migrate()
        url = ops.engine.url.render_as_string()
    if before == after:
        console.print(f"Database {url} is up to date (revision {after}).")
    else:
        console.print(f"Database {url} upgraded from {before or 'empty'} to revision {after}.")
    prepare_scheduler()


def prepare_scheduler() -> None:
    """Compile the scheduler's search, or load it from the cache on disk, and say how long it took."""
    from plantops.services.scheduling.runs import prepare_search

    with console.status("Compiling the scheduler's search (once per install)..."):
        seconds = prepare_search()
    console.print(f"Scheduler's search ready ({seconds:.1f} s).")
