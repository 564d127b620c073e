"""Working windows of work centers, in whole minutes from the start of a schedule's horizon.

A calendar's weekly pattern (shifts, and breaks inside them) is read in its site's time
zone day by day, so that daylight-saving changes move the windows as they move the
clocks; a shift whose end is at or before its start runs into the next day, and a
break belongs to the weekday it starts on. A holiday takes the whole local day out,
and so does each downtime window of the work center. What is left, clipped to the
horizon, is where the work center may run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from plantops.vocabulary import ShiftKind

Window = tuple[int, int]  # [start, end) in minutes from the horizon start
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class PatternEntry:
    """One row of a weekly pattern: working time, or a break, on a weekday (0 = Monday)."""

    weekday: int
    kind: ShiftKind
    start: dt.time
    end: dt.time


def working_windows(
    pattern: Sequence[PatternEntry],
    holidays: Iterable[dt.date],
    downtimes: Iterable[tuple[dt.datetime, dt.datetime]],
    *,
    zone: str,
    horizon_start: dt.datetime,
    horizon_end: dt.datetime,
) -> list[Window]:
    """The sorted, disjoint minutes in ``[horizon_start, horizon_end)`` when the calendar works.

    ``horizon_start`` and ``horizon_end`` are aware instants; window bounds are rounded
    inwards to whole minutes.
    """
    local = ZoneInfo(zone)
    first = horizon_start.astimezone(local).date() - ONE_DAY  # yesterday's night shift may run into today
    last = horizon_end.astimezone(local).date()
    days = [first + n * ONE_DAY for n in range((last - first).days + 1)]

    def minutes(moment: dt.datetime) -> float:
        return (moment - horizon_start).total_seconds() / 60

    def local_span(day: dt.date, start: dt.time, end: dt.time) -> tuple[float, float]:
        ends_on = day + ONE_DAY if end <= start else day
        return (
            minutes(dt.datetime.combine(day, start, local)),
            minutes(dt.datetime.combine(ends_on, end, local)),
        )

    shifts = [
        local_span(day, e.start, e.end)
        for day in days
        for e in pattern
        if e.kind is ShiftKind.SHIFT and e.weekday == day.weekday()
    ]
    closed = [
        local_span(day, e.start, e.end)
        for day in days
        for e in pattern
        if e.kind is ShiftKind.BREAK and e.weekday == day.weekday()
    ]
    closed += [local_span(day, dt.time(0), dt.time(0)) for day in holidays if first <= day <= last]
    closed += [(minutes(a), minutes(b)) for a, b in downtimes]
    horizon = minutes(horizon_end)
    open_time = subtract(union(shifts), union(closed))
    windows = [(max(0, math.ceil(a)), min(math.floor(horizon), math.floor(b))) for a, b in open_time]
    return [(a, b) for a, b in windows if b > a]


def union(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching spans merged, in order."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def subtract(spans: list[tuple[float, float]], holes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``spans`` without ``holes`` (both sorted and disjoint, as :func:`union` returns them)."""
    left: list[tuple[float, float]] = []
    h = 0
    for a, b in spans:
        while h < len(holes) and holes[h][1] <= a:
            h += 1
        k, start = h, a
        while k < len(holes) and holes[k][0] < b:
            if holes[k][0] > start:
                left.append((start, holes[k][0]))
            start = max(start, holes[k][1])
            k += 1
        if start < b:
            left.append((start, b))
    return left
