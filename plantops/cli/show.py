"""``plantops show``: look at one record and what hangs off it."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table
from rich.tree import Tree

from plantops.cli.common import console, plantops, print_table, reports_errors
from plantops.services import catalog, item_sites
from plantops.services.catalog import BomNode, BomView, ItemView
from plantops.services.inventory.ledger import quantity_text

app = typer.Typer(no_args_is_help=True)


@app.command()
@reports_errors
def item(code: Annotated[str, typer.Argument(help="The item's code, e.g. BIKE-CITY.")]) -> None:
    """The item, its planning per site, its BOM tree (with co-products) and where it is used."""
    with plantops() as ops:
        view = catalog.describe_item(ops.uow(), code)
        sites = item_sites.planning_of_item(ops.uow(), code)
    console.print(_facts(view))
    if sites:
        per_site = Table("parameter", *(p.site for p in sites), title="Planning per site (* the item's own value)")
        for name, settings in item_sites.by_parameter(sites):
            per_site.add_row(name, *(_setting(setting) for setting in settings))
        print_table(per_site)
    for bom in view.boms:
        tree = Tree(_bom_label(bom, view.unit))
        _grow(tree, bom)
        console.print(tree)
    if not view.boms:
        console.print("[dim]No BOM makes this item.[/dim]")
    if view.routing:
        routing = Table("seq", "operation", "work center", "setup min", "run min/unit", title="Routing")
        for step in view.routing:
            routing.add_row(
                str(step.sequence),
                step.name,
                step.work_center,
                quantity_text(step.setup_minutes),
                quantity_text(step.run_minutes),
            )
        print_table(routing)
    used = Table("parent item", "BOM", "quantity", "role", title="Where used")
    for use in view.used_in:
        used.add_row(use.parent_item, use.bom, quantity_text(use.quantity), "output" if use.as_output else "component")
    if view.used_in:
        print_table(used)
    else:
        console.print("[dim]No BOM uses this item.[/dim]")


def _facts(view: ItemView) -> Panel:
    facts = view.item
    shown = {k: v for k, v in facts.items() if v not in (None, "") and k not in ("code", "name")}
    body = "\n".join(f"[bold]{k}[/bold]: {_value(v)}" for k, v in shown.items())
    return Panel(body + f"\n[bold]unit[/bold]: {view.unit}", title=f"{facts['code']}  {facts['name']}")


def _bom_label(bom: BomView, unit: str) -> str:
    batch = quantity_text(bom.quantity)
    label = f"[bold]BOM {bom.code}[/bold] ({bom.shape.value}): {batch} {unit} of {bom.item}"
    if bom.outputs:
        label += f", main share {quantity_text(bom.main_cost_share)}"
        outs = "; ".join(
            f"{o.kind.value.replace('_', '-')} {o.item} {quantity_text(o.quantity)}"
            f" (share {quantity_text(o.cost_share)})"
            for o in bom.outputs
        )
        label += f"\n  also yields: {outs}"
    if bom.routing:
        label += f"  [dim]routing {bom.routing}[/dim]"
    return label


def _grow(tree: Tree, bom: BomView) -> None:
    for node in bom.components:
        branch = tree.add(_node_label(node))
        if node.bom is not None:
            if node.bom.outputs:
                branch.label = f"{branch.label}  [dim]via {node.bom.code} ({node.bom.shape.value})[/dim]"
            _grow(branch, node.bom)


def _node_label(node: BomNode) -> str:
    label = f"{node.item} x {quantity_text(node.quantity)} {node.unit}  [dim]{node.name}[/dim]"
    notes = []
    if node.item_type.value == "phantom":
        notes.append("phantom")
    if node.scrap_factor:
        notes.append(f"scrap {quantity_text(node.scrap_factor)}")
    if node.alternate_group:
        notes.append(f"alternate group {node.alternate_group} priority {node.priority}")
    if node.valid_from or node.valid_to:
        notes.append(f"valid {node.valid_from or '…'} to {node.valid_to or '…'}")
    return label + (f"  [yellow]{', '.join(notes)}[/yellow]" if notes else "")


def _setting(setting: item_sites.Setting) -> str:
    """A site's value, marked ``*`` where it is the item's own, ``(derived)`` where it follows from its source."""
    if setting.source is item_sites.Source.NONE:
        return "-"
    mark = {item_sites.Source.ITEM: " *", item_sites.Source.DERIVED: " (derived)"}.get(setting.source, "")
    return _value(setting.value) + mark


def _value(value: Any) -> str:
    if hasattr(value, "value"):
        return str(value.value)
    if hasattr(value, "normalize"):
        return quantity_text(value)
    return str(value)
