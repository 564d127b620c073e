"""Why an order of a schedule is late: its due date was out of reach, or it waited for capacity.

An order's *earliest completion* is when it would complete on an empty plant: every
operation starts as soon as its job's release, its predecessors (with their lags) and
its resource's working time allow, on whichever of its modes ends first, with no
other work in the way (a frozen operation keeps its start and mode). The forward pass
over the precedence network is the critical path method's (Kelley & Walker 1959) with
each duration read from the resource's calendar, so it is a lower bound on any
schedule's completion.

A late order (completion after due) is then classified by :func:`late_cause`:

- :attr:`LateCause.DUE_DATE_PAST`: it was due at or before the schedule's start, or
  before its earliest completion: no capacity could have made it on time;
- :attr:`LateCause.CAPACITY`: it could have been on time, and is late because its
  operations queued behind others for their resources.

Materials are not a cause here: the scheduler does not model their availability (an
order's release is its start date).
"""

from __future__ import annotations

import enum

import numpy as np

from plantops.engines.schedule._compiled import I64, Compiled
from plantops.engines.schedule.problem import ScheduleProblem


class LateCause(enum.StrEnum):
    """Why an order completes after its due date."""

    DUE_DATE_PAST = "due date past"
    CAPACITY = "capacity"


def earliest_completion(problem: ScheduleProblem) -> I64:
    """Per job, the minute its last operation would end with no other work in the way (see the module).

    A job that cannot complete within its resources' working windows gets the largest int64.
    """
    c = Compiled.of(problem)
    never = np.iinfo(np.int64).max
    end = np.zeros(c.operations, np.int64)
    for i in c.order.tolist():
        ready = int(c.release[i])
        must_end = 0
        for link in c.predecessors[i]:
            before = int(c.before[link])
            if end[before] == never:
                ready = never
                break
            ready = max(ready, int(end[before] + c.min_lag[link]))
            if c.min_lag[link] < 0:  # an overlapping step still ends after the one it follows
                must_end = max(must_end, int(end[before]))
        modes = list(c.modes_of(i))
        if c.frozen_mode[i] >= 0:
            modes = [modes[int(c.frozen_mode[i])]]
        if c.frozen_start[i] >= 0:
            ready = int(c.frozen_start[i])
        best = never
        if ready != never:
            for m in modes:
                calendar = c.calendars[int(c.mode_resource[m])]
                _, finish = calendar.earliest_run(ready, int(c.mode_minutes[m]), bool(c.interruptible[i]))
                best = min(best, max(finish, must_end))
        end[i] = best
    completion = np.zeros(len(c.due), np.int64)
    np.maximum.at(completion, c.op_job, end)
    return completion


def late_cause(*, due: int, completion: int, earliest: int) -> LateCause | None:
    """Why a job due at minute ``due`` (from the schedule's start) completes at ``completion``; ``None``
    when it is not late. ``earliest`` is its :func:`earliest_completion`."""
    if completion <= due:
        return None
    if due <= 0 or earliest > due:
        return LateCause.DUE_DATE_PAST
    return LateCause.CAPACITY
