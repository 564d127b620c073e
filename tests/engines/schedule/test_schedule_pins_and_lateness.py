"""Operations pinned by the planner keep their start and unit; late orders say why they are late."""

from __future__ import annotations

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
    solve,
)
from plantops.engines.schedule.lateness import LateCause, earliest_completion, late_cause
from plantops.errors import ValidationError
from tests.engines.schedule.schedule_builder import assert_keeps_every_rule

SETTINGS = SolveSettings(time_limit_s=5, workers=1)


def _two_units(operations: tuple[Operation, ...], jobs: int) -> ScheduleProblem:
    return ScheduleProblem(
        resources=(Resource("PRESS", units=2),),
        jobs=tuple(Job(f"J{j}") for j in range(jobs)),
        operations=operations,
        horizon=1000,
    )


def test_a_pinned_operation_keeps_its_start_and_unit_and_the_others_work_around_it() -> None:
    free = tuple(Operation(j, (Mode(0, 60),), code=f"J{j}") for j in range(3))
    pinned = Operation(3, (Mode(0, 60),), code="J3", frozen_start=30, frozen_unit=1)
    problem = _two_units((*free, pinned), 4)

    result = solve(problem, SETTINGS)

    assert_keeps_every_rule(problem, result)
    assert (result.start[3], result.unit[3]) == (30, 1)
    on_unit_1 = [i for i in range(3) if result.unit[i] == 1]
    for i in on_unit_1:  # nothing else on unit 1 while the pinned one runs
        assert result.end[i] <= 30 or result.start[i] >= 90
    assert len({(int(result.unit[i]), int(result.start[i])) for i in range(4)}) == 4


def test_a_pinned_unit_holds_on_a_resource_with_setups() -> None:
    operations = (
        Operation(0, (Mode(0, 50),), family=0),
        Operation(1, (Mode(0, 50),), family=1, frozen_start=0, frozen_unit=0),
        Operation(2, (Mode(0, 50),), family=0, frozen_start=0, frozen_unit=1),
    )
    problem = ScheduleProblem(
        resources=(Resource("PRESS", units=2),),
        jobs=tuple(Job(f"J{j}") for j in range(3)),
        operations=operations,
        setups=(SetupMatrix.of([[0, 20], [20, 0]]),),
        horizon=1000,
    )

    result = solve(problem, SETTINGS)

    assert list(result.unit[1:]) == [0, 1]
    assert result.unit[0] == 1 and result.start[0] == 50  # after its own family: no setup


def test_a_unit_the_resource_does_not_have_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"frozen_unit.*has no unit 2"):
        _two_units((Operation(0, (Mode(0, 60),), frozen_unit=2),), 1)


def test_two_operations_pinned_to_one_unit_at_once_have_no_schedule() -> None:
    operations = tuple(Operation(j, (Mode(0, 60),), frozen_start=0, frozen_unit=0) for j in range(2))

    result = solve(_two_units(operations, 2), SETTINGS)

    assert not result.has_schedule


def test_earliest_completion_follows_the_calendar_and_the_precedences() -> None:
    # works 0-100 and 200-300: 80 + 50 minutes run 0-80, then 80-100 and 200-230
    problem = ScheduleProblem(
        resources=(Resource("LATHE", windows=((0, 100), (200, 300))),),
        jobs=(Job("A", due=150),),
        operations=(Operation(0, (Mode(0, 80),)), Operation(0, (Mode(0, 50),))),
        precedences=(Precedence(0, 1),),
        horizon=300,
    )

    assert earliest_completion(problem).tolist() == [230]


def test_an_order_due_before_it_could_finish_is_late_by_its_due_date_and_one_that_queued_by_capacity() -> None:
    problem = ScheduleProblem(
        resources=(Resource("LATHE"),),
        jobs=(Job("QUEUED", due=70), Job("FIRST", due=70), Job("HOPELESS", release=200, due=230)),
        operations=(Operation(0, (Mode(0, 60),)), Operation(1, (Mode(0, 60),)), Operation(2, (Mode(0, 60),))),
        horizon=300,
    )
    result = solve(problem, SETTINGS)
    earliest = earliest_completion(problem)

    causes = [
        late_cause(due=int(job.due or 0), completion=int(result.completion[j]), earliest=int(earliest[j]))
        for j, job in enumerate(problem.jobs)
    ]

    assert causes.count(None) == 1  # one of the two due at 70 makes it
    assert causes[2] is LateCause.DUE_DATE_PAST
    assert LateCause.CAPACITY in causes[:2]
    assert earliest.tolist() == [60, 60, 260]


def test_an_order_due_before_the_schedule_starts_is_late_by_its_due_date() -> None:
    assert late_cause(due=0, completion=10, earliest=10) is LateCause.DUE_DATE_PAST
    assert late_cause(due=-5, completion=10, earliest=10) is LateCause.DUE_DATE_PAST
    assert late_cause(due=20, completion=10, earliest=10) is None
