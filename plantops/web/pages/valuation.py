"""Inventory valuation: what the stock of each item was worth at the end of a day, computed from
the ledger (:mod:`plantops.services.inventory.valuation`), as a list sorted, filtered, paged and
exported (:mod:`..lists`) at ``/stock/valuation?as_of=2026-11-30``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from plantops import bounds
from plantops.db.session import UnitOfWork
from plantops.errors import ValidationError
from plantops.services.inventory.valuation import InventoryValuation, value_inventory
from plantops.services.master_data.values import NUMBER
from plantops.vocabulary import ValuationMethod
from plantops.web import forms, lists
from plantops.web.auth import plant
from plantops.web.templating import render

router = APIRouter(prefix="/stock/valuation")

LABELS = {"as_of": "As of the end of"}
COLUMNS = (
    lists.Column("item", "Item", link="items"),
    lists.Column("method", "Method", shown="words"),
    lists.Column("quantity", "Quantity", NUMBER),
    lists.Column("unit_cost", "Unit cost", NUMBER),
    lists.Column("value", "Value", NUMBER, shown="money"),
)


def list_view(valued: InventoryValuation | None) -> lists.ListView:
    """The items of a valuation (none where the date could not be read), by method and item code."""

    def fetch(_uow: UnitOfWork, query: lists.Query, offset: int, limit: int) -> lists.Rows:
        rows: list[lists.Row] = [vars(line) for line in valued.items.values()] if valued else []
        method, search = query.filters.get("method"), query.search.lower()
        rows = [
            row
            for row in rows
            if (not method or row["method"].value == method) and (not search or search in row["item"].lower())
        ]
        for word in reversed(query.sort):
            name = word.removeprefix("-")
            rows.sort(key=lambda row: _sort_key(row[name]), reverse=word.startswith("-"))
        return lists.Rows(len(rows), rows[offset : offset + limit])

    return lists.ListView(
        name="valuation",
        title="Inventory valuation",
        path="/stock/valuation",
        columns=COLUMNS,
        fetch=fetch,
        filters=(
            lists.Filter(
                "method", "Method", choices=tuple((m.value, m.value.replace("_", " ")) for m in ValuationMethod)
            ),
        ),
        sort=("item",),
        key=("item",),
    )


def _sort_key(value: Any) -> Any:
    """A cell as it sorts: a closed word by its text, a number as a number."""
    return getattr(value, "value", value)


@router.get("")
def valuation_page(request: Request) -> Response:
    typed = request.query_params.get("as_of", "").strip()
    errors: dict[str, str] = {}
    valued = None
    try:
        valued = value_inventory(plant(request).uow(), as_of=_end_of(typed))
    except ValidationError as error:
        errors = {"as_of": error.reason}
    view = list_view(valued)
    query = lists.read_query(request, view)
    if typed:
        query = replace(query, filters={**query.filters, "as_of": typed})
    return render(
        request,
        "valuation/index.html",
        400 if errors else 200,
        listing=lists.fetch(request, view, query),
        valued=valued,
        form={"as_of": typed},
        errors=errors,
        labels=LABELS,
    )


@router.get("/export.{fmt}")
def valuation_export(request: Request, fmt: str) -> Response:
    as_of = _end_of(request.query_params.get("as_of", "").strip())
    return lists.export(request, list_view(value_inventory(plant(request).uow(), as_of=as_of)), fmt)


def _end_of(typed: str) -> dt.datetime:
    """The end of the day typed (midnight UTC after it; the ledger keeps UTC), or now where none is."""
    day = forms.date("valuation", "as_of", typed)
    if day is None:
        return dt.datetime.now(dt.UTC)
    bounds.check_date("valuation", "as_of", day)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
