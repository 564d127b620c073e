"""The CP-SAT model of a scheduling problem (the scheduling recipes of the OR-Tools CP-SAT guide).

- One interval per operation, or, when it has several modes, one optional interval per
  mode with exactly one present (the guide's "alternative resources for one interval").
  All modes of an operation share its start variable unless their resource has a
  calendar, in which case the mode has its own start, size and end, tied to the
  operation's when present.
- A calendar makes the size a step function of the start (see
  :mod:`~plantops.engines.schedule.calendar`): the start lies in one of the mode's
  start segments, and the size is that segment's elapsed time, a sum over the steps of
  the function of literals ``start >= step``.
- A resource with one unit is a no-overlap constraint; with several, a cumulative
  constraint of capacity ``units``. Where sequence-dependent setups apply, or an
  operation is pinned to a unit (``frozen_unit``), every unit is its own no-overlap
  constraint and each operation picks one unit (a pinned one its own); with setups, a circuit
  constraint per unit orders its operations (an arc ``a -> b`` forces
  ``start b >= end a + setup[a, b]``), as in the guide's "transitions in a disjunctive
  resource".
- Precedences are linear constraints; job completion, tardiness and makespan are
  bounded from below by the ends, and the objective is the weighted sum of
  :class:`~plantops.engines.schedule.SolveSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from plantops.engines.schedule._compiled import I64, NONE, Compiled, Placement
from plantops.engines.schedule.calendar import Segments
from plantops.engines.schedule.problem import SolveSettings

Literal = cp_model.IntVar | int


@dataclass
class Arc:
    """An arc of a unit's circuit between two modes (``NONE``: the depot), with its literal and setup minutes."""

    tail: int
    head: int
    literal: cp_model.IntVar
    setup: int


@dataclass
class ScheduleModel:
    """The CP-SAT model and its variables, by operation, mode, job and unit."""

    compiled: Compiled
    model: cp_model.CpModel
    start: list[cp_model.IntVar] = field(default_factory=list)
    end: list[cp_model.IntVar] = field(default_factory=list)
    present: list[Literal] = field(default_factory=list)  # per mode
    mode_start: dict[int, cp_model.IntVar] = field(default_factory=dict)  # calendared modes of multi-mode operations
    mode_end: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # per calendared mode: (segment k, the literal start >= low[k]) where the elapsed time steps
    steps: dict[int, list[tuple[int, cp_model.IntVar]]] = field(default_factory=dict)
    size: dict[int, cp_model.IntVar] = field(default_factory=dict)
    on_unit: dict[int, list[cp_model.IntVar]] = field(default_factory=dict)  # per mode on a sequenced resource
    circuits: dict[tuple[int, int], list[Arc]] = field(default_factory=dict)  # (resource, unit) -> arcs
    completion: dict[int, cp_model.IntVar] = field(default_factory=dict)  # jobs with a tardiness term
    tardiness: dict[int, cp_model.IntVar] = field(default_factory=dict)
    makespan: cp_model.IntVar | None = None
    moved: dict[int, cp_model.IntVar] = field(default_factory=dict)
    displacement: dict[int, cp_model.IntVar] = field(default_factory=dict)
    objective: cp_model.LinearExpr | int = 0
    impossible: list[str] = field(default_factory=list)  # why the model has no solution, found while building

    def mode_start_of(self, mode: int) -> cp_model.IntVar:
        return self.mode_start.get(mode, self.start[int(self.compiled.mode_op[mode])])

    def mode_end_of(self, mode: int) -> cp_model.IntVar:
        return self.mode_end.get(mode, self.end[int(self.compiled.mode_op[mode])])


def build(compiled: Compiled, settings: SolveSettings, reference: tuple[I64, I64] | None) -> ScheduleModel:
    """The model; ``reference`` is ``(start, global mode)`` per operation, -1 where there is none."""
    c = compiled
    sm = ScheduleModel(c, cp_model.CpModel())
    _operations(sm)
    if sm.impossible:  # the first operation that fits nowhere: nothing to solve
        return sm
    _resources(sm)
    _precedences(sm)
    _objective(sm, settings, reference)
    return sm


def _operations(sm: ScheduleModel) -> None:
    c, model, horizon = sm.compiled, sm.model, sm.compiled.horizon
    latest = horizon - c.tail
    sm.present = [1] * int(c.mode_op.size)
    for i in range(c.operations):
        modes = list(c.modes_of(i))
        if c.frozen_mode[i] >= 0:
            for position, m in enumerate(modes):
                if position != c.frozen_mode[i]:
                    sm.present[m] = 0
        low, high = int(c.head[i]), int(max(latest[i], c.head[i]))
        if c.frozen_start[i] >= 0:
            low = high = int(c.frozen_start[i])
        open_modes = [m for m in modes if sm.present[m] != 0]
        segments = {m: c.segments(m) for m in open_modes}
        for m, found in segments.items():
            if found is not None and (len(found) == 0 or (low == high and found.index_of(low) < 0)):
                sm.present[m] = 0
        open_modes = [m for m in open_modes if sm.present[m] != 0]
        if not open_modes:
            sm.impossible.append(
                f"{c.problem.operations[i].label(i)} fits on none of its resources within the horizon"
                + (" at its frozen start" if c.frozen_start[i] >= 0 else "")
                + (" inside one working window" if not c.interruptible[i] else "")
            )
            return
        only = segments[open_modes[0]] if len(open_modes) == 1 else None
        if only is not None:
            domain = _union(only).intersection_with(cp_model.Domain(low, high))
            if domain.is_empty():
                sm.impossible.append(f"{c.problem.operations[i].label(i)} cannot start in a working window in time")
                return
            start = model.new_int_var_from_domain(domain, f"start{i}")
        else:
            start = model.new_int_var(low, high, f"start{i}")
        end = model.new_int_var(low + int(c.shortest[i]), horizon, f"end{i}")
        sm.start.append(start)
        sm.end.append(end)
        if len(open_modes) > 1:
            for m in open_modes:
                sm.present[m] = model.new_bool_var(f"mode{m}")
            model.add_exactly_one([sm.present[m] for m in open_modes])
        calendared = [m for m in open_modes if segments[m] is not None]
        if not calendared:
            minutes = [int(c.mode_minutes[m]) for m in open_modes]
            model.add(end == start + sum(d * sm.present[m] for d, m in zip(minutes, open_modes, strict=True)))
            continue
        for m in calendared:
            found = segments[m]
            assert found is not None
            if len(open_modes) == 1:
                mode_start, mode_end = start, end
            else:
                mode_start = model.new_int_var_from_domain(_union(found), f"mode_start{m}")
                mode_end = model.new_int_var(0, horizon, f"mode_end{m}")
                presence = sm.present[m]
                assert not isinstance(presence, int)
                model.add(mode_start == start).only_enforce_if(presence)
                model.add(mode_end == end).only_enforce_if(presence)
                sm.mode_start[m], sm.mode_end[m] = mode_start, mode_end
            _calendar_link(sm, m, mode_start, mode_end)
        for m in open_modes:
            if m not in calendared:
                presence = sm.present[m]
                assert not isinstance(presence, int)
                model.add(end == start + int(c.mode_minutes[m])).only_enforce_if(presence)


def _calendar_link(sm: ScheduleModel, m: int, start: cp_model.IntVar, end: cp_model.IntVar) -> None:
    """``end - start`` is the elapsed time of the segment holding ``start`` (whose domain is the segments).

    The elapsed time is a step function of the start, written as a sum over its steps:
    ``size = elapsed[0] + sum_k (elapsed[k] - elapsed[k-1]) * [start >= low[k]]``, one literal
    per step where the elapsed time changes. These are order literals of ``start``, which CP-SAT
    propagates directly; element constraints over the segments would make its presolve encode
    every value of the start.
    """
    model, found = sm.model, sm.compiled.segments(m)
    assert found is not None
    elapsed = found.elapsed.tolist()
    size = model.new_int_var(min(elapsed), max(elapsed), f"size{m}")
    sm.size[m] = size
    model.add(end == start + size)
    steps: list[tuple[int, cp_model.IntVar]] = []
    for k in range(1, len(found)):
        change = elapsed[k] - elapsed[k - 1]
        if not change:
            continue
        later = model.new_bool_var(f"from{m}_{k}")
        model.add(start >= int(found.low[k])).only_enforce_if(later)
        model.add(start <= int(found.high[k - 1])).only_enforce_if(~later)
        if steps:
            model.add_implication(later, steps[-1][1])
        steps.append((k, later))
    sm.steps[m] = steps
    model.add(size == elapsed[0] + sum((elapsed[k] - elapsed[k - 1]) * later for k, later in steps))


def _absent(presence: Literal) -> bool:
    return isinstance(presence, int) and presence == 0


def _union(found: Segments) -> cp_model.Domain:
    return cp_model.Domain.from_intervals([[int(a), int(b)] for a, b in zip(found.low, found.high, strict=True)])


def _interval(sm: ScheduleModel, m: int, presence: Literal, name: str) -> cp_model.IntervalVar:
    c, model = sm.compiled, sm.model
    i = int(c.mode_op[m])
    if m in sm.size:
        start, end = sm.mode_start_of(m), sm.mode_end_of(m)
        if isinstance(presence, int):
            return model.new_interval_var(start, sm.size[m], end, name)
        return model.new_optional_interval_var(start, sm.size[m], end, presence, name)
    minutes = int(c.mode_minutes[m])
    if isinstance(presence, int):
        return model.new_interval_var(sm.start[i], minutes, sm.end[i], name)
    return model.new_optional_fixed_size_interval_var(sm.start[i], minutes, presence, name)


def _resources(sm: ScheduleModel) -> None:
    c, model = sm.compiled, sm.model
    by_resource: dict[int, list[int]] = {}
    for m in range(int(c.mode_op.size)):
        if not _absent(sm.present[m]):
            by_resource.setdefault(int(c.mode_resource[m]), []).append(m)
    for resource, modes in sorted(by_resource.items()):
        own = [_interval(sm, m, sm.present[m], f"run{m}") for m in modes]
        units = int(c.units[resource])
        setups = c.setup_minutes(resource) if len(modes) > 1 else None
        pinned = units > 1 and bool((c.frozen_unit[c.mode_op[modes]] >= 0).any())
        if setups is None and not pinned:
            if units == 1:
                model.add_no_overlap(own)
            else:
                model.add_cumulative(own, [1] * len(own), units)
            continue
        if units > 1:
            model.add_cumulative(own, [1] * len(own), units)
        for u in range(units):
            if units == 1:
                members: list[tuple[int, Literal]] = [(m, sm.present[m]) for m in modes]
            else:
                members = []
                for m in modes:
                    choice = model.new_bool_var(f"unit{m}_{u}")
                    sm.on_unit.setdefault(m, []).append(choice)
                    members.append((m, choice))
                model.add_no_overlap([_interval(sm, m, lit, f"run{m}_{u}") for m, lit in members])
            if setups is not None:
                _circuit(sm, resource, u, members, setups)
        if units > 1:
            for m in modes:
                model.add(sum(sm.on_unit[m]) == sm.present[m])
                unit = int(c.frozen_unit[c.mode_op[m]])
                if unit >= 0:  # pinned there by the planner
                    model.add(sm.on_unit[m][unit] == sm.present[m])


def _circuit(sm: ScheduleModel, resource: int, unit: int, members: list[tuple[int, Literal]], setups: I64) -> None:
    """Order the unit's operations with a circuit whose arcs carry the setup between them."""
    c, model = sm.compiled, sm.model
    arcs: list[Arc] = []
    depot = model.new_bool_var(f"idle{resource}_{unit}")
    arcs.append(Arc(NONE, NONE, depot, 0))
    for m, presence in members:
        arcs.append(Arc(NONE, m, model.new_bool_var(""), 0))
        arcs.append(Arc(m, NONE, model.new_bool_var(""), 0))
        if not isinstance(presence, int):
            skip = model.new_bool_var("")
            model.add(skip + presence == 1)
            arcs.append(Arc(m, m, skip, 0))
    for a, _ in members:
        family_a = int(c.family[c.mode_op[a]])
        for b, _ in members:
            if a == b or c.mode_op[a] == c.mode_op[b]:
                continue
            family_b = int(c.family[c.mode_op[b]])
            setup = int(setups[family_a, family_b]) if family_a != NONE and family_b != NONE else 0
            literal = model.new_bool_var("")
            model.add(sm.mode_start_of(b) >= sm.mode_end_of(a) + setup).only_enforce_if(literal)
            arcs.append(Arc(a, b, literal, setup))
    node = {m: position + 1 for position, (m, _) in enumerate(members)}
    node[NONE] = 0
    model.add_circuit([(node[arc.tail], node[arc.head], arc.literal) for arc in arcs])
    sm.circuits[(resource, unit)] = arcs


def _precedences(sm: ScheduleModel) -> None:
    c, model = sm.compiled, sm.model
    for link in range(int(c.before.size)):
        before, after, lag = int(c.before[link]), int(c.after[link]), int(c.min_lag[link])
        model.add(sm.start[after] >= sm.end[before] + lag)
        if lag < 0:
            model.add(sm.end[after] >= sm.end[before])
        if c.has_max_lag[link]:
            model.add(sm.start[after] <= sm.end[before] + int(c.max_lag[link]))


def _objective(sm: ScheduleModel, settings: SolveSettings, reference: tuple[I64, I64] | None) -> None:
    c, model, horizon = sm.compiled, sm.model, sm.compiled.horizon
    terms: list[cp_model.LinearExprT] = []
    last = np.flatnonzero(c.last_in_job)
    job_ends: list[list[cp_model.IntVar]] = [[] for _ in range(len(c.due))]
    for i in last.tolist():
        job_ends[int(c.op_job[i])].append(sm.end[i])
    # completion, tardiness and makespan are defined as maxima (not only bounded by them), so that a
    # neighbourhood search that keeps one of them at its old value never blocks an improvement
    for j, ends in enumerate(job_ends):
        if not (c.due[j] >= 0 and c.weight[j] > 0 and settings.tardiness_weight > 0):
            continue
        completion = model.new_int_var(0, horizon, f"completion{j}")
        model.add_max_equality(completion, ends)
        sm.completion[j] = completion
        tardiness = model.new_int_var(0, horizon, f"tardiness{j}")
        model.add_max_equality(tardiness, [completion - int(c.due[j]), 0])
        sm.tardiness[j] = tardiness
        terms.append(settings.tardiness_weight * int(c.weight[j]) * tardiness)
    if settings.makespan_weight > 0:
        makespan = model.new_int_var(int((c.head + c.shortest).max(initial=0)), horizon, "makespan")
        model.add_max_equality(makespan, [sm.end[i] for i in last.tolist()])
        sm.makespan = makespan
        terms.append(settings.makespan_weight * makespan)
    if settings.setup_weight > 0:
        terms.extend(
            settings.setup_weight * arc.setup * arc.literal
            for arcs in sm.circuits.values()
            for arc in arcs
            if arc.setup > 0
        )
    if reference is not None:
        start, mode = reference
        for i in np.flatnonzero(start >= 0).tolist():
            if settings.stability_weight > 0:
                moved = model.new_bool_var(f"moved{i}")
                model.add(sm.start[i] == int(start[i])).only_enforce_if(~moved)
                if mode[i] >= 0:
                    kept = sm.present[int(mode[i])]
                    if isinstance(kept, int):
                        if kept == 0:
                            model.add(moved == 1)
                    else:
                        model.add_implication(~moved, kept)
                sm.moved[i] = moved
                terms.append(settings.stability_weight * moved)
            if settings.displacement_weight > 0:
                shift = model.new_int_var(0, horizon, f"shift{i}")
                model.add(shift >= sm.start[i] - int(start[i]))
                model.add(shift >= int(start[i]) - sm.start[i])
                sm.displacement[i] = shift
                terms.append(settings.displacement_weight * shift)
    sm.objective = cp_model.LinearExpr.sum(terms) if terms else 0
    model.minimize(sm.objective)


def hint(sm: ScheduleModel, placement: Placement, reference: tuple[I64, I64] | None) -> None:
    """Give CP-SAT ``placement`` as a complete solution hint (a partial one where it misses operations)."""
    c, model = sm.compiled, sm.model
    model.proto.clear_solution_hint()
    placed = placement.start >= 0
    for i in range(c.operations):
        if not placed[i]:
            continue
        s, e, chosen = int(placement.start[i]), int(placement.end[i]), int(placement.mode[i])
        model.add_hint(sm.start[i], s)
        model.add_hint(sm.end[i], e)
        for m in c.modes_of(i):
            presence = sm.present[m]
            if not isinstance(presence, int):
                model.add_hint(presence, m == chosen)
            if m in sm.size:
                found = c.segments(m)
                assert found is not None
                k = found.index_of(s) if m == chosen else 0
                k = max(k, 0)
                mode_start = s if m == chosen else int(found.low[k])
                model.add_hint(sm.size[m], int(found.elapsed[k]))
                for segment, later in sm.steps.get(m, []):
                    model.add_hint(later, k >= segment)
                if m in sm.mode_start:
                    model.add_hint(sm.mode_start[m], mode_start)
                    model.add_hint(sm.mode_end[m], mode_start + int(found.elapsed[k]))
            for u, literal in enumerate(sm.on_unit.get(m, [])):
                model.add_hint(literal, m == chosen and u == placement.unit[i])
    if not placed.all():
        return
    for (resource, unit), arcs in sm.circuits.items():
        members = [
            i
            for i in range(c.operations)
            if c.mode_resource[placement.mode[i]] == resource and (c.units[resource] == 1 or placement.unit[i] == unit)
        ]
        sequence = sorted(members, key=lambda i: int(placement.start[i]))
        modes = [int(placement.mode[i]) for i in sequence]
        used = set(zip([NONE, *modes], [*modes, NONE], strict=True)) if modes else {(NONE, NONE)}
        chosen_modes = set(modes)
        for arc in arcs:
            if arc.tail == arc.head != NONE:
                model.add_hint(arc.literal, arc.tail not in chosen_modes)
            else:
                model.add_hint(arc.literal, (arc.tail, arc.head) in used)
    completion = np.zeros(len(c.due), np.int64)
    np.maximum.at(completion, c.op_job, placement.end)
    for j, variable in sm.completion.items():
        model.add_hint(variable, int(completion[j]))
    for j, variable in sm.tardiness.items():
        model.add_hint(variable, max(int(completion[j] - c.due[j]), 0))
    if sm.makespan is not None:
        model.add_hint(sm.makespan, int(completion.max(initial=0)))
    if reference is not None:
        start, mode = reference
        for i, variable in sm.moved.items():
            model.add_hint(
                variable, bool(placement.start[i] != start[i] or (mode[i] >= 0 and placement.mode[i] != mode[i]))
            )
        for i, variable in sm.displacement.items():
            model.add_hint(variable, abs(int(placement.start[i] - start[i])))
