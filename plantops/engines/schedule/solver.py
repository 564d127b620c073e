"""``solve``: a dispatching-rule schedule, CP-SAT on the whole model from it, then a search around it.

1. :func:`~plantops.engines.schedule.dispatch.dispatch` builds a schedule in milliseconds;
   it is CP-SAT's solution hint and, when it keeps every constraint, the schedule the run
   falls back on if CP-SAT finds none in the time.
   Where step 3's tabu search applies, its compiled kernels are made ready first
   (:func:`~plantops.engines.schedule.tabu.prepare`; tens of seconds on a fresh install,
   once): the time limit starts after it, and the result reports it apart
   (``compile_time_s``).
2. CP-SAT solves the whole model (:mod:`~plantops.engines.schedule.model`) with the
   settings' workers and seed: for the whole time limit, or for a share of it where step 3
   applies. Proving optimality ends the run.
3. Where the objective is the makespan on plain machines (:func:`~plantops.engines.schedule.tabu.applies`:
   the job shop and the flexible job shop), :mod:`~plantops.engines.schedule.tabu`
   shortens CP-SAT's and the dispatching rule's schedules for the rest of the time,
   stopping early at CP-SAT's bound. Otherwise, on large problems,
   :mod:`~plantops.engines.schedule.lns` improves it. The best bound is the one CP-SAT
   proved in step 2. On small job shops (up to ``SMALL`` operations, one resource each),
   where CP-SAT can prove the optimum within the time, it gets most of the time and the
   search only the rest.

Determinism: with a ``work_limit``, CP-SAT runs with ``interleave_search`` (its workers
take turns in fixed batches) and the searches of step 3 bound their rounds by
deterministic work, so for a given seed and number of workers a run gives the same
schedule when it ends by proving optimality or by using up ``work_limit``. Without one,
CP-SAT runs its parallel portfolio, which finds better schedules in the same wall time
(on random job shops, ``benchmarks/schedule/neighbourhood_threshold.py``) but depends on
thread timing; a run stopped by the wall clock is never repeatable anyway.
"""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.sat.python import cp_model

from plantops.engines.schedule import analysis, tabu
from plantops.engines.schedule._compiled import I64, NONE, Compiled, Placement
from plantops.engines.schedule.dispatch import dispatch
from plantops.engines.schedule.lns import Incumbent, improve
from plantops.engines.schedule.model import ScheduleModel, build, hint
from plantops.engines.schedule.problem import ScheduleProblem, SolveSettings
from plantops.engines.schedule.result import ScheduleResult
from plantops.errors import ValidationError
from plantops.vocabulary import ScheduleStatus

# operations from which the neighbourhood search takes over part of the time: up to 2,000 operations CP-SAT's
# parallel search on the whole model did as well or better on random job shops in 10 s
# (benchmarks/schedule/neighbourhood_threshold.py); beyond, its presolve alone takes much of a short time limit
LARGE = 3000
WHOLE_MODEL_SHARE = 0.3  # share of the time limit for CP-SAT on the whole model of a large problem
# share of the time limit for CP-SAT before the tabu search, on problems it fits: enough to prove small
# problems optimal and to find the lower bound at which the search stops
TABU_SHARE = 0.2
# up to this many operations, in a job shop (no alternative resources), CP-SAT runs for SMALL_SHARE of the time
# before the search: there it often proves the optimum within the time (ft10, 10 x 10, and la36 and ta01, 15 x 15,
# in 21 to 29 s of 60 on two cores), which a fifth of the time rarely allows; larger ones gain more from the search
SMALL = 250
SMALL_SHARE = 0.6
CHECK_SECONDS = 1.0  # at most this long to check the dispatching-rule schedule as a full assignment


def solve(problem: ScheduleProblem, settings: SolveSettings | None = None) -> ScheduleResult:
    """Schedule ``problem`` (see :mod:`plantops.engines.schedule`)."""
    settings = settings or SolveSettings()
    began = time.perf_counter()
    c = Compiled.of(problem)
    reference = _reference(c, settings)
    if (c.head + c.tail > c.horizon).any():
        return _without(c, ScheduleStatus.INFEASIBLE, _infeasible_reason(c), began)
    searchable = settings.neighbourhood_search and tabu.applies(c, settings, reference)
    compiling = tabu.prepare() if searchable else 0.0  # the clock starts once the search is ready
    began += compiling
    deadline = began + settings.time_limit_s
    sm = build(c, settings, reference)
    if sm.impossible:
        return _without(c, ScheduleStatus.INFEASIBLE, "; ".join(sm.impossible), began)
    first = dispatch(c, *(reference if reference is not None else (None, None)))
    if (first.start >= 0).all():
        first = _complete(c, first)
    hint(sm, first, reference)
    warm = _checked_hint(sm, settings)
    large = settings.neighbourhood_search and not searchable and c.operations >= LARGE
    small = searchable and c.operations <= SMALL and c.mode_op.size == c.operations
    share = SMALL_SHARE if small else TABU_SHARE if searchable else WHOLE_MODEL_SHARE if large else 1.0
    work = None if settings.work_limit is None else settings.work_limit * share  # the same share of the work
    solver = _solver(settings, seconds=max(deadline - time.perf_counter(), 0.01) * share, work=work)
    if sm.size:  # calendars: full presolve probes every step literal for longer than small runs have
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.max_presolve_iterations = 1
    status = solver.solve(sm.model)
    if status == cp_model.INFEASIBLE:
        return _without(c, ScheduleStatus.INFEASIBLE, _infeasible_reason(c), began)
    bound = float(solver.best_objective_bound)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = list(solver.response_proto.solution)
        incumbent = Incumbent(values, round(solver.objective_value), _read(sm, values))
    elif warm is not None:
        incumbent = warm
    else:
        return _without(c, ScheduleStatus.UNKNOWN, "no schedule found within the time limit", began, bound)
    remaining_work = None if settings.work_limit is None else settings.work_limit - solver.deterministic_time
    if status != cp_model.OPTIMAL and searchable:
        incumbent = _shorten(sm, settings, incumbent, warm, bound, deadline, remaining_work)
    elif status != cp_model.OPTIMAL and large:
        incumbent, _ = improve(
            sm,
            incumbent,
            lambda found: _read(sm, found),
            workers=settings.workers,
            seed=settings.seed,
            deadline=deadline,
            work_limit=remaining_work,
        )
    optimal = status == cp_model.OPTIMAL or incumbent.objective <= bound
    return _result(sm, settings, reference, incumbent, bound, optimal, began, compiling)


def _shorten(
    sm: ScheduleModel,
    settings: SolveSettings,
    incumbent: Incumbent,
    warm: Incumbent | None,
    bound: float,
    deadline: float,
    work: float | None,
) -> Incumbent:
    """Step 3 with the tabu search, from CP-SAT's schedule and from the dispatching rule's."""
    starts = [incumbent.placement] + ([warm.placement] if warm is not None and warm is not incumbent else [])
    placement = tabu.improve(
        sm.compiled,
        starts,
        lower_bound=math.ceil(bound / settings.makespan_weight) if math.isfinite(bound) else 0,
        workers=settings.workers,
        seed=settings.seed,
        deadline=deadline,
        work_limit=work,
    )
    return Incumbent([], settings.makespan_weight * int(placement.end.max(initial=0)), placement)


def _solver(settings: SolveSettings, *, seconds: float, work: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = settings.workers
    parameters.random_seed = settings.seed
    parameters.max_time_in_seconds = seconds
    if work is not None:  # repeatable: workers take turns in fixed batches, bounded by deterministic time
        parameters.interleave_search = settings.workers > 1
        parameters.max_deterministic_time = work
    parameters.log_search_progress = settings.log
    return solver


def _checked_hint(sm: ScheduleModel, settings: SolveSettings) -> Incumbent | None:
    """The dispatching-rule schedule as a full assignment when it keeps every constraint, else ``None``.

    CP-SAT checks it by propagation alone (hinted values fixed, no presolve), which takes
    a fraction of a second; the run then always has a schedule to fall back on, even when
    the full model's presolve uses up a short time limit.
    """
    checker = _solver(settings, seconds=min(settings.time_limit_s, CHECK_SECONDS), work=None)
    checker.parameters.fix_variables_to_their_hinted_value = True
    checker.parameters.cp_model_presolve = False
    checker.parameters.num_workers = 1
    status = checker.solve(sm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(checker.response_proto.solution)
    return Incumbent(values, round(checker.objective_value), _read(sm, values))


def _reference(c: Compiled, settings: SolveSettings) -> tuple[I64, I64] | None:
    """The reference as ``(start, global mode)`` arrays, checked against the problem."""
    reference = settings.reference
    if reference is None:
        return None
    if reference.start.size != c.operations:
        raise ValidationError(
            "schedule reference", "start", f"has {reference.start.size} values, expected {c.operations}"
        )
    counts = np.diff(c.first_mode)
    bad = reference.mode >= counts
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValidationError("schedule reference", "mode", f"operation {row} has no mode {reference.mode[row]}")
    mode = np.where(reference.mode >= 0, c.first_mode[:-1] + reference.mode, NONE).astype(np.int64)
    return reference.start.astype(np.int64), mode


def _complete(c: Compiled, placement: Placement) -> Placement:
    return Placement(placement.start, placement.end, placement.mode, analysis.assign_units(c, placement))


def _read(sm: ScheduleModel, values: list[int]) -> Placement:
    """The placement in CP-SAT's assignment ``values``."""
    c = sm.compiled
    start = np.array([values[variable.index] for variable in sm.start], dtype=np.int64)
    end = np.array([values[variable.index] for variable in sm.end], dtype=np.int64)
    present = np.array([p if isinstance(p, int) else values[p.index] for p in sm.present], dtype=np.int64)
    mode = np.full(c.operations, NONE, np.int64)
    chosen = np.flatnonzero(present == 1)
    mode[c.mode_op[chosen]] = chosen
    unit = np.full(c.operations, NONE, np.int64)
    for m, literals in sm.on_unit.items():
        for u, literal in enumerate(literals):
            if values[literal.index]:
                unit[int(c.mode_op[m])] = u
    return _complete(c, Placement(start, end, mode, unit))


def _infeasible_reason(c: Compiled) -> str:
    late = np.flatnonzero(c.head + c.tail > c.horizon)
    if late.size:
        i = int(late[0])
        return (
            f"{c.problem.operations[i].label(i)} cannot end by the horizon ({c.horizon} minutes): its release, "
            f"predecessors and successors need at least {int(c.head[i] + c.tail[i])}"
        )
    frozen = int((c.frozen_start >= 0).sum())
    return (
        "no schedule keeps every constraint within the horizon: the capacity in the working windows, the "
        "maximum waiting times" + (f" or the {frozen} frozen operations" if frozen else "") + " rule it out"
    )


def _without(
    c: Compiled, status: ScheduleStatus, explanation: str, began: float, bound: float = math.nan
) -> ScheduleResult:
    return ScheduleResult.without_schedule(
        status,
        explanation,
        operations=c.operations,
        jobs=len(c.due),
        resources=len(c.units),
        wall_time_s=time.perf_counter() - began,
        best_bound=bound,
    )


def _result(
    sm: ScheduleModel,
    settings: SolveSettings,
    reference: tuple[I64, I64] | None,
    incumbent: Incumbent,
    bound: float,
    optimal: bool,
    began: float,
    compiling: float,
) -> ScheduleResult:
    c, placement = sm.compiled, incumbent.placement
    if reference is None:
        placement = analysis.left_shift(c, placement)
    sequences = analysis.unit_sequences(c, placement)
    setup = analysis.setups(c, sequences)
    completion = np.zeros(len(c.due), np.int64)
    np.maximum.at(completion, c.op_job, placement.end)
    has_due = c.due >= 0
    lateness = np.where(has_due, completion - c.due, 0).astype(np.int64)
    makespan = int(placement.end.max(initial=0))
    tardiness = np.maximum(lateness, 0)
    counted = has_due & (c.weight > 0)
    weighted_tardiness = int((tardiness * c.weight)[counted].sum())
    objective = (
        settings.tardiness_weight * weighted_tardiness
        + settings.makespan_weight * makespan
        + settings.setup_weight * int(setup.sum())
    )
    moved = 0
    if reference is not None:
        start, mode = reference
        changed = (start >= 0) & ((placement.start != start) | ((mode >= 0) & (placement.mode != mode)))
        moved = int(changed.sum())
        shift = np.abs(placement.start - start)[start >= 0]
        objective += settings.stability_weight * moved + settings.displacement_weight * int(shift.sum())
    return ScheduleResult(
        status=ScheduleStatus.OPTIMAL if optimal else ScheduleStatus.FEASIBLE,
        objective=float(objective),
        best_bound=float(objective) if optimal else min(bound, float(objective)),
        start=placement.start,
        end=placement.end,
        mode=(placement.mode - c.first_mode[:-1]).astype(np.int64),
        resource=c.mode_resource[placement.mode].astype(np.int64),
        unit=placement.unit,
        setup=setup,
        completion=completion,
        lateness=lateness,
        tardiness=tardiness,
        utilisation=analysis.utilisation(c, placement, makespan),
        makespan=makespan,
        weighted_tardiness=weighted_tardiness,
        total_setup=int(setup.sum()),
        critical_path=analysis.critical_path(c, placement, sequences, setup),
        moved=moved,
        wall_time_s=time.perf_counter() - began,
        compile_time_s=compiling,
    )
