"""Working in the schedule over HTTP: why orders are late, a dispatch list, moving an operation by hand
(refused at once where the schedule cannot take it) and undoing the move."""

from __future__ import annotations

from typing import Any

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem
from tests.api.test_api_scheduling_and_policy import _next_week_at, _run


@pytest.fixture
def scheduled(plant: Api) -> Api:
    """The minimal plant (it works on Mondays only) scheduled over two weeks from next Monday 06:00."""
    job = _run(plant, "/api/v1/schedules/runs", {"horizon_start": _next_week_at(0, 6), "weeks": 2, "time_limit_s": 5})
    assert job["status"] == "succeeded", job.get("error")
    return plant


def _weld(api: Api) -> dict[str, Any]:
    [operation] = api.get("/api/v1/schedules/operations?order=WO-1").json()["items"]
    return dict(operation)


def test_a_late_order_says_its_due_date_was_past_before_the_schedule_started(scheduled: Api) -> None:
    late = scheduled.get("/api/v1/schedules/late-orders").json()

    [order] = [o for o in late["items"] if o["number"] == "WO-1"]
    assert order["cause"] == "due date past" and order["earliest_completion_at"] is not None


def test_the_dispatch_list_of_the_early_shift_holds_its_operations(scheduled: Api) -> None:
    operation = _weld(scheduled)
    monday = _next_week_at(0, 6)[:10]

    listing = scheduled.get(f"/api/v1/schedules/dispatch/{operation['work_center']}?date={monday}&shift=Early")

    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["shift"] == "early" and body["time_zone"] == "Europe/Berlin"
    assert [line["order"] for line in body["lines"]] == ["WO-1"]
    assert body["lines"][0]["unit"] == operation["unit"] + 1


def test_a_dispatch_list_for_a_shift_the_calendar_lacks_is_422_naming_shift(scheduled: Api) -> None:
    monday = _next_week_at(0, 6)[:10]

    refused = problem(scheduled.get(f"/api/v1/schedules/dispatch/WELD?date={monday}&shift=night"))

    assert refused["status"] == 422 and refused["errors"][0]["field"] == "shift"
    assert "its shifts: early, late" in refused["detail"]


def test_a_move_is_a_repair_job_that_pins_the_operation_and_undo_brings_the_schedule_back(scheduled: Api) -> None:
    before = _weld(scheduled)
    first = scheduled.get("/api/v1/schedules/current").json()["number"]
    body = {"order": "WO-1", "step": 10, "starts_at": _next_week_at(0, 15), "time_limit_s": 5}

    job = _run(scheduled, "/api/v1/schedules/moves", body)

    assert job["status"] == "succeeded", job.get("error")
    moved = _weld(scheduled)
    assert moved["starts_at"].startswith(_next_week_at(0, 14)[:10]) and moved["starts_at"] != before["starts_at"]
    undone = scheduled.post("/api/v1/schedules/undo", role=Role.PLANNER)
    assert undone.status_code == 200, undone.text
    assert undone.json()["restores"] == first
    assert _weld(scheduled)["starts_at"] == before["starts_at"]
    again = problem(scheduled.post("/api/v1/schedules/undo", role=Role.PLANNER))
    assert again["status"] == 422 and "nothing to undo" in again["detail"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"starts_at": _next_week_at(1, 8)}, "start", "does not work at Tue"),
        ({"starts_at": _next_week_at(0, 10)}, "start", "does not work"),  # the break 10:00-10:30
        ({"step": 99}, None, "WO-1/99"),
        ({"unit": 0}, "unit", "greater than or equal to 1"),
    ],
)
def test_a_move_the_schedule_cannot_take_is_422_at_once_and_starts_nothing(
    scheduled: Api, change: dict[str, Any], field: str | None, reason: str
) -> None:
    body = {"order": "WO-1", "step": 10, "starts_at": _next_week_at(0, 15)} | change

    refused = problem(scheduled.post("/api/v1/schedules/moves", json=body, role=Role.PLANNER))

    assert refused["status"] in (404, 422) and reason in refused["detail"] + str(refused.get("errors"))
    if field is not None:
        assert refused["errors"][0]["field"] == field
    assert scheduled.get("/api/v1/jobs?kind=move").json()["total"] == 0


def test_a_move_needs_the_scheduler_role(scheduled: Api) -> None:
    body = {"order": "WO-1", "step": 10, "starts_at": _next_week_at(0, 15)}

    assert problem(scheduled.post("/api/v1/schedules/moves", json=body, role=Role.BUYER))["status"] == 403
    assert problem(scheduled.post("/api/v1/schedules/undo", role=Role.BUYER))["status"] == 403
