"""``plantops policy``: compute inventory policies, read and explain them, apply each at its item's site for MRP."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer
from rich.table import Table

from plantops.cli.common import (
    Column,
    Format,
    FormatOption,
    Listing,
    Shown,
    console,
    counted,
    plantops,
    print_listing,
    print_table,
    reports_errors,
    step_progress,
)
from plantops.engines.policy import SimulationResult
from plantops.errors import ValidationError
from plantops.services.policy import apply, queries, runs
from plantops.services.policy.queries import LineView, RunView
from plantops.vocabulary import DemandDistribution, PolicyMethod, ReplenishmentPolicy, ServiceMeasure

app = typer.Typer()

ItemsOption = Annotated[str | None, typer.Option("--items", help="Only these items, comma-separated.")]
RunOption = Annotated[str | None, typer.Option(help="The policy run (default: the newest).")]


def _codes(items: str | None) -> tuple[str, ...]:
    return tuple(code.strip() for code in items.split(",") if code.strip()) if items else ()


@app.callback(invoke_without_command=True)
@reports_errors
def compute(
    context: typer.Context,
    service_level: Annotated[
        float | None, typer.Option(help="Cycle service level for every item (default: 98/95/90 % by ABC class).")
    ] = None,
    fill_rate: Annotated[
        float | None, typer.Option(help="Fill rate for every item instead of a service level.")
    ] = None,
    items: ItemsOption = None,
    method: Annotated[PolicyMethod, typer.Option(help="How to compute the policy.")] = PolicyMethod.REORDER_POINT,
    distribution: Annotated[
        DemandDistribution | None, typer.Option(help="Demand law for every item (default: fitted per item).")
    ] = None,
    history_weeks: Annotated[int, typer.Option(help="Weeks of sales history to use.")] = 52,
    horizon_weeks: Annotated[int, typer.Option(help="Weeks of forecast the mean demand is taken over.")] = 13,
    holding_rate: Annotated[float, typer.Option(help="Holding cost rate a year, for items without one.")] = 0.25,
    ordering_cost: Annotated[float, typer.Option(help="Cost of an order, for items without one.")] = 50.0,
    service_days: Annotated[int, typer.Option(help="Guaranteed service: days promised to customers.")] = 0,
    today: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The day to plan from.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many lines.")] = 100,
) -> None:
    """Compute the policy of every item at every site that has demand and show it; `apply` writes it to MRP."""
    if context.invoked_subcommand is not None:
        return
    if service_level is not None and fill_rate is not None:
        raise ValidationError("policy", "fill_rate", "give either --service-level or --fill-rate, not both")
    measure = ServiceMeasure.FILL_RATE if fill_rate is not None else ServiceMeasure.CYCLE_SERVICE_LEVEL
    request = runs.PolicyRequest(
        today=today.date() if today else dt.date.today(),
        method=method,
        measure=measure,
        target=fill_rate if fill_rate is not None else service_level,
        items=_codes(items),
        history_weeks=history_weeks,
        horizon_weeks=horizon_weeks,
        distribution=distribution,
        holding_cost_rate=holding_rate,
        ordering_cost=ordering_cost,
        customer_service_days=service_days,
    )
    with plantops() as ops:
        with step_progress(3, "Computing policies") as progress:
            summary = runs.compute_policies(ops.uow(), request, computed_by=getpass.getuser(), progress=progress)
        run, lines = queries.policy_lines(ops.uow(), run=summary.number, limit=limit)
    _print_lines(run, lines, summary.lines, Format.TABLE)
    console.print(
        f"{summary.number}: {counted(summary.lines, 'policy', 'policies')}; "
        "`plantops policy apply` writes each into its item's planning data at its site, for MRP."
    )
    for skipped in summary.skipped:
        console.print(f"Skipped {skipped.item}{' at ' + skipped.site if skipped.site else ''}: {skipped.reason}.")


@app.command()
@reports_errors
def show(
    items: ItemsOption = None,
    run: RunOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many lines.")] = 100,
    output: FormatOption = Format.TABLE,
) -> None:
    """The policies of a run, as computed."""
    with plantops() as ops:
        header, lines = queries.policy_lines(ops.uow(), run=run, items=_codes(items), limit=limit)
        total = queries.count_policy_lines(ops.uow(), run=header.number, items=_codes(items))
    _print_lines(header, lines, total, output)


@app.command()
@reports_errors
def explain(
    item: Annotated[str, typer.Argument(help="Item code.")],
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    run: RunOption = None,
    simulation: Annotated[bool, typer.Option(help="Check the policy on simulated demand.")] = True,
) -> None:
    """Why the policy of an item is what it is, and how it fares on simulated demand."""
    with plantops() as ops:
        header, explanations = queries.explain(ops.uow(), item, site=site, run=run, simulated=simulation)
    for explanation in explanations:
        view = explanation.line
        console.rule(f"{view.item} at {view.site} ({header.number}, {header.method.value.replace('_', ' ')})")
        for paragraph in explanation.paragraphs:
            console.print(paragraph)
        if explanation.simulation is not None:
            console.print(_simulated(explanation.simulation))


@app.command(name="apply")
@reports_errors
def apply_run(
    items: ItemsOption = None,
    run: RunOption = None,
    lot_sizing: Annotated[
        bool, typer.Option(help="Also write the policy (--no-lot-sizing writes the safety stock only).")
    ] = True,
) -> None:
    """Write each policy into its item's planning data at its site (safety stock and policy), all or nothing."""
    with plantops() as ops:
        number, changes = apply.apply_policies(
            ops.uow(), items=_codes(items), run=run, lot_sizing=lot_sizing, applied_by=getpass.getuser()
        )
    table = Table("item", "site", "policy", "r or s", "Q or S", "safety stock", title=f"Applied from {number}")
    for change in changes:
        policy, level, quantity = (
            " -> ".join(pair) for pair in zip(_policy(change, 0), _policy(change, 1), strict=True)
        )
        table.add_row(
            change.item,
            change.site + (" (new record)" if change.created else ""),
            policy,
            level,
            quantity,
            f"{_n(change.safety_stock[0])} -> {_n(change.safety_stock[1])}",
        )
    print_table(table)
    console.print(
        f"{counted(len(changes), 'policy', 'policies')} applied, each at its site (the items' own values are "
        "unchanged); the next `plantops plan` carries them out."
    )


def _policy(change: apply.Change, at: int) -> tuple[str, str, str]:
    """The site's policy before (``at`` 0) or after (1) applying: its kind, r or s, and Q or S
    (none: MRP nets against the safety stock with the lot-size rule)."""
    match change.policy[at]:
        case ReplenishmentPolicy.REORDER_POINT:
            return "(r, Q)", f"r {_n(change.reorder_point[at])}", f"Q {_n(change.order_quantity[at])}"
        case ReplenishmentPolicy.MIN_MAX:
            return "(s, S)", f"s {_n(change.reorder_point[at])}", f"S {_n(change.order_up_to[at])}"
    return "none", "-", "-"


def _print_lines(run: RunView, lines: list[LineView], total: int, output: Format) -> None:
    measure = "CSL" if run.measure is ServiceMeasure.CYCLE_SERVICE_LEVEL else "fill"

    def percent(value: object) -> str:
        return f"{float(value):.1%}"  # type: ignore[arg-type]

    columns: list[Column | str] = [
        "item",
        "site",
        "class",
        "law",
        Column(f"target {measure}", percent),
        Column("demand/wk", lambda value: _n(value, 1)),
        *("safety stock", "reorder pt", "order qty", "order up to"),
        Column("cost/yr", lambda value: f"{float(value):,.0f}"),
        Column("CSL", percent),
        Column("fill", percent),
        "applied",
    ]
    title = f"{run.number}: {run.method.value.replace('_', ' ')} policies of {run.computed_at:%Y-%m-%d %H:%M} UTC"
    listing = Listing(title, columns, total=total)
    for view in lines:
        line = view.line
        quantities = (line.safety_stock, line.reorder_point, line.order_quantity, line.order_up_to)
        listing.add(
            view.item,
            view.site,
            f"{line.abc_class.value}{line.xyz_class.value}",
            line.distribution,
            line.service_target,
            line.demand_mean,
            *(Shown(value, _n(value, view.decimals)) for value in quantities),
            line.expected_cost,
            line.expected_cycle_service,
            line.expected_fill_rate,
            view.applied,
        )
    print_listing(listing, output)


def _simulated(result: SimulationResult) -> str:
    return (
        f"Simulated ({queries.SIMULATED_RUNS} runs of {queries.SIMULATED_WEEKS} weeks, stock reviewed once a day "
        "with the day's demand in one lump, so large days lower the service below the formula's): fill rate "
        f"{result.fill_rate.mean:.1%} ± {result.fill_rate.standard_error:.1%}, cycle service level "
        f"{result.cycle_service_level.mean:.1%} ± {result.cycle_service_level.standard_error:.1%}, on hand "
        f"{result.on_hand.mean:,.1f} on average."
    )


def _n(value: object, decimals: int = 6) -> str:
    """A quantity with at most ``decimals`` decimals, trailing zeros dropped."""
    if value is None:
        return "-"
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.rstrip("0").rstrip(".") if "." in text else text
