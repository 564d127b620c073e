"""The problem as flat arrays (one element per operation, mode, precedence, job, resource) and the bounds
that follow from the precedence network."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from plantops.engines.schedule.calendar import Segments, WorkingTime
from plantops.engines.schedule.problem import ScheduleProblem

I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]
NONE = -1


@dataclass(frozen=True, eq=False)
class Compiled:
    """Operations' modes in CSR form: the modes of operation ``i`` are ``first_mode[i]:first_mode[i + 1]``."""

    problem: ScheduleProblem
    op_job: I64
    first_mode: I64
    mode_op: I64
    mode_resource: I64
    mode_minutes: I64
    family: I64  # -1: none
    interruptible: Bool
    frozen_start: I64  # -1: free
    frozen_mode: I64  # -1: free (index into the operation's modes)
    frozen_unit: I64  # -1: free (which unit of its resource)
    release: I64  # per operation: its job's release
    units: I64  # per resource
    calendars: tuple[WorkingTime, ...]
    before: I64  # precedences
    after: I64
    min_lag: I64
    max_lag: I64  # -1: none (with has_max_lag)
    has_max_lag: Bool
    due: I64  # per job, -1: none
    weight: I64

    @classmethod
    def of(cls, problem: ScheduleProblem) -> Compiled:
        operations, horizon = problem.operations, problem.horizon
        counts = np.array([len(operation.modes) for operation in operations], dtype=np.int64)
        first_mode = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        modes = [mode for operation in operations for mode in operation.modes]
        precedences = problem.precedences
        return cls(
            problem=problem,
            op_job=np.array([operation.job for operation in operations], dtype=np.int64),
            first_mode=first_mode,
            mode_op=np.repeat(np.arange(len(operations), dtype=np.int64), counts),
            mode_resource=np.array([mode.resource for mode in modes], dtype=np.int64),
            mode_minutes=np.array([mode.minutes for mode in modes], dtype=np.int64),
            family=np.array([NONE if op.family is None else op.family for op in operations], dtype=np.int64),
            interruptible=np.array([operation.interruptible for operation in operations], dtype=np.bool_),
            frozen_start=np.array(
                [NONE if op.frozen_start is None else op.frozen_start for op in operations], dtype=np.int64
            ),
            frozen_mode=np.array(
                [NONE if op.frozen_mode is None else op.frozen_mode for op in operations], dtype=np.int64
            ),
            frozen_unit=np.array(
                [NONE if op.frozen_unit is None else op.frozen_unit for op in operations], dtype=np.int64
            ),
            release=np.array([problem.jobs[op.job].release for op in operations], dtype=np.int64),
            units=np.array([resource.units for resource in problem.resources], dtype=np.int64),
            calendars=tuple(WorkingTime.of(resource.windows, horizon) for resource in problem.resources),
            before=np.array([p.before for p in precedences], dtype=np.int64),
            after=np.array([p.after for p in precedences], dtype=np.int64),
            min_lag=np.array([p.min_lag for p in precedences], dtype=np.int64),
            max_lag=np.array([NONE if p.max_lag is None else p.max_lag for p in precedences], dtype=np.int64),
            has_max_lag=np.array([p.max_lag is not None for p in precedences], dtype=np.bool_),
            due=np.array([NONE if job.due is None else job.due for job in problem.jobs], dtype=np.int64),
            weight=np.array([job.weight for job in problem.jobs], dtype=np.int64),
        )

    @property
    def operations(self) -> int:
        return int(self.op_job.size)

    @property
    def horizon(self) -> int:
        return self.problem.horizon

    def modes_of(self, operation: int) -> range:
        return range(int(self.first_mode[operation]), int(self.first_mode[operation + 1]))

    @cached_property
    def shortest(self) -> I64:
        """Fewest working minutes of each operation over its modes (its frozen mode's, if frozen)."""
        shortest = np.minimum.reduceat(self.mode_minutes, self.first_mode[:-1])
        frozen = self.frozen_mode >= 0
        shortest[frozen] = self.mode_minutes[self.first_mode[:-1][frozen] + self.frozen_mode[frozen]]
        result: I64 = shortest.astype(np.int64)
        return result

    @cached_property
    def order(self) -> I64:
        """The operations in an order where every precedence points forward (topological)."""
        count = self.operations
        indegree = np.bincount(self.after, minlength=count)
        successors = self.successors
        ready = list(np.flatnonzero(indegree == 0)[::-1])
        order: list[int] = []
        remaining = indegree.copy()
        while ready:
            node = int(ready.pop())
            order.append(node)
            for link in successors[node]:
                target = int(self.after[link])
                remaining[target] -= 1
                if remaining[target] == 0:
                    ready.append(target)
        return np.array(order, dtype=np.int64)

    @cached_property
    def successors(self) -> list[list[int]]:
        """Per operation, the precedences (indexes) it is ``before`` in."""
        links: list[list[int]] = [[] for _ in range(self.operations)]
        for index, node in enumerate(self.before.tolist()):
            links[node].append(index)
        return links

    @cached_property
    def predecessors(self) -> list[list[int]]:
        """Per operation, the precedences (indexes) it is ``after`` in."""
        links: list[list[int]] = [[] for _ in range(self.operations)]
        for index, node in enumerate(self.after.tolist()):
            links[node].append(index)
        return links

    @cached_property
    def head(self) -> I64:
        """Earliest start of each operation: its release, a frozen start, and the longest path of minimal
        durations and lags to it (calendar gaps only lengthen operations, so this is a lower bound)."""
        head = np.maximum(self.release, 0).astype(np.int64)
        frozen = self.frozen_start >= 0
        head[frozen] = self.frozen_start[frozen]
        for node in self.order.tolist():
            for link in self.successors[node]:
                target = int(self.after[link])
                if self.frozen_start[target] < 0:
                    earliest = head[node] + self.shortest[node] + self.min_lag[link]
                    head[target] = max(head[target], earliest)
        return head

    @cached_property
    def tail(self) -> I64:
        """Least time from each operation's start to the end of the schedule (its minimal duration, then the
        longest path of lags and durations after it): the most work remaining (MWKR) in elapsed minutes."""
        tail = self.shortest.copy()
        for node in self.order[::-1].tolist():
            for link in self.successors[node]:
                target = int(self.after[link])
                tail[node] = max(tail[node], self.shortest[node] + self.min_lag[link] + tail[target])
        return tail

    @cached_property
    def last_in_job(self) -> Bool:
        """Operations without a successor in their own job: the job's completion is the latest of their ends."""
        last = np.ones(self.operations, dtype=np.bool_)
        same_job = self.op_job[self.before] == self.op_job[self.after]
        last[self.before[same_job]] = False
        return last

    def segments(self, mode: int) -> Segments | None:
        """Start ranges and elapsed times of ``mode`` on a resource with a calendar (``None``: always available)."""
        if self.always_available(int(self.mode_resource[mode])):
            return None
        return self._segments(mode, int(self.mode_op[mode]))

    def always_available(self, resource: int) -> bool:
        """Whether ``resource`` works without a gap over the whole horizon."""
        calendar = self.calendars[resource]
        return bool(calendar.always and calendar.ends[0] == self.horizon)

    @cached_property
    def _segment_cache(self) -> dict[int, Segments]:
        return {}

    def _segments(self, mode: int, operation: int) -> Segments:
        cached = self._segment_cache
        if mode not in cached:
            calendar = self.calendars[int(self.mode_resource[mode])]
            cached[mode] = calendar.segments(
                int(self.mode_minutes[mode]),
                bool(self.interruptible[operation]),
                int(self.head[operation]),
                self.horizon,
            )
        return cached[mode]

    def setup_minutes(self, resource: int) -> I64 | None:
        """The setup table of ``resource`` if any of its entries is positive."""
        matrix = self.problem.setup_matrix(resource)
        if matrix is None or not (matrix.minutes > 0).any():
            return None
        return matrix.minutes


@dataclass(frozen=True, eq=False)
class Placement:
    """A schedule as arrays per operation: ``start``, ``end``, ``mode`` (global mode index) and ``unit``."""

    start: I64
    end: I64
    mode: I64
    unit: I64
