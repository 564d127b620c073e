"""A fast first schedule by a dispatching rule, used as CP-SAT's solution hint.

Serial schedule-generation scheme (Kolisch 1996, "Serial and parallel resource-constrained
project scheduling methods revisited"): take the operations one at a time, each once all
its predecessors are placed, in the order of a priority rule, and put each at the
earliest time any of its modes and units can take it (inserting it into an idle gap when
it fits, which makes the schedule active). Priorities, computed for all eligible
operations at once:

- with due dates, the apparent tardiness cost (ATC) rule of Vepsalainen & Morton (1987),
  ``w_j / p_i * exp(-max(d_j - p_rest - t, 0) / (k * p_mean))`` with look-ahead ``k = 2``,
  ``p_rest`` the least work left in the job from the operation on and ``t`` its earliest start;
- otherwise most work remaining (MWKR): the longest path of work from the operation to
  the end of its job;
- when repairing, the reference start first (operations keep their order and are
  shifted only as far as they must be).

The scheme keeps calendars, parallel units, setups, release dates and minimum lags;
maximum lags may be broken, in which case CP-SAT repairs the hint.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from plantops.engines.schedule._compiled import I64, NONE, Compiled, Placement
from plantops.engines.schedule.calendar import WorkingTime

ATC_LOOKAHEAD = 2.0


@dataclass
class _Timeline:
    """The operations on one unit, sorted by start."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    families: list[int] = field(default_factory=list)

    def insert(self, start: int, end: int, family: int) -> None:
        position = bisect.bisect_left(self.starts, start)
        self.starts.insert(position, start)
        self.ends.insert(position, end)
        self.families.insert(position, family)


@dataclass(frozen=True)
class _Unit:
    calendar: WorkingTime
    always: bool
    setups: I64 | None
    horizon: int

    def setup(self, before: int, after: int) -> int:
        if self.setups is None or before == NONE or after == NONE:
            return 0
        return int(self.setups[before, after])

    def finish(self, start: int, minutes: int, interruptible: bool) -> tuple[int, int]:
        """The earliest ``(start, end)`` at or after ``start`` in working time."""
        if self.always:
            return start, start + minutes
        return self.calendar.earliest_run(start, minutes, interruptible)

    def earliest_fit(
        self, timeline: _Timeline, earliest: int, minutes: int, family: int, interruptible: bool
    ) -> tuple[int, int]:
        """Earliest ``(start, end)`` on the unit from ``earliest`` that leaves room for the setups around it."""
        position = bisect.bisect_right(timeline.ends, earliest)
        start = earliest
        while True:
            if position > 0:
                start = max(start, timeline.ends[position - 1] + self.setup(timeline.families[position - 1], family))
            start, end = self.finish(start, minutes, interruptible)
            if end > self.horizon:
                return start, end
            if position == len(timeline.starts):
                return start, end
            if end + self.setup(family, timeline.families[position]) <= timeline.starts[position]:
                return start, end
            position += 1


def dispatch(compiled: Compiled, reference_start: I64 | None = None, reference_mode: I64 | None = None) -> Placement:
    """A schedule by the serial scheme; operations that fit nowhere in the horizon get start -1."""
    c = compiled
    count = c.operations
    start = np.full(count, NONE, np.int64)
    end = np.full(count, NONE, np.int64)
    mode = np.full(count, NONE, np.int64)
    unit = np.full(count, NONE, np.int64)
    units = [
        _Unit(
            c.calendars[r], c.calendars[r].always and c.calendars[r].ends[0] == c.horizon, c.setup_minutes(r), c.horizon
        )
        for r in range(len(c.units))
    ]
    timelines = [[_Timeline() for _ in range(int(c.units[r]))] for r in range(len(c.units))]

    def place(operation: int, earliest: int, modes: list[int], exact: bool) -> None:
        best: tuple[int, int, int, int] | None = None
        family = int(c.family[operation])
        for m in modes:
            resource = int(c.mode_resource[m])
            for u, timeline in enumerate(timelines[resource]):
                s, e = units[resource].earliest_fit(
                    timeline, earliest, int(c.mode_minutes[m]), family, bool(c.interruptible[operation])
                )
                if exact and s != earliest:
                    continue
                if best is None or (e, s) < (best[1], best[0]):
                    best = (s, e, m, u)
        if best is None and exact:  # a frozen start that collides: keep it, CP-SAT will judge
            m = modes[0]
            s, e = units[int(c.mode_resource[m])].finish(earliest, int(c.mode_minutes[m]), True)
            best = (earliest, e, m, 0)
        if best is None or best[1] > c.horizon:
            return
        s, e, m, u = best
        start[operation], end[operation], mode[operation], unit[operation] = s, e, m, u
        timelines[int(c.mode_resource[m])][u].insert(s, e, family)

    def modes_for(operation: int) -> list[int]:
        modes = list(c.modes_of(operation))
        if c.frozen_mode[operation] >= 0:
            return [modes[int(c.frozen_mode[operation])]]
        if reference_mode is not None and reference_mode[operation] >= 0:
            preferred = int(reference_mode[operation])  # a global mode index
            return [preferred, *(m for m in modes if m != preferred)]
        return modes

    frozen = np.flatnonzero(c.frozen_start >= 0)
    for operation in frozen[np.argsort(c.frozen_start[frozen], kind="stable")].tolist():
        place(operation, int(c.frozen_start[operation]), modes_for(operation), exact=True)

    waiting = np.bincount(c.after, minlength=count).astype(np.int64)
    done = c.frozen_start >= 0
    for operation in np.flatnonzero(done).tolist():
        for link in c.successors[operation]:
            waiting[c.after[link]] -= 1
    eligible = [i for i in range(count) if waiting[i] == 0 and not done[i]]
    has_due = bool(((c.due >= 0) & (c.weight > 0)).any())
    mean_work = max(float(c.shortest.mean()), 1.0) if count else 1.0
    ready_at = c.release.copy()

    while eligible:
        candidates = np.array(eligible, dtype=np.int64)
        pick = int(candidates[_priority(c, candidates, ready_at, has_due, mean_work, reference_start)])
        eligible.remove(pick)
        earliest = int(ready_at[pick])
        if reference_start is not None and reference_start[pick] >= 0:
            earliest = max(earliest, int(reference_start[pick]))
        place(pick, earliest, modes_for(pick), exact=False)
        done[pick] = True
        for link in c.successors[pick]:
            target = int(c.after[link])
            if end[pick] >= 0:
                ready_at[target] = max(ready_at[target], end[pick] + c.min_lag[link])
                if c.min_lag[link] < 0:  # overlap: the successor may not finish first
                    ready_at[target] = max(ready_at[target], end[pick] - int(c.shortest[target]))
            waiting[target] -= 1
            if waiting[target] == 0 and not done[target]:
                eligible.append(target)
    return Placement(start, end, mode, unit)


def _priority(
    c: Compiled, candidates: I64, ready_at: I64, has_due: bool, mean_work: float, reference_start: I64 | None
) -> int:
    """Position in ``candidates`` of the operation to place next."""
    tail = c.tail[candidates].astype(np.float64)
    if reference_start is not None:
        referenced = reference_start[candidates]
        key = np.where(referenced >= 0, referenced, np.iinfo(np.int64).max).astype(np.float64)
        return int(np.lexsort((-tail, key))[0])
    if has_due:
        job = c.op_job[candidates]
        due = np.where(c.due[job] >= 0, c.due[job], c.horizon).astype(np.float64)
        slack = np.maximum(due - tail - ready_at[candidates], 0.0)
        work = np.maximum(c.shortest[candidates], 1).astype(np.float64)
        index = c.weight[job] / work * np.exp(-slack / (ATC_LOOKAHEAD * mean_work))
        return int(np.lexsort((-tail, -index))[0])
    return int(np.lexsort((ready_at[candidates], -tail))[0])
