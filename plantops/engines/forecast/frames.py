"""Data frames in the long format statsforecast uses: one row per series and period.

``unique_id`` names the series, ``ds`` is the period (a timestamp, or an integer index),
``y`` the value. Frames may come as pandas or polars; the engine works in pandas and
answers in the kind it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from plantops.errors import ValidationError

COLUMNS = ("unique_id", "ds", "y")
F64 = npt.NDArray[np.float64]


def is_polars(frame: Any) -> bool:
    return type(frame).__module__.split(".")[0] == "polars"


def as_pandas(frame: Any) -> pd.DataFrame:
    """A pandas copy of a pandas or polars frame."""
    if is_polars(frame):
        return frame.to_pandas()
    if isinstance(frame, pd.DataFrame):
        return frame.copy()
    raise ValidationError("history", "frame", f"expected a pandas or polars data frame, got {type(frame).__name__}")


def like_input(frame: pd.DataFrame, given: Any) -> Any:
    """``frame`` as the same kind of frame as ``given`` (polars if it was polars)."""
    if is_polars(given):
        import polars  # only present when a polars frame was given

        return polars.from_pandas(frame)
    return frame


@dataclass(frozen=True)
class SeriesBatch:
    """The series of a long frame, sorted by ``unique_id`` then ``ds``."""

    frame: pd.DataFrame
    ids: list[str]
    starts: npt.NDArray[np.int64]  # row where each series begins
    ends: npt.NDArray[np.int64]  # row after it ends
    y: F64
    periods: npt.NDArray[Any]

    def values(self, index: int) -> F64:
        return self.y[self.starts[index] : self.ends[index]]

    def periods_of(self, index: int) -> npt.NDArray[Any]:
        return self.periods[self.starts[index] : self.ends[index]]

    def last_period(self, index: int) -> Any:
        return self.periods[self.ends[index] - 1]

    def rows_of(self, indexes: list[int]) -> pd.DataFrame:
        """The rows of the series at ``indexes``, in that order."""
        if not indexes:
            return self.frame.iloc[0:0]
        take = np.concatenate([np.arange(self.starts[i], self.ends[i]) for i in indexes])
        return self.frame.iloc[take]


def read_history(frame: Any) -> SeriesBatch:
    """Check a history frame (columns, values, one row per series and period) and index its series."""
    data = as_pandas(frame)
    missing = [name for name in COLUMNS if name not in data.columns]
    if missing:
        raise ValidationError("history", missing[0], "column missing (the long format is unique_id, ds, y)")
    data = data[list(COLUMNS)]
    if data.empty:
        raise ValidationError("history", "y", "no history to forecast from")
    data["unique_id"] = data["unique_id"].astype(str)
    try:
        data["y"] = data["y"].astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValidationError("history", "y", f"values must be numbers ({error})") from error
    y = data["y"].to_numpy()
    if not np.isfinite(y).all():
        bad = data.loc[~np.isfinite(y), "unique_id"].iloc[0]
        raise ValidationError("history", "y", f"series {bad!r} has a missing or infinite value")
    if data["ds"].isna().any():
        raise ValidationError("history", "ds", "a period is missing")
    data = data.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    if data.duplicated(["unique_id", "ds"]).any():
        bad = data.loc[data.duplicated(["unique_id", "ds"]), "unique_id"].iloc[0]
        raise ValidationError("history", "ds", f"series {bad!r} has two values for the same period")
    codes = data["unique_id"].to_numpy()
    boundaries = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate([[0], boundaries]).astype(np.int64)
    ends = np.concatenate([boundaries, [len(data)]]).astype(np.int64)
    y = np.asarray(data["y"].to_numpy(), dtype=np.float64)
    return SeriesBatch(data, [str(codes[s]) for s in starts], starts, ends, y, data["ds"].to_numpy())
