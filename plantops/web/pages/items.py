"""Items: the catalog by type, procurement, family and ABC class, and an item's page with its
BOM tree, where it is used and its routing."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from plantops.services.catalog import describe_item
from plantops.services.master_data.records import list_records
from plantops.vocabulary import AbcClass, ItemType, Procurement
from plantops.web.auth import plant
from plantops.web.forms import PageNumber
from plantops.web.templating import render

router = APIRouter(prefix="/items")

PAGE_SIZE = 50
#: The columns items can be narrowed down by: their label and the words each takes.
FILTERS = {
    "item_type": ("Type", ItemType),
    "procurement": ("Procurement", Procurement),
    "abc_class": ("ABC class", AbcClass),
}


@router.get("")
def items_page(
    request: Request,
    code: Annotated[str, Query(title="Open item by code")] = "",
    item_type: Annotated[str, Query(title=FILTERS["item_type"][0])] = "",
    procurement: Annotated[str, Query(title=FILTERS["procurement"][0])] = "",
    abc_class: Annotated[str, Query(title=FILTERS["abc_class"][0])] = "",
    family: Annotated[str, Query(title="Family")] = "",
    search: Annotated[str, Query(title="Search")] = "",
    page: PageNumber = 1,
) -> Response:
    """The catalog a page at a time, searched by code or name and filtered; a code typed in opens that item's page."""
    if code.strip():
        return RedirectResponse(f"{request.scope.get('root_path', '')}/items/{quote(code.strip())}", status_code=303)
    chosen = {"item_type": item_type, "procurement": procurement, "abc_class": abc_class, "family": family.strip()}
    search = search.strip()
    found = list_records(
        plant(request).uow(),
        "items",
        filters={name: value or None for name, value in chosen.items()},
        search=search,
        sort=["code"],
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "items/index.html",
        items=[r.values for r in found.records],
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // PAGE_SIZE)),
        filters=chosen,
        search=search,
        query=urlencode({name: value for name, value in {**chosen, "search": search}.items() if value}),
        choices=FILTERS,
    )


@router.get("/{code}")
def item_page(request: Request, code: str) -> Response:
    view = describe_item(plant(request).uow(), code)
    return render(request, "items/item.html", view=view, code=code)
