"""The tabu search keeps every rule, never lengthens a schedule, stops at the bound and repeats with a work limit."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plantops.engines.schedule.solver as solver
from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    Resource,
    ScheduleProblem,
    SetupMatrix,
    SolveSettings,
    solve,
    tabu,
)
from plantops.engines.schedule._compiled import Compiled, Placement
from plantops.engines.schedule.dispatch import dispatch
from tests.engines.schedule.schedule_builder import assert_keeps_every_rule, job_shop, read_job_shop

MAKESPAN = SolveSettings(makespan_weight=1)
FAR = 600.0  # a deadline the work limits end long before


def _dispatched(problem: ScheduleProblem) -> tuple[Compiled, Placement]:
    c = Compiled.of(problem)
    return c, dispatch(c)


def _improve(problem: ScheduleProblem, *, work: float, seed: int = 0, lower_bound: int = 0) -> Placement:
    c, start = _dispatched(problem)
    return tabu.improve(
        c,
        [start],
        lower_bound=lower_bound,
        workers=2,
        seed=seed,
        deadline=time.perf_counter() + FAR,
        work_limit=work,
    )


def _assert_feasible(problem: ScheduleProblem, placement: Placement) -> None:
    """Releases, modes, precedences with their lags, and one operation at a time per resource, checked directly."""
    resource = np.zeros(len(problem.operations), np.int64)
    first_mode = 0
    for i, operation in enumerate(problem.operations):
        assert placement.start[i] >= problem.jobs[operation.job].release
        assert first_mode <= placement.mode[i] < first_mode + len(operation.modes)
        mode = operation.modes[int(placement.mode[i]) - first_mode]
        first_mode += len(operation.modes)
        assert placement.end[i] - placement.start[i] == mode.minutes
        resource[i] = mode.resource
    for precedence in problem.precedences:
        assert placement.start[precedence.after] >= placement.end[precedence.before] + precedence.min_lag
    for r in np.unique(resource).tolist():
        members = np.flatnonzero(resource == r)
        members = members[np.argsort(placement.start[members], kind="stable")]
        assert (placement.start[members[1:]] >= placement.end[members[:-1]]).all(), f"overlap on resource {r}"


def test_the_search_fits_makespan_job_shops_and_nothing_else() -> None:
    problem = job_shop(read_job_shop("ft06"))
    assert tabu.applies(Compiled.of(problem), MAKESPAN, None)
    due = dataclasses.replace(problem, jobs=(Job("J0", due=10), *problem.jobs[1:]))
    assert not tabu.applies(Compiled.of(due), SolveSettings(), None)
    assert tabu.applies(Compiled.of(due), SolveSettings(tardiness_weight=0), None)
    two_units = dataclasses.replace(problem, resources=(Resource("M0", units=2), *problem.resources[1:]))
    assert not tabu.applies(Compiled.of(two_units), MAKESPAN, None)
    shifts = dataclasses.replace(
        problem, resources=(Resource("M0", windows=((0, 60), (100, 197))), *problem.resources[1:])
    )
    assert not tabu.applies(Compiled.of(shifts), MAKESPAN, None)
    overlap = dataclasses.replace(problem, precedences=(Precedence(0, 1, min_lag=-1), *problem.precedences[1:]))
    assert not tabu.applies(Compiled.of(overlap), MAKESPAN, None)
    families = tuple(dataclasses.replace(operation, family=i % 2) for i, operation in enumerate(problem.operations))
    setups = dataclasses.replace(problem, operations=families, setups=(SetupMatrix.of([[0, 5], [5, 0]]),))
    assert not tabu.applies(Compiled.of(setups), MAKESPAN, None)
    assert not tabu.applies(Compiled.of(problem), dataclasses.replace(MAKESPAN, makespan_weight=0), None)


def test_ft06_reaches_its_optimum_of_55_from_the_dispatching_rule_and_stops_there() -> None:
    problem = job_shop(read_job_shop("ft06"))
    c, start = _dispatched(problem)
    assert start.end.max() > 55
    began = time.perf_counter()
    found = tabu.improve(c, [start], lower_bound=55, workers=1, seed=0, deadline=began + FAR, work_limit=None)
    assert found.end.max() == 55
    assert time.perf_counter() - began < 60  # stopped at the bound, not at the deadline
    _assert_feasible(problem, found)


def test_a_taillard_job_shop_gets_much_shorter_than_the_dispatching_rule_and_keeps_every_rule() -> None:
    problem = job_shop(read_job_shop("ta01"))  # 15 x 15, best known 1,231
    _, start = _dispatched(problem)
    found = _improve(problem, work=1.0)
    assert found.end.max() <= 1231 * 1.05 < start.end.max()
    _assert_feasible(problem, found)


def test_a_work_limit_makes_the_search_repeat_exactly() -> None:
    problem = job_shop(read_job_shop("la16"))
    first, second = _improve(problem, work=0.3, seed=4), _improve(problem, work=0.3, seed=4)
    np.testing.assert_array_equal(first.start, second.start)


def test_the_result_is_never_longer_than_the_shortest_start() -> None:
    problem = job_shop(read_job_shop("la16"))
    c, start = _dispatched(problem)
    late = Placement(start.start + 1000, start.end + 1000, start.mode, start.unit)
    found = tabu.improve(c, [late, start], lower_bound=0, workers=2, seed=0, deadline=0.0, work_limit=None)
    assert found is start  # out of time before the first round: the shorter start comes back as it was


def test_flexible_operations_move_to_the_machines_that_give_the_known_optimum() -> None:
    # A and B take 3 on the mill and 5 on the lathe, C takes 4 on the mill and 2 on the lathe: all three on
    # the mill take 10; A and B on the mill and C on the lathe give the optimum, 6
    modes = (Mode(0, 3), Mode(1, 5)), (Mode(0, 3), Mode(1, 5)), (Mode(0, 4), Mode(1, 2))
    problem = ScheduleProblem(
        resources=(Resource("MILL"), Resource("LATHE")),
        jobs=tuple(Job(f"J{j}") for j in range(3)),
        operations=tuple(Operation(j, alternatives) for j, alternatives in enumerate(modes)),
        horizon=20,
    )
    c = Compiled.of(problem)
    on_the_mill = Placement(np.array([0, 3, 6]), np.array([3, 6, 10]), c.first_mode[:-1].copy(), np.zeros(3, np.int64))
    found = tabu.improve(
        c, [on_the_mill], lower_bound=6, workers=1, seed=0, deadline=time.perf_counter() + FAR, work_limit=0.1
    )
    assert found.end.max() == 6
    np.testing.assert_array_equal(found.mode - c.first_mode[:-1], [0, 0, 1])
    _assert_feasible(problem, found)


@pytest.mark.parametrize("name", ["mk01", "mk10"])
def test_brandimarte_flexible_job_shops_get_within_a_few_percent_of_the_best_known(name: str) -> None:
    from benchmarks.schedule.__main__ import to_problem
    from benchmarks.schedule.instances import read

    instance = read(name)
    problem = to_problem(instance)
    found = _improve(problem, work=1.0)
    assert found.end.max() <= instance.best_upper * 1.05
    _assert_feasible(problem, found)


@st.composite
def networks(draw: st.DrawFn) -> ScheduleProblem:
    """Small plants with any precedence network (assemblies, splits), lags, releases, repeated machines and
    alternative machines."""
    machines = draw(st.integers(1, 4))
    count = draw(st.integers(2, 14))
    jobs = draw(st.integers(1, 4))
    mode = st.builds(Mode, st.integers(0, machines - 1), st.integers(1, 9))
    operations = tuple(
        Operation(
            draw(st.integers(0, jobs - 1)),
            tuple(draw(st.lists(mode, min_size=1, max_size=3, unique_by=lambda m: m.resource))),
        )
        for _ in range(count)
    )
    links = draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1), st.integers(0, 5)), max_size=20)
    )
    precedences = tuple(
        Precedence(a, b, min_lag=lag) for a, b, lag in {(min(a, b), max(a, b), lag) for a, b, lag in links if a != b}
    )
    return ScheduleProblem(
        resources=tuple(Resource(f"M{m}") for m in range(machines)),
        jobs=tuple(Job(f"J{j}", release=draw(st.integers(0, 20))) for j in range(jobs)),
        operations=operations,
        precedences=precedences,
        horizon=20 + 9 * count + 5 * len(precedences),
    )


@settings(max_examples=60, deadline=None)
@given(networks())
def test_on_any_precedence_network_the_search_keeps_every_rule_and_never_lengthens(problem: ScheduleProblem) -> None:
    c, start = _dispatched(problem)
    assert tabu.applies(c, MAKESPAN, None)
    found = tabu.improve(
        c, [start], lower_bound=0, workers=1, seed=1, deadline=time.perf_counter() + FAR, work_limit=0.01
    )
    assert found.end.max() <= start.end.max()
    _assert_feasible(problem, found)
    optimum = solve(problem, dataclasses.replace(MAKESPAN, time_limit_s=20))
    assert optimum.proven_optimal
    assert found.end.max() >= optimum.makespan


@pytest.mark.parametrize("name", ["ta51", "mk05"])
def test_solve_hands_large_makespan_problems_to_the_search_and_keeps_every_rule(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = _benchmark_problem(name)
    calls: list[int] = []
    original = tabu.improve

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tabu, "improve", counted)
    result = solve(problem, SolveSettings(time_limit_s=4, makespan_weight=1))
    dispatched = solve(problem, SolveSettings(time_limit_s=0.5, neighbourhood_search=False))
    assert calls
    assert result.makespan <= dispatched.makespan
    assert result.best_bound <= result.makespan
    assert_keeps_every_rule(problem, result)


@pytest.mark.parametrize(("operations", "share"), [(250, 0.6), (251, 0.2)])
def test_cp_sat_gets_60_percent_of_the_time_on_job_shops_of_up_to_250_operations_and_a_fifth_above(
    operations: int, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[float] = []
    original = solver._solver

    def recorded(settings: SolveSettings, *, seconds: float, work: float | None) -> object:
        given.append(seconds)
        return original(settings, seconds=seconds, work=work)

    monkeypatch.setattr(solver, "_solver", recorded)
    minutes = np.random.default_rng(250).integers(1, 100, size=(25, 10))
    shop = [[(machine, int(minutes[j, machine])) for machine in range(10)] for j in range(25)]  # 250 operations
    shop += [[(0, 7)]] * (operations - 250)
    problem = job_shop(shop)
    assert len(problem.operations) == operations
    limit = 4.0
    solve(problem, SolveSettings(time_limit_s=limit, makespan_weight=1))
    whole_model = given[-1]  # after the check of the dispatching rule's schedule
    assert 0.75 * limit * share <= whole_model <= limit * share


def _benchmark_problem(name: str) -> ScheduleProblem:
    from benchmarks.schedule.__main__ import to_problem
    from benchmarks.schedule.instances import read

    return to_problem(read(name))


LIMIT = 2.0
MARGIN = 0.5  # the result's analysis after the search, on a busy machine


def test_a_solve_with_the_search_compiled_keeps_to_its_time_limit() -> None:
    tabu.prepare()
    problem = job_shop(read_job_shop("ft10"))

    began = time.perf_counter()
    result = solve(problem, dataclasses.replace(MAKESPAN, time_limit_s=LIMIT, workers=2))
    waited = time.perf_counter() - began

    assert result.has_schedule and not result.proven_optimal  # the search ran to the end of the limit
    assert LIMIT - MARGIN <= waited <= LIMIT + MARGIN
    assert result.compile_time_s < 0.1


def test_compiling_the_search_is_kept_out_of_the_time_limit_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    ready = tabu.prepare

    def first_use() -> float:  # as on a fresh install: compiling takes a while
        began = time.perf_counter()
        time.sleep(3.0)
        ready()
        return time.perf_counter() - began

    monkeypatch.setattr(tabu, "prepare", first_use)
    problem = job_shop(read_job_shop("ft10"))

    began = time.perf_counter()
    result = solve(problem, dataclasses.replace(MAKESPAN, time_limit_s=LIMIT, workers=2))
    waited = time.perf_counter() - began

    assert result.compile_time_s >= 3.0
    assert result.wall_time_s <= LIMIT + MARGIN
    assert waited <= result.compile_time_s + LIMIT + MARGIN
