"""The schedule keeps precedences, lags, calendars, parallel units and setups, and is optimal where it says so."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    Resource,
    ScheduleProblem,
    SetupMatrix,
    SolveSettings,
    lns,
    solve,
    solver,
)
from plantops.vocabulary import ScheduleStatus
from tests.engines.schedule.schedule_builder import assert_keeps_every_rule, job_shop, read_job_shop, working

QUICK = SolveSettings(time_limit_s=20)


def test_fisher_thompson_ft06_is_solved_to_its_proven_optimum_of_55() -> None:
    problem = job_shop(read_job_shop("ft06"))
    result = solve(problem, QUICK)
    assert result.status is ScheduleStatus.OPTIMAL and result.proven_optimal
    assert result.makespan == 55
    assert result.objective == 55 and result.best_bound == 55
    assert_keeps_every_rule(problem, result)


def test_critical_path_is_a_chain_without_slack_ending_at_the_makespan() -> None:
    problem = job_shop(read_job_shop("ft06"))
    result = solve(problem, QUICK)
    path = result.critical_path.tolist()
    assert len(path) >= 2
    assert result.end[path[-1]] == result.makespan
    assert result.start[path[0]] == 0
    for before, after in itertools.pairwise(path):
        assert result.start[after] == result.end[before]
    work = sum(int(result.end[i] - result.start[i]) for i in path)
    assert work == result.makespan  # no idle time along the chain


def test_flexible_operations_choose_the_machines_that_give_the_known_optimum() -> None:
    # Three single-step jobs on two machines: A and B take 3 on the mill and 5 on the lathe, C takes 4 on the
    # mill and 2 on the lathe. A and B on the mill, C on the lathe gives 6; 5 is impossible (both machines
    # would need a load of at most 5, but putting A or B on the lathe leaves no room there for C, and the
    # mill then carries 3 + 4).
    modes = {"A": (Mode(0, 3), Mode(1, 5)), "B": (Mode(0, 3), Mode(1, 5)), "C": (Mode(0, 4), Mode(1, 2))}
    problem = ScheduleProblem(
        resources=(Resource("MILL"), Resource("LATHE")),
        jobs=tuple(Job(code) for code in modes),
        operations=tuple(Operation(j, alternatives, code=code) for j, (code, alternatives) in enumerate(modes.items())),
        horizon=20,
    )
    result = solve(problem, QUICK)
    assert result.proven_optimal and result.makespan == 6
    assert result.resource.tolist() == [0, 0, 1] and result.mode.tolist() == [0, 0, 1]
    assert_keeps_every_rule(problem, result)


def _two_step(min_lag: int, max_lag: int | None = None, second: int = 10) -> ScheduleProblem:
    return ScheduleProblem(
        resources=(Resource("PRESS"), Resource("PAINT")),
        jobs=(Job("WO-1"),),
        operations=(Operation(0, (Mode(0, 10),)), Operation(0, (Mode(1, second),))),
        precedences=(Precedence(0, 1, min_lag=min_lag, max_lag=max_lag),),
        horizon=100,
    )


@pytest.mark.parametrize(("lag", "makespan"), [(0, 20), (5, 25), (-6, 14)])
def test_minimum_lag_delays_or_overlaps_the_next_step(lag: int, makespan: int) -> None:
    problem = _two_step(lag)
    result = solve(problem, QUICK)
    assert result.proven_optimal and result.makespan == makespan
    assert result.start[1] == result.end[0] + lag
    assert_keeps_every_rule(problem, result)


def test_overlapping_step_does_not_finish_before_the_step_it_overlaps() -> None:
    # transfer batches: painting may start 8 minutes before pressing ends, but its 3 minutes cannot end
    # before the last part is pressed
    problem = _two_step(-8, second=3)
    result = solve(problem, QUICK)
    assert result.makespan == 10 and result.end[1] == result.end[0] == 10
    assert_keeps_every_rule(problem, result)


def test_maximum_waiting_time_holds_back_the_first_step() -> None:
    # WO-1 presses (5) then paints (5) with no wait in between; WO-2 paints for 8 from minute 0. The best
    # is to paint WO-2 first and press WO-1 from minute 3, so that it goes straight to paint at 8: makespan 13.
    problem = ScheduleProblem(
        resources=(Resource("PRESS"), Resource("PAINT")),
        jobs=(Job("WO-1"), Job("WO-2")),
        operations=(Operation(0, (Mode(0, 5),)), Operation(0, (Mode(1, 5),)), Operation(1, (Mode(1, 8),))),
        precedences=(Precedence(0, 1, max_lag=0),),
        horizon=50,
    )
    result = solve(problem, QUICK)
    assert result.proven_optimal and result.makespan == 13
    assert result.start[1] == result.end[0]
    assert result.start[0] == 3
    assert_keeps_every_rule(problem, result)


def test_interruptible_operation_pauses_over_the_break_and_resumes() -> None:
    # windows 0-60, 90-150: 100 minutes of work from minute 0 end at 130 (60 before the break, 40 after)
    oven = Resource("OVEN", windows=((0, 60), (90, 150), (200, 260)))
    problem = ScheduleProblem(
        resources=(oven,), jobs=(Job("WO-1"),), operations=(Operation(0, (Mode(0, 100),)),), horizon=300
    )
    result = solve(problem, QUICK)
    assert (result.start[0], result.end[0]) == (0, 130)
    assert_keeps_every_rule(problem, result)


def test_operations_never_run_in_breaks_holidays_or_maintenance() -> None:
    # two shifts a day with a break, one day a holiday, one maintenance gap; some operations may not pause
    day = 24 * 60
    windows: list[tuple[int, int]] = []
    for d in range(5):
        if d == 2:  # holiday
            continue
        for start, end in ((6 * 60, 10 * 60), (10 * 60 + 30, 14 * 60), (14 * 60, 22 * 60)):
            windows.append((d * day + start, d * day + end))
    windows = [(a, b) for a, b in windows if a != 3 * day + 14 * 60]  # maintenance on day 3 afternoon
    cell = Resource("CELL", units=2, windows=tuple(windows))
    mill = Resource("MILL", windows=tuple(windows))
    jobs = tuple(Job(f"WO-{j}", due=2 * day) for j in range(6))
    operations = []
    precedences = []
    for j in range(6):
        operations.append(Operation(j, (Mode(0, 150 + 40 * j),), interruptible=j % 2 == 0))
        operations.append(Operation(j, (Mode(1, 200), Mode(0, 260)), interruptible=j % 3 != 0))
        precedences.append(Precedence(2 * j, 2 * j + 1))
    problem = ScheduleProblem(
        resources=(cell, mill), jobs=jobs, operations=tuple(operations), precedences=tuple(precedences), horizon=5 * day
    )
    result = solve(problem, QUICK)
    assert_keeps_every_rule(problem, result)
    for r, resource in enumerate(problem.resources):
        minutes = working(resource, problem.horizon)
        for i in np.flatnonzero(result.resource == r).tolist():
            assert minutes[result.start[i]] and minutes[result.end[i] - 1]
            if not problem.operations[i].interruptible:
                assert minutes[result.start[i] : result.end[i]].all()


def test_parallel_units_run_at_the_same_time_and_are_fully_used() -> None:
    problem = ScheduleProblem(
        resources=(Resource("OVENS", units=2),),
        jobs=tuple(Job(f"WO-{j}") for j in range(4)),
        operations=tuple(Operation(j, (Mode(0, 10),)) for j in range(4)),
        horizon=100,
    )
    result = solve(problem, QUICK)
    assert result.proven_optimal and result.makespan == 20
    assert sorted(result.unit.tolist()) == [0, 0, 1, 1]
    assert result.utilisation.tolist() == [1.0]
    assert_keeps_every_rule(problem, result)


@pytest.mark.parametrize("units", [1, 2])
def test_setups_are_kept_counted_and_minimised(units: int) -> None:
    # colours 0, 1, 0, 1 on a paint line; a change of colour takes 10 minutes. One unit groups the colours
    # (one change); two units give each colour its own unit (no change).
    families = [0, 1, 0, 1]
    problem = ScheduleProblem(
        resources=(Resource("PAINT", units=units),),
        jobs=tuple(Job(f"WO-{j}") for j in range(4)),
        operations=tuple(Operation(j, (Mode(0, 20),), family=f) for j, f in enumerate(families)),
        setups=(SetupMatrix.of([[0, 10], [10, 0]]),),
        horizon=200,
    )
    result = solve(problem, SolveSettings(time_limit_s=20, setup_weight=5))
    assert result.proven_optimal
    assert result.total_setup == (10 if units == 1 else 0)
    assert int(result.setup.sum()) == result.total_setup
    assert result.makespan == (90 if units == 1 else 40)
    assert_keeps_every_rule(problem, result)


def test_setup_matrix_of_one_resource_overrides_the_shared_one() -> None:
    problem = ScheduleProblem(
        resources=(Resource("PAINT"), Resource("WASH")),
        jobs=tuple(Job(f"WO-{j}") for j in range(4)),
        operations=tuple(Operation(j, (Mode(j // 2, 5),), family=j % 2) for j in range(4)),
        setups=(SetupMatrix.of([[0, 7], [7, 0]]), SetupMatrix.of([[0, 2], [2, 0]], resource=1)),
        horizon=100,
    )
    result = solve(problem, QUICK)
    assert result.setup.tolist() in ([0, 7, 0, 2], [7, 0, 0, 2], [0, 7, 2, 0], [7, 0, 2, 0])
    assert result.total_setup == 9
    assert_keeps_every_rule(problem, result)


def test_weighted_tardiness_comes_before_makespan() -> None:
    # one machine, three orders; the brute-force best sequence by weighted tardiness is the answer
    minutes, due, weight = [4, 6, 3], [5, 8, 4], [1, 3, 2]
    problem = ScheduleProblem(
        resources=(Resource("LATHE"),),
        jobs=tuple(Job(f"SO-{j}", due=due[j], weight=weight[j]) for j in range(3)),
        operations=tuple(Operation(j, (Mode(0, minutes[j]),)) for j in range(3)),
        horizon=50,
    )

    def weighted_tardiness(order: tuple[int, ...]) -> int:
        clock, total = 0, 0
        for j in order:
            clock += minutes[j]
            total += weight[j] * max(clock - due[j], 0)
        return total

    best = min(weighted_tardiness(order) for order in itertools.permutations(range(3)))
    result = solve(problem, QUICK)
    assert result.proven_optimal
    assert result.weighted_tardiness == best
    np.testing.assert_array_equal(result.tardiness, np.maximum(result.completion - np.array(due), 0))
    np.testing.assert_array_equal(result.lateness, result.completion - np.array(due))
    assert_keeps_every_rule(problem, result)


def test_jobs_wait_for_their_release() -> None:
    problem = ScheduleProblem(
        resources=(Resource("LATHE"),),
        jobs=(Job("WO-1", release=30), Job("WO-2")),
        operations=(Operation(0, (Mode(0, 10),)), Operation(1, (Mode(0, 10),))),
        horizon=100,
    )
    result = solve(problem, QUICK)
    assert result.start[0] >= 30 and result.makespan == 40
    assert_keeps_every_rule(problem, result)


def test_frozen_operations_stay_where_they_are() -> None:
    problem = ScheduleProblem(
        resources=(Resource("MILL"), Resource("LATHE")),
        jobs=(Job("WO-1"), Job("WO-2")),
        operations=(
            Operation(0, (Mode(0, 10), Mode(1, 12)), frozen_start=40, frozen_mode=1),
            Operation(1, (Mode(0, 10), Mode(1, 10))),
        ),
        horizon=100,
    )
    result = solve(problem, QUICK)
    assert (result.start[0], result.mode[0], result.resource[0]) == (40, 1, 1)
    assert result.makespan == 52
    assert_keeps_every_rule(problem, result)


def test_same_seed_and_workers_give_the_same_schedule() -> None:
    problem = job_shop(read_job_shop("la16"))
    settings = SolveSettings(time_limit_s=120, workers=2, seed=7, work_limit=1.0)
    first, second = solve(problem, settings), solve(problem, settings)
    np.testing.assert_array_equal(first.start, second.start)
    assert first.makespan == second.makespan
    assert_keeps_every_rule(problem, first)


def test_the_neighbourhood_search_improves_on_the_first_schedule_and_keeps_every_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = job_shop(read_job_shop("ta51"))  # 50 jobs x 20 machines: 1,000 operations
    # due dates make the objective weighted tardiness, which the tabu search does not handle
    problem = dataclasses.replace(plain, jobs=tuple(dataclasses.replace(job, due=2000) for job in plain.jobs))
    dispatched = solve(problem, SolveSettings(time_limit_s=0.5, neighbourhood_search=False))
    monkeypatch.setattr(solver, "LARGE", len(problem.operations))  # this size goes through the search
    objectives: list[tuple[int, int]] = []  # CP-SAT's objective handed to the search, and the search's

    def recording(sm: object, incumbent: lns.Incumbent, *args: object, **kwargs: object) -> tuple[lns.Incumbent, int]:
        found = lns.improve(sm, incumbent, *args, **kwargs)  # type: ignore[arg-type]
        objectives.append((incumbent.objective, found[0].objective))
        return found

    monkeypatch.setattr(solver, "improve", recording)
    # bounded by deterministic work, not the clock: the same search however busy the machine is
    searched = solve(problem, SolveSettings(time_limit_s=120, work_limit=4.0))

    assert searched.has_schedule and dispatched.has_schedule
    assert dispatched.objective > 0  # jobs are late: there is weighted tardiness to remove
    assert len(objectives) == 1, "the neighbourhood search did not run"
    from_cp_sat, from_search = objectives[0]
    assert from_search < from_cp_sat  # 1,000 operations and seconds to spare: the search must find better
    assert searched.objective <= from_search  # the result only left-shifts the search's schedule
    assert searched.objective < dispatched.objective
    assert searched.objective >= searched.best_bound
    assert_keeps_every_rule(problem, searched)
