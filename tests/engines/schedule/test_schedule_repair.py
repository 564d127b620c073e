"""After a machine goes down, the repaired schedule keeps away from the outage and moves few operations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from plantops.engines.schedule import ReferenceSchedule, Resource, ScheduleProblem, SolveSettings, solve
from tests.engines.schedule.schedule_builder import assert_keeps_every_rule, job_shop, read_job_shop


def _down(problem: ScheduleProblem, resource: int, start: int, end: int) -> ScheduleProblem:
    """The problem with ``resource`` out of service from ``start`` to ``end``."""
    machine = problem.resources[resource]
    windows = ((0, start), (end, problem.horizon))
    resources = list(problem.resources)
    resources[resource] = Resource(machine.code, machine.units, windows)
    return replace(problem, resources=tuple(resources))


def test_repair_after_a_machine_down_moves_fewer_operations_than_a_fresh_schedule() -> None:
    plan = job_shop(read_job_shop("ft06"), horizon=200)
    original = solve(plan, SolveSettings(time_limit_s=20))
    path = original.critical_path
    critical = int(path[np.argmax(original.end[path] - original.start[path])])  # the longest critical step
    machine = int(original.resource[critical])
    outage_start = int(original.start[critical]) + 1
    disrupted = _down(plan, machine, outage_start, outage_start + 10)

    reference = ReferenceSchedule.from_result(original)
    repaired = solve(disrupted, SolveSettings(time_limit_s=20, reference=reference))
    fresh = solve(disrupted, SolveSettings(time_limit_s=20))

    assert_keeps_every_rule(disrupted, repaired)
    on_machine = repaired.resource == machine
    overlaps = (repaired.start[on_machine] < outage_start + 10) & (repaired.end[on_machine] > outage_start)
    for i in np.flatnonzero(on_machine)[overlaps].tolist():  # an operation across the outage pauses for it
        assert repaired.end[i] - repaired.start[i] > plan.operations[i].modes[0].minutes
    moved_by_fresh = int((fresh.start != original.start).sum())
    assert 0 < repaired.moved < moved_by_fresh
    assert repaired.moved == int((repaired.start != original.start).sum())


def test_repair_without_disruption_moves_nothing() -> None:
    plan = job_shop(read_job_shop("ft06"), horizon=200)
    original = solve(plan, SolveSettings(time_limit_s=20))
    again = solve(plan, SolveSettings(time_limit_s=20, reference=ReferenceSchedule.from_result(original)))
    assert again.moved == 0
    np.testing.assert_array_equal(again.start, original.start)
