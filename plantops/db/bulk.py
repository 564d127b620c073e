"""Bulk insert of many rows given column by column, at the speed of the database driver.

PostgreSQL receives the rows through ``COPY .. FROM STDIN`` (psycopg's copy protocol);
SQLite through one prepared statement run by ``executemany``. Values pass through each
column type's own bind processing first (exact decimals, UTC instants, enumerations), so
what is stored is exactly what the ORM would store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert


def bulk_insert(connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert the rows whose values are ``columns[name][i]``; returns how many were inserted."""
    names = list(columns)
    if not names:
        return 0
    count = len(columns[names[0]])
    if any(len(columns[name]) != count for name in names):
        raise ValueError("bulk insert: columns of different lengths")
    if count == 0:
        return 0
    dialect = connection.dialect
    processed: list[Sequence[Any]] = []
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = columns[name]
        processed.append(values if process is None else [None if v is None else process(v) for v in values])
    rows = list(zip(*processed, strict=True))
    if dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
        with cursor.copy(f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return count
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    order = [names.index(key) for key in compiled.positiontup or names]
    statement = str(compiled)
    connection.exec_driver_sql(statement, [tuple(row[i] for i in order) for row in rows])
    return count
