"""Items: the catalog by type, procurement, family and ABC class, and an item's page with its
BOM tree, where it is used and its routing."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.services import item_sites
from plantops.services.access import Permission
from plantops.services.catalog import describe_item
from plantops.web import lists
from plantops.web.auth import plant, signed_in
from plantops.web.templating import render

router = APIRouter(prefix="/items")

#: The catalog as a list: the columns a planner scans, filters on the closed words and the family.
ITEMS = lists.sheet_view(
    "items",
    path="/items",
    title="Items",
    columns=(
        "code",
        "name",
        "item_type",
        "procurement",
        "family",
        "unit",
        "abc_class",
        "lead_time_days",
        "standard_cost",
    ),
    labels={"item_type": "Type", "abc_class": "ABC", "lead_time_days": "Lead time (days)"},
    filters=("item_type", "procurement", "abc_class", "family"),
)


@router.get("")
def items_page(request: Request, code: Annotated[str, Query(title="Open item by code")] = "") -> Response:
    """The catalog a page at a time, searched by code or name, filtered, sorted and exported; a code
    typed in opens that item's page."""
    if code.strip():
        return RedirectResponse(f"{request.scope.get('root_path', '')}/items/{quote(code.strip())}", status_code=303)
    may_add = signed_in(request).may(Permission.MANAGE_MASTER_DATA.value)
    return lists.show(request, ITEMS, "items/index.html", new_url="/records/items/new" if may_add else None)


@router.get("/export.{fmt}")
def items_export(request: Request, fmt: str) -> Response:
    return lists.export(request, ITEMS, fmt)


@router.get("/{code}")
def item_page(request: Request, code: str) -> Response:
    view = describe_item(plant(request).uow(), code)
    sites = item_sites.planning_of_item(plant(request).uow(), code)
    return render(
        request, "items/item.html", view=view, code=code, sites=sites, per_site=item_sites.by_parameter(sites)
    )
