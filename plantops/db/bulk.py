"""Bulk insert and read of many rows, column by column, at the speed of the database driver.

PostgreSQL receives the rows through ``COPY .. FROM STDIN`` (psycopg's copy protocol) and
sends them through ``COPY .. TO STDOUT``; SQLite through one prepared statement run by
``executemany`` and one plain cursor. Values pass through each column type's own bind
processing first (exact decimals, UTC instants, enumerations), so what is stored is
exactly what the ORM would store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import psycopg
from sqlalchemy import Boolean, Connection, Date, Float, Integer, LargeBinary, Select, Table, insert
from sqlalchemy.exc import DBAPIError

from plantops.db.base import ExactDecimal


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
        statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
        with _as_sqlalchemy_errors(statement), cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return count
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    order = [names.index(key) for key in compiled.positiontup or names]
    statement = str(compiled)
    connection.exec_driver_sql(statement, [tuple(row[i] for i in order) for row in rows])
    return count


@contextmanager
def _as_sqlalchemy_errors(statement: str) -> Iterator[None]:
    """Raise the driver's errors from a ``COPY`` as SQLAlchemy raises them from a statement
    (a duplicate key as ``IntegrityError``...), so callers handle both alike."""
    try:
        yield
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


def insert_arrays(connection: Connection, table: Table, columns: Mapping[str, Any]) -> int:
    """Insert rows given as whole columns (numpy arrays or lists), converted a column at a time.

    For engine results of millions of rows: exact decimals arrive as float64 arrays and are
    rounded to 6 places, dates as ``datetime64[D]``, enumerations as arrays of their values,
    ids as integer arrays with -1 for NULL where the column is nullable, NaN for a NULL
    number. PostgreSQL gets the rows as one ``COPY`` text stream written by polars (a
    tab-separated file with ``\\N`` for NULL, which is COPY's text format); SQLite as one
    ``executemany``.
    """
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    if count == 0:
        return 0
    if connection.dialect.name == "postgresql":
        frame = pl.DataFrame([_copy_series(name, table.c[name], columns[name]) for name in names])
        text = frame.write_csv(
            separator="\t", include_header=False, null_value="\\N", quote_style="never", float_precision=6
        )
        preparer = connection.dialect.identifier_preparer
        quoted = ", ".join(preparer.quote(name) for name in names)
        cursor = connection.connection.cursor()
        statement = f"COPY {preparer.format_table(table)} ({quoted}) FROM STDIN"
        with _as_sqlalchemy_errors(statement), cursor.copy(statement) as copy:
            copy.write(text)
        return count
    converted = [_sqlite_values(table.c[name], columns[name]) for name in names]
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    order = [names.index(key) for key in compiled.positiontup or names]
    connection.exec_driver_sql(str(compiled), list(zip(*(converted[i] for i in order), strict=True)))
    return count


def _copy_series(name: str, column: Any, values: Any) -> pl.Series:
    """One column as polars values that COPY's text format reads back exactly."""
    if isinstance(column.type, LargeBinary):  # bytea's hex form, its backslash escaped for COPY
        hexes = pl.Series(name, values, dtype=pl.Binary).bin.encode("hex")
        return pl.select(pl.concat_str(pl.lit("\\\\x"), hexes)).to_series().alias(name)
    array = np.asarray(values)
    if type(column.type).__name__ == "ExactDecimal":
        return pl.Series(name, np.round(array.astype(np.float64), 6)).fill_nan(None)
    if array.dtype.kind == "M":
        return pl.Series(name, array.astype("datetime64[D]"))
    if array.dtype.kind in "iu":
        series = pl.Series(name, array)
        return series.set(pl.Series(array < 0), None) if column.nullable else series
    if array.dtype.kind == "U":
        series = pl.Series(name, array)
        for character, escaped in COPY_ESCAPES:
            series = series.str.replace_all(character, escaped, literal=True)
        return series
    codes, uniques = pd.factorize(array.astype(object))  # hashes each value once, in C
    if len(uniques) == 0:
        return pl.Series(name, [None] * len(codes), dtype=pl.String)
    distinct = pl.Series(name, [_copy_text(str(getattr(v, "value", v))) for v in uniques], dtype=pl.String)
    return distinct.gather(codes).set(pl.Series(codes < 0), None)


def _sqlite_values(column: Any, values: Any) -> list[Any]:
    """One column as the values SQLite stores, NULL for -1 ids and NaN."""
    if isinstance(column.type, LargeBinary):
        return list(values)  # as they are: numpy's bytes would drop trailing zero bytes
    array = np.asarray(values)
    if type(column.type).__name__ == "ExactDecimal":
        numbers = array.astype(np.float64)
        millionths = np.rint(np.round(np.nan_to_num(numbers), 6) * 1_000_000).astype(np.int64).tolist()
        missing = np.isnan(numbers)
        return (
            [None if m else v for m, v in zip(missing.tolist(), millionths, strict=True)]
            if missing.any()
            else millionths
        )
    if array.dtype.kind == "M":
        return np.datetime_as_string(array.astype("datetime64[D]")).tolist()  # type: ignore[no-any-return]
    if array.dtype.kind in "iu":
        if column.nullable:
            return [
                None if missing else value for missing, value in zip((array < 0).tolist(), array.tolist(), strict=True)
            ]
        return array.tolist()  # type: ignore[no-any-return]
    return [getattr(v, "value", v) for v in array.tolist()]


COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
"""What COPY's text format escapes: the backslash first, then the delimiter and line ends."""


def _copy_text(text: str) -> str:
    """Escape a value for COPY's text format."""
    for character, escaped in COPY_ESCAPES:
        text = text.replace(character, escaped)
    return text


def read_columns(connection: Connection, query: Select[*tuple[Any, ...]]) -> dict[str, np.ndarray]:
    """The rows of ``query`` as one numpy array per selected column, by its label.

    For reading hundreds of thousands of rows into an engine without a Python object per
    value: integers come as int64 with -1 for NULL, floats as float64 with NaN for NULL,
    dates as ``datetime64[D]``, booleans as bool, anything else as text (enumerations as
    their stored values, NULL as None). Exact decimals must be selected through
    :func:`plantops.db.base.as_float`.
    """
    names: list[str] = [str(column.key) for column in query.selected_columns]
    kinds = [_read_kind(name, column.type) for name, column in zip(names, query.selected_columns, strict=True)]
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        data = bytearray()
        with connection.connection.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
            for block in copy:
                data += block
        frame = (
            pl.DataFrame(schema=dict.fromkeys(names, pl.String))
            if not data
            else pl.read_csv(
                bytes(data),
                separator="\t",
                has_header=False,
                new_columns=names,
                null_values="\\N",
                quote_char=None,
                schema_overrides=[pl.String] * len(names),
            )
        )
    else:
        rows = connection.exec_driver_sql(sql).all()
        frame = pl.DataFrame(
            [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in names],
            schema=dict.fromkeys(names, pl.String if not rows else None),
            orient="col",
            strict=False,
        )
    return {name: _as_array(frame[name], kind) for name, kind in zip(names, kinds, strict=True)}


def _read_kind(name: str, sql_type: Any) -> str:
    if isinstance(sql_type, ExactDecimal):
        raise TypeError(f"read_columns: select {name} through as_float()")
    for kind, types in (("bool", Boolean), ("int", Integer), ("float", Float), ("date", Date)):
        if isinstance(sql_type, types):
            return kind
    return "text"


def _as_array(series: pl.Series, kind: str) -> np.ndarray:
    if kind == "int":
        return series.cast(pl.Int64).fill_null(-1).to_numpy()
    if kind == "float":
        return series.cast(pl.Float64).fill_null(np.nan).to_numpy()
    if kind == "date":
        dates = series if series.dtype == pl.Date else series.cast(pl.String).str.to_date("%Y-%m-%d")
        return dates.to_numpy().astype("datetime64[D]")
    if kind == "bool":
        text = series.cast(pl.String)
        return text.is_in(["t", "1", "true"]).to_numpy()
    return series.cast(pl.String).to_numpy().astype(object)
