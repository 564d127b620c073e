"""From how many operations PlantOps' neighbourhood search beats CP-SAT on the whole model.

    .venv/bin/python -m benchmarks.schedule.neighbourhood_threshold [--time-limit 10]

On random job shops drawn like Taillard's (each job visits every machine once in a random
order, durations uniform in 1..99; seeds fixed, none of them a benchmark instance), it
solves each instance twice with :func:`plantops.engines.schedule.solve`: once with the
neighbourhood search from ``LARGE`` operations on, once with CP-SAT on the whole model
for the whole time, and prints both makespans. ``LARGE`` in
:mod:`plantops.engines.schedule.solver` is set from this comparison, so that the
benchmark instances themselves play no part in choosing it. The tabu search, which takes
over makespan job shops like these in the engine, is switched off here: the neighbourhood
search is for the problems it does not fit (due dates, calendars, setups, parallel units).

Seen on 2026-12-03 (2 cores, 10 s, 2 workers), makespans with the search / whole model.
With CP-SAT's workers interleaved (its repeatable mode): 15x10 1023 / 992, 20x15 1527 / 1511,
30x15 1962 / 1875, 30x20 2316 / 2200, 40x15 2649 / 2521, 50x15 3215 / 3284, 50x20 3542 / 3596,
100x20 5853 / 5862. With its parallel portfolio (the default without a work limit): 15x10
986 / 984, 20x15 1498 / 1460, 30x15 1858 / 1796, 30x20 2235 / 2170, 40x15 2500 / 2489,
50x15 3106 / 3106, 50x20 3489 / 3457, 100x20 5824 / 5824.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    Resource,
    ScheduleProblem,
    SolveSettings,
    solve,
    tabu,
)
from plantops.engines.schedule import solver as engine

SIZES = ((15, 10, 1), (20, 15, 2), (30, 15, 3), (30, 20, 5), (40, 15, 6), (50, 15, 7), (50, 20, 4), (100, 20, 8))


def random_job_shop(jobs: int, machines: int, seed: int) -> ScheduleProblem:
    """A job shop of ``jobs`` x ``machines`` drawn as Taillard (1993) draws his."""
    rng = np.random.default_rng(seed)
    operations: list[Operation] = []
    precedences: list[Precedence] = []
    for j in range(jobs):
        for k, machine in enumerate(rng.permutation(machines)):
            operations.append(Operation(j, (Mode(int(machine), int(rng.integers(1, 100))),)))
            if k:
                precedences.append(Precedence(len(operations) - 2, len(operations) - 1))
    return ScheduleProblem(
        resources=tuple(Resource(f"M{m}") for m in range(machines)),
        jobs=tuple(Job(f"J{j}") for j in range(jobs)),
        operations=tuple(operations),
        precedences=tuple(precedences),
        horizon=sum(o.modes[0].minutes for o in operations),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args(argv)
    tabu.applies = lambda *_: False  # see the module docstring
    for jobs, machines, seed in SIZES:
        problem = random_job_shop(jobs, machines, seed)
        makespans = []
        for search in (True, False):
            settings = SolveSettings(time_limit_s=args.time_limit, workers=2, seed=0, makespan_weight=1)
            if search:
                saved, engine.LARGE = engine.LARGE, 0  # the search on every size
            result = solve(problem, settings)
            if search:
                engine.LARGE = saved
            makespans.append(result.makespan)
        print(f"{jobs}x{machines} ({jobs * machines} operations): search {makespans[0]}, whole model {makespans[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
