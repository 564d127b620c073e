"""What a scheduling run returns: one array element per operation, job and resource."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from plantops.vocabulary import ScheduleStatus

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """The schedule found by :func:`~plantops.engines.schedule.solve` and what it achieves.

    Per operation (-1 everywhere when there is no schedule): ``start`` and ``end`` (minutes;
    ``end`` includes any calendar gaps the operation pauses over), ``mode`` (index into the
    operation's modes), ``resource`` (index), ``unit`` (which of the resource's parallel
    units, from 0) and ``setup`` (setup minutes right before it on its unit).

    Per job: ``completion`` (end of its last operation), ``lateness`` (completion - due;
    0 for a job without due date) and ``tardiness`` (lateness if positive, else 0).

    Per resource: ``utilisation``, the working minutes of its operations divided by its
    available minutes (units x working-window minutes) between 0 and the makespan.

    ``critical_path``: operation indexes, first to last, of a chain without slack that
    ends at the makespan: each starts when the one before it (in its job or on its
    unit, plus lag or setup) ends, or at a release or a calendar window's start.
    ``moved``: operations whose start or mode differs from the settings' reference
    schedule (0 without one). ``objective`` and ``best_bound`` are in the units of the
    weighted objective (see :class:`~plantops.engines.schedule.SolveSettings`); the
    bound is what CP-SAT proved no schedule can beat. ``explanation`` says why there is
    no schedule, when there is none. ``wall_time_s`` is the time the solve took within its
    time limit; ``compile_time_s`` the time spent before it compiling (or loading) the
    tabu search's kernels, 0 where the search does not apply, nearly 0 once they are loaded.
    """

    status: ScheduleStatus
    objective: float
    best_bound: float
    start: I64
    end: I64
    mode: I64
    resource: I64
    unit: I64
    setup: I64
    completion: I64
    lateness: I64
    tardiness: I64
    utilisation: F64
    makespan: int
    weighted_tardiness: int
    total_setup: int
    critical_path: I64
    moved: int
    wall_time_s: float
    explanation: str = ""
    compile_time_s: float = 0.0

    @property
    def proven_optimal(self) -> bool:
        return self.status is ScheduleStatus.OPTIMAL

    @property
    def has_schedule(self) -> bool:
        return self.status in (ScheduleStatus.OPTIMAL, ScheduleStatus.FEASIBLE)

    @property
    def gap(self) -> float:
        """Relative distance between the objective and the best bound (0 when proven optimal)."""
        if not self.has_schedule or math.isnan(self.best_bound):
            return math.nan
        return (self.objective - self.best_bound) / max(abs(self.objective), 1.0)

    @classmethod
    def without_schedule(
        cls,
        status: ScheduleStatus,
        explanation: str,
        *,
        operations: int,
        jobs: int,
        resources: int,
        wall_time_s: float,
        best_bound: float = math.nan,
    ) -> ScheduleResult:
        """A result that holds no schedule: every per-operation value is -1."""
        missing = np.full(operations, -1, np.int64)
        return cls(
            status=status,
            objective=math.nan,
            best_bound=best_bound,
            start=missing,
            end=missing.copy(),
            mode=missing.copy(),
            resource=missing.copy(),
            unit=missing.copy(),
            setup=missing.copy(),
            completion=np.full(jobs, -1, np.int64),
            lateness=np.zeros(jobs, np.int64),
            tardiness=np.zeros(jobs, np.int64),
            utilisation=np.zeros(resources, np.float64),
            makespan=-1,
            weighted_tardiness=-1,
            total_setup=0,
            critical_path=np.zeros(0, np.int64),
            moved=0,
            wall_time_s=wall_time_s,
            explanation=explanation,
        )
