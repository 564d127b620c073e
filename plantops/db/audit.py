"""The audit trail's write side: who changed which record, when, and its values before and after.

:func:`install` hooks a session factory so that every change made through its sessions
is recorded in ``audit_entry`` in the same transaction as the change itself:

* rows the ORM inserts, updates or deletes at flush (``after_flush``, when keys are
  assigned and the attribute history still holds the values before): one entry per row,
  with the changed columns' values before and after;
* ``INSERT``, ``UPDATE`` and ``DELETE`` statements run through ``Session.execute``
  (``do_orm_execute``): an update or delete of rows chosen by a WHERE clause reads them
  first, so that it too is recorded row by row with the values before and after; an
  ``executemany`` of many parameter sets is one entry with their count and the first
  :data:`MAX_ROWS_IN_ENTRY` of them.

Writes that bypass the session (``COPY``, ``executemany`` on the driver connection,
autocommitted single statements) are recorded by whoever makes them with
:func:`record`. Tables listed in :data:`NOT_AUDITED` are not recorded: the audit
trail itself, background job progress, and the stock ledger, which is append-only and
records who posted what and when in every posting (an audit trail of its own; its
balances are derived from it).

Columns marked ``info={"secret": True}`` (password hashes, credential digests) are
recorded as ``"(secret)"``. The acting user is ``session.info[USER]`` (set by the unit of
work), else the operating system's user, as for postings from the command line.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import getpass
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Delete, Insert, Table, Update, event, insert, inspect, select, tuple_
from sqlalchemy.engine import Connection, CursorResult, Result
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.orm.base import LoaderCallableStatus

from plantops.db.access import AuditEntry
from plantops.db.base import table_of
from plantops.vocabulary import AuditAction

USER = "plantops.user"
#: Tables whose changes are not recorded here (see the module's documentation).
NOT_AUDITED = frozenset({"audit_entry", "background_job", "stock_posting", "stock_move", "stock_balance", "lot_link"})
#: An entry for a statement of many rows keeps at most this many of them.
MAX_ROWS_IN_ENTRY = 100
#: An UPDATE or DELETE touching more rows than this is recorded as one entry, not row by row.
MAX_ROWS_READ_BEFORE = 1000
KEY_ATTRIBUTES = ("code", "number", "username")
SECRET = "(secret)"
_AUDIT = table_of(AuditEntry)
NO_VALUE = LoaderCallableStatus.NO_VALUE


def install(factory: sessionmaker[Session]) -> None:
    """Record every change made through sessions of ``factory``."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)


def acting_user(session: Session) -> str:
    user = session.info.get(USER)
    return str(user) if user else getpass.getuser()


def record(
    connection: Connection | Session,
    *,
    user: str,
    action: AuditAction,
    record: str,
    key: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    rows: int = 1,
    at: dt.datetime | None = None,
) -> None:
    """Write one audit entry explicitly: for a write that bypassed the session (a bulk load)."""
    target = connection.connection() if isinstance(connection, Session) else connection
    target.execute(
        insert(_AUDIT),
        [_entry(user, action, record, key, before, after, rows=rows, at=at or dt.datetime.now(dt.UTC))],
    )


def _entry(
    user: str,
    action: AuditAction,
    record: str,
    key: str,
    before: Any,
    after: Any,
    *,
    rows: int = 1,
    at: dt.datetime,
) -> dict[str, Any]:
    return {
        "at": at,
        "username": user[:64],
        "action": action,
        "record": record[:64],
        "record_key": key[:200],
        "rows": rows,
        "before": None if before is None else json.dumps(before, default=_json_value, sort_keys=True),
        "after": None if after is None else json.dumps(after, default=_json_value, sort_keys=True),
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes | bytearray | memoryview):
        return f"({len(value)} bytes)"
    return str(value)


# --- ORM flushes ------------------------------------------------------------------------


def _after_flush(session: Session, _context: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    user = acting_user(session)
    entries: list[dict[str, Any]] = []
    for action, objects in (
        (AuditAction.INSERT, session.new),
        (AuditAction.UPDATE, session.dirty),
        (AuditAction.DELETE, session.deleted),
    ):
        for obj in objects:
            table = inspect(obj).mapper.local_table
            if not isinstance(table, Table) or table.name in NOT_AUDITED:
                continue
            entry = _object_entry(obj, table, action, user, now)
            if entry is not None:
                entries.append(entry)
    if entries:
        session.connection().execute(insert(_AUDIT), entries)


def _object_entry(obj: Any, table: Table, action: AuditAction, user: str, now: dt.datetime) -> dict[str, Any] | None:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        history = state.attrs[prop.key].history
        secret = column.info.get("secret", False)
        if action is AuditAction.INSERT:
            value = state.attrs[prop.key].loaded_value
            if value is not NO_VALUE and value is not None:
                after[column.name] = SECRET if secret else value
        elif action is AuditAction.DELETE:
            value = state.attrs[prop.key].loaded_value
            if value is not NO_VALUE:
                before[column.name] = SECRET if secret else value
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[column.name] = SECRET if secret else old
                after[column.name] = SECRET if secret else new
    if action is AuditAction.UPDATE and not after:
        return None
    key = key_of(
        table, {prop.columns[0].name: state.attrs[prop.key].loaded_value for prop in state.mapper.column_attrs}
    )
    return _entry(
        user,
        action,
        table.name,
        key,
        before if action is not AuditAction.INSERT else None,
        after if action is not AuditAction.DELETE else None,
        at=now,
    )


def key_of(table: Table, values: Mapping[str, Any]) -> str:
    """A row's business code where it has one, else its primary key (parts joined by '/')."""
    for name in KEY_ATTRIBUTES:
        value = values.get(name)
        if name in table.c and value is not None and value is not NO_VALUE:
            return str(value)
    parts = [values.get(c.name) for c in table.primary_key.columns]
    return "/".join("" if p is None or p is NO_VALUE else str(_json_value(p)) for p in parts)


# --- statements run through the session ----------------------------------------------------


def _on_execute(state: ORMExecuteState) -> Result[Any] | None:
    statement = state.statement
    if not isinstance(statement, Insert | Update | Delete):
        return None
    table = statement.table
    if not isinstance(table, Table) or table.name in NOT_AUDITED:
        return None
    session = state.session
    user = acting_user(session)
    parameters = state.parameters
    many = isinstance(parameters, Sequence) and not isinstance(parameters, Mapping) and len(parameters) > 1
    if isinstance(statement, Insert) or many:
        result = state.invoke_statement()
        _record_given_values(session, table, statement, parameters, user)
        return result
    given = parameters if isinstance(parameters, Mapping) else (parameters[0] if parameters else {})
    return _record_row_by_row(state, table, statement, given, user)


def _record_given_values(session: Session, table: Table, statement: Any, parameters: Any, user: str) -> None:
    """An INSERT, or an executemany: what was written is what was given."""
    if isinstance(parameters, Mapping):
        given: list[Mapping[str, Any]] = [parameters]
    elif parameters:
        given = list(parameters)
    else:
        given = [statement.compile(dialect=session.get_bind().dialect).params]
    rows = [_redacted(table, dict(values)) for values in given]
    action = (
        AuditAction.INSERT
        if isinstance(statement, Insert)
        else AuditAction.UPDATE
        if isinstance(statement, Update)
        else AuditAction.DELETE
    )
    now = dt.datetime.now(dt.UTC)
    if len(rows) == 1:
        entry = _entry(user, action, table.name, key_of(table, rows[0]), None, rows[0], at=now)
    else:
        entry = _entry(user, action, table.name, "*", None, rows[:MAX_ROWS_IN_ENTRY], rows=len(rows), at=now)
    session.connection().execute(insert(_AUDIT), [entry])


def _record_row_by_row(
    state: ORMExecuteState, table: Table, statement: Update | Delete, parameters: Mapping[str, Any], user: str
) -> Result[Any]:
    """Read the rows an UPDATE or DELETE chooses, run it, and record each row before and after."""
    session = state.session
    connection = session.connection()
    where = statement.whereclause
    chosen = select(table)
    if where is not None:
        chosen = chosen.where(where)
    before_rows = [
        dict(row._mapping) for row in connection.execute(chosen.limit(MAX_ROWS_READ_BEFORE + 1), dict(parameters))
    ]
    result = state.invoke_statement()
    count = result.rowcount if isinstance(result, CursorResult) else len(before_rows)
    if not isinstance(result, CursorResult) or result.returns_rows:  # keep its rows while the rows after are read
        result = result.freeze()()
    now = dt.datetime.now(dt.UTC)
    action = AuditAction.UPDATE if isinstance(statement, Update) else AuditAction.DELETE
    if len(before_rows) > MAX_ROWS_READ_BEFORE:
        entry = _entry(user, action, table.name, "*", None, None, rows=count, at=now)
        connection.execute(insert(_AUDIT), [entry])
        return result
    after_rows = _rows_after(connection, table, before_rows) if action is AuditAction.UPDATE else {}
    entries = []
    for row in before_rows:
        pk = tuple(row[c.name] for c in table.primary_key.columns)
        if action is AuditAction.DELETE:
            entries.append(_entry(user, action, table.name, key_of(table, row), _redacted(table, row), None, at=now))
            continue
        new = after_rows.get(pk)
        if new is None:
            continue
        changed = [name for name in row if row[name] != new[name]]
        if changed:
            entries.append(
                _entry(
                    user,
                    action,
                    table.name,
                    key_of(table, new),
                    _redacted(table, {n: row[n] for n in changed}),
                    _redacted(table, {n: new[n] for n in changed}),
                    at=now,
                )
            )
    if entries:
        connection.execute(insert(_AUDIT), entries)
    return result


def _rows_after(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, ...], Any]:
    keys = [tuple(row[c.name] for c in table.primary_key.columns) for row in rows]
    if not keys:
        return {}
    pk = list(table.primary_key.columns)
    condition = pk[0].in_([k[0] for k in keys]) if len(pk) == 1 else tuple_(*pk).in_(keys)
    return {
        tuple(row._mapping[c.name] for c in pk): dict(row._mapping)
        for row in connection.execute(select(table).where(condition))
    }


def _redacted(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: SECRET if name in table.c and table.c[name].info.get("secret") else value
        for name, value in values.items()
    }
