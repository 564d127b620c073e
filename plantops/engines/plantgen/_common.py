"""What both plant generators share: the exchange-format types, exact numbers, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

#: One row of a sheet: column name -> typed value (``None`` or absent means empty).
Row = dict[str, Any]
#: Master data in the exchange format: sheet name -> rows.
MasterData = dict[str, list[Row]]

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(weeks=1)


def num(value: float, places: int = 6) -> Decimal:
    """``value`` rounded to ``places`` decimals as an exact Decimal (whole numbers lose ``.0``).

    Goes through the float's shortest text form, so ``num(0.1)`` is ``Decimal("0.1")``.
    """
    rounded = round(float(value), places)
    if rounded == int(rounded) and abs(rounded) < 1e15:
        return Decimal(int(rounded))
    return Decimal(repr(rounded))


def optional_num(value: float | None, places: int = 6) -> Decimal | None:
    return None if value is None else num(value, places)


def monday_of(day: dt.date) -> dt.date:
    """The Monday that starts ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def utc_instant(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``hour:minute`` UTC on ``day``, timezone-aware."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous algorithm of Meeus, *Astronomical Algorithms*, ch. 8)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)
