"""Converting and validating input arrays: one function per kind of column."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.bounds import MAX_AMOUNT, MAX_QUANTITY
from plantops.errors import ValidationError

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
Bool = NDArray[np.bool_]
Dates = NDArray[np.datetime64]

NAT = np.datetime64("NaT", "D")
#: The largest quantity or amount an input column may hold: what a user may enter.
BOUND = float(max(MAX_QUANTITY, MAX_AMOUNT))


def _array(values: ArrayLike, dtype: Any, record: str, field: str, size: int | None) -> NDArray[Any]:
    try:
        array = np.array(values, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValidationError(record, field, f"cannot be read as {np.dtype(dtype).name}: {error}") from error
    if array.ndim != 1:
        raise ValidationError(record, field, "must be a one-dimensional array")
    if size is not None and array.size != size:
        raise ValidationError(record, field, f"has {array.size} values, expected {size}")
    return array


def first_bad(bad: Bool) -> int:
    """Position of the first ``True``."""
    return int(np.flatnonzero(bad)[0])


def ints(values: ArrayLike | None, record: str, field: str, size: int | None, default: int = 0) -> I64:
    """Integers (``default`` everywhere when ``values`` is None)."""
    if values is None:
        return np.full(size or 0, default, np.int64)
    raw = _array(values, np.float64, record, field, size)
    if not np.isfinite(raw).all() or (raw != np.round(raw)).any():
        raise ValidationError(
            record, field, f"row {first_bad(~np.isfinite(raw) | (raw != np.round(raw)))}: not a whole number"
        )
    result: I64 = raw.astype(np.int64)
    return result


def floats(
    values: ArrayLike | None,
    record: str,
    field: str,
    size: int | None,
    default: float = 0.0,
    *,
    minimum: float | None = 0.0,
    positive: bool = False,
    allow_nan: bool = False,
    maximum: float | None = BOUND,
) -> F64:
    """Finite floats ``>= minimum`` (``> 0`` with ``positive``) and ``<= maximum`` (by default the bound
    on every quantity and amount a user enters, :mod:`plantops.bounds`; ``+inf`` stands for "none");
    NaN only with ``allow_nan``."""
    if values is None:
        return np.full(size or 0, default, np.float64)
    array: F64 = _array(values, np.float64, record, field, size)
    bad = np.isnan(array) & (not allow_nan) | np.isinf(array) & (array < 0)
    if bad.any():
        raise ValidationError(record, field, f"row {first_bad(bad)}: {array[first_bad(bad)]} is not a number")
    if minimum is not None:
        low = (array <= minimum) if positive else (array < minimum)
        if low.any():
            row = first_bad(low)
            relation = ">" if positive else ">="
            raise ValidationError(record, field, f"row {row}: {array[row]} must be {relation} {minimum:g}")
    if maximum is not None:
        high = np.isfinite(array) & (array > maximum)
        if high.any():
            row = first_bad(high)
            raise ValidationError(record, field, f"row {row}: {array[row]:g} must be at most {maximum:,.0f}")
    return array


def bools(values: ArrayLike | None, record: str, field: str, size: int | None) -> Bool:
    if values is None:
        return np.zeros(size or 0, np.bool_)
    result: Bool = _array(values, np.bool_, record, field, size)
    return result


def dates(values: ArrayLike | None, record: str, field: str, size: int | None, *, allow_nat: bool = False) -> Dates:
    """Calendar days (``datetime64[D]``); NaT (open) only with ``allow_nat``."""
    if values is None:
        return np.full(size or 0, NAT)
    array: Dates = _array(values, "datetime64[D]", record, field, size)
    if not allow_nat and np.isnat(array).any():
        raise ValidationError(record, field, f"row {first_bad(np.isnat(array))}: a date is needed")
    return array


def indexes(values: I64, upper: int, record: str, field: str, *, optional: bool = False) -> None:
    """Every value must index ``0 .. upper - 1`` (or be -1 when ``optional``)."""
    low = -1 if optional else 0
    bad = (values < low) | (values >= upper)
    if bad.any():
        row = first_bad(bad)
        allowed = f"-1 or 0..{upper - 1}" if optional else f"0..{upper - 1}"
        raise ValidationError(record, field, f"row {row}: {values[row]} is not in {allowed}")


def date_scalar(value: Any, record: str, field: str) -> np.datetime64:
    try:
        result = np.datetime64(value, "D")
    except (TypeError, ValueError) as error:
        raise ValidationError(record, field, f"{value!r} is not a date") from error
    if np.isnat(result):
        raise ValidationError(record, field, "a date is needed")
    return result
