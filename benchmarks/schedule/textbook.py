"""The plain textbook CP-SAT model the engine is compared with.

The model of the OR-Tools job-shop and flexible job-shop examples
(``examples/python/jobshop_sat.py``, ``flexible_job_shop_sat.py``): one interval per
operation (for a flexible operation, one optional interval per eligible machine, exactly
one present), no-overlap per machine, job order as precedences, makespan minimised.
CP-SAT's default parameters apart from the time limit, the number of workers and the
seed; no solution hint and no search around the solver.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from benchmarks.schedule.instances import Instance


@dataclass(frozen=True)
class Outcome:
    makespan: int | None
    bound: int
    optimal: bool
    seconds: float


def solve_textbook(instance: Instance, time_limit_s: float, workers: int, seed: int = 0) -> Outcome:
    model = cp_model.CpModel()
    horizon = sum(max(duration for _, duration in alternatives) for job in instance.jobs for alternatives in job)
    machine_intervals: list[list[cp_model.IntervalVar]] = [[] for _ in range(instance.machines)]
    job_ends = []
    for j, job in enumerate(instance.jobs):
        previous_end = None
        for k, alternatives in enumerate(job):
            start = model.new_int_var(0, horizon, f"s{j}_{k}")
            end = model.new_int_var(0, horizon, f"e{j}_{k}")
            if len(alternatives) == 1:
                machine, duration = alternatives[0]
                machine_intervals[machine].append(model.new_interval_var(start, duration, end, f"i{j}_{k}"))
            else:
                presences = []
                for machine, duration in alternatives:
                    present = model.new_bool_var(f"p{j}_{k}_{machine}")
                    alt_start = model.new_int_var(0, horizon, "")
                    alt_end = model.new_int_var(0, horizon, "")
                    interval = model.new_optional_interval_var(alt_start, duration, alt_end, present, "")
                    model.add(start == alt_start).only_enforce_if(present)
                    model.add(end == alt_end).only_enforce_if(present)
                    machine_intervals[machine].append(interval)
                    presences.append(present)
                model.add_exactly_one(presences)
            if previous_end is not None:
                model.add(start >= previous_end)
            previous_end = end
        job_ends.append(previous_end)
    for intervals in machine_intervals:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, job_ends)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    began = time.perf_counter()
    status = solver.solve(model)
    seconds = time.perf_counter() - began
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Outcome(
        makespan=int(solver.objective_value) if found else None,
        bound=int(solver.best_objective_bound),
        optimal=status == cp_model.OPTIMAL,
        seconds=seconds,
    )
