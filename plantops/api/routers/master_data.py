"""Master data and orders as records of their sheets: list, read, create, update, import.

Each sheet of the exchange format (:mod:`plantops.services.master_data.sheets`) is a
resource named after it (``items``, ``bom-components``, ``sales-orders``...), in business
codes: ``GET /items?item_type=raw_material&sort=-code&limit=50``, ``GET /items/BIKE-CITY-M``,
``POST /items``, ``PATCH /items/BIKE-CITY-M`` with ``If-Match``. A sheet whose key has
several columns names one record by query: ``GET /bom-components/record?bom=B1&line=10``.

Every record carries its ``version`` (also its ``ETag``); an update must send the
version it was made from in ``If-Match`` and is refused with 409, changing nothing, if
the record has changed since, or 428 without one.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations of the endpoints
# built here at run time, and they name models made in this module's functions.

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile, status
from pydantic import AwareDatetime, BaseModel, Field, create_model

from plantops.api import schemas
from plantops.api.problems import NotAllowedError, PreconditionRequiredError, problem_responses
from plantops.api.schemas import ListQuery, Page, Schema
from plantops.api.security import Caller, MasterDataManager, Reader, Requires
from plantops.services import item_sites
from plantops.services.access import Permission
from plantops.services.master_data import records, uploads
from plantops.services.master_data.importer import SheetRows
from plantops.services.master_data.sheets import SHEETS, Column, Sheet
from plantops.services.master_data.uploads import WRITE_PERMISSION
from plantops.services.master_data.values import Choice, Code, Date, Instant, Integer, Number, Text, TimeOfDay

router = APIRouter(tags=["master data"], responses=problem_responses(401, 403, 422))


def resource(sheet: Sheet) -> str:
    """The resource's name in URLs: the sheet's name with hyphens."""
    return sheet.name.replace("_", "-")


def _type(column: Column) -> Any:
    kind = column.kind
    if isinstance(kind, Choice):
        return kind.enum_cls
    return {
        Code: schemas.Code,
        Text: schemas.Text,
        Number: schemas.BoundedNumber,
        Integer: schemas.Whole,
        Date: dt.date,
        TimeOfDay: schemas.TimeOfDay,
        Instant: AwareDatetime,
    }.get(type(kind), bool)


def _models(sheet: Sheet) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel], type[BaseModel]]:
    """The record as read, as created, as changed, and the list's filters."""
    name = "".join(part.title() for part in sheet.name.split("_"))
    read: dict[str, Any] = {c.name: (_type(c) if c.required else _type(c) | None, ...) for c in sheet.columns}
    read["version"] = (str, Field(description="Send it back in If-Match to update the record."))
    created: dict[str, Any] = {
        c.name: (_type(c), ...) if c.required else (_type(c) | None, None) for c in sheet.columns
    }
    changed: dict[str, Any] = {c.name: (_type(c) | None, None) for c in sheet.columns if c.name not in sheet.key}
    filters: dict[str, Any] = {c.name: (str | None, None) for c in sheet.columns}
    filters["search"] = (
        str | None,
        Field(None, max_length=100, description="Only records whose code or name contains this, in any case."),
    )
    return (
        create_model(f"{name}Record", **read),
        create_model(f"{name}Create", __base__=Schema, **created),
        create_model(f"{name}Update", __base__=Schema, **changed),
        create_model(f"{name}Filters", __base__=ListQuery, **filters),
    )


def _etag(version: str) -> str:
    return f'"{version}"'


def _version(if_match: str | None, current: Callable[[], str]) -> str:
    if if_match is None:
        raise PreconditionRequiredError("send If-Match with the record's version (its ETag) to update it")
    tag = if_match.strip()
    if tag == "*":
        return current()
    return tag.removeprefix("W/").strip('"')


def _add_sheet(sheet: Sheet) -> None:
    record_model, create_model_, update_model, filter_model = _models(sheet)
    path = f"/{resource(sheet)}"
    write = WRITE_PERMISSION[sheet.name]
    single = len(sheet.key) == 1
    one_path = f"{path}/{{code:path}}" if single else f"{path}/record"
    filters = [c.name for c in sheet.columns]

    times = [c for c in sheet.columns if isinstance(c.kind, TimeOfDay)]

    def as_model(record: records.Record) -> Any:
        values = {**record.values, **{c.name: c.kind.format(record.values[c.name]) or None for c in times}}
        return record_model(**values, version=record.version)

    def list_records(query: Annotated[filter_model, Query()], caller: Reader) -> Any:  # type: ignore[valid-type]
        given = query.model_dump()  # type: ignore[attr-defined]
        page = records.list_records(
            caller.uow(),
            sheet.name,
            filters={name: given[name] for name in filters if given[name] is not None},
            search=given["search"],
            sort=query.sort_columns(),  # type: ignore[attr-defined]
            offset=query.offset,  # type: ignore[attr-defined]
            limit=query.limit,  # type: ignore[attr-defined]
        )
        return {
            "total": page.total,
            "offset": query.offset,  # type: ignore[attr-defined]
            "limit": query.limit,  # type: ignore[attr-defined]
            "items": [as_model(r) for r in page.records],
        }

    router.add_api_route(
        path,
        list_records,
        methods=["GET"],
        response_model=Page[record_model],  # type: ignore[valid-type]
        summary=f"List {sheet.name.replace('_', ' ')}",
        operation_id=f"list_{sheet.name}",
        description=f"Filter by any column ({', '.join(filters)}) or `search` the code and name; sort by any column,"
        " `-` first for descending.",
    )

    if single:

        def read_one(code: str, caller: Reader, response: Response) -> Any:
            record = records.get_record(caller.uow(), sheet.name, [code])
            response.headers["ETag"] = _etag(record.version)
            return as_model(record)

        def change_one(
            code: str,
            changes: update_model,  # type: ignore[valid-type]
            caller: Annotated[Caller, Depends(Requires(write or Permission.MANAGE_MASTER_DATA))],
            response: Response,
            if_match: Annotated[str | None, Header(description="The version the change was made from.")] = None,
        ) -> Any:
            return _update(caller, [code], changes, if_match, response)

        def delete_one(
            code: str,
            caller: Annotated[Caller, Depends(Requires(write or Permission.MANAGE_MASTER_DATA))],
            if_match: Annotated[str | None, Header(description="The version the deletion was decided on.")] = None,
        ) -> Response:
            return _delete(caller, [code], if_match)

    else:
        key_model = create_model(
            f"{record_model.__name__.removesuffix('Record')}Key",
            __base__=Schema,
            **{name: (str, ...) for name in sheet.key},  # type: ignore[call-overload]
        )

        def read_one(key: Annotated[key_model, Query()], caller: Reader, response: Response) -> Any:  # type: ignore[misc,valid-type]
            record = records.get_record(caller.uow(), sheet.name, [getattr(key, k) for k in sheet.key])
            response.headers["ETag"] = _etag(record.version)
            return as_model(record)

        def change_one(  # type: ignore[misc]
            key: Annotated[key_model, Query()],  # type: ignore[valid-type]
            changes: update_model,  # type: ignore[valid-type]
            caller: Annotated[Caller, Depends(Requires(write or Permission.MANAGE_MASTER_DATA))],
            response: Response,
            if_match: Annotated[str | None, Header(description="The version the change was made from.")] = None,
        ) -> Any:
            return _update(caller, [getattr(key, k) for k in sheet.key], changes, if_match, response)

        def delete_one(  # type: ignore[misc]
            key: Annotated[key_model, Query()],  # type: ignore[valid-type]
            caller: Annotated[Caller, Depends(Requires(write or Permission.MANAGE_MASTER_DATA))],
            if_match: Annotated[str | None, Header(description="The version the deletion was decided on.")] = None,
        ) -> Response:
            return _delete(caller, [getattr(key, k) for k in sheet.key], if_match)

    def _delete(caller: Caller, key: list[Any], if_match: str | None) -> Response:
        version = _version(if_match, lambda: records.get_record(caller.uow(), sheet.name, key).version)
        records.delete_record(caller.uow(), sheet.name, key, version=version)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def _update(caller: Caller, key: list[Any], changes: Any, if_match: str | None, response: Response) -> Any:
        version = _version(if_match, lambda: records.get_record(caller.uow(), sheet.name, key).version)
        record = records.update_record(
            caller.uow(),
            sheet.name,
            key,
            changes.model_dump(exclude_unset=True),
            version=version,
            posted_by=caller.username,
        )
        response.headers["ETag"] = _etag(record.version)
        return as_model(record)

    def create_one(
        values: create_model_,  # type: ignore[valid-type]
        caller: Annotated[Caller, Depends(Requires(write or Permission.MANAGE_MASTER_DATA))],
        response: Response,
    ) -> Any:
        record = records.create_record(
            caller.uow(),
            sheet.name,
            values.model_dump(exclude_none=True),  # type: ignore[attr-defined]
            posted_by=caller.username,
        )
        response.headers["ETag"] = _etag(record.version)
        if single:
            response.headers["Location"] = f"/api/v1{path}/{record.values[sheet.key[0]]}"
        return as_model(record)

    router.add_api_route(
        one_path,
        read_one,
        methods=["GET"],
        response_model=record_model,
        summary=f"Read one of the {sheet.name.replace('_', ' ')}",
        operation_id=f"read_{sheet.name}",
        responses=problem_responses(404),
    )
    if write is None:
        return
    router.add_api_route(
        path,
        create_one,
        methods=["POST"],
        response_model=record_model,
        status_code=status.HTTP_201_CREATED,
        summary=f"Add to the {sheet.name.replace('_', ' ')}",
        operation_id=f"create_{sheet.name}",
        responses=problem_responses(404, 409),
    )
    router.add_api_route(
        one_path,
        change_one,
        methods=["PATCH"],
        response_model=record_model,
        summary=f"Change one of the {sheet.name.replace('_', ' ')}",
        operation_id=f"update_{sheet.name}",
        description="Send If-Match with the version read; a record changed since is refused (409).",
        responses=problem_responses(404, 409, 428),
    )
    router.add_api_route(
        one_path,
        delete_one,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        summary=f"Delete one of the {sheet.name.replace('_', ' ')} that nothing refers to",
        operation_id=f"delete_{sheet.name}",
        description="Send If-Match with the version read. A record that orders, BOMs or the stock ledger refer to"
        " is refused (409), naming what refers to it; nothing is deleted.",
        responses=problem_responses(404, 409, 428),
    )


class SettingOut(Schema):
    """A parameter's effective value at a site (numbers as exact text) and where it comes from:
    ``site``, ``item``, ``derived`` or ``none``."""

    value: str | int | None
    source: item_sites.Source


class SitePlanningOut(Schema):
    site: str
    has_record: bool
    parameters: dict[str, SettingOut]


@router.get(
    "/items/{code}/planning",
    response_model=list[SitePlanningOut],
    summary="An item's effective planning parameters at each site that plans it differently",
    responses=problem_responses(404),
)
def item_planning(code: str, caller: Reader) -> list[SitePlanningOut]:
    return [
        SitePlanningOut(
            site=planning.site,
            has_record=planning.has_record,
            parameters={
                name: SettingOut(value=_cell(s.value), source=s.source) for name, s in planning.settings.items()
            },
        )
        for planning in item_sites.planning_of_item(caller.uow(), code)
    ]


for _sheet in SHEETS:
    _add_sheet(_sheet)


class ImportReportOut(BaseModel):
    inserted: dict[str, int]
    updated: dict[str, int]
    stock_lines: int


Cell = str | int | float | bool | None


class ImportRequest(Schema):
    """Rows per sheet, as in the exchange format: ``{"sheets": {"items": [{"code": "X", ...}]}}``."""

    sheets: dict[str, list[dict[str, Cell]]]


def _check_sheets_allowed(caller: Caller, names: list[str]) -> None:
    try:
        uploads.check_rights(caller.principal, names)
    except uploads.NotAllowedToImportError as error:
        raise NotAllowedError(str(error)) from None


def _report(report: Any) -> ImportReportOut:
    return ImportReportOut(inserted=report.inserted, updated=report.updated, stock_lines=report.stock_lines)


@router.post(
    "/imports",
    response_model=ImportReportOut,
    summary="Import rows of sheets (all, or none if any is bad)",
    responses=problem_responses(404),
)
def import_rows(body: ImportRequest, caller: MasterDataManager) -> ImportReportOut:
    _check_sheets_allowed(caller, list(body.sheets))
    sheets = [SheetRows(name, f"request:{name}", [dict(row) for row in rows]) for name, rows in body.sheets.items()]
    return _report(records.import_records(caller.uow(), sheets, posted_by=caller.username))


@router.post(
    "/imports/files",
    response_model=ImportReportOut,
    summary="Import CSV files (one per sheet, named after it) or an XLSX workbook",
    responses=problem_responses(404),
)
def import_files(files: Annotated[list[UploadFile], File()], caller: MasterDataManager) -> ImportReportOut:
    sheets = uploads.read_uploads([(upload.filename or "", upload.file.read()) for upload in files])
    _check_sheets_allowed(caller, [s.name for s in sheets])
    return _report(records.import_records(caller.uow(), sheets, posted_by=caller.username))


def _cell(value: Any) -> str | int | None:
    if isinstance(value, Decimal):
        return schemas.exact_text(value)
    return getattr(value, "value", value)  # type: ignore[no-any-return]
