"""Master data one record at a time: read a sheet's rows page by page, read, create and update one.

A record is a row of a sheet (:mod:`.sheets`) in business codes, as in an exported file.
Creating and updating go through the import (:func:`.importer.import_master_data`), so a
record written here passes exactly the checks a file would.

Updates are optimistic: every record carries a ``version``, a digest of its values; an
update names the version it was made from and is refused with :class:`StaleRecordError`,
changing nothing, if the record has changed since (someone else saved first). The row is
locked (``SELECT .. FOR UPDATE`` on PostgreSQL; SQLite serializes writers) between the
comparison and the write, so two updates from the same version cannot both pass.

Rows an import inserts are written in bulk, bypassing the session, so the insert is
recorded in the audit trail here explicitly (updates are recorded by the unit of work).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, delete, func, or_, select
from sqlalchemy.orm import Session

from plantops.db import audit
from plantops.db.base import table_of
from plantops.db.session import UnitOfWork, lock_name
from plantops.errors import ImportRejectedError, NotFoundError, PlantOpsError, RowProblem, ValidationError
from plantops.services.master_data.importer import ImportReport, SheetRows, import_master_data
from plantops.services.master_data.keys import KeyIndex
from plantops.services.master_data.sheets import SHEETS_BY_NAME, Sheet
from plantops.services.master_data.values import BadValue
from plantops.vocabulary import AuditAction

MAX_PAGE = 1000
MAX_SEARCH = 100
#: An import inserting more rows than this into a table is one audit entry for them, not one each.
MAX_ENTRIES_PER_TABLE = 100


class ConflictError(PlantOpsError):
    """The request contradicts the record as it is now."""


class StaleRecordError(ConflictError):
    """An update made from a version of the record that is no longer the current one."""

    def __init__(self, sheet: str, key: str, version: str) -> None:
        super().__init__(
            f"{sheet} {key} was changed by someone else since version {version}: read it again and redo the change"
        )


class RecordExistsError(ConflictError):
    """A record to create whose key is taken."""

    def __init__(self, sheet: str, key: str) -> None:
        super().__init__(f"{sheet} {key} already exists: update it instead")


@dataclass(frozen=True)
class Record:
    """A row of a sheet: its values by column name, and the version they make."""

    values: dict[str, Any]
    version: str


@dataclass(frozen=True)
class Page:
    total: int
    records: list[Record]


def sheet_of(name: str) -> Sheet:
    """The sheet called ``name``; NotFoundError if there is none."""
    sheet = SHEETS_BY_NAME.get(name)
    if sheet is None:
        raise NotFoundError("sheet", name)
    return sheet


def list_records(
    uow: UnitOfWork,
    sheet_name: str,
    *,
    filters: Mapping[str, Any] | None = None,
    search: str | None = None,
    sort: Sequence[str] = (),
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """A page of a sheet's records with every filter (column = value) true, in ``sort`` order.

    ``search`` keeps the records whose first key column or name contains it, in any case.

    ``sort`` names columns, each optionally prefixed by ``-`` for descending; the key
    columns order what is left equal.
    """
    sheet = sheet_of(sheet_name)
    if not 0 < limit <= MAX_PAGE:
        raise ValidationError(sheet.name, "limit", f"must be 1 to {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValidationError(sheet.name, "offset", f"must not be negative, not {offset}")
    conditions = [_condition(sheet, name, value) for name, value in (filters or {}).items() if value is not None]
    if search and search.strip():
        conditions.append(_search(sheet, search.strip()))
    order = [*_order(sheet, sort), *(_expression(sheet, k) for k in sheet.key)]
    with uow:
        session = uow.session
        total = session.scalar(select(func.count()).select_from(table_of(sheet.model)).where(*conditions)) or 0
        query = _values_query(sheet).where(*conditions).order_by(*order).offset(offset).limit(limit)
        return Page(total, [_record(sheet, dict(row._mapping)) for row in session.execute(query)])


def get_record(uow: UnitOfWork, sheet_name: str, key: Sequence[Any]) -> Record:
    """The record whose key columns hold ``key``; NotFoundError if there is none."""
    sheet = sheet_of(sheet_name)
    with uow:
        return _read(uow.session, sheet, _parse_key(sheet, key))


def create_record(uow: UnitOfWork, sheet_name: str, values: Mapping[str, Any], *, posted_by: str) -> Record:
    """Add a record; RecordExistsError if its key is taken, ImportRejectedError if a value is bad."""
    sheet = sheet_of(sheet_name)
    missing = [name for name in sheet.key if values.get(name) in (None, "")]
    if missing:
        raise ValidationError(sheet.name, missing[0], "is required")
    key = _parse_key(sheet, [values[name] for name in sheet.key])
    with uow:
        session = uow.session
        lock_name(session, f"create {sheet.name} {_key_text(key)}")  # two creations of one key take turns
        taken = select(func.count()).select_from(table_of(sheet.model)).where(*_key_conditions(sheet, key))
        if session.scalar(taken):
            raise RecordExistsError(sheet.name, _key_text(key))
        _import(session, sheet, dict(values), key, posted_by)
        record = _read(session, sheet, key)
        audit.record(
            session,
            user=audit.acting_user(session),
            action=AuditAction.INSERT,
            record=table_of(sheet.model).name,
            key=_key_text(key),
            after=_formatted(sheet, record.values),
        )
        uow.commit()
    return record


def update_record(
    uow: UnitOfWork,
    sheet_name: str,
    key: Sequence[Any],
    changes: Mapping[str, Any],
    *,
    version: str,
    posted_by: str,
) -> Record:
    """Change some values of a record made at ``version``; StaleRecordError if it has changed since."""
    sheet = sheet_of(sheet_name)
    parsed = _parse_key(sheet, key)
    for name in changes:
        if name not in sheet.column_index:
            raise ValidationError(sheet.name, name, "unknown column")
    with uow:
        session = uow.session
        row_id = session.scalar(
            select(table_of(sheet.model).c.id).where(*_key_conditions(sheet, parsed)).with_for_update()
        )
        if row_id is None:
            raise NotFoundError(_singular(sheet.name), _key_text(parsed))
        current = _read(session, sheet, parsed)
        if current.version != version:
            raise StaleRecordError(sheet.name, _key_text(parsed), version)
        for name in sheet.key:
            if name in changes and _parse(sheet, name, changes[name]) != current.values[name]:
                raise ValidationError(sheet.name, name, "is the record's key and cannot change; create a new record")
        _import(session, sheet, {**current.values, **changes}, parsed, posted_by)
        record = _read(session, sheet, parsed)
        uow.commit()
    return record


def delete_record(uow: UnitOfWork, sheet_name: str, key: Sequence[Any], *, version: str) -> None:
    """Delete a record made at ``version`` that nothing refers to.

    A record another record refers to (an item on a BOM, a supplier of a purchase order) or
    the stock ledger does (an item or location with moves) is refused with
    :class:`RecordInUseError` naming what refers to it, and nothing changes: the ledger and
    the orders keep what they name.
    """
    sheet = sheet_of(sheet_name)
    parsed = _parse_key(sheet, key)
    with uow:
        session = uow.session
        table = table_of(sheet.model)
        row_id = session.scalar(select(table.c.id).where(*_key_conditions(sheet, parsed)).with_for_update())
        if row_id is None:
            raise NotFoundError(_singular(sheet.name), _key_text(parsed))
        current = _read(session, sheet, parsed)
        if current.version != version:
            raise StaleRecordError(sheet.name, _key_text(parsed), version)
        users = _referring(session, table, row_id)
        if users:
            raise RecordInUseError(sheet.name, _key_text(parsed), users)
        session.execute(delete(table).where(table.c.id == row_id))  # the audit trail records it, values before
        uow.commit()


class RecordInUseError(ConflictError):
    """A record to delete that others still refer to."""

    def __init__(self, sheet: str, key: str, users: list[str]) -> None:
        super().__init__(f"{sheet} {key} cannot be deleted: it is referred to by {', '.join(users)}")


def _referring(session: Session, table: Table, row_id: int) -> list[str]:
    """What refers to the row ``row_id`` of ``table``, as ``12 bom_components``, over every
    foreign key of the schema except those that delete with it (its own lines)."""
    found = []
    for other in table.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is not table or key.ondelete == "CASCADE":
                continue
            count = session.scalar(select(func.count()).select_from(other).where(key.parent == row_id)) or 0
            if count:
                found.append(f"{count:,} {other.name.replace('_', ' ')}{'s' if count != 1 else ''}")
    return found


def check_record(uow: UnitOfWork, sheet_name: str, values: Mapping[str, Any], *, posted_by: str) -> list[RowProblem]:
    """What an import of ``values`` as a record of the sheet would refuse, writing nothing
    (the import runs in a transaction that is rolled back): a form shows every problem at once."""
    sheet = sheet_of(sheet_name)
    key = tuple(values.get(name) for name in sheet.key)
    with uow:
        try:
            _import(uow.session, sheet, dict(values), key, posted_by)
        except ImportRejectedError as error:
            return list(error.problems)
    return []


def audit_key(uow: UnitOfWork, sheet_name: str, key: Sequence[Any]) -> str:
    """The key under which the audit trail records changes of the record (its code, or its row id)."""
    sheet = sheet_of(sheet_name)
    table = table_of(sheet.model)
    with uow:
        row = uow.session.execute(select(table).where(*_key_conditions(sheet, _parse_key(sheet, key)))).first()
        if row is None:
            raise NotFoundError(_singular(sheet.name), _key_text(_parse_key(sheet, key)))
        return audit.key_of(table, dict(row._mapping))


def import_records(
    uow: UnitOfWork, sheets: Sequence[SheetRows], *, posted_by: str, progress: Any = None
) -> ImportReport:
    """Import sheets of rows (every row, or none if any is bad), recording the rows inserted."""
    with uow:
        session = uow.session
        existing = {s.name: set(KeyIndex(session).ids(s.name)) for s in sheets if s.name in SHEETS_BY_NAME}
        report = import_master_data(session, sheets, posted_by=posted_by, progress=progress)
        user = audit.acting_user(session)
        for rows in sheets:
            if rows.name in existing and report.inserted.get(rows.name):
                _record_inserts(session, SHEETS_BY_NAME[rows.name], rows, existing[rows.name], user)
        uow.commit()
    return report


def version_of(sheet: Sheet, values: Mapping[str, Any]) -> str:
    """A digest of a record's values as they are exported: changes whenever one of them does."""
    text = json.dumps([c.kind.format(values.get(c.name)) for c in sheet.columns])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- reading ----------------------------------------------------------------------------


def _values_query(sheet: Sheet) -> Select[Any]:
    return select(*(_expression(sheet, c.name).label(c.name) for c in sheet.columns)).select_from(table_of(sheet.model))


def _expression(sheet: Sheet, name: str) -> ColumnElement[Any]:
    """A column's business value as SQL on the sheet's table: the code of a referenced row is
    read by a correlated subquery, as is a column of the parent row's key."""
    table = table_of(sheet.model)
    column = sheet.column_index[name]
    if column.target is None:
        assert sheet.parent is not None
        parent = SHEETS_BY_NAME[sheet.parent.sheet]
        parent_table = table_of(parent.model)
        return (
            select(_expression(parent, name)).where(parent_table.c.id == table.c[sheet.parent.attr]).scalar_subquery()
        )
    if column.ref:
        referenced = SHEETS_BY_NAME[column.ref]
        ref_table = table_of(referenced.model)
        return (
            select(_expression(referenced, referenced.key[0]))
            .where(ref_table.c.id == table.c[column.target])
            .scalar_subquery()
        )
    return table.c[column.target]


def _condition(sheet: Sheet, name: str, value: Any) -> ColumnElement[bool]:
    column = sheet.column_index.get(name)
    if column is None:
        raise ValidationError(sheet.name, name, "unknown column")
    parsed = _parse(sheet, name, value)
    if column.ref and column.target:
        referenced = SHEETS_BY_NAME[column.ref]
        ref_table = table_of(referenced.model)
        chosen = select(ref_table.c.id).where(_expression(referenced, referenced.key[0]) == parsed)
        return table_of(sheet.model).c[column.target].in_(chosen)
    equal: ColumnElement[bool] = _expression(sheet, name) == parsed
    return equal


def _search(sheet: Sheet, text: str) -> ColumnElement[bool]:
    """The first key column or the name contains ``text``, in any case (``%`` and ``_`` taken literally)."""
    if len(text) > MAX_SEARCH:
        raise ValidationError(sheet.name, "search", f"at most {MAX_SEARCH} characters")
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    names = [sheet.key[0], *(["name"] if "name" in sheet.column_index and sheet.key[0] != "name" else [])]
    return or_(*(func.lower(_expression(sheet, name)).like(pattern, escape="\\") for name in names))


def _order(sheet: Sheet, sort: Sequence[str]) -> list[ColumnElement[Any]]:
    order: list[ColumnElement[Any]] = []
    for word in sort:
        name = word.removeprefix("-")
        if name not in sheet.column_index:
            known = ", ".join(sheet.column_index)
            raise ValidationError(sheet.name, "sort", f"unknown column {name!r} (known: {known})")
        expression = _expression(sheet, name)
        order.append(expression.desc() if word.startswith("-") else expression.asc())
    return order


def _parse(sheet: Sheet, name: str, value: Any) -> Any:
    try:
        return sheet.column_index[name].kind.parse(value)
    except BadValue as error:
        raise ValidationError(sheet.name, name, str(error)) from None


def _parse_key(sheet: Sheet, key: Sequence[Any]) -> tuple[Any, ...]:
    if len(key) != len(sheet.key):
        raise ValidationError(sheet.name, "key", f"needs {len(sheet.key)} parts: {', '.join(sheet.key)}")
    return tuple(_parse(sheet, name, value) for name, value in zip(sheet.key, key, strict=True))


def _key_conditions(sheet: Sheet, key: tuple[Any, ...]) -> list[ColumnElement[bool]]:
    return [_condition(sheet, name, value) for name, value in zip(sheet.key, key, strict=True)]


def _key_text(key: tuple[Any, ...]) -> str:
    return "/".join(str(getattr(part, "value", part)) for part in key)


def _singular(sheet_name: str) -> str:
    return sheet_name.removesuffix("s")


def _read(session: Session, sheet: Sheet, key: tuple[Any, ...]) -> Record:
    row = session.execute(_values_query(sheet).where(*_key_conditions(sheet, key))).first()
    if row is None:
        raise NotFoundError(_singular(sheet.name), _key_text(key))
    return _record(sheet, dict(row._mapping))


def _record(sheet: Sheet, row: Mapping[str, Any]) -> Record:
    values = {c.name: row[c.name] for c in sheet.columns}
    return Record(values, version_of(sheet, values))


def _formatted(sheet: Sheet, values: Mapping[str, Any]) -> dict[str, str]:
    return {c.name: c.kind.format(values.get(c.name)) for c in sheet.columns if values.get(c.name) is not None}


# --- writing ----------------------------------------------------------------------------


def _import(session: Session, sheet: Sheet, values: dict[str, Any], key: tuple[Any, ...], posted_by: str) -> None:
    row = {name: value for name, value in values.items() if value is not None}
    import_master_data(session, [SheetRows(sheet.name, f"{sheet.name} {_key_text(key)}", [row])], posted_by=posted_by)


def _record_inserts(session: Session, sheet: Sheet, rows: SheetRows, existing: set[Any], user: str) -> None:
    """Audit entries for the rows of ``rows`` whose keys were not in the database before."""
    table = table_of(sheet.model).name
    inserted = []
    for row in rows.rows:
        key = tuple(sheet.column_index[name].kind.parse(row.get(name)) for name in sheet.key)
        if key not in existing:
            inserted.append((key, {name: value for name, value in row.items() if value not in (None, "")}))
    now = dt.datetime.now(dt.UTC)
    if len(inserted) <= MAX_ENTRIES_PER_TABLE:
        for key, values in inserted:
            audit.record(
                session, user=user, action=AuditAction.INSERT, record=table, key=_key_text(key), after=values, at=now
            )
        return
    audit.record(
        session,
        user=user,
        action=AuditAction.INSERT,
        record=table,
        key=f"{rows.source}: {len(inserted)} rows",
        after=[values for _, values in inserted[:MAX_ENTRIES_PER_TABLE]],
        rows=len(inserted),
        at=now,
    )
