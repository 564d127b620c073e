"""The one list every page shows: sorted on the server by any column, filtered, paged with
its total count, exported as CSV or XLSX, its state in the URL.

A page declares a :class:`ListView` (its columns, its filters and a ``fetch`` function that
reads one page of rows from a service) and renders it with :func:`show`; the template
``lists/list.html`` draws the filter form, the table with sortable headers, the pager and
the export links. Everything the view shows comes from the query string (``sort=-due_date``,
``page=3``, ``size=100``, ``q=tube``, one parameter per filter), so a view can be bookmarked
and shared, and the back button works. Nothing silently stops at a limit: every row is
reachable through the pager, and the export writes every row that matches, page by page.

An export is a sheet of the exchange format (:mod:`plantops.services.master_data.files`):
columns named as in ``plantops export`` where the list is a sheet, values written as its
cells (ISO dates, decimal points), text that a spreadsheet would run as a formula escaped.

A list over a sheet of master data or orders needs no code of its own: :func:`sheet_view`
builds it from the sheet's columns, links included.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from plantops.db.session import UnitOfWork
from plantops.errors import ValidationError
from plantops.services.master_data.exporter import Table
from plantops.services.master_data.files import csv_bytes, workbook_bytes
from plantops.services.master_data.records import MAX_SEARCH, list_records, sheet_of
from plantops.services.master_data.sheets import Sheet
from plantops.services.master_data.values import BOOLEAN, DATE, INSTANT, INTEGER, NUMBER, TEXT, Choice, Kind
from plantops.web.auth import plant
from plantops.web.links import sheet_link
from plantops.web.templating import render

#: The page sizes a person may choose; the first is the default.
PAGE_SIZES = (50, 100, 200, 500)
#: The last page that may be asked for.
LAST_PAGE = 1_000_000
#: Rows read at a time while exporting.
EXPORT_CHUNK = 1000
#: The most rows an export writes (a worksheet holds 1,048,576 rows, one of them the header).
MAX_EXPORT_ROWS = 1_048_575
#: How a column's values are shown: the template filter that writes them.
SHOWN_AS = {NUMBER: "quantity", INTEGER: "quantity", DATE: "day", INSTANT: "day", BOOLEAN: "yes_no"}
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """A column of a list: ``name`` in its rows, ``label`` in its header.

    ``kind`` writes its cells in an export and reads a filter on it; ``link`` names the
    record page the value leads to (a sheet name: ``items``, ``suppliers``, ``purchase_orders``);
    ``shown`` is the template filter that writes it on the page (by default from ``kind``);
    ``link_parts`` name the columns whose values make the linked record's key (an item and a lot).
    """

    name: str
    label: str
    kind: Kind = TEXT
    link: str | None = None
    shown: str | None = None
    sortable: bool = True
    #: The row's columns that make the key of the record ``link`` names, where it has several parts.
    link_parts: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, INTEGER)

    @property
    def filter_name(self) -> str:
        return self.shown or SHOWN_AS.get(self.kind, "text")


@dataclass(frozen=True)
class Filter:
    """A filter of a list: ``choices`` (value, label) make it a menu; ``lookup`` (a sheet name)
    suggests that sheet's codes by code or name as one types; else it is a text field."""

    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    lookup: str | None = None


@dataclass(frozen=True)
class Query:
    """What a list shows: filters by name, a search text, the sort (column names, ``-`` for
    descending), the page and its size."""

    filters: dict[str, str] = field(default_factory=dict)
    search: str = ""
    sort: tuple[str, ...] = ()
    page: int = 1
    size: int = PAGE_SIZES[0]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass(frozen=True)
class Rows:
    """A page of a list: the rows asked for and how many match in all."""

    total: int
    rows: list[Row]


#: Reads the rows of a list: (the unit of work, what to show, offset, limit) -> a page.
Fetch = Callable[[UnitOfWork, Query, int, int], Rows]


@dataclass(frozen=True)
class ListView:
    """A list as a page declares it.

    ``name`` is the table's id on the page and the export's file name; ``path`` the address
    that shows it; ``sort`` the order when none is asked for; ``searchable`` offers the
    search field (code or name); ``sheet`` names the exchange-format sheet it matches;
    ``key`` names the columns that make a row's key, ``selectable`` offers a checkbox per row,
    ``mark`` highlights rows (a release date already past) and says why.
    """

    name: str
    title: str
    path: str
    columns: tuple[Column, ...]
    fetch: Fetch
    filters: tuple[Filter, ...] = ()
    sort: tuple[str, ...] = ()
    searchable: bool = True
    sheet: str | None = None
    key: tuple[str, ...] = ()
    selectable: bool = False
    #: What marks a row out (``late``: highlighted), and why, in words; None for most rows.
    mark: Callable[[Row], tuple[str, str] | None] | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def read_query(request: Request, view: ListView) -> Query:
    """The query string of ``request`` as what ``view`` shows; a bad value is a ValidationError
    naming the parameter and the reason."""
    request.state.labels = {  # an error names the parameter by its label (see plantops.web.app)
        "q": "Search",
        "sort": "Sort",
        "page": "Page",
        "size": "Rows",
        **{chosen.name: chosen.label for chosen in view.filters},
    }
    params = request.query_params
    filters = {}
    for chosen in view.filters:
        value = params.get(chosen.name, "").strip()
        if value and chosen.choices and value not in {v for v, _ in chosen.choices}:
            known = ", ".join(v for v, _ in chosen.choices)
            raise ValidationError(view.name, chosen.name, f"{value!r} is not one of {known}")
        if value:
            filters[chosen.name] = value
    search = params.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        raise ValidationError(view.name, "q", f"at most {MAX_SEARCH} characters")
    sort = tuple(word for word in params.get("sort", "").split(",") if word.strip()) or view.sort
    for word in sort:
        found = view.column(word.strip().removeprefix("-"))
        if found is None or not found.sortable:
            known = ", ".join(c.name for c in view.columns if c.sortable)
            raise ValidationError(view.name, "sort", f"no column {word!r} to sort by (known: {known})")
    return Query(
        filters,
        search if view.searchable else "",
        tuple(w.strip() for w in sort),
        _whole(view, params.get("page", ""), "page", 1, LAST_PAGE, 1),
        _size(view, params.get("size", "")),
    )


def _whole(view: ListView, text: str, name: str, low: int, high: int, default: int) -> int:
    if not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValidationError(view.name, name, f"{text!r} is not a whole number") from None
    if value < low:
        raise ValidationError(view.name, name, f"must be at least {low}")
    if value > high:
        raise ValidationError(view.name, name, f"must be at most {high:,}")
    return value


def _size(view: ListView, text: str) -> int:
    size = _whole(view, text, "size", 1, PAGE_SIZES[-1], PAGE_SIZES[0])
    if size not in PAGE_SIZES:
        raise ValidationError(view.name, "size", f"choose one of {', '.join(map(str, PAGE_SIZES))}")
    return size


@dataclass(frozen=True)
class Shown:
    """A list as the template draws it."""

    view: ListView
    query: Query
    total: int
    rows: list[Row]
    export_formats: tuple[str, ...] = ("csv", "xlsx")
    page_sizes: tuple[int, ...] = PAGE_SIZES

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.size))

    @property
    def first_row(self) -> int:
        return min(self.total, self.query.offset + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.query.offset + len(self.rows))

    @property
    def filtered(self) -> bool:
        return bool(self.query.filters or self.query.search)

    def url(self, **changes: Any) -> str:
        """The address of this list with ``changes`` made (``page=2``, ``sort="-due_date"``)."""
        return f"{self.view.path}?{self.query_string(**changes)}"

    def query_string(self, **changes: Any) -> str:
        query = self.query
        state: dict[str, Any] = {
            **query.filters,
            "q": query.search,
            "sort": ",".join(query.sort) if query.sort != self.view.sort else "",
            "size": query.size if query.size != PAGE_SIZES[0] else "",
            "page": query.page if query.page != 1 else "",
        }
        state.update(changes)
        if "page" not in changes and changes:
            state["page"] = ""  # a new sort, filter or size starts at the first page
        return urlencode({name: value for name, value in state.items() if value not in ("", None)})

    def sort_url(self, column: Column) -> str:
        """Sorting by ``column``: ascending first, then descending."""
        ascending = self.query.sort[:1] == (column.name,)
        return self.url(sort=f"-{column.name}" if ascending else column.name)

    def sorted_as(self, column: Column) -> str:
        """The column's ``aria-sort``: ascending, descending or none."""
        if self.query.sort[:1] == (column.name,):
            return "ascending"
        if self.query.sort[:1] == (f"-{column.name}",):
            return "descending"
        return "none"

    def export_url(self, fmt: str) -> str:
        return f"{self.view.path}/export.{fmt}?{self.query_string(page='', size='')}"

    def link(self, column: Column, row: Row) -> str | None:
        """The record page ``column``'s value in ``row`` leads to, if any: the row's own record
        (by all its key's parts) or the record the value names."""
        value = row.get(column.name)
        if column.link is None or value in (None, ""):
            return None
        if column.link_parts:
            return sheet_link(column.link, *(row.get(name) for name in column.link_parts))
        if column.link == self.view.sheet and self.view.key:
            return sheet_link(column.link, *(row.get(name) for name in self.view.key))
        return sheet_link(column.link, value)

    def row_mark(self, row: Row) -> tuple[str, str] | None:
        """The class and the reason that mark ``row`` out, if the view marks any."""
        return None if self.view.mark is None else self.view.mark(row)

    def row_key(self, row: Row) -> str:
        return "/".join("" if row.get(name) is None else str(row.get(name)) for name in self.view.key)


def fetch(request: Request, view: ListView, query: Query) -> Shown:
    """The page of ``view`` that ``query`` asks for."""
    found = view.fetch(plant(request).uow(), query, query.offset, query.size)
    return Shown(view, query, found.total, found.rows)


def fetch_query(request: Request, view: ListView, *, size: int) -> Shown:
    """The first ``size`` rows of ``view`` in its own order, whatever the page's query string
    says (a record page's lines and related records)."""
    query = Query(sort=view.sort, size=size)
    found = view.fetch(plant(request).uow(), query, 0, size)
    return Shown(view, query, found.total, found.rows)


def show(request: Request, view: ListView, template: str = "lists/page.html", **context: Any) -> Response:
    """The list page of ``view`` (or a page ``template`` that includes ``lists/list.html``)."""
    listing = fetch(request, view, read_query(request, view))
    return render(request, template, listing=listing, **context)


def export(request: Request, view: ListView, fmt: str) -> Response:
    """Every row of ``view`` that the query string's filters keep, in its sort, as a CSV file or
    a workbook (``fmt`` ``csv`` or ``xlsx``)."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(view.name, "format", f"export as csv or xlsx, not {fmt!r}")
    query = replace(read_query(request, view), page=1)
    uow = plant(request).uow
    first = view.fetch(uow(), query, 0, EXPORT_CHUNK)
    if first.total > MAX_EXPORT_ROWS:
        raise ValidationError(
            view.name, "export", f"{first.total:,} rows are more than a sheet holds ({MAX_EXPORT_ROWS:,}): filter first"
        )
    rows = [*first.rows, *_rest(uow, view, query, first)]
    columns = view.columns
    table = Table(
        [c.name for c in columns],
        [c.kind for c in columns],
        [[_written(c, row.get(c.name)) for c in columns] for row in rows],
    )
    name = view.sheet or view.name
    if fmt == "csv":
        body, media = csv_bytes(table), "text/csv; charset=utf-8"
    else:
        body, media = workbook_bytes({name: table}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _rest(uow: Callable[[], UnitOfWork], view: ListView, query: Query, first: Rows) -> Iterator[Row]:
    offset = len(first.rows)
    while offset < first.total and first.rows:
        found = view.fetch(uow(), query, offset, EXPORT_CHUNK)
        if not found.rows:
            return
        yield from found.rows
        offset += len(found.rows)


def _written(column: Column, value: Any) -> str:
    """A cell as the exchange format writes it (a closed word as its text, in any column)."""
    if isinstance(value, enum.Enum) and not isinstance(column.kind, Choice):
        return str(value.value)
    return column.kind.format(value)


# --- lists over sheets ------------------------------------------------------------------


def sheet_view(
    sheet_name: str,
    *,
    path: str,
    title: str,
    columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    filters: Sequence[str] = (),
    fixed: Mapping[str, str] | None = None,
    sort: Sequence[str] = (),
) -> ListView:
    """A list of the records of the sheet ``sheet_name``: its ``columns`` (by default all),
    ``filters`` on some of them (closed words become menus, references suggest codes),
    ``fixed`` filters always applied (the lines of one order)."""
    sheet = sheet_of(sheet_name)
    shown = [sheet.column_index[name] for name in (columns or [c.name for c in sheet.columns])]
    labels = labels or {}
    list_columns = tuple(
        Column(
            c.name,
            labels.get(c.name, label_of(c.name)),
            c.kind,
            link=_link(sheet, c.name, c.ref),
            shown="words" if isinstance(c.kind, Choice) else None,
        )
        for c in shown
    )
    menus = tuple(_filter(sheet, name, labels.get(name, label_of(name))) for name in filters)
    return ListView(
        name=sheet.name if not fixed else f"{sheet.name}-of-{'-'.join(fixed.values())}",
        title=title,
        path=path,
        columns=list_columns,
        fetch=_sheet_fetch(sheet, dict(fixed or {})),
        filters=menus,
        sort=tuple(sort) or tuple(sheet.key),
        sheet=sheet.name,
        key=sheet.key,
    )


def label_of(name: str) -> str:
    """A column name as a header: ``due_date`` -> ``Due date``."""
    return name.replace("_", " ").capitalize()


def _link(sheet: Sheet, name: str, ref: str | None) -> str | None:
    """A reference leads to the record it names; the last part of the key to the row's own record."""
    if ref is not None:
        return ref
    return sheet.name if name == sheet.key[-1] else None


def _filter(sheet: Sheet, name: str, label: str) -> Filter:
    column = sheet.column_index[name]
    if isinstance(column.kind, Choice):
        words = [str(member.value) for member in column.kind.enum_cls]
        return Filter(name, label, choices=tuple((w, w.replace("_", " ")) for w in words))
    if column.kind is BOOLEAN:
        return Filter(name, label, choices=(("true", "yes"), ("false", "no")))
    return Filter(name, label, lookup=column.ref)


def _sheet_fetch(sheet: Sheet, fixed: dict[str, str]) -> Fetch:
    def fetch_rows(uow: UnitOfWork, query: Query, offset: int, limit: int) -> Rows:
        page = list_records(
            uow,
            sheet.name,
            filters={**query.filters, **fixed},
            search=query.search or None,
            sort=query.sort,
            offset=offset,
            limit=limit,
        )
        return Rows(page.total, [record.values for record in page.records])

    return fetch_rows
