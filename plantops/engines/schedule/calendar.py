"""Working time of a resource: where an operation that needs some working minutes can start, and where it ends.

An interruptible operation starts in working time, pauses over every gap between
working windows and ends when it has had its working minutes, so its elapsed time is
its working minutes plus the gaps it spans. Counting ``W(t)``, the working minutes
before ``t``, an operation of ``d`` working minutes started at ``s`` ends at the first
``e`` with ``W(e) = W(s) + d``. A non-interruptible one must also end in the window it
started in.

For the CP-SAT model the elapsed time is a step function of the start: the starts in
one window whose ends fall in one (later) window all have the same elapsed time
(``d`` + the gaps between the two windows). :meth:`WorkingTime.segments` lists these
start ranges, which the model links to the operation's size (the OR-Tools recipe
"Intervals spanning over breaks in the calendar", generalised to any number of windows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Segments:
    """Start ranges ``[low, high]`` (inclusive, sorted, disjoint) in which an operation takes ``elapsed`` minutes."""

    low: I64
    high: I64
    elapsed: I64

    def __len__(self) -> int:
        return int(self.low.size)

    def index_of(self, start: int) -> int:
        """The segment holding ``start`` (-1 if none)."""
        position = int(np.searchsorted(self.low, start, side="right")) - 1
        return position if position >= 0 and start <= self.high[position] else -1


@dataclass(frozen=True, eq=False)
class WorkingTime:
    """Sorted disjoint working windows ``[start, end)`` and the working minutes before each (``before``)."""

    starts: I64
    ends: I64
    before: I64

    @classmethod
    def of(cls, windows: tuple[tuple[int, int], ...] | None, horizon: int) -> WorkingTime:
        """The windows, adjacent ones merged; ``None`` is one window over the whole horizon."""
        pairs = np.array(windows if windows is not None else [(0, horizon)], dtype=np.int64).reshape(-1, 2)
        if pairs.shape[0] > 1:
            joined = pairs[1:, 0] == pairs[:-1, 1]
            keep_start = np.concatenate([[True], ~joined])
            keep_end = np.concatenate([~joined, [True]])
            pairs = np.column_stack([pairs[keep_start, 0], pairs[keep_end, 1]])
        starts, ends = pairs[:, 0].copy(), pairs[:, 1].copy()
        before = np.concatenate([[0], np.cumsum(ends - starts)[:-1]]).astype(np.int64)
        return cls(starts, ends, before)

    @property
    def always(self) -> bool:
        """One window from 0: nothing ever pauses (within it)."""
        return self.starts.size == 1 and self.starts[0] == 0

    @property
    def total(self) -> int:
        return int(self.before[-1] + self.ends[-1] - self.starts[-1]) if self.starts.size else 0

    def worked(self, t: I64 | int) -> I64:
        """``W(t)``: working minutes in ``[0, t)``."""
        times = np.asarray(t, dtype=np.int64)
        window = np.searchsorted(self.starts, times, side="right") - 1
        inside = np.clip(
            times - self.starts[np.maximum(window, 0)], 0, (self.ends - self.starts)[np.maximum(window, 0)]
        )
        result: I64 = np.where(window >= 0, self.before[np.maximum(window, 0)] + inside, 0).astype(np.int64)
        return result

    def next_working(self, t: I64 | int) -> I64:
        """The first working minute at or after ``t``; a value past the last window where there is none."""
        times = np.asarray(t, dtype=np.int64)
        window = np.searchsorted(self.ends, times, side="right")
        last = self.ends[-1] if self.ends.size else 0
        clipped = np.minimum(window, self.starts.size - 1)
        result: I64 = np.where(
            window < self.starts.size, np.maximum(times, self.starts[clipped]), np.maximum(times, last + 1)
        ).astype(np.int64)
        return result

    def end_of(self, start: I64 | int, minutes: I64 | int) -> I64:
        """The end of ``minutes`` of work started at working minute ``start``; past the horizon: the largest int."""
        target = self.worked(start) + np.asarray(minutes, dtype=np.int64)
        cumulative = self.before + (self.ends - self.starts)
        window = np.searchsorted(cumulative, target, side="left")
        clipped = np.minimum(window, self.starts.size - 1)
        result: I64 = np.where(
            window < self.starts.size,
            self.starts[clipped] + target - self.before[clipped],
            np.iinfo(np.int64).max,
        ).astype(np.int64)
        return result

    def earliest_run(self, start: int, minutes: int, interruptible: bool) -> tuple[int, int]:
        """The first ``(start, end)`` of ``minutes`` of work from ``start`` on; an end past the last window
        (the largest int) when the work does not fit."""
        start = int(self.next_working(start))
        end = int(self.end_of(start, minutes))
        if not interruptible:
            window = int(self.window_of(start))
            while window >= 0 and end > self.ends[window]:
                window += 1
                if window >= self.starts.size:
                    return start, int(np.iinfo(np.int64).max)
                start = int(self.starts[window])
                end = start + minutes
        return start, end

    def window_of(self, t: I64 | int) -> I64:
        """Index of the window holding minute ``t`` (-1 in a gap)."""
        times = np.asarray(t, dtype=np.int64)
        window = np.searchsorted(self.starts, times, side="right") - 1
        inside = (window >= 0) & (times < self.ends[np.maximum(window, 0)])
        result: I64 = np.where(inside, window, -1).astype(np.int64)
        return result

    def segments(self, minutes: int, interruptible: bool, earliest: int, horizon: int) -> Segments:
        """Start ranges with constant elapsed time for ``minutes`` of work starting at ``earliest`` or later
        and ending by ``horizon``. Empty when the work fits nowhere."""
        cumulative = self.before + (self.ends - self.starts)
        gap_before = self.starts - self.before  # minutes of gap before each window (from 0)
        last_start = self.ends - 1
        first_end = np.searchsorted(cumulative, self.before + minutes, side="left")
        last_end = np.searchsorted(cumulative, self.before + (last_start - self.starts) + minutes, side="left")
        last_end = np.minimum(last_end, self.starts.size - 1)
        reachable = first_end < self.starts.size
        if not interruptible:
            last_end = np.minimum(last_end, np.arange(self.starts.size))
            reachable &= first_end == np.arange(self.starts.size)
        counts = np.where(reachable, last_end - first_end + 1, 0)
        begin = np.repeat(np.arange(self.starts.size), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        end_window = np.repeat(first_end, counts) + offset
        # starts s in window `begin` whose end falls in `end_window`: cumulative[end-1] < W(s) + d <= cumulative[end]
        previous = np.where(end_window > 0, cumulative[np.maximum(end_window - 1, 0)], 0)
        shift = self.starts[begin] - self.before[begin] - minutes
        low = np.maximum(self.starts[begin], previous + 1 + shift)
        high = np.minimum(last_start[begin], cumulative[end_window] + shift)
        elapsed = gap_before[end_window] - gap_before[begin] + minutes
        low = np.maximum(low, earliest)
        high = np.minimum(high, horizon - elapsed)
        keep = low <= high
        return Segments(low[keep].astype(np.int64), high[keep].astype(np.int64), elapsed[keep].astype(np.int64))
