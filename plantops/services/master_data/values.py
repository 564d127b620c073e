"""Cell values of the exchange format: parse what a user typed, format what we export.

Formatting is canonical (decimals without trailing zeros, ISO dates and times, UTC
instants), so that export -> import -> export gives the same files.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from plantops import bounds

_MICRO = Decimal("0.000001")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-+#]*$")
#: Many codes joined by newlines, checked in one pass.
_CODES = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9._/\-+#]*(?:\n|\Z))*")


class BadValue(ValueError):
    """A cell that cannot be read; the message is the reason a user sees."""


@dataclass(frozen=True)
class Kind:
    """How a column's cells are read and written."""

    name: str

    def parse(self, raw: Any) -> Any:
        raise NotImplementedError

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        """``values`` unchanged if every one already is what :meth:`parse` returns; else None.

        This lets data built in memory (the demo plants) skip cell-by-cell parsing.
        """
        return None

    def extremes(self, values: list[Any]) -> list[Any]:
        """The values that decide whether all pass a column's bounds and length checks."""
        return []


def _all_of_type(values: list[Any], kind: type) -> bool:
    return all(v.__class__ is kind for v in values)


class _Textual(Kind):
    def extremes(self, values: list[Any]) -> list[Any]:
        return [max(values, key=len)] if values else []


class Text(_Textual):
    def parse(self, raw: Any) -> Any:
        text = str(raw).strip()
        if len(text) > 200:
            raise BadValue("longer than 200 characters")
        if "\x00" in text:
            raise BadValue("a NUL character is not text")
        return text

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        if _all_of_type(values, str) and all(v == v.strip() and v and "\x00" not in v for v in values):
            return values if not values or len(max(values, key=len)) <= 200 else None
        return None


class Code(_Textual):
    """A business code: letters, digits and . _ / - + #, no spaces, at most 64 long."""

    def parse(self, raw: Any) -> Any:
        text = str(raw).strip()
        if not _CODE.match(text):
            raise BadValue(f"{text!r} is not a code (letters, digits and . _ / - + #, no spaces)")
        if len(text) > 64:
            raise BadValue(f"{text!r} is longer than 64 characters")
        return text

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        if not _all_of_type(values, str) or not all(values):
            return None
        joined = "\n".join(values)
        single_lines = joined.count("\n") == len(values) - 1
        return values if single_lines and _CODES.fullmatch(joined) and max(map(len, values), default=0) <= 64 else None


#: No quantity or amount in any sheet may exceed the bound every layer enforces.
_BOUND = max(bounds.MAX_QUANTITY, bounds.MAX_AMOUNT)


class Number(Kind):
    """An exact decimal number, 6 decimal places at most, within :data:`plantops.bounds.MAX_QUANTITY`."""

    def parse(self, raw: Any) -> Any:
        if type(raw) is Decimal and raw.is_finite() and abs(raw) <= _BOUND and raw == raw.quantize(_MICRO):
            return raw
        if isinstance(raw, bool):
            raise BadValue(f"{raw!r} is not a number")
        if isinstance(raw, float):
            raw = repr(raw)
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise BadValue(f"{raw!r} is not a number") from None
        if not value.is_finite():
            raise BadValue(f"{raw!r} is not a finite number")
        if abs(value) > _BOUND:
            raise BadValue(f"must be at most {_BOUND:,} (the bound for every quantity and amount), got {raw!r}")
        if value != value.quantize(_MICRO):
            raise BadValue(f"{raw!r} has more than 6 decimal places")
        return value

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        text = format(Decimal(value).normalize(), "f")
        return "0" if text in ("-0", "") else text

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        if not _all_of_type(values, Decimal):
            return None
        try:
            return values if all(abs(v) <= _BOUND and v == v.quantize(_MICRO) for v in values) else None
        except InvalidOperation:  # NaN
            return None

    def extremes(self, values: list[Any]) -> list[Any]:
        return [min(values), max(values)] if values else []


class Integer(Kind):
    def accept_all(self, values: list[Any]) -> list[Any] | None:
        return values if _all_of_type(values, int) else None

    def extremes(self, values: list[Any]) -> list[Any]:
        return [min(values), max(values)] if values else []

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise BadValue(f"{raw!r} is not a whole number")
        if isinstance(raw, int):
            return raw
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise BadValue(f"{raw!r} is not a whole number") from None
        if not value.is_finite() or value != value.to_integral_value():
            raise BadValue(f"{raw!r} is not a whole number")
        return int(value)


class Boolean(Kind):
    def accept_all(self, values: list[Any]) -> list[Any] | None:
        return values if _all_of_type(values, bool) else None

    _TRUE = frozenset({"true", "yes", "1", "y"})
    _FALSE = frozenset({"false", "no", "0", "n"})

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        raise BadValue(f"{raw!r} is not true or false")

    def format(self, value: Any) -> str:
        return "" if value is None else ("true" if value else "false")


def _within_dates(values: list[Any]) -> bool:
    """Whether every date (or time, by its own date) lies within the bounds anyone may enter."""
    return all(bounds.EARLIEST_DATE <= _day(v) <= bounds.LATEST_DATE for v in values)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _bounded_date(value: dt.date, raw: Any) -> None:
    if not _within_dates([value]):
        raise BadValue(f"must lie between {bounds.EARLIEST_DATE} and {bounds.LATEST_DATE}, got {raw!r}")


class Date(Kind):
    def accept_all(self, values: list[Any]) -> list[Any] | None:
        return values if _all_of_type(values, dt.date) and _within_dates(values) else None

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, dt.datetime):
            if raw.time() != dt.time(0):
                raise BadValue(f"{raw.isoformat()} is a date with a time; give the date only")
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        else:
            try:
                value = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                raise BadValue(f"{raw!r} is not a date (YYYY-MM-DD)") from None
        _bounded_date(value, raw)
        return value

    def format(self, value: Any) -> str:
        return "" if value is None else value.isoformat()


class TimeOfDay(Kind):
    def accept_all(self, values: list[Any]) -> list[Any] | None:
        return values if _all_of_type(values, dt.time) else None

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, dt.time):
            return raw
        try:
            return dt.time.fromisoformat(str(raw).strip())
        except ValueError:
            raise BadValue(f"{raw!r} is not a time of day (HH:MM)") from None

    def format(self, value: Any) -> str:
        return "" if value is None else value.isoformat(timespec="minutes" if value.second == 0 else "seconds")


class Instant(Kind):
    """A point in time with its zone (``2026-03-01T06:00:00+01:00``); stored in UTC."""

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        if (
            _all_of_type(values, dt.datetime)
            and all(v.utcoffset() == dt.timedelta(0) for v in values)
            and _within_dates(values)
        ):
            return [v.astimezone(dt.UTC) for v in values]
        return None

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, dt.datetime):
            value = raw
        else:
            try:
                value = dt.datetime.fromisoformat(str(raw).strip())
            except ValueError:
                raise BadValue(f"{raw!r} is not a date and time (YYYY-MM-DDTHH:MM+00:00)") from None
        if value.tzinfo is None or value.utcoffset() is None:
            raise BadValue(f"{raw!r} has no time zone; add one, e.g. +00:00")
        _bounded_date(value, raw)
        return value.astimezone(dt.UTC)

    def format(self, value: Any) -> str:
        return "" if value is None else value.astimezone(dt.UTC).isoformat()


@dataclass(frozen=True)
class Choice(Kind):
    """One of an enumeration's values."""

    enum_cls: type[enum.Enum] = enum.Enum

    def accept_all(self, values: list[Any]) -> list[Any] | None:
        return values if _all_of_type(values, self.enum_cls) else None

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, self.enum_cls):
            return raw
        text = str(raw).strip()
        try:
            return self.enum_cls(text)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in self.enum_cls)
            raise BadValue(f"{text!r} is not one of: {allowed}") from None

    def format(self, value: Any) -> str:
        return "" if value is None else str(value.value)


TEXT = Text("text")
CODE = Code("code")
NUMBER = Number("number")
INTEGER = Integer("integer")
BOOLEAN = Boolean("boolean")
DATE = Date("date")
TIME = TimeOfDay("time")
INSTANT = Instant("instant")


def choice(enum_cls: type[enum.Enum]) -> Choice:
    return Choice(enum_cls.__name__, enum_cls)
