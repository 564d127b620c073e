"""What every router's schemas share: exact decimals as text, pages of a list, list parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from plantops.bounds import DECIMAL_PLACES, MAX_AMOUNT, MAX_QUANTITY
from plantops.errors import ValidationError

T = TypeVar("T")


def exact_text(value: Decimal) -> str:
    """An exact decimal as its shortest text: ``250.000000`` -> ``250``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


#: An exact decimal as the database holds it (20 digits, 6 after the point): read from a JSON
#: number or string, written as a string (no binary rounding).
Exact = Annotated[
    Decimal,
    Field(max_digits=20, decimal_places=6),
    PlainSerializer(exact_text, return_type=str, when_used="json"),
]
#: A quantity a user enters: positive, at most the bound every layer enforces (:mod:`plantops.bounds`).
Quantity = Annotated[Decimal, Field(gt=0, le=MAX_QUANTITY, decimal_places=DECIMAL_PLACES, allow_inf_nan=False)]
#: A quantity that may be zero (a forecast override of no demand).
QuantityOrZero = Annotated[Decimal, Field(ge=0, le=MAX_QUANTITY, decimal_places=DECIMAL_PLACES, allow_inf_nan=False)]
#: A unit cost or price a user enters: 0 up to the bound.
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=DECIMAL_PLACES, allow_inf_nan=False)]
#: Any number of a master-data record (a quantity, a cost, a rate), within the bound either way.
BoundedNumber = Annotated[
    Decimal,
    Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, decimal_places=DECIMAL_PLACES, allow_inf_nan=False),
    PlainSerializer(exact_text, return_type=str, when_used="json"),
]
#: A whole number as the database holds it.
Whole = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
#: Text without the NUL character (which PostgreSQL does not store).
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]
#: A time of day on the wall clock, without a zone (a shift's start): ``06:00`` or ``06:00:30``.
TimeOfDay = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")]
#: A business code: letters, digits and . _ / - + #, no spaces, at most 64 long.
Code = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/\-+#]*$")]

Offset = Annotated[int, Field(ge=0, le=2**62, description="How many matching rows to skip.")]
Limit = Annotated[int, Field(ge=1, le=1000, description="How many rows to return at most.")]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """A page of a list: ``total`` rows match, these are ``items[offset : offset + limit]``."""

    total: int
    offset: int
    limit: int
    items: list[T]


class ListQuery(Schema):
    """Paging and sorting of a list: ``sort`` names columns, ``-`` first for descending, comma-separated."""

    offset: Offset = 0
    limit: Limit = 100
    sort: str | None = Field(default=None, description="e.g. `-due_date,item`")

    def sort_columns(self) -> list[str]:
        return [word.strip() for word in (self.sort or "").split(",") if word.strip()]


def page_of(items: list[T], query: ListQuery, fields: tuple[str, ...]) -> Page[T]:
    """A page of a list read whole: sorted by ``query.sort`` (attribute names in ``fields``), then sliced.

    For the short lists services return whole (balances of an item, reservations of a
    document); a list that can be long is paged by its service in the database.
    """
    ordered = list(items)
    for word in reversed(query.sort_columns()):
        name = word.removeprefix("-")
        if name not in fields:
            raise ValidationError("list", "sort", f"unknown field {name!r} (known: {', '.join(fields)})")
        ordered.sort(key=lambda item: _sort_key(getattr(item, name)), reverse=word.startswith("-"))
    return Page(
        total=len(ordered),
        offset=query.offset,
        limit=query.limit,
        items=ordered[query.offset : query.offset + query.limit],
    )


def _sort_key(value: object) -> tuple[bool, object]:
    return (value is not None, value)
