"""Bulk insert of many rows given column by column, at the speed of the database driver.

PostgreSQL receives the rows through ``COPY .. FROM STDIN`` (psycopg's copy protocol);
SQLite through one prepared statement run by ``executemany``. Values pass through each
column type's own bind processing first (exact decimals, UTC instants, enumerations), so
what is stored is exactly what the ORM would store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
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


def insert_arrays(connection: Connection, table: Table, columns: Mapping[str, Any]) -> int:
    """Insert rows given as whole columns (numpy arrays or lists), converted a column at a time.

    For engine results of millions of rows: exact decimals arrive as float64 arrays and are
    rounded to 6 places, dates as ``datetime64[D]``, enumerations as arrays of their values,
    ids as integer arrays with -1 for NULL where the column is nullable. PostgreSQL gets the
    rows as one ``COPY`` text stream; SQLite as one ``executemany``.
    """
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    if count == 0:
        return 0
    postgres = connection.dialect.name == "postgresql"
    converted = [_column_values(table.c[name], columns[name], postgres) for name in names]
    if postgres:
        lines = ["\t".join(row) for row in zip(*converted, strict=True)]
        preparer = connection.dialect.identifier_preparer
        quoted = ", ".join(preparer.quote(name) for name in names)
        cursor = connection.connection.cursor()
        with cursor.copy(f"COPY {preparer.format_table(table)} ({quoted}) FROM STDIN") as copy:
            for start in range(0, count, 100_000):
                copy.write("\n".join(lines[start : start + 100_000]) + "\n")
        return count
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    order = [names.index(key) for key in compiled.positiontup or names]
    connection.exec_driver_sql(str(compiled), list(zip(*(converted[i] for i in order), strict=True)))
    return count


def _column_values(column: Any, values: Any, postgres: bool) -> list[Any]:
    """One column as COPY text (PostgreSQL) or as the values SQLite stores, NULL for -1 ids / NaN."""
    array = np.asarray(values)
    kind = type(column.type).__name__
    if kind == "ExactDecimal":
        rounded = np.round(array.astype(np.float64), 6)
        if postgres:
            return np.char.mod("%.6f", rounded).tolist()  # type: ignore[no-any-return]
        return np.rint(rounded * 1_000_000).astype(np.int64).tolist()  # type: ignore[no-any-return]
    if array.dtype.kind == "M":
        return np.datetime_as_string(array.astype("datetime64[D]")).tolist()  # type: ignore[no-any-return]
    if array.dtype.kind in "iu":
        if column.nullable:
            present = array.astype(str).tolist() if postgres else array.tolist()
            null = r"\N" if postgres else None
            return [null if missing else value for missing, value in zip((array < 0).tolist(), present, strict=True)]
        return array.astype(str).tolist() if postgres else array.tolist()  # type: ignore[no-any-return]
    items = [getattr(v, "value", v) for v in array.tolist()] if array.dtype == object else array.tolist()
    if postgres:
        return [r"\N" if v is None else _copy_text(str(v)) for v in items]
    return items


def _copy_text(text: str) -> str:
    """Escape a value for COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
