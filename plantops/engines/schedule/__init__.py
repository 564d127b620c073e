"""Finite-capacity scheduling: every operation on real capacity, close to optimal (OR-Tools CP-SAT).

Times are whole minutes from the horizon start (minute 0); the caller maps them to dates.

Input (:mod:`~plantops.engines.schedule.problem`), all frozen dataclasses referring to
each other by index:

- :class:`Resource` ``(code, units=1, windows=None)``: a work center with ``units``
  parallel units; ``windows`` are its working windows, sorted disjoint ``(start, end)``
  minute intervals (end exclusive), ``None`` = always available. Breaks, nights,
  holidays, maintenance and a machine down are simply gaps between windows.
- :class:`Job` ``(code, release=0, due=None, weight=1)``: a work order or planned order.
- :class:`Operation` ``(job, modes, code="", family=None, interruptible=True,
  frozen_start=None, frozen_mode=None, frozen_unit=None)``; ``modes`` is a tuple of :class:`Mode`
  ``(resource, minutes)``: the eligible resources, each with its own working minutes.
  An interruptible operation pauses over calendar gaps and resumes in the next window
  (start and end lie in working time; its elapsed time includes the gaps, and it holds
  its unit meanwhile); a non-interruptible one fits inside one window. A frozen
  operation keeps its start and / or mode (started or frozen work), and a pinned one
  its unit (``frozen_unit``) too.
- :class:`Precedence` ``(before, after, min_lag=0, max_lag=None)``: end-to-start, in
  elapsed minutes. ``min_lag < 0`` lets ``after`` overlap ``before`` (transfer batches;
  ``after`` still ends no earlier than ``before``); ``max_lag`` is a maximum waiting time.
- :class:`SetupMatrix` ``.of(minutes, resource=None)``: sequence-dependent setup minutes
  ``[family before, family after]`` between consecutive operations on one unit, for one
  resource or (``resource=None``) every resource without its own.
- :class:`ScheduleProblem` ``(resources, jobs, operations, precedences=(), setups=(),
  horizon)``: validated when built; bad input raises
  :class:`~plantops.errors.ValidationError` naming the record and field. Every
  operation must end by ``horizon``.
- :class:`SolveSettings` ``(time_limit_s=10, workers=2, seed=0, tardiness_weight=100,
  makespan_weight=1, setup_weight=1, stability_weight=60, displacement_weight=0,
  reference=None, neighbourhood_search=True, work_limit=None)``; :class:`ReferenceSchedule`
  ``.of(start, mode)`` or ``.from_result(result)`` (``-1`` = no reference for that
  operation) is the schedule a repair stays close to.

``solve(problem, settings=SolveSettings()) -> ScheduleResult`` minimises
``tardiness_weight x sum(weight x tardiness) + makespan_weight x makespan +
setup_weight x total setup + stability_weight x operations moved + displacement_weight
x minutes moved``.

Output (:mod:`~plantops.engines.schedule.result`): :class:`ScheduleResult` with
``status`` (:class:`~plantops.vocabulary.ScheduleStatus`: optimal, feasible, infeasible,
unknown), ``proven_optimal``, ``has_schedule``, ``objective``, ``best_bound``, ``gap``;
per operation ``start``, ``end``, ``mode``, ``resource``, ``unit``, ``setup``; per job
``completion``, ``lateness``, ``tardiness``; per resource ``utilisation``; ``makespan``,
``weighted_tardiness``, ``total_setup``, ``critical_path`` (operation indexes), ``moved``
(operations moved from the reference), ``wall_time_s`` and ``explanation`` (why there is
no schedule).
"""

from plantops.engines.schedule.problem import (
    Job,
    Mode,
    Operation,
    Precedence,
    ReferenceSchedule,
    Resource,
    ScheduleProblem,
    SetupMatrix,
    SolveSettings,
)
from plantops.engines.schedule.result import ScheduleResult
from plantops.engines.schedule.solver import solve

__all__ = [
    "Job",
    "Mode",
    "Operation",
    "Precedence",
    "ReferenceSchedule",
    "Resource",
    "ScheduleProblem",
    "ScheduleResult",
    "SetupMatrix",
    "SolveSettings",
    "solve",
]
