"""Time buckets, working-day calendars and lead-time offsetting.

Buckets are periods ``[buckets[t], buckets[t + 1])`` (the last one ends at
``horizon_end``); the horizon ``T`` is their number. A planned order due in bucket
``t`` is due on the bucket's first day, ``buckets[t]``, the time-phased record's
convention that a receipt is available at the start of its period (Vollmann et al.,
MRP chapter). Its release date is the due date less the lead time counted in the
site's *working* days; the release bucket is the bucket containing that date. A
release before ``today`` is past due; before the first bucket it is put in bucket 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from plantops.engines.mrp import _checks as check
from plantops.engines.mrp._checks import F64, I64, Bool, Dates
from plantops.errors import ValidationError

_CALENDAR = "mrp calendar"
_SETTINGS = "mrp settings"
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, eq=False)
class Calendar:
    """Working days per site: ``working[site, d]`` tells whether day ``start + d`` is worked.

    It must cover at least the first bucket up to the last bucket's start. Days before
    ``start`` (reached only by releases that are past due anyway) count as working days.
    """

    start: np.datetime64
    working: Bool

    @classmethod
    def of(cls, *, start: Any, working: ArrayLike) -> Calendar:
        table = np.asarray(working, dtype=np.bool_)
        if table.ndim == 1:
            table = table[None, :]
        if table.ndim != 2 or table.shape[1] == 0:
            raise ValidationError(_CALENDAR, "working", "must be a (sites x days) table of booleans")
        return cls(start=check.date_scalar(start, _CALENDAR, "start"), working=table)

    @classmethod
    def weekdays(cls, *, start: Any, days: int, sites: int = 1, holidays: Iterable[Any] = ()) -> Calendar:
        """Monday to Friday are worked at every site, except ``holidays``."""
        first = check.date_scalar(start, _CALENDAR, "start")
        day = first + np.arange(days)
        weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        working = weekday < 5
        off = np.asarray([np.datetime64(h, "D") for h in holidays], dtype="datetime64[D]")
        working &= ~np.isin(day, off)
        return cls(start=first, working=np.repeat(working[None, :], sites, axis=0))

    @property
    def sites(self) -> int:
        return int(self.working.shape[0])

    @property
    def end(self) -> np.datetime64:
        """The first day after the calendar."""
        result: np.datetime64 = self.start + self.working.shape[1] * _DAY
        return result

    def release_dates(self, site: int, lead_time: int, due: Dates) -> Dates:
        """``due`` less ``lead_time`` working days of ``site``: the latest release that is still in time.

        The release is the ``lead_time``-th working day before the due date (the due day
        itself does not count); with no lead time it is the due date.
        """
        if lead_time <= 0:
            return due.copy()
        workdays = self.start + np.flatnonzero(self.working[site])
        before = np.searchsorted(workdays, due, side="left")  # working days before the due date
        position = before - lead_time
        inside = workdays[np.clip(position, 0, max(workdays.size - 1, 0))] if workdays.size else due
        outside = self.start + position * _DAY  # before the calendar: every day counts
        result: Dates = np.where(position >= 0, inside, outside)
        return result


@dataclass(frozen=True, eq=False)
class PlanningSettings:
    """Buckets, time fences and the forecast consumption window.

    - ``buckets``: the increasing first days of the ``T`` periods; ``horizon_end``: the
      day after the last one (default: the last bucket is as long as the one before, or
      7 days when there is only one);
    - ``today``: releases before it are past due (default: the first bucket's start);
    - ``frozen_buckets``: no new planned order may fall due in buckets ``0 ..
      frozen_buckets - 1``; ``slushy_buckets``: new orders due before this bucket are
      allowed but flagged;
    - ``forecast_backward`` / ``forecast_forward``: how many buckets before / after its
      own a sales order may consume forecast from (see :mod:`~plantops.engines.mrp.demand`).
    """

    buckets: Dates
    horizon_end: np.datetime64
    today: np.datetime64
    frozen_buckets: int = 0
    slushy_buckets: int = 0
    forecast_backward: int = 0
    forecast_forward: int = 0

    @classmethod
    def of(
        cls,
        buckets: ArrayLike,
        *,
        horizon_end: Any = None,
        today: Any = None,
        frozen_buckets: int = 0,
        slushy_buckets: int = 0,
        forecast_backward: int = 0,
        forecast_forward: int = 0,
    ) -> PlanningSettings:
        starts = check.dates(buckets, _SETTINGS, "buckets", None)
        if starts.size == 0:
            raise ValidationError(_SETTINGS, "buckets", "at least one bucket is needed")
        if (np.diff(starts) <= np.timedelta64(0, "D")).any():
            raise ValidationError(_SETTINGS, "buckets", "bucket start dates must increase")
        if horizon_end is None:
            width = starts[-1] - starts[-2] if starts.size > 1 else 7 * _DAY
            end = starts[-1] + width
        else:
            end = check.date_scalar(horizon_end, _SETTINGS, "horizon_end")
            if end <= starts[-1]:
                raise ValidationError(_SETTINGS, "horizon_end", "must be after the last bucket's start")
        for name, value in (
            ("frozen_buckets", frozen_buckets),
            ("slushy_buckets", slushy_buckets),
            ("forecast_backward", forecast_backward),
            ("forecast_forward", forecast_forward),
        ):
            if int(value) != value or value < 0:
                raise ValidationError(_SETTINGS, name, f"{value} must be a whole number >= 0")
        if slushy_buckets and slushy_buckets < frozen_buckets:
            raise ValidationError(_SETTINGS, "slushy_buckets", "the slushy fence cannot be inside the frozen fence")
        return cls(
            buckets=starts,
            horizon_end=end,
            today=starts[0] if today is None else check.date_scalar(today, _SETTINGS, "today"),
            frozen_buckets=int(frozen_buckets),
            slushy_buckets=int(max(slushy_buckets, frozen_buckets)),
            forecast_backward=int(forecast_backward),
            forecast_forward=int(forecast_forward),
        )

    @classmethod
    def weekly(cls, start: Any, weeks: int, **options: Any) -> PlanningSettings:
        """``weeks`` buckets of seven days from ``start``."""
        first = check.date_scalar(start, _SETTINGS, "start")
        return cls.of(first + 7 * np.arange(weeks) * _DAY, **options)

    @property
    def horizon(self) -> int:
        return int(self.buckets.size)

    @property
    def bucket_ends(self) -> Dates:
        result: Dates = np.append(self.buckets[1:], self.horizon_end)
        return result

    @property
    def bucket_days(self) -> F64:
        result: F64 = (self.bucket_ends - self.buckets).astype(np.float64)
        return result

    @property
    def horizon_days(self) -> float:
        return float((self.horizon_end - self.buckets[0]) / _DAY)

    def bucket_of(self, dates: Dates) -> I64:
        """The bucket containing each date: -1 before the first, ``T`` on or after ``horizon_end``."""
        result: I64 = np.searchsorted(self.buckets, dates, side="right").astype(np.int64) - 1
        result[dates >= self.horizon_end] = self.horizon
        return result


@dataclass(frozen=True, eq=False)
class LeadTimeTable:
    """Release bucket and date of an order due in each bucket, per (site, lead time) pair.

    ``pair[node]`` selects the row of ``release_bucket`` / ``release_date`` (``P x T``).
    """

    pair: I64
    release_bucket: I64
    release_date: Dates

    @classmethod
    def build(cls, calendar: Calendar, settings: PlanningSettings, site: I64, lead_time: I64) -> LeadTimeTable:
        keys = site * (int(lead_time.max(initial=0)) + 1) + lead_time
        unique, first, pair = np.unique(keys, return_index=True, return_inverse=True)
        dates = np.empty((unique.size, settings.horizon), dtype="datetime64[D]")
        for row, node in enumerate(first.tolist()):
            dates[row] = calendar.release_dates(int(site[node]), int(lead_time[node]), settings.buckets)
        buckets = np.maximum(settings.bucket_of(dates.ravel()).reshape(dates.shape), 0)
        return cls(pair=pair.astype(np.int64), release_bucket=buckets, release_date=dates)
