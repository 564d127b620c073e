"""Bad input is refused with the record, the field and the reason; impossible input is reported as infeasible."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from plantops.engines.schedule import (
    Job,
    Mode,
    Operation,
    Precedence,
    ReferenceSchedule,
    Resource,
    ScheduleProblem,
    SetupMatrix,
    SolveSettings,
    solve,
)
from plantops.errors import ValidationError
from plantops.vocabulary import ScheduleStatus


def _problem(**changes: Any) -> ScheduleProblem:
    parts: dict[str, Any] = {
        "resources": (Resource("SAW"), Resource("LATHE")),
        "jobs": (Job("WO-1", due=50),),
        "operations": (Operation(0, (Mode(0, 10),), code="CUT"), Operation(0, (Mode(1, 5),), code="TURN")),
        "precedences": (Precedence(0, 1),),
        "horizon": 100,
    }
    parts.update(changes)
    return ScheduleProblem(**parts)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"resources": (Resource("SAW", units=0), Resource("LATHE"))}, "units"),
        ({"resources": (Resource("SAW", windows=((0, 10), (5, 20))), Resource("LATHE"))}, "windows"),
        ({"resources": (Resource("SAW", windows=((0, 200),)), Resource("LATHE"))}, "windows"),
        ({"resources": (Resource("SAW", windows=((10, 10),)), Resource("LATHE"))}, "windows"),
        ({"jobs": (Job("WO-1", release=-5),)}, "release"),
        ({"jobs": (Job("WO-1", weight=-1),)}, "weight"),
        ({"operations": (Operation(3, (Mode(0, 10),)), Operation(0, (Mode(1, 5),)))}, "job"),
        ({"operations": (Operation(0, ()), Operation(0, (Mode(1, 5),)))}, "modes"),
        ({"operations": (Operation(0, (Mode(7, 10),)), Operation(0, (Mode(1, 5),)))}, "modes"),
        ({"operations": (Operation(0, (Mode(0, 0),)), Operation(0, (Mode(1, 5),)))}, "modes"),
        ({"operations": (Operation(0, (Mode(0, 10), Mode(0, 12))), Operation(0, (Mode(1, 5),)))}, "modes"),
        ({"operations": (Operation(0, (Mode(0, 10),), frozen_mode=1), Operation(0, (Mode(1, 5),)))}, "frozen_mode"),
        ({"operations": (Operation(0, (Mode(0, 10),), frozen_start=100), Operation(0, (Mode(1, 5),)))}, "frozen_start"),
        ({"operations": (Operation(0, (Mode(0, 10),), family=-2), Operation(0, (Mode(1, 5),)))}, "family"),
        ({"precedences": (Precedence(0, 2),)}, "after"),
        ({"precedences": (Precedence(0, 0),)}, "after"),
        ({"precedences": (Precedence(0, 1), Precedence(1, 0))}, "after"),
        ({"precedences": (Precedence(0, 1, min_lag=5, max_lag=2),)}, "max_lag"),
        ({"setups": (SetupMatrix.of([[0, 5], [5, 0]], resource=4),)}, "resource"),
        (
            {
                "operations": (Operation(0, (Mode(0, 10),), family=3), Operation(0, (Mode(1, 5),))),
                "setups": (SetupMatrix.of([[0, 5], [5, 0]]),),
            },
            "family",
        ),
    ],
)
def test_bad_problem_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        _problem(**changes)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("minutes", "reason"),
    [([[0, 1, 2]], "square"), ([[0, -1], [1, 0]], "negative"), ([[0, 1.5], [1, 0]], "whole")],
)
def test_bad_setup_matrix_is_refused(minutes: list[list[float]], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as error:
        SetupMatrix.of(minutes)
    assert error.value.field == "minutes"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"time_limit_s": 0}, "time_limit_s"), ({"workers": 0}, "workers"), ({"makespan_weight": -1}, "makespan_weight")],
)
def test_bad_settings_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        SolveSettings(**changes)
    assert error.value.field == field


def test_reference_of_another_problem_is_refused() -> None:
    reference = ReferenceSchedule.of([0, 10, 20], [0, 0, 0])
    with pytest.raises(ValidationError) as error:
        solve(_problem(), SolveSettings(reference=reference))
    assert error.value.field == "start"


def test_work_that_cannot_end_by_the_horizon_is_infeasible_and_says_which() -> None:
    problem = _problem(jobs=(Job("WO-1", release=90),))
    result = solve(problem, SolveSettings(time_limit_s=5))
    assert result.status is ScheduleStatus.INFEASIBLE
    assert not result.has_schedule
    assert "operation" in result.explanation and "horizon" in result.explanation
    assert (result.start == -1).all()


def test_operation_longer_than_every_window_that_may_not_pause_is_infeasible() -> None:
    saw = Resource("SAW", windows=((0, 8), (16, 24), (32, 40)))
    problem = _problem(
        resources=(saw, Resource("LATHE")),
        operations=(Operation(0, (Mode(0, 10),), code="CUT", interruptible=False), Operation(0, (Mode(1, 5),))),
    )
    result = solve(problem, SolveSettings(time_limit_s=5))
    assert result.status is ScheduleStatus.INFEASIBLE
    assert "CUT" in result.explanation and "window" in result.explanation


def test_frozen_operations_that_collide_are_infeasible() -> None:
    problem = _problem(
        jobs=(Job("WO-1"), Job("WO-2")),
        operations=(Operation(0, (Mode(0, 10),), frozen_start=0), Operation(1, (Mode(0, 10),), frozen_start=5)),
        precedences=(),
    )
    result = solve(problem, SolveSettings(time_limit_s=5))
    assert result.status is ScheduleStatus.INFEASIBLE
    assert result.explanation


def test_valid_problem_keeps_its_parts_as_tuples() -> None:
    problem = ScheduleProblem(
        resources=[Resource("SAW")],  # type: ignore[arg-type]
        jobs=[Job("WO-1")],  # type: ignore[arg-type]
        operations=[Operation(0, [Mode(0, 10)])],  # type: ignore[arg-type]
        horizon=20,
    )
    assert isinstance(problem.operations, tuple) and isinstance(problem.operations[0].modes, tuple)
    assert np.array_equal(solve(problem, SolveSettings(time_limit_s=5)).start, [0])
