"""Master data and orders in the browser: every sheet of the exchange format as a list, and
every record as a page with tabs (details, lines, history, related), edited, created and
deleted through the same services and checks as an import.

* ``/records``: the sheets, and a workbook or CSV files uploaded from the browser;
* ``/records/<sheet>``: its records, sorted, filtered, paged and exported (:mod:`..lists`);
* ``/records/<sheet>/<code>`` (or ``/records/<sheet>/by-key?part=..`` where the key has
  several parts): the record. Changing it names the version it was read at, so a second
  editor is told that someone saved first, and nothing is overwritten
  (:func:`plantops.services.master_data.records.update_record`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from babel import numbers
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from plantops.errors import ImportRejectedError, NotFoundError, PlantOpsError, RowProblem, ValidationError
from plantops.services.access import Permission
from plantops.services.access.audit import AuditRecord, audit_trail
from plantops.services.inventory import genealogy
from plantops.services.master_data import records as service
from plantops.services.master_data import uploads
from plantops.services.master_data.records import Record
from plantops.services.master_data.sheets import SHEETS, SHEETS_BY_NAME, Column, Sheet
from plantops.services.master_data.values import BOOLEAN, DATE, INSTANT, INTEGER, NUMBER, TIME, Choice
from plantops.web import forms, lists
from plantops.web.auth import Forbidden, User, plant, require, signed_in, work_as
from plantops.web.links import BY_KEY, record_link, sheet_link
from plantops.web.templating import render

router = APIRouter()

#: The sheets whose rows are the lines of another's record: (parent sheet -> line sheets).
LINES = {
    "calendars": ("calendar_shifts", "calendar_holidays"),
    "work_centers": ("work_center_downtimes",),
    "routings": ("routing_operations",),
    "boms": ("bom_components", "bom_outputs"),
    "suppliers": ("supplier_items",),
    "sales_orders": ("sales_order_lines",),
    "purchase_orders": ("purchase_order_lines",),
}


def _no_context(_request: Request, _record: Record) -> dict[str, Any]:
    return {}


def _lot_genealogy(request: Request, record: Record) -> dict[str, Any]:
    """A lot's genealogy: the lots it was made from and the lots it went into."""
    item, lot = str(record.values["item"]), str(record.values["code"])
    uow = plant(request).uow
    return {
        "item": item,
        "lot": lot,
        "backward": genealogy.trace(uow(), item=item, lot=lot, direction="backward"),
        "forward": genealogy.trace(uow(), item=item, lot=lot, direction="forward"),
    }


#: What a record page of these sheets shows below its details: a template and what it needs.
PANELS: dict[str, tuple[str, Callable[[Request, Record], dict[str, Any]]]] = {
    "sales_orders": ("orders/sales_panel.html", _no_context),
    "lots": ("stock/genealogy.html", _lot_genealogy),
}
#: Rows of each related list a record page shows; the rest are a link away.
RELATED_ROWS = 10
HISTORY_ROWS = 50
TABS = ("details", "lines", "history", "related")
#: Master data sheets in the order a person looks for them (the rest follow in load order).
FIRST = ("items", "boms", "routings", "work_centers", "suppliers", "customers", "sites", "locations")


def title_of(sheet: Sheet) -> str:
    return lists.label_of(sheet.name)


def singular(sheet: Sheet) -> str:
    return title_of(sheet).removesuffix("s").removesuffix("ie") + ("y" if sheet.name.endswith("ies") else "")


def _sheet(name: str) -> Sheet:
    sheet = SHEETS_BY_NAME.get(name)
    if sheet is None:
        raise NotFoundError("sheet", name)
    return sheet


def _sheets_in_order() -> list[Sheet]:
    """The sheets as a person looks for them: :data:`FIRST`, then the rest in load order."""
    return sorted(SHEETS, key=lambda s: (FIRST.index(s.name) if s.name in FIRST else len(FIRST), SHEETS.index(s)))


def list_view(sheet: Sheet) -> lists.ListView:
    """The list of a sheet's records: every column, a filter on each closed word and reference."""
    filters = [c.name for c in sheet.columns if c.ref or isinstance(c.kind, Choice) or c.kind is BOOLEAN]
    return lists.sheet_view(sheet.name, path=f"/records/{sheet.name}", title=title_of(sheet), filters=filters)


@router.get("/records")
def sheets_page(request: Request) -> Response:
    return render(
        request,
        "records/index.html",
        sheets=_sheets_in_order(),
        title_of=title_of,
        writable=uploads.WRITE_PERMISSION,
        report=None,
    )


@router.post("/records/import")
async def import_files(request: Request, user: Annotated[User, Depends(require(Permission.READ))]) -> Response:
    """Import a workbook or CSV files sent from the browser: every row, or none and every bad row listed."""
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    problems: list[Any] = []
    report = None
    try:
        sheets = uploads.read_uploads([(f.filename or "", await f.read()) for f in files])
        uploads.check_rights(user.principal, [s.name for s in sheets])
        report = service.import_records(work_as(request, user), sheets, posted_by=user.username)
    except ImportRejectedError as error:
        problems = error.problems
    except uploads.NotAllowedToImportError as error:
        problems = [str(error)]
    except PlantOpsError as error:
        problems = [forms.explain(error, {"files": "Files"})]
    return render(
        request,
        "records/index.html",
        400 if problems else 200,
        sheets=_sheets_in_order(),
        title_of=title_of,
        writable=uploads.WRITE_PERMISSION,
        report=report,
        problems=problems,
    )


@router.get("/lookup/{sheet_name}")
def lookup(request: Request, sheet_name: str, q: str = "") -> Response:
    """Up to 20 records whose code or name holds ``q`` (any case), as the options of a datalist."""
    sheet = _sheet(sheet_name)
    found = service.list_records(plant(request).uow(), sheet.name, search=q.strip()[: service.MAX_SEARCH], limit=20)
    options = [(r.values[sheet.key[-1]], r.values.get("name") or "") for r in found.records if len(sheet.key) == 1]
    return render(request, "records/options.html", options=options)


@router.get("/records/{sheet_name}")
def records_list(request: Request, sheet_name: str) -> Response:
    sheet = _sheet(sheet_name)
    can_write = _may_write(request, sheet)
    return lists.show(request, list_view(sheet), new_url=f"/records/{sheet.name}/new" if can_write else None)


@router.get("/records/{sheet_name}/export.{fmt}")
def records_export(request: Request, sheet_name: str, fmt: str) -> Response:
    return lists.export(request, list_view(_sheet(sheet_name)), fmt)


@router.get("/records/{sheet_name}/new")
def new_record(request: Request, sheet_name: str) -> Response:
    sheet = _sheet(sheet_name)
    _check_write(request, sheet)
    given = {name: request.query_params.get(name, "") for name in sheet.column_index}
    return _form(request, sheet, None, given, {})


@router.post("/records/{sheet_name}/new")
async def create_record(
    request: Request, sheet_name: str, user: Annotated[User, Depends(require(Permission.READ))]
) -> Response:
    sheet = _sheet(sheet_name)
    _check_write(request, sheet)
    typed = _typed(sheet, await request.form())
    try:
        values = _values(request, sheet, typed, user)
        created = service.create_record(work_as(request, user), sheet.name, values, posted_by=user.username)
    except PlantOpsError as error:
        return _form(request, sheet, None, typed, _errors(sheet, error, typed), status=400)
    return _to_record(request, sheet, created, "created")


@router.get("/records/{sheet_name}/" + BY_KEY)
def record_by_key(request: Request, sheet_name: str, tab: str = "details") -> Response:
    sheet = _sheet(sheet_name)
    return _record_page(request, sheet, request.query_params.getlist("part"), tab)


@router.post("/records/{sheet_name}/" + BY_KEY)
async def change_by_key(
    request: Request, sheet_name: str, user: Annotated[User, Depends(require(Permission.READ))]
) -> Response:
    sheet = _sheet(sheet_name)
    return await _change(request, sheet, request.query_params.getlist("part"), user)


@router.get("/records/{sheet_name}/{code:path}")
def record_page(request: Request, sheet_name: str, code: str, tab: str = "details") -> Response:
    return _record_page(request, _sheet(sheet_name), [code], tab)


@router.post("/records/{sheet_name}/{code:path}")
async def change_record(
    request: Request, sheet_name: str, code: str, user: Annotated[User, Depends(require(Permission.READ))]
) -> Response:
    return await _change(request, _sheet(sheet_name), [code], user)


# --- the record page --------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column of a record's form: how it is typed in and what it holds."""

    column: Column
    label: str
    widget: str  # text, number, integer, date, select, lookup
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False


def _fields(sheet: Sheet) -> list[Field]:
    found = []
    for column in sheet.columns:
        label = lists.label_of(column.name)
        if isinstance(column.kind, Choice):
            words = tuple((str(m.value), str(m.value).replace("_", " ")) for m in column.kind.enum_cls)
            found.append(Field(column, label, "select", words, column.required))
        elif column.kind is BOOLEAN:
            found.append(Field(column, label, "select", (("true", "yes"), ("false", "no")), column.required))
        elif column.kind is NUMBER:
            found.append(Field(column, label, "number", required=column.required))
        elif column.kind is INTEGER:
            found.append(Field(column, label, "integer", required=column.required))
        elif column.kind is DATE:
            found.append(Field(column, label, "date", required=column.required))
        elif column.ref:
            found.append(Field(column, label, "lookup", required=column.required))
        else:
            found.append(Field(column, label, "text", required=column.required))
    return found


def _record_page(request: Request, sheet: Sheet, key: list[str], tab: str) -> Response:
    if tab not in (*TABS, "edit"):
        raise ValidationError("record", "tab", f"choose one of {', '.join(TABS)}")
    record = service.get_record(plant(request).uow(), sheet.name, key)
    if tab == "edit":
        _check_write(request, sheet)
        return _form(request, sheet, record, _shown_values(sheet, record, signed_in(request)), {})
    return _page(request, sheet, record, tab)


def _page(request: Request, sheet: Sheet, record: Record, tab: str, **context: Any) -> Response:
    key = [record.values[name] for name in sheet.key]
    key_text = "/".join(str(getattr(part, "value", part)) for part in key)
    line_lists = _lines(request, sheet, key_text) if tab == "lines" else []
    panel = PANELS.get(sheet.name)
    related = _related(request, sheet, key_text) if tab == "related" else []
    history = None
    if tab == "history":
        trail_key = service.audit_key(plant(request).uow(), sheet.name, key)
        history = audit_trail(plant(request).uow(), record=_table_name(sheet), key=trail_key, limit=HISTORY_ROWS)
    return render(
        request,
        "records/record.html",
        sheet=sheet,
        title=singular(sheet),
        record=record,
        key_text=key_text,
        url=record_link(sheet.name, *key),
        tab=tab,
        has_lines=sheet.name in LINES,
        line_lists=line_lists,
        related=related,
        history=history,
        changes=_changes,
        fields=_fields(sheet),
        link=lambda column, value: sheet_link(column.ref, value) if column.ref and value not in (None, "") else None,
        may_write=_may_write(request, sheet),
        panel=panel[0] if panel and tab == "details" else None,
        **(panel[1](request, record) if panel and tab == "details" else {}),
        **context,
    )


def _lines(request: Request, sheet: Sheet, key_text: str) -> list[tuple[lists.Shown, str, str]]:
    """The record's lines, each sheet of them with the address of them all and of a new one."""
    found = []
    for name in LINES.get(sheet.name, ()):
        other = SHEETS_BY_NAME[name]
        column = next(c for c in other.columns if c.ref == sheet.name)
        view = lists.sheet_view(name, path=f"/records/{name}", title=title_of(other), fixed={column.name: key_text})
        shown = lists.fetch_query(request, view, size=lists.PAGE_SIZES[-1])
        query = f"{column.name}={quote(key_text)}"
        found.append((shown, f"/records/{name}?{query}", f"/records/{name}/new?{query}"))
    return found


def _related(request: Request, sheet: Sheet, key_text: str) -> list[tuple[str, lists.Shown, str]]:
    """Each other sheet that refers to the record: its first rows and the address of them all."""
    found = []
    for other in SHEETS:
        if other.name in LINES.get(sheet.name, ()):
            continue
        for column in other.columns:
            if column.ref != sheet.name or len(sheet.key) != 1:
                continue
            view = lists.sheet_view(
                other.name, path=f"/records/{other.name}", title=title_of(other), fixed={column.name: key_text}
            )
            shown = lists.fetch_query(request, view, size=RELATED_ROWS)
            if shown.total:
                label = f"{title_of(other)} ({lists.label_of(column.name).lower()})"
                found.append((label, shown, f"/records/{other.name}?{column.name}={quote(key_text)}"))
    return found


def _changes(entry: AuditRecord) -> list[tuple[str, Any, Any]]:
    """What an entry of the audit trail changed: (column, before, after)."""
    before = entry.before if isinstance(entry.before, Mapping) else {}
    after = entry.after if isinstance(entry.after, Mapping) else {}
    names = [*before, *(name for name in after if name not in before)]
    return [(name, before.get(name), after.get(name)) for name in names if before.get(name) != after.get(name)]


def _table_name(sheet: Sheet) -> str:
    return str(sheet.model.__tablename__)


# --- forms ------------------------------------------------------------------------------


async def _change(request: Request, sheet: Sheet, key: list[str], user: User) -> Response:
    """Save an edit (``action=save``) or delete the record (``action=delete``), from the version read."""
    form = await request.form()
    version = str(form.get("version", ""))
    _check_write(request, sheet)
    current = service.get_record(plant(request).uow(), sheet.name, key)
    if form.get("action") == "delete":
        try:
            service.delete_record(work_as(request, user), sheet.name, key, version=version)
        except PlantOpsError as error:
            return _page(request, sheet, current, "details", refusal=str(error))
        response = RedirectResponse(f"{_root(request)}/records/{sheet.name}?deleted={quote('/'.join(key))}", 303)
        return response
    typed = _typed(sheet, form)
    try:
        values = _values(request, sheet, typed, user)
        changes = {name: value for name, value in values.items() if name not in sheet.key}
        saved = service.update_record(
            work_as(request, user), sheet.name, key, changes, version=version, posted_by=user.username
        )
    except service.StaleRecordError as error:
        fresh = _shown_values(sheet, current, user)
        return _form(request, sheet, current, typed, {"form": str(error)}, status=409, fresh=fresh)
    except PlantOpsError as error:
        record = Record(current.values, version)
        return _form(request, sheet, record, typed, _errors(sheet, error, typed), status=400)
    return _to_record(request, sheet, saved, "saved")


def _form(
    request: Request,
    sheet: Sheet,
    record: Record | None,
    typed: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    status: int = 200,
    fresh: Mapping[str, str] | None = None,
) -> Response:
    key = [record.values[name] for name in sheet.key] if record else []
    return render(
        request,
        "records/form.html",
        status,
        sheet=sheet,
        title=singular(sheet),
        record=record,
        url=record_link(sheet.name, *key) if record else f"/records/{sheet.name}/new",
        fields=_fields(sheet),
        form=typed,
        errors=errors,
        fresh=fresh,
    )


def _typed(sheet: Sheet, form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in sheet.column_index}


def _values(request: Request, sheet: Sheet, typed: Mapping[str, str], user: User) -> dict[str, Any]:
    """The typed values as the service takes them, numbers read in the user's language.

    Where a number cannot be read, the other fields are checked as the import would
    (writing nothing), so that the form shows every field's problem at once: an
    :class:`ImportRejectedError` with them all.
    """
    values: dict[str, Any] = {}
    unreadable: list[RowProblem] = []
    for field in _fields(sheet):
        text = typed.get(field.column.name, "")
        try:
            if field.widget in ("number", "integer"):
                values[field.column.name] = forms.number(sheet.name, field.column.name, text, user.locale)
            else:
                values[field.column.name] = text or None
        except ValidationError as error:
            values[field.column.name] = None
            unreadable.append(RowProblem(sheet.name, 2, error.field, error.reason))
    if unreadable:
        named = {problem.field for problem in unreadable}
        others = service.check_record(plant(request).uow(), sheet.name, values, posted_by=user.username)
        raise ImportRejectedError([*unreadable, *(p for p in others if p.field not in named)])
    return values


def _errors(sheet: Sheet, error: PlantOpsError, typed: Mapping[str, str]) -> dict[str, str]:
    """Every field's error beside it; what names no field above the form."""
    if isinstance(error, ImportRejectedError):
        found: dict[str, str] = {}
        for problem in error.problems:
            name = problem.field if problem.field in sheet.column_index else "form"
            found[name] = f"{found[name]}; {problem.reason}" if name in found else problem.reason
        return found
    return forms.place(error, typed, {c.name: lists.label_of(c.name) for c in sheet.columns})


def _shown_values(sheet: Sheet, record: Record, user: User) -> dict[str, str]:
    """A record's values as its form shows them: numbers in the user's language."""
    shown = {}
    for column in sheet.columns:
        value = record.values.get(column.name)
        if value is None:
            shown[column.name] = ""
        elif column.kind in (NUMBER, INTEGER) and isinstance(value, Decimal | int | float):
            shown[column.name] = numbers.format_decimal(
                Decimal(str(value)), locale=user.locale, group_separator=False, decimal_quantization=False
            )
        elif column.kind in (DATE, TIME, INSTANT, BOOLEAN) or isinstance(column.kind, Choice):
            shown[column.name] = column.kind.format(value)
        else:
            shown[column.name] = str(value)
    return shown


def _to_record(request: Request, sheet: Sheet, record: Record, done: str) -> Response:
    key = [record.values[name] for name in sheet.key]
    target = record_link(sheet.name, *key)
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(f"{_root(request)}{target}{joiner}{done}=1", status_code=303)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _may_write(request: Request, sheet: Sheet) -> bool:
    needed = uploads.WRITE_PERMISSION.get(sheet.name)
    return needed is not None and signed_in(request).may(needed.value)


def _check_write(request: Request, sheet: Sheet) -> None:
    needed = uploads.WRITE_PERMISSION.get(sheet.name)
    if needed is None:
        raise ValidationError(
            sheet.name, "sheet", "is read only here: its records come from the stock ledger or from released orders"
        )
    if not signed_in(request).may(needed.value):
        raise Forbidden(needed)
