"""Tabu search on the disjunctive graph: shorter makespans on machines that run one operation at a time.

The method is the critical-path tabu search of the job-shop literature:

- The critical path splits into blocks of operations that follow each other on one
  resource. A move reorders a block: the N7 neighbourhood of Zhang, Li, Guan & Rao
  (2007), "A tabu search algorithm with a new neighborhood structure for the job shop
  scheduling problem", Computers & Operations Research 34(11), which extends the N5
  swaps of Nowicki & Smutnicki (1996), "A fast taboo search algorithm for the job shop
  problem", Management Science 42(6).
- Where operations have several modes (the flexible job shop), a move may also put a
  critical operation on another of its resources, where the longest path through it is
  shortest: Mastrolilli & Gambardella (2000), "Effective neighbourhood functions for
  the flexible job shop problem", Journal of Scheduling 3(1).
- Each move's makespan is estimated from heads and tails (Taillard 1994, "Parallel
  taboo search techniques for the job shop scheduling problem", ORSA Journal on
  Computing 6(2); Balas & Vazacopoulos 1998 for moves within a block), and the best
  move that is not tabu is made. Tabu tenures are drawn at random (Taillard).
- When the search has not improved the best schedule for a while, it starts again
  from the best schedule with a few random critical moves, a simplified form of the
  restarts of Nowicki & Smutnicki (2005), "An advanced tabu search algorithm for the
  job shop problem", Journal of Scheduling 8.

It applies where the model's objective is the makespan alone and every resource has one
unit, no calendar and no setups, with precedences that have non-negative minimum lags
and no maximum waiting times; :func:`applies` says whether a problem qualifies.
Precedences may form any network, not only chains.

The kernels (:mod:`~plantops.engines.schedule._tabu_kernels`) are compiled with Numba
on first use, which takes tens of seconds, and cached on disk (``cache=True``: in
``NUMBA_CACHE_DIR`` where that is set, else in ``__pycache__`` beside the source where
it is writable, else in the user's cache directory), so that later processes only load
them; :func:`prepare` compiles or loads them ahead of a search. They release the GIL, so
``workers`` searches run in parallel threads, each from its own seed. The searches run
in rounds of a fixed number of iterations, each seeded from the search's seed and the
round's number, so a search bounded by ``work_limit`` repeats exactly.
"""

from __future__ import annotations

import dataclasses
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from plantops.engines.schedule._compiled import I64, NONE, Compiled, Placement
from plantops.engines.schedule._tabu_kernels import search, times
from plantops.engines.schedule.problem import Job, Mode, Operation, Precedence, Resource, ScheduleProblem, SolveSettings

VISITS_PER_WORK = 20_000_000  # graph nodes visited per unit of work (about a second of one core)
ROUND_VISITS = 1_000_000  # nodes visited per round, between checks of the clock (about 0.05 s of one core)
STALL_FACTOR = 16  # iterations without a better schedule before a restart, per operation
KICK = 3  # random critical moves of a restart
TENURE = 10  # least tabu tenure, plus one per job per machine (Taillard 1994)


def prepare() -> float:
    """Compile the kernels (or load them from Numba's cache) by searching a two-job shop; the seconds it took.

    Nearly instant once they are loaded in this process; the solver calls it before it starts
    the clock, and ``plantops init`` calls it so that the first search does not wait for it.
    """
    began = time.perf_counter()
    c = Compiled.of(
        ScheduleProblem(
            resources=(Resource("M0"), Resource("M1")),
            jobs=(Job("J0"), Job("J1")),
            operations=tuple(
                Operation(job, (Mode(machine, 1 + job + machine),)) for job in (0, 1) for machine in (0, 1)
            ),
            precedences=(Precedence(0, 1), Precedence(2, 3)),
            horizon=20,
        )
    )
    start = np.array([0, 1, 1, 3], np.int64)
    minutes = c.mode_minutes[:4]
    placement = Placement(start, start + minutes, np.arange(4, dtype=np.int64), np.zeros(4, np.int64))
    improve(c, [placement], lower_bound=0, workers=1, seed=0, deadline=math.inf, work_limit=1e-6)
    return time.perf_counter() - began


def applies(c: Compiled, settings: SolveSettings, reference: object) -> bool:
    """Whether the search fits the problem (see the module's docstring)."""
    if reference is not None or settings.makespan_weight <= 0:
        return False
    if settings.tardiness_weight > 0 and ((c.due >= 0) & (c.weight > 0)).any():
        return False
    if (c.units != 1).any() or (c.frozen_start >= 0).any() or c.has_max_lag.any() or (c.min_lag < 0).any():
        return False
    return all(c.always_available(resource) and c.setup_minutes(resource) is None for resource in range(c.units.size))


@dataclass(frozen=True)
class Graph:
    """The precedences as CSR arrays, with each operation's minutes and release, for the kernels."""

    minutes: I64
    release: I64
    pred_first: I64
    pred: I64
    pred_lag: I64
    succ_first: I64
    succ: I64
    succ_lag: I64

    @classmethod
    def of(cls, c: Compiled, mode: I64) -> Graph:
        by_after = np.argsort(c.after, kind="stable")
        by_before = np.argsort(c.before, kind="stable")
        count = c.operations
        return cls(
            minutes=c.mode_minutes[mode].astype(np.int64),
            release=np.maximum(c.release, 0).astype(np.int64),
            pred_first=np.concatenate([[0], np.cumsum(np.bincount(c.after, minlength=count))]).astype(np.int64),
            pred=c.before[by_after].astype(np.int64),
            pred_lag=c.min_lag[by_after].astype(np.int64),
            succ_first=np.concatenate([[0], np.cumsum(np.bincount(c.before, minlength=count))]).astype(np.int64),
            succ=c.after[by_before].astype(np.int64),
            succ_lag=c.min_lag[by_before].astype(np.int64),
        )

    @property
    def arrays(self) -> tuple[I64, ...]:
        """The arrays in the order the kernels take them."""
        return (
            self.minutes,
            self.release,
            self.pred_first,
            self.pred,
            self.pred_lag,
            self.succ_first,
            self.succ,
            self.succ_lag,
        )

    def starts(self, before: I64, after: I64) -> I64:
        """Earliest start of every operation with the resources' orders given by ``before`` and ``after``."""
        count = self.minutes.size
        head, tail, order, waiting = (np.zeros(count, np.int64) for _ in range(4))
        times(*self.arrays, before, after, head, tail, order, waiting)
        return head


@dataclass(frozen=True)
class Limits:
    """When one search stops: at ``deadline`` (``time.perf_counter``), after ``rounds`` rounds
    (``None``: no limit) or at a makespan of ``lower_bound``; and its tuning for the problem's size."""

    deadline: float
    rounds: int | None
    lower_bound: int
    round_iterations: int
    tenure: int
    stall: int


def improve(
    c: Compiled,
    starts: list[Placement],
    *,
    lower_bound: int,
    workers: int,
    seed: int,
    deadline: float,
    work_limit: float | None,
) -> Placement:
    """The shortest schedule found by ``workers`` searches, search ``k`` from ``starts[k % len(starts)]``;
    every operation as early as its order on its resource allows. The searches stop at
    ``deadline`` (``time.perf_counter``), after ``work_limit`` units of work or at a makespan of
    ``lower_bound``. The result is never longer than the shortest of ``starts``."""
    count = c.operations
    jobs = len(np.unique(c.op_job))
    round_iterations = max(ROUND_VISITS // max(count, 1), 10)
    rounds = None
    if work_limit is not None:  # the work in iterations, in rounds of at most the usual size
        iterations = max(int(work_limit * VISITS_PER_WORK / max(count, 1)), 1)
        round_iterations = min(round_iterations, iterations)
        rounds = math.ceil(iterations / round_iterations)
    limits = Limits(
        deadline=deadline,
        rounds=rounds,
        lower_bound=lower_bound,
        round_iterations=round_iterations,
        tenure=TENURE + jobs // max(int(c.units.size), 1),
        stall=STALL_FACTOR * count,
    )
    with ThreadPoolExecutor(max_workers=workers) as pool:
        searches = [
            pool.submit(_run, c, starts[worker % len(starts)], seed * 1_000_003 + worker, limits)
            for worker in range(workers)
        ]
        found = [search.result() for search in searches]
    best = min(found, key=lambda placement: int(placement.end.max(initial=0)))
    shortest_start = min(starts, key=lambda placement: int(placement.end.max(initial=0)))
    return best if best.end.max(initial=0) <= shortest_start.end.max(initial=0) else shortest_start


def _machine_links(c: Compiled, placement: Placement) -> tuple[I64, I64]:
    """Per operation, the one before and after it on its resource in ``placement`` (``NONE`` at the ends)."""
    resource = c.mode_resource[placement.mode]
    order = np.lexsort((placement.end, placement.start, resource))
    before = np.full(c.operations, NONE, np.int64)
    after = np.full(c.operations, NONE, np.int64)
    same = resource[order[1:]] == resource[order[:-1]]
    before[order[1:][same]] = order[:-1][same]
    after[order[:-1][same]] = order[1:][same]
    return before, after


def _run(c: Compiled, start: Placement, seed: int, limits: Limits) -> Placement:
    """One search from ``start``, in rounds until ``limits`` stop it."""
    graph = Graph.of(c, start.mode)
    before, after = _machine_links(c, start)
    count = c.operations
    orders = (before, after, before.copy(), after.copy())
    modes = (c.first_mode, c.mode_resource, c.mode_minutes)
    mode = start.mode.astype(np.int64)
    assignment = (mode, c.mode_resource[mode], np.empty(c.units.size, np.int64), mode.copy())
    tabu = np.full((2 * limits.tenure + 1, 4), NONE, np.int64)
    banned = np.full_like(tabu, NONE)
    # iteration, iteration of the last better schedule, best makespan
    state = np.array([0, 0, np.iinfo(np.int64).max], np.int64)
    work = np.zeros((5, count), np.int64)
    tuning = (limits.round_iterations, limits.lower_bound, limits.tenure, limits.stall, KICK)
    done = 0
    while (limits.rounds is None or done < limits.rounds) and time.perf_counter() < limits.deadline:
        round_seed = (seed + 7919 * done) % (2**31)
        best = search(graph.arrays, modes, assignment, orders, tabu, banned, state, work, round_seed, *tuning)
        done += 1
        if best <= limits.lower_bound:
            break
    if not done:
        return start
    best_mode = assignment[3]
    best = dataclasses.replace(graph, minutes=c.mode_minutes[best_mode].astype(np.int64))
    head = best.starts(orders[2], orders[3])
    return Placement(head, head + best.minutes, best_mode.copy(), np.zeros(count, np.int64))
