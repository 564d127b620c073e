"""Validating the engine's inputs: each check names the record and the field it refuses."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.errors import ValidationError

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def floats(
    values: ArrayLike,
    record: str,
    field: str,
    *,
    minimum: float | None = 0.0,
    positive: bool = False,
    finite: bool = True,
) -> F64:
    """A one-dimensional array of numbers ``>= minimum`` (``> minimum`` with ``positive``)."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise ValidationError(record, field, f"cannot be read as numbers: {error}") from error
    if array.ndim != 1:
        raise ValidationError(record, field, "must be one number per row")
    bad = np.isnan(array) | (np.isinf(array) if finite else np.isneginf(array))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError(record, field, f"row {row}: {array[row]} is not a finite number")
    if minimum is not None:
        low = array <= minimum if positive else array < minimum
        if low.any():
            row = int(np.flatnonzero(low)[0])
            relation = ">" if positive else ">="
            raise ValidationError(record, field, f"row {row}: {array[row]:g} must be {relation} {minimum:g}")
    return array


def probabilities(values: ArrayLike, record: str, field: str) -> F64:
    """Probabilities strictly between 0 and 1 (a service target of 1 needs infinite stock)."""
    array = floats(values, record, field, minimum=0.0, positive=True)
    high = array >= 1.0
    if high.any():
        row = int(np.flatnonzero(high)[0])
        raise ValidationError(record, field, f"row {row}: {array[row]:g} must be below 1")
    return array


def same_length(record: str, **arrays: F64) -> int:
    """The common length of ``arrays`` after broadcasting single values; refuses other mismatches."""
    sizes = {name: array.size for name, array in arrays.items()}
    longest = max(sizes.values(), default=0)
    for name, size in sizes.items():
        if size not in (1, longest):
            raise ValidationError(record, name, f"has {size} values, expected {longest}")
    return longest


def positive_number(value: float, record: str, field: str) -> float:
    """One finite number above zero."""
    if not np.isfinite(value) or value <= 0:
        raise ValidationError(record, field, f"{value:g} must be a number above 0")
    return float(value)


def nonnegative_number(value: float, record: str, field: str) -> float:
    """One finite number of zero or more."""
    if not np.isfinite(value) or value < 0:
        raise ValidationError(record, field, f"{value:g} must be a number of at least 0")
    return float(value)
