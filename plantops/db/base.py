"""Declarative base and the column types every domain shares.

Quantities and money are exact (``Numeric``); times are stored timezone-aware in UTC.
Enumerations are stored as constrained strings so that the same migration runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, Numeric, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Quantities: 20 digits with 6 decimals, enough for grams of a tanker load.
Quantity = Numeric(20, 6, asdecimal=True)
#: Money and rates per unit.
Money = Numeric(20, 6, asdecimal=True)
#: Fractions such as scrap factors, yields, efficiencies and cost shares.
Fraction = Numeric(9, 6, asdecimal=True)


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
