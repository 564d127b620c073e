"""Large-neighbourhood search around the CP-SAT model, for problems too large to solve whole in the time.

Each round frees a few operations of the best schedule and keeps the rest as it is up
to a shift in time: every other operation keeps its mode and unit, and its order on its
unit (each operation still starts after the one before it there ends) -- the partial
order schedule of Godard, Laborie & Nuijten (2005), "Randomized large neighborhood
search for cumulative scheduling", ICAPS. CP-SAT then re-solves the whole model with
these extra precedences, hinted with the best schedule and bounded by its objective, so
it may only return something at least as good. The freed operations are, at random:

- a time window: operations that start consecutively in the schedule;
- resources: every operation on a few resources;
- jobs: every operation of a few jobs.

As in CP-SAT's own neighbourhood search, the number freed adapts: it grows after a
neighbourhood is searched completely and shrinks after one runs out of its work limit.
With ``workers`` > 1 each round searches that many neighbourhoods at once, one
single-threaded CP-SAT each, and keeps the best. Every sub-search is bounded by
deterministic time and seeded from ``seed``, so the rounds are repeatable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from plantops.engines.schedule._compiled import I64, Placement
from plantops.engines.schedule.analysis import unit_sequences
from plantops.engines.schedule.model import ScheduleModel

NEIGHBOURHOODS = ("window", "resources", "jobs")
ROUND_WORK = 0.5  # deterministic time of one sub-search
MIN_FREED = 6
GROWTH = 1.15
SHRINK = 0.85


@dataclass(frozen=True)
class Incumbent:
    """A schedule as CP-SAT's full assignment of the model's variables, with its placement and objective."""

    values: list[int]
    objective: int
    placement: Placement


def improve(
    sm: ScheduleModel,
    incumbent: Incumbent,
    read: Callable[[list[int]], Placement],
    *,
    workers: int,
    seed: int,
    deadline: float,
    work_limit: float | None,
) -> tuple[Incumbent, int]:
    """Improve ``incumbent`` until ``deadline`` (``time.perf_counter``) or ``work_limit`` deterministic time.

    Returns the best schedule and the number of neighbourhoods searched."""
    rng = np.random.default_rng(seed)
    c = sm.compiled
    freed_count = float(min(max(MIN_FREED, c.operations // 10), c.operations))
    work_done = 0.0
    searched = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0.05 or (work_limit is not None and work_done >= work_limit):
                break
            jobs = []
            for k in range(workers):
                kind = NEIGHBOURHOODS[int(rng.integers(len(NEIGHBOURHOODS)))]
                freed = _neighbourhood(sm, incumbent.placement, kind, int(freed_count), rng)
                sub_seed = int(rng.integers(1 << 30))
                jobs.append(pool.submit(_search, sm, incumbent, freed, sub_seed, remaining, k))
            outcomes = [job.result() for job in jobs]
            searched += len(outcomes)
            best: Incumbent | None = None
            for status, values, objective, spent in outcomes:
                work_done += spent
                if status == cp_model.OPTIMAL:
                    freed_count = min(freed_count * GROWTH + 1, float(c.operations))
                else:
                    freed_count = max(freed_count * SHRINK, float(MIN_FREED))
                if (
                    values is not None
                    and objective <= incumbent.objective
                    and (best is None or objective < best.objective)
                ):
                    best = Incumbent(values, objective, read(values))
            if best is not None:
                incumbent = best
    return incumbent, searched


def _neighbourhood(sm: ScheduleModel, placement: Placement, kind: str, count: int, rng: np.random.Generator) -> I64:
    c = sm.compiled
    movable = np.flatnonzero(c.frozen_start < 0)
    if movable.size <= count:
        return movable
    if kind == "window":
        order = movable[np.argsort(placement.start[movable], kind="stable")]
        first = int(rng.integers(0, order.size - count + 1))
        return np.sort(order[first : first + count])
    groups = c.mode_resource[placement.mode[movable]] if kind == "resources" else c.op_job[movable]
    chosen: list[int] = []
    for group in rng.permutation(np.unique(groups)).tolist():
        chosen.extend(movable[groups == group].tolist())
        if len(chosen) >= count:
            break
    return np.sort(np.array(chosen, dtype=np.int64))


def _search(
    sm: ScheduleModel, incumbent: Incumbent, freed: I64, seed: int, remaining: float, _: int
) -> tuple[object, list[int] | None, int, float]:
    """One sub-search: the model with every operation outside ``freed`` kept in place up to a shift."""
    c = sm.compiled
    model = sm.model.clone()
    placement = incumbent.placement
    is_free = np.zeros(c.operations, dtype=np.bool_)
    is_free[freed] = True
    for i in np.flatnonzero(~is_free).tolist():
        chosen = int(placement.mode[i])
        for m in c.modes_of(i):
            presence = sm.present[m]
            if not isinstance(presence, int):
                model.add(presence == int(m == chosen))
            for u, literal in enumerate(sm.on_unit.get(m, [])):
                if m == chosen:
                    model.add(literal == int(u == placement.unit[i]))
    for sequence in unit_sequences(c, placement).values():
        kept = sequence[~is_free[sequence]]
        for before, after in zip(kept[:-1].tolist(), kept[1:].tolist(), strict=True):
            model.add(sm.mode_start_of(int(placement.mode[after])) >= sm.mode_end_of(int(placement.mode[before])))
    model.add(sm.objective <= incumbent.objective)
    model.proto.clear_solution_hint()
    proto = model.proto.solution_hint
    proto.vars.extend(range(len(incumbent.values)))
    proto.values.extend(incumbent.values)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = ROUND_WORK
    solver.parameters.max_time_in_seconds = max(remaining, 0.01)
    status = solver.solve(model)
    spent = float(solver.deterministic_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None, 0, spent
    return status, list(solver.response_proto.solution), round(solver.objective_value), spent
