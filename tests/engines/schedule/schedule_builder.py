"""Small scheduling problems for tests, and an independent check that a schedule keeps every rule."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    Resource,
    ScheduleProblem,
    ScheduleResult,
)

JOBSHOP = Path(__file__).resolve().parents[4] / "shared" / "data" / "jobshop"


def job_shop(
    jobs: Sequence[Sequence[tuple[int, int]]],
    *,
    resources: Sequence[Resource] | None = None,
    horizon: int | None = None,
) -> ScheduleProblem:
    """One job per row, its operations in order as ``(machine, minutes)``, each after the one before."""
    machines = 1 + max(machine for job in jobs for machine, _ in job)
    operations: list[Operation] = []
    precedences: list[Precedence] = []
    for j, job in enumerate(jobs):
        for k, (machine, minutes) in enumerate(job):
            operations.append(Operation(j, (Mode(machine, minutes),), code=f"J{j}-{k}"))
            if k:
                precedences.append(Precedence(len(operations) - 2, len(operations) - 1))
    return ScheduleProblem(
        resources=tuple(resources) if resources is not None else tuple(Resource(f"M{m}") for m in range(machines)),
        jobs=tuple(Job(f"J{j}") for j in range(len(jobs))),
        operations=tuple(operations),
        precedences=tuple(precedences),
        horizon=horizon if horizon is not None else sum(minutes for job in jobs for _, minutes in job),
    )


def read_job_shop(name: str) -> list[list[tuple[int, int]]]:
    """A job-shop instance in the standard text format (``jobs machines``, then ``machine minutes`` pairs)."""
    numbers = [int(token) for token in (JOBSHOP / f"{name}.txt").read_text().split()]
    jobs, machines = numbers[0], numbers[1]
    pairs = np.array(numbers[2:], dtype=np.int64).reshape(jobs, machines, 2)
    return [[(int(machine), int(minutes)) for machine, minutes in job] for job in pairs]


def working(resource: Resource, horizon: int) -> np.ndarray:
    """A boolean per minute: does the resource work then."""
    minutes = np.zeros(horizon, dtype=bool)
    for start, end in resource.windows if resource.windows is not None else [(0, horizon)]:
        minutes[start:end] = True
    return minutes


def assert_keeps_every_rule(problem: ScheduleProblem, result: ScheduleResult) -> None:
    """Check the schedule minute by minute against the problem, without the engine's own code."""
    assert result.has_schedule, result.explanation
    horizon = problem.horizon
    work = [working(resource, horizon) for resource in problem.resources]
    for i, operation in enumerate(problem.operations):
        start, end, mode = int(result.start[i]), int(result.end[i]), int(result.mode[i])
        chosen = operation.modes[mode]
        assert result.resource[i] == chosen.resource
        assert problem.jobs[operation.job].release <= start < end <= horizon, (i, start, end)
        minutes = work[chosen.resource]
        assert minutes[start], f"operation {i} starts at {start}, outside working time"
        assert minutes[end - 1], f"operation {i} ends at {end}, after a gap"
        assert int(minutes[start:end].sum()) == chosen.minutes, f"operation {i} gets the wrong working time"
        if not operation.interruptible:
            assert minutes[start:end].all(), f"operation {i} spans a gap"
        if operation.frozen_start is not None:
            assert start == operation.frozen_start
        if operation.frozen_mode is not None:
            assert mode == operation.frozen_mode
        assert 0 <= result.unit[i] < problem.resources[chosen.resource].units
    for precedence in problem.precedences:
        a, b = precedence.before, precedence.after
        assert result.start[b] >= result.end[a] + precedence.min_lag, precedence
        if precedence.min_lag < 0:
            assert result.end[b] >= result.end[a], precedence
        if precedence.max_lag is not None:
            assert result.start[b] <= result.end[a] + precedence.max_lag, precedence
    for r in range(len(problem.resources)):
        matrix = problem.setup_matrix(r)
        for u in range(problem.resources[r].units):
            members = np.flatnonzero((result.resource == r) & (result.unit == u))
            members = members[np.argsort(result.start[members])]
            for a, b in zip(members[:-1].tolist(), members[1:].tolist(), strict=True):
                family_a, family_b = problem.operations[a].family, problem.operations[b].family
                setup = 0
                if matrix is not None and family_a is not None and family_b is not None:
                    setup = int(matrix.minutes[family_a, family_b])
                assert result.start[b] >= result.end[a] + setup, f"operations {a} and {b} overlap on {r}/{u}"
                assert result.setup[b] == setup
    completion = np.zeros(len(problem.jobs), dtype=np.int64)
    for i, operation in enumerate(problem.operations):
        completion[operation.job] = max(completion[operation.job], result.end[i])
    np.testing.assert_array_equal(result.completion, completion)
    assert result.makespan == int(result.end.max())
