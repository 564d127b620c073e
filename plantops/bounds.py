"""The bounds on what a user enters, one definition that every layer enforces alike.

Every quantity a user types, imports or sends (a stock posting, a reservation, an order
line, a planning parameter) is at most :data:`MAX_QUANTITY` of its item's unit, and
every amount (a unit cost, a price) at most :data:`MAX_AMOUNT` of the currency per
unit. The ledger, valuation, MRP, the API's schemas, the web forms and the import all
refuse a value beyond them at entry, naming the field and the bound, so that nothing
accepted can later break a calculation. The bounds follow from how values are held:

* the database keeps quantities exact to a millionth; on SQLite as whole millionths in
  a 64-bit integer, which holds 9.2 million million units (9.2e12), so a balance
  summing a thousand receipts at the bound still fits with room to spare;
* valuation and MRP compute in float64, which counts millionths exactly up to 9.0e9
  units: a move at the bound is valued to the millionth.

Times get bounds too: any date or time a user enters lies between
:data:`EARLIEST_DATE` and :data:`LATEST_DATE` (far from the years 1 and 9999, where a
time zone pushes a time out of what Python and the databases can hold), and a stock
posting's effective time lies within :data:`POSTING_DAYS_BACK` days before now and
:data:`POSTING_DAYS_AHEAD` days after it, a :class:`PostingWindow` that the settings may
change (``PLANTOPS_POSTING_DAYS_BACK``, ``PLANTOPS_POSTING_DAYS_AHEAD``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from plantops.errors import ValidationError

#: The largest quantity of one line, move, order or planning parameter, in the item's unit.
MAX_QUANTITY = Decimal(1_000_000_000)
#: The largest unit cost or price, in the currency per unit of the item.
MAX_AMOUNT = Decimal(1_000_000_000)
#: Quantities and amounts are exact to a millionth.
DECIMAL_PLACES = 6

#: The earliest and latest date anyone may enter (plan starts, forecast weeks, expiries, postings).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
#: How far before and after now a stock posting may take effect, unless the settings say otherwise.
POSTING_DAYS_BACK = 3660
POSTING_DAYS_AHEAD = 366


@dataclass(frozen=True)
class PostingWindow:
    """How many days before and after now a stock posting may take effect (``PLANTOPS_POSTING_DAYS_*``)."""

    days_back: int = POSTING_DAYS_BACK
    days_ahead: int = POSTING_DAYS_AHEAD


DEFAULT_POSTING_WINDOW = PostingWindow()


def _number_problem(value: Decimal, bound: Decimal, *, allow_zero: bool) -> str | None:
    """Why ``value`` is no acceptable quantity or amount under ``bound``, or None."""
    try:
        finite = value.is_finite()
    except (AttributeError, InvalidOperation):
        return f"must be a number, got {value!r}"
    if not finite:
        return f"must be a number, got {value}"
    if value < 0 or (value == 0 and not allow_zero):
        return f"must be {'at least' if allow_zero else 'greater than'} 0, got {_text(value)}"
    if value > bound:
        return f"must be at most {bound:,} (the bound for every quantity and amount), got {_text(value)}"
    if value != value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
        return f"has more than {DECIMAL_PLACES} decimal places: {_text(value)}"
    return None


def _text(value: Decimal) -> str:
    return f"{value:,f}" if abs(value.adjusted()) < 30 else f"{value:.3E}"


def quantity_problem(value: Decimal, *, allow_zero: bool = False) -> str | None:
    """Why ``value`` is no acceptable quantity (positive, at most :data:`MAX_QUANTITY`), or None."""
    return _number_problem(value, MAX_QUANTITY, allow_zero=allow_zero)


def amount_problem(value: Decimal) -> str | None:
    """Why ``value`` is no acceptable amount (0 to :data:`MAX_AMOUNT`), or None."""
    return _number_problem(value, MAX_AMOUNT, allow_zero=True)


def check_quantity(record: str, field: str, value: Decimal, *, allow_zero: bool = False) -> None:
    """Raise a :class:`ValidationError` naming ``record``'s ``field`` unless ``value`` is a quantity."""
    problem = quantity_problem(value, allow_zero=allow_zero)
    if problem is not None:
        raise ValidationError(record, field, problem)


def check_amount(record: str, field: str, value: Decimal) -> None:
    """Raise a :class:`ValidationError` naming ``record``'s ``field`` unless ``value`` is an amount."""
    problem = amount_problem(value)
    if problem is not None:
        raise ValidationError(record, field, problem)


def check_date(record: str, field: str, value: dt.date) -> None:
    """Refuse a date (or the date of a time, in its own zone) outside :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`.

    The time's own date is compared, never one converted to UTC: near the years 1 and
    9999 the conversion itself overflows, and the bounds are far from both.
    """
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            record, field, f"must lie between {EARLIEST_DATE} and {LATEST_DATE}, got {value.isoformat()}"
        )


def check_posting_time(
    record: str, field: str, value: dt.datetime, *, now: dt.datetime, window: PostingWindow = DEFAULT_POSTING_WINDOW
) -> None:
    """Refuse an aware effective time further than the posting ``window`` from ``now``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(record, field, "needs a time zone (e.g. +00:00)")
    check_date(record, field, value)
    earliest = now - dt.timedelta(days=window.days_back)
    latest = now + dt.timedelta(days=window.days_ahead)
    if not earliest <= value <= latest:
        raise ValidationError(
            record,
            field,
            f"must lie within {_days(window.days_back)} before and {_days(window.days_ahead)} after now "
            f"({earliest:%Y-%m-%d} to {latest:%Y-%m-%d}), got {value.isoformat()}",
        )


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def check_text(record: str, field: str, value: str | None, *, max_length: int) -> None:
    """Refuse text longer than its column holds, or holding a NUL character."""
    if value is None:
        return
    if len(value) > max_length:
        raise ValidationError(record, field, f"must be at most {max_length} characters, got {len(value)}")
    if "\x00" in value:
        raise ValidationError(record, field, "must not contain a NUL character")
