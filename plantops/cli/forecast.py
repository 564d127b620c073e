"""``plantops forecast``: forecast demand from the sales history, publish it to MRP, and work with it."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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
    progress_bar,
    reports_errors,
)
from plantops.engines.forecast import CANDIDATE_MODELS
from plantops.engines.forecast.reconcile import Reconciliation
from plantops.errors import ValidationError
from plantops.services.forecasting import accuracy as scoring
from plantops.services.forecasting import overrides, queries, runs
from plantops.services.forecasting.chart import forecast_chart
from plantops.services.forecasting.queries import SeriesView

app = typer.Typer()


@app.callback(invoke_without_command=True)
@reports_errors
def run(
    context: typer.Context,
    horizon: Annotated[int, typer.Option(help="Weeks to forecast.")] = 26,
    levels: Annotated[str, typer.Option(help="Prediction interval levels in percent, comma-separated.")] = "80,95",
    items: Annotated[str | None, typer.Option(help="Only these items (comma-separated codes).")] = None,
    reconcile: Annotated[
        Reconciliation, typer.Option(help="Make item, family, site and company forecasts add up.")
    ] = Reconciliation.MINT_SHRINK,
    models: Annotated[
        str | None, typer.Option(help="Only these candidate models (comma-separated), e.g. AutoETS,CrostonSBA.")
    ] = None,
    publish: Annotated[bool, typer.Option(help="Publish the new version to MRP's demand forecast.")] = True,
    jobs: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Forecast every item at every site from its sales history and publish it for MRP."""
    if context.invoked_subcommand is not None:
        return
    request = runs.ForecastRequest(
        horizon=horizon,
        levels=_levels(levels),
        items=_names(items),
        reconciliation=reconcile,
        models=_names(models) or CANDIDATE_MODELS,
        publish=publish,
        n_jobs=jobs,
    )
    with plantops() as ops, _series_progress() as progress:
        summary = runs.run_forecast(
            ops.uow(), request, run_by=getpass.getuser(), progress=progress, map_chunks=ops.map_function()
        )
    state = "published to MRP" if summary.published else "not published"
    console.print(
        f"{summary.number}: {counted(summary.series, 'item at a site', 'items at sites')} forecast for "
        f"{counted(summary.horizon, 'week')} "
        f"from the week of {summary.first_week}, {state}."
    )
    console.print("Demand: " + ", ".join(f"{n} {name}" for name, n in summary.classes.items()))
    console.print("Models: " + ", ".join(f"{n} {name}" for name, n in summary.models.items()))
    if summary.versions_scored:
        earlier = counted(summary.versions_scored, "earlier version")
        console.print(f"Accuracy of {earlier} scored against the new history.")


@app.command()
@reports_errors
def show(
    item: Annotated[str, typer.Argument(help="Item code.")],
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    weeks: Annotated[int, typer.Option(help="Weeks of history to show.")] = 12,
    plot: Annotated[Path | None, typer.Option(help="Save the chart to this PNG file.")] = None,
) -> None:
    """An item's recent history, its forecast and prediction intervals, and its overrides."""
    with plantops() as ops:
        views = queries.series_views(ops.uow(), item=item, site=site, history_weeks=max(weeks, 52 if plot else 0))
    for view in views:
        _print_view(view, weeks)
    if plot is not None:
        target = plot if len(views) == 1 else None
        for view in views:
            path = target or plot.with_name(f"{plot.stem}-{view.site}{plot.suffix or '.png'}")
            path.write_bytes(forecast_chart(view))
            console.print(f"Chart saved to {path}")


@app.command()
@reports_errors
def override(
    item: Annotated[str, typer.Argument(help="Item code.")],
    site: Annotated[str, typer.Option(help="Site code.")],
    week: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="A day of the week (its Monday is used).")],
    quantity: Annotated[str, typer.Option(help="The planner's forecast for the week.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the override).")],
) -> None:
    """Override the forecast of one week; MRP sees it at once and later versions keep it."""
    with plantops() as ops:
        view = overrides.override_forecast(
            ops.uow(), item=item, site=site, week=week.date(), quantity=quantity, reason=reason, by=getpass.getuser()
        )
    was = "nothing published" if view.statistical_quantity is None else f"statistical {_n(view.statistical_quantity)}"
    console.print(f"{view.item} at {view.site}, week of {view.week}: {_n(view.quantity)} ({was}), ", end="")
    console.print(f"by {view.created_by}: {view.reason}")


@app.command()
@reports_errors
def launch(
    item: Annotated[str, typer.Argument(help="The new item's code.")],
    site: Annotated[str, typer.Option(help="Site code.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the launch).")],
    like: Annotated[str | None, typer.Option(help="A similar item to forecast it like.")] = None,
    factor: Annotated[str, typer.Option(help="Times the similar item's forecast.")] = "1",
    weekly: Annotated[
        str | None, typer.Option(help="Without --like: expected quantity per week (default: the family's mean).")
    ] = None,
) -> None:
    """Forecast a new item by analogy (a similar item, or its family's profile) until it has its own history."""
    with plantops() as ops:
        overrides.launch_item(
            ops.uow(),
            item=item,
            site=site,
            like=like,
            factor=factor,
            weekly_quantity=weekly,
            reason=reason,
            by=getpass.getuser(),
        )
    how = (
        f"like {like} x {factor}" if like else "from its family's profile" + (f" at {weekly} a week" if weekly else "")
    )
    console.print(f"{item} at {site} will be forecast {how} until its own history is long enough.")


@app.command(name="publish")
@reports_errors
def publish_version(version: Annotated[str, typer.Argument(help="Forecast version, e.g. FC-000003.")]) -> None:
    """Publish a forecast version (again) to MRP's demand forecast, overrides applied."""
    with plantops() as ops:
        written = overrides.publish(ops.uow(), version, by=getpass.getuser())
    console.print(f"{version} published: {counted(written, 'weekly forecast')} for MRP.")


@app.command()
@reports_errors
def versions(
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 20,
    output: FormatOption = Format.TABLE,
) -> None:
    """Forecast versions, newest first."""
    with plantops() as ops:
        found = queries.versions(ops.uow(), limit=limit)
        total = queries.count_versions(ops.uow())
    columns = ["version", "made", "by", "history to", "first week", "weeks", "levels", "series"]
    listing = Listing("Forecast versions, newest first", [*columns, "published", "published by"], total=total)
    for v in found:
        made = (v.created_at, v.created_by, v.history_end, v.first_week, v.horizon_weeks, v.levels, v.series)
        listing.add(v.number, *made, v.published_at, v.published_by)
    print_listing(listing, output)


@app.command()
@reports_errors
def accuracy(
    version: Annotated[str | None, typer.Option(help="Only this version.")] = None,
    item: Annotated[str | None, typer.Option(help="Only this item.")] = None,
    history: Annotated[bool, typer.Option(help="Every scoring over time, not only the newest.")] = False,
    output: FormatOption = Format.TABLE,
) -> None:
    """Score the versions against the sales since, and list their accuracy per item (with overrides' value added)."""
    with plantops() as ops:
        scored, last_week = scoring.refresh_accuracy(ops.uow())
        rows = queries.accuracy(ops.uow(), version=version, item=item, latest_only=not history)
    if last_week is not None and output is Format.TABLE:
        console.print(f"{counted(scored, 'version')} scored against the sales history through the week of {last_week}.")
    digits = {"MASE": 3, "sMAPE": 1, "RMSSE": 3, "bias": 2}
    scores = [Column(name, functools.partial(_f, digits=d)) for name, d in digits.items()]
    columns: list[Column | str] = ["version", "item", "site", "through", "weeks", *scores, "overridden"]
    listing = Listing("Forecast accuracy", [*columns, Column("MASE final", _f), Column("value added", _f)])
    for r in rows:
        measures = (r.mase, r.smape, r.rmsse, r.bias)
        listing.add(
            r.version,
            r.item,
            r.site,
            r.evaluated_through,
            r.weeks,
            *measures,
            r.overridden_weeks,
            r.final_mase,
            r.value_added,
        )
    print_listing(listing, output)


def _print_view(view: SeriesView, weeks: int) -> None:
    state = "published" if view.published else "not published"
    cv = f", CV MASE {view.cv_mase:.3f}" if view.cv_mase is not None else ""
    console.print(
        f"[bold]{view.item} at {view.site}[/bold]: {view.version} ({state}), {view.demand_class.value} demand, "
        f"{view.model}{cv}" + (f" ({view.note})" if view.note else "")
    )
    if view.safety_stock_hint is not None and view.service_level is not None:
        console.print(
            f"Safety stock hint: {_n(view.safety_stock_hint)} for a {view.service_level:.1%} cycle service level "
            "over the lead time and a week."
        )
    history = Table("week of", "sold", title="Sales history")
    for week, sold in view.history[-weeks:]:
        history.add_row(str(week), _n(sold))
    print_table(history)
    forecast = Table("week of", "forecast", "published", *(f"{level} % interval" for level in view.levels))
    for w in view.forecast:
        forecast.add_row(
            str(w.week),
            _n(w.statistical),
            _n(w.published) if w.published is not None else "",
            *(f"{_n(w.lower[level])} - {_n(w.upper[level])}" for level in view.levels if level in w.lower),
        )
    print_table(forecast)
    if view.overrides:
        table = Table("week of", "quantity", "statistical", "by", "when", "why", title="Overrides")
        for o in view.overrides:
            table.add_row(
                str(o.week),
                _n(o.quantity),
                _n(o.statistical) if o.statistical is not None else "",
                o.by,
                f"{o.at:%Y-%m-%d %H:%M}",
                o.reason,
            )
        print_table(table)


@contextmanager
def _series_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over the series being forecast (reading and writing are steps of their own)."""
    with progress_bar() as progress:
        task = progress.add_task("Forecasting: read", total=None)

        def advance(step: str, done: int, total: int) -> None:
            progress.update(task, description=f"Forecasting: {step}", completed=done, total=total)

        yield advance


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def _levels(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValidationError("forecast", "levels", f"{text!r} is not a list of whole percentages like 80,95") from None


def _n(value: object) -> str:
    return f"{float(value):,.6g}"  # type: ignore[arg-type]


def _f(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"
