"""The input of a scheduling run: resources, jobs, operations, precedences, setups, and how to solve it.

Times are whole minutes from the start of the horizon (minute 0). Every record is a frozen
dataclass; :class:`ScheduleProblem` checks the references between them when it is built and
raises :class:`~plantops.errors.ValidationError` naming the record, the field and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from plantops.errors import ValidationError

if TYPE_CHECKING:
    from plantops.engines.schedule.result import ScheduleResult

I64 = NDArray[np.int64]
Window = tuple[int, int]


@dataclass(frozen=True)
class Resource:
    """A work center: ``units`` identical parallel units that share one calendar.

    ``windows`` are the working windows as sorted, disjoint ``(start, end)`` minute
    intervals (end exclusive); everything between them (nights, breaks, holidays,
    maintenance, a machine down) is a gap in which nothing runs. ``None`` means the
    resource is always available.
    """

    code: str
    units: int = 1
    windows: tuple[Window, ...] | None = None


@dataclass(frozen=True)
class Job:
    """An order to schedule (work order or planned order): its operations start at or after
    ``release``; finishing after ``due`` costs ``weight`` per minute late (no ``due``: never late).
    """

    code: str
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Mode:
    """One way to run an operation: on ``resource`` (its index), taking ``minutes`` of working time."""

    resource: int
    minutes: int


@dataclass(frozen=True)
class Operation:
    """A step of ``job`` (its index) that runs in exactly one of its ``modes``.

    - ``family``: the setup family (a row and column of the setup matrices); ``None``: no
      sequence-dependent setup before or after it.
    - ``interruptible``: the operation pauses over gaps in its resource's calendar and
      resumes in the next working window (its elapsed time then includes the gaps). When
      ``False`` it must fit inside one working window.
    - ``frozen_start`` / ``frozen_mode``: an operation already started, or frozen by the
      planner, keeps this start and / or this mode (index into ``modes``).
    - ``frozen_unit``: an operation pinned by the planner runs on this unit (from 0) of its
      resource; it needs one mode, or a ``frozen_mode``, to say which resource.
    """

    job: int
    modes: tuple[Mode, ...]
    code: str = ""
    family: int | None = None
    interruptible: bool = True
    frozen_start: int | None = None
    frozen_mode: int | None = None
    frozen_unit: int | None = None

    def label(self, index: int) -> str:
        return f"operation {index}" + (f" ({self.code})" if self.code else "")


@dataclass(frozen=True)
class Precedence:
    """``after`` starts at least ``min_lag`` minutes after ``before`` ends (end to start, elapsed minutes).

    A negative ``min_lag`` lets ``after`` start before ``before`` ends (overlap, transfer
    batches); ``after`` then still cannot end before ``before`` ends. ``max_lag`` is the
    maximum waiting time: ``after`` starts at most ``max_lag`` minutes after ``before`` ends.
    """

    before: int
    after: int
    min_lag: int = 0
    max_lag: int | None = None


@dataclass(frozen=True, eq=False)
class SetupMatrix:
    """Sequence-dependent setup: ``minutes[a, b]`` between an operation of family ``a`` and the
    next one of family ``b`` on the same unit. For ``resource`` (its index), or for every
    resource without its own matrix when ``resource`` is ``None``.
    """

    minutes: I64
    resource: int | None = None

    @classmethod
    def of(cls, minutes: ArrayLike, resource: int | None = None) -> SetupMatrix:
        array = np.asarray(minutes)
        if array.ndim != 2 or array.shape[0] != array.shape[1]:
            raise ValidationError("schedule setup matrix", "minutes", f"must be a square table, got {array.shape}")
        if array.size and (not np.issubdtype(array.dtype, np.number) or (array != np.round(array)).any()):
            raise ValidationError("schedule setup matrix", "minutes", "must hold whole minutes")
        if (array < 0).any():
            raise ValidationError("schedule setup matrix", "minutes", "must not be negative")
        return cls(array.astype(np.int64), resource)

    @property
    def families(self) -> int:
        return int(self.minutes.shape[0])


@dataclass(frozen=True, eq=False)
class ScheduleProblem:
    """Everything to schedule, in minutes from the horizon start; every operation must end by ``horizon``.

    Operations refer to jobs and resources, precedences to operations, by their index in
    these tuples. Validated when built.
    """

    resources: tuple[Resource, ...]
    jobs: tuple[Job, ...]
    operations: tuple[Operation, ...]
    precedences: tuple[Precedence, ...] = ()
    setups: tuple[SetupMatrix, ...] = ()
    horizon: int = 0

    def __post_init__(self) -> None:
        for name in ("resources", "jobs", "operations", "precedences", "setups"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _validate(self)

    def setup_matrix(self, resource: int) -> SetupMatrix | None:
        """The matrix that applies on ``resource``: its own, else the global one, else none."""
        shared = None
        for matrix in self.setups:
            if matrix.resource == resource:
                return matrix
            if matrix.resource is None:
                shared = matrix
        return shared


@dataclass(frozen=True, eq=False)
class ReferenceSchedule:
    """A schedule to stay close to when repairing: ``start`` and ``mode`` per operation of the
    new problem, ``-1`` where an operation has no reference (a new order)."""

    start: I64
    mode: I64

    @classmethod
    def of(cls, start: ArrayLike, mode: ArrayLike) -> ReferenceSchedule:
        starts = np.asarray(start, dtype=np.int64)
        modes = np.asarray(mode, dtype=np.int64)
        if starts.ndim != 1 or modes.shape != starts.shape:
            raise ValidationError("schedule reference", "mode", "start and mode need one value per operation each")
        return cls(starts, modes)

    @classmethod
    def from_result(cls, result: ScheduleResult) -> ReferenceSchedule:
        """The schedule of ``result``, for a problem with the same operations in the same order."""
        return cls(result.start.copy(), result.mode.copy())


@dataclass(frozen=True)
class SolveSettings:
    """How to solve: a time limit, CP-SAT workers and seed, and the objective's weights.

    The objective is minimised as one weighted sum (whole numbers):
    ``tardiness_weight`` x weighted tardiness (sum over jobs of weight x minutes late)
    + ``makespan_weight`` x makespan + ``setup_weight`` x total setup minutes
    + ``stability_weight`` x operations moved from ``reference`` (start or mode changed)
    + ``displacement_weight`` x minutes the starts moved from ``reference``.
    The default weights make tardiness come first and makespan second. With ``seed`` and
    ``workers`` fixed, the same problem gives the same schedule when the run ends by proving
    optimality or by using up ``work_limit`` (CP-SAT's deterministic time, roughly seconds of
    one core's search) before ``time_limit_s`` (wall clock, always enforced).
    ``neighbourhood_search`` runs a search around CP-SAT: the tabu search of
    :mod:`~plantops.engines.schedule.tabu` where the objective is the makespan on plain
    machines, otherwise the large-neighbourhood search on problems large enough to profit
    from it.
    """

    time_limit_s: float = 10.0
    workers: int = 2
    seed: int = 0
    tardiness_weight: int = 100
    makespan_weight: int = 1
    setup_weight: int = 1
    stability_weight: int = 60
    displacement_weight: int = 0
    reference: ReferenceSchedule | None = None
    neighbourhood_search: bool = True
    work_limit: float | None = None
    log: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        record = "schedule settings"
        if not self.time_limit_s > 0:
            raise ValidationError(record, "time_limit_s", f"must be positive, got {self.time_limit_s}")
        if self.work_limit is not None and not self.work_limit > 0:
            raise ValidationError(record, "work_limit", f"must be positive, got {self.work_limit}")
        if self.workers < 1:
            raise ValidationError(record, "workers", f"must be at least 1, got {self.workers}")
        for name in ("tardiness_weight", "makespan_weight", "setup_weight", "stability_weight", "displacement_weight"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 0:
                raise ValidationError(record, name, f"must be a whole number of at least 0, got {value!r}")


def _validate(problem: ScheduleProblem) -> None:
    horizon, n_resources, n_jobs = problem.horizon, len(problem.resources), len(problem.jobs)
    if not isinstance(horizon, int | np.integer) or horizon <= 0:
        raise ValidationError("schedule problem", "horizon", f"must be a positive number of minutes, got {horizon!r}")
    for index, resource in enumerate(problem.resources):
        _check_resource(index, resource, horizon)
    for index, job in enumerate(problem.jobs):
        record = f"schedule job {index} ({job.code})"
        if not 0 <= job.release <= horizon:
            raise ValidationError(record, "release", f"must lie in the horizon 0..{horizon}, got {job.release}")
        if job.weight < 0:
            raise ValidationError(record, "weight", f"must not be negative, got {job.weight}")
    for index, operation in enumerate(problem.operations):
        _check_operation(index, operation, n_jobs, n_resources, horizon)
        if operation.frozen_unit is not None:
            _check_frozen_unit(index, operation, problem.resources)
    count = len(problem.operations)
    for index, precedence in enumerate(problem.precedences):
        record = f"schedule precedence {index}"
        for name in ("before", "after"):
            value = getattr(precedence, name)
            if not 0 <= value < count:
                raise ValidationError(record, name, f"operation {value} does not exist ({count} operations)")
        if precedence.before == precedence.after:
            raise ValidationError(record, "after", "an operation cannot follow itself")
        if precedence.max_lag is not None and precedence.max_lag < precedence.min_lag:
            raise ValidationError(
                record, "max_lag", f"{precedence.max_lag} is below the minimum lag {precedence.min_lag}"
            )
    _check_acyclic(problem.precedences, count)
    seen: set[int | None] = set()
    for index, matrix in enumerate(problem.setups):
        record = f"schedule setup matrix {index}"
        if matrix.resource is not None and not 0 <= matrix.resource < n_resources:
            raise ValidationError(record, "resource", f"resource {matrix.resource} does not exist")
        if matrix.resource in seen:
            raise ValidationError(record, "resource", "a second matrix for the same resource")
        seen.add(matrix.resource)
        if matrix.minutes.ndim != 2 or matrix.minutes.shape[0] != matrix.minutes.shape[1]:
            raise ValidationError(record, "minutes", "must be a square table")
        if (matrix.minutes < 0).any():
            raise ValidationError(record, "minutes", "must not be negative")
    for index, operation in enumerate(problem.operations):
        if operation.family is None:
            continue
        for mode in operation.modes:
            applies = problem.setup_matrix(mode.resource)
            if applies is not None and operation.family >= applies.families:
                raise ValidationError(
                    f"schedule {operation.label(index)}",
                    "family",
                    f"family {operation.family} is not in the setup matrix of resource {mode.resource} "
                    f"({applies.families} families)",
                )


def _check_resource(index: int, resource: Resource, horizon: int) -> None:
    record = f"schedule resource {index} ({resource.code})"
    if resource.units < 1:
        raise ValidationError(record, "units", f"must be at least 1, got {resource.units}")
    if resource.windows is None:
        return
    windows = tuple((int(start), int(end)) for start, end in resource.windows)
    object.__setattr__(resource, "windows", windows)
    previous_end = None
    for start, end in windows:
        if end <= start:
            raise ValidationError(record, "windows", f"window ({start}, {end}) ends before it starts")
        if start < 0 or end > horizon:
            raise ValidationError(record, "windows", f"window ({start}, {end}) lies outside the horizon 0..{horizon}")
        if previous_end is not None and start < previous_end:
            raise ValidationError(record, "windows", f"window ({start}, {end}) overlaps or precedes the one before it")
        previous_end = end


def _check_operation(index: int, operation: Operation, n_jobs: int, n_resources: int, horizon: int) -> None:
    record = f"schedule {operation.label(index)}"
    if not 0 <= operation.job < n_jobs:
        raise ValidationError(record, "job", f"job {operation.job} does not exist ({n_jobs} jobs)")
    modes = tuple(operation.modes)
    object.__setattr__(operation, "modes", modes)
    if not modes:
        raise ValidationError(record, "modes", "needs at least one resource to run on")
    resources = [mode.resource for mode in modes]
    for mode in modes:
        if not 0 <= mode.resource < n_resources:
            raise ValidationError(record, "modes", f"resource {mode.resource} does not exist ({n_resources} resources)")
        if mode.minutes < 1:
            raise ValidationError(record, "modes", f"needs at least 1 minute on resource {mode.resource}")
        if mode.minutes > horizon:
            raise ValidationError(
                record, "modes", f"{mode.minutes} minutes on resource {mode.resource} exceed the horizon {horizon}"
            )
    if len(set(resources)) != len(resources):
        raise ValidationError(record, "modes", "names the same resource twice")
    if operation.family is not None and operation.family < 0:
        raise ValidationError(record, "family", f"must not be negative, got {operation.family}")
    if operation.frozen_mode is not None and not 0 <= operation.frozen_mode < len(modes):
        raise ValidationError(record, "frozen_mode", f"mode {operation.frozen_mode} does not exist ({len(modes)})")
    if operation.frozen_start is not None and not 0 <= operation.frozen_start < horizon:
        raise ValidationError(
            record, "frozen_start", f"must lie in the horizon 0..{horizon - 1}, got {operation.frozen_start}"
        )


def _check_frozen_unit(index: int, operation: Operation, resources: tuple[Resource, ...]) -> None:
    record, unit = f"schedule {operation.label(index)}", operation.frozen_unit
    if operation.frozen_mode is None and len(operation.modes) > 1:
        raise ValidationError(record, "frozen_unit", "needs a frozen mode to say which resource the unit is of")
    resource = resources[operation.modes[operation.frozen_mode or 0].resource]
    if unit is None or not 0 <= unit < resource.units:
        raise ValidationError(record, "frozen_unit", f"{resource.code} has no unit {unit} ({resource.units} units)")


def _check_acyclic(precedences: Sequence[Precedence], count: int) -> None:
    """Precedences must not form a cycle (Kahn's topological sort)."""
    successors: list[list[int]] = [[] for _ in range(count)]
    indegree = [0] * count
    for precedence in precedences:
        successors[precedence.before].append(precedence.after)
        indegree[precedence.after] += 1
    ready = [node for node in range(count) if indegree[node] == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for successor in successors[node]:
            indegree[successor] -= 1
            if indegree[successor] == 0:
                ready.append(successor)
    if done < count:
        stuck = next(node for node in range(count) if indegree[node] > 0)
        raise ValidationError("schedule precedences", "after", f"operation {stuck} is part of a precedence cycle")
