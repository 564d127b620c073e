"""Forecasts of new items by analogy (forecasting by analogy, Green and Armstrong 2007,
"Structured analogies for forecasting", International Journal of Forecasting 23(3), 365-376).

A new item without enough history of its own is forecast

- like **one similar item**: that item's forecast, times a factor (a new colour that is
  expected to sell half as well: 0.5); or
- from **its family's profile**: each member's forecast divided by the member's mean
  history gives its shape; the shapes' mean, times the new item's expected level per
  period (by default the members' mean level), is the forecast.

Interval bounds are scaled the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plantops.engines.forecast.result import SeriesValues
from plantops.errors import ValidationError


@dataclass(frozen=True)
class Launch:
    """A new series to forecast by analogy while its own history is short.

    ``like``: one series to copy, or several (a family) to take the profile of.
    ``factor`` scales one series' forecast; ``level`` is the expected demand per period of
    a family profile (None: the members' mean level).
    """

    unique_id: str
    like: tuple[str, ...]
    factor: float = 1.0
    level: float | None = None

    def __post_init__(self) -> None:
        if not self.like:
            raise ValidationError(f"launch {self.unique_id}", "like", "name a similar series or a family")
        if self.unique_id in self.like:
            raise ValidationError(f"launch {self.unique_id}", "like", "a series cannot be like itself")
        if not np.isfinite(self.factor) or self.factor < 0:
            raise ValidationError(f"launch {self.unique_id}", "factor", f"must be zero or more, got {self.factor}")
        if self.level is not None and (not np.isfinite(self.level) or self.level < 0):
            raise ValidationError(f"launch {self.unique_id}", "level", f"must be zero or more, got {self.level}")

    @property
    def note(self) -> str:
        if len(self.like) == 1:
            return f"like {self.like[0]}" + (f" x {self.factor:g}" if self.factor != 1 else "")
        level = "their mean level" if self.level is None else f"level {self.level:g}"
        return f"profile of {len(self.like)} similar series at {level}"


def forecast_by_analogy(launch: Launch, analogs: list[SeriesValues], mean_levels: list[float]) -> SeriesValues:
    """The forecast of ``launch`` from the forecasts of its analogs and their mean history levels."""
    first = analogs[0]
    if len(analogs) == 1:
        return first.scaled(launch.factor)
    usable = [(values, level) for values, level in zip(analogs, mean_levels, strict=True) if level > 0]
    if not usable:
        return first.scaled(0.0)
    target = launch.level if launch.level is not None else float(np.mean([level for _, level in usable]))
    shapes = [values.scaled(1.0 / level, first.periods) for values, level in usable]
    return SeriesValues(
        first.periods,
        np.mean([shape.point for shape in shapes], axis=0) * target,
        {level: np.mean([s.lower[level] for s in shapes], axis=0) * target for level in first.lower},
        {level: np.mean([s.upper[level] for s in shapes], axis=0) * target for level in first.upper},
    )
