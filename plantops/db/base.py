"""Declarative base and the column types every domain shares.

Check constraints compare quantities only with 0: on SQLite they are stored in millionths
(see :class:`ExactDecimal`), so other bounds are checked by the services.

Quantities and money are exact (``Numeric``); times are stored timezone-aware in UTC.
Enumerations are stored as constrained strings so that the same migration runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Enum,
    Float,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
    extract,
    type_coerce,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SCALE = 6
_UNITS_PER_ONE = Decimal(10) ** SCALE


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal with 6 decimal places.

    PostgreSQL stores ``NUMERIC(precision, 6)``. SQLite has no exact decimal type (its
    NUMERIC keeps floats), so there the value is stored as a whole number of millionths
    in a 64-bit integer: sums and comparisons in SQL stay exact. Multiplying two such
    columns in SQL is therefore not meaningful; do it in Python.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 20) -> None:
        super().__init__()
        self.precision = precision

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name != "sqlite":
            return exact
        units = exact * _UNITS_PER_ONE
        if units != units.to_integral_value():
            raise ValueError(f"{exact} has more than {SCALE} decimal places")
        return int(units)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name != "sqlite":
            return Decimal(value)
        return (Decimal(int(value)) / _UNITS_PER_ONE).normalize() + Decimal("0.000000")


def as_millionths(column: Any, dialect: str) -> ColumnElement[int]:
    """An exact decimal column read as whole millionths, with no Python conversion per row.

    SQLite stores them that way already; PostgreSQL scales its ``NUMERIC`` by a constant.
    """
    if dialect == "sqlite":
        return type_coerce(column, BigInteger)
    return sql_cast(type_coerce(column, Numeric) * int(_UNITS_PER_ONE), BigInteger)


def as_float(column: Any, dialect: str) -> ColumnElement[float]:
    """An exact decimal column (or an expression of them) read as a float, for engines that
    work in float64: no ``Decimal`` per row."""
    if not isinstance(getattr(column, "type", None), ExactDecimal):
        raise TypeError(f"as_float reads exact decimals only, not {getattr(column, 'type', column)!r}")
    if dialect == "sqlite":
        return type_coerce(type_coerce(column, BigInteger) / 1_000_000.0, Float)
    return sql_cast(type_coerce(column, Numeric), Float)


def as_epoch_microseconds(column: Any, dialect: str) -> ColumnElement[Any]:
    """A UTC instant column read cheaply: ISO text on SQLite, epoch microseconds on PostgreSQL."""
    if dialect == "sqlite":
        return type_coerce(column, String)
    return sql_cast(extract("epoch", column) * 1_000_000, BigInteger)


#: Quantities: 20 digits with 6 decimals, enough for grams of a tanker load.
Quantity = ExactDecimal(20)
#: Money and rates per unit.
Money = ExactDecimal(20)
#: Fractions such as scrap factors, yields, efficiencies and cost shares.
Fraction = ExactDecimal(9)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware instant stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: times must carry a zone")
        utc = value.astimezone(dt.UTC)
        # SQLite keeps no zone; store the UTC wall time there.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enumeration column storing the members' values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Base of every PlantOps table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        Decimal: Quantity,
        dt.datetime: UTCDateTime,
    }


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for bulk statements that bypass the ORM."""
    return cast(Table, model.__table__)


def text_length(model: type[Base], column: str) -> int:
    """How many characters the text column ``column`` of ``model``'s table holds."""
    length = getattr(table_of(model).c[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{table_of(model).name}.{column} is no text column of a fixed length")
    return length
