"""Scheduling and inventory policies over HTTP: runs as background jobs, what they produced,
disruptions and rush orders repairing the schedule, policies explained and applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, import_plant, problem

START = "2026-11-23T06:00:00+01:00"  # a Monday, at the early shift's start in Europe/Berlin
TODAY = dt.date(2026, 11, 23)
WEEKS = [TODAY - dt.timedelta(weeks=52 - w) for w in range(52)]
MONDAY_TO_FRIDAY = "calendar,weekday,kind,start_time,end_time,name\n" + "".join(
    f"TWO,{day},shift,06:00,14:00,early\n" for day in range(5)
)
#: A year of bike sales at P1, 10 and 20 in turn.
HISTORY = "item,site,period_start,quantity\n" + "".join(
    f"BIKE,P1,{week},{10 if w % 2 else 20}\n" for w, week in enumerate(WEEKS)
)


def _next_week_at(day: int, hour: int) -> str:
    """Day ``day`` (0: Monday) of next week at ``hour`` in Europe/Berlin: a repair starts from now or
    from the start of the schedule it repairs, whichever is later, so that schedule must not be over."""
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    moment = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour), ZoneInfo("Europe/Berlin"))
    return moment.isoformat()


def _run(api: Api, path: str, body: dict[str, Any], role: Role = Role.PLANNER) -> dict[str, Any]:
    started = api.post(path, json=body, role=role)
    assert started.status_code == 202, started.text
    return api.wait_for_job(started.headers["location"], seconds=120)


@pytest.fixture
def scheduled(plant: Api) -> Api:
    job = _run(plant, "/api/v1/schedules/runs", {"horizon_start": _next_week_at(0, 6), "weeks": 2, "time_limit_s": 5})
    assert job["status"] == "succeeded", job.get("error")
    return plant


def test_a_schedule_run_is_a_job_and_its_schedule_is_in_force(scheduled: Api) -> None:
    [job] = scheduled.get("/api/v1/jobs?kind=schedule").json()["items"]
    current = scheduled.get("/api/v1/schedules/current").json()

    assert current["number"] == job["result"]["number"] and current["run_by"] == "planner"
    assert job["result"]["orders"] >= 1 and job["result"]["operations"] >= 1
    [entry] = scheduled.get(f"/api/v1/audit?record=schedule_run&key={current['number']}&action=insert").json()["items"]
    assert entry["user"] == "planner"


def test_operations_loads_late_orders_and_critical_path_are_read(scheduled: Api) -> None:
    operations = scheduled.get("/api/v1/schedules/operations?sort=starts_at").json()
    welding = scheduled.get("/api/v1/schedules/operations?work_center=WELD").json()
    loads = scheduled.get("/api/v1/schedules/work-centers?sort=-busy_minutes").json()
    late = scheduled.get("/api/v1/schedules/late-orders")
    critical = scheduled.get("/api/v1/schedules/critical-path")

    starts = [o["starts_at"] for o in operations["items"]]
    assert operations["total"] >= 1 and starts == sorted(starts)
    assert {o["work_center"] for o in welding["items"]} <= {"WELD"}
    assert loads["total"] == 2 and loads["items"][0]["busy_minutes"] >= loads["items"][1]["busy_minutes"]
    assert late.status_code == 200 and critical.status_code == 200
    assert all(o["critical"] for o in critical.json())


def test_a_disruption_of_an_unknown_work_center_fails_its_job_naming_it(scheduled: Api) -> None:
    job = _run(
        scheduled,
        "/api/v1/schedules/disruptions",
        {"work_center": "NOPE", "starts_at": START, "ends_at": "2026-11-23T08:00:00+01:00"},
        role=Role.MAINTENANCE,
    )

    assert job["status"] == "failed" and "NOPE" in job["error"]


def test_a_disruption_repairs_the_schedule_and_records_the_downtime(scheduled: Api) -> None:
    job = _run(
        scheduled,
        "/api/v1/schedules/disruptions",
        {
            "work_center": "WELD",
            "starts_at": _next_week_at(1, 6),
            "ends_at": _next_week_at(1, 14),
            "reason": "spindle",
            "time_limit_s": 5,
        },
        role=Role.MAINTENANCE,
    )

    assert job["status"] == "succeeded", job.get("error")
    assert scheduled.get("/api/v1/schedules/current").json()["kind"] == "repair"
    downtimes = scheduled.get("/api/v1/work-center-downtimes?work_center=WELD&reason=spindle").json()
    assert downtimes["total"] == 1


def test_a_rush_order_is_released_and_scheduled(scheduled: Api) -> None:
    job = _run(
        scheduled,
        "/api/v1/schedules/rush-orders",
        {"item": "BIKE", "quantity": "5", "due": "2030-01-07", "number": "RUSH-1", "time_limit_s": 5},
    )

    assert job["status"] == "succeeded", job.get("error")
    assert scheduled.get("/api/v1/work-orders/RUSH-1").json()["quantity"] == "5"
    assert scheduled.get("/api/v1/schedules/operations?order=RUSH-1").json()["total"] >= 1


def test_schedule_errors_are_4xx_or_a_failed_job_saying_why(plant: Api) -> None:
    none_yet = problem(plant.get("/api/v1/schedules/current"))
    naive = problem(plant.post("/api/v1/schedules/runs", json={"horizon_start": "2026-11-23T06:00"}, role=Role.PLANNER))
    refused = problem(plant.post("/api/v1/schedules/runs", json={}, role=Role.BUYER))
    before_any = _run(
        plant,
        "/api/v1/schedules/disruptions",
        {"work_center": "NOPE", "starts_at": START, "ends_at": "2026-11-23T08:00:00+01:00"},
        role=Role.MAINTENANCE,
    )

    assert none_yet["status"] == 404
    assert naive["status"] == 422 and naive["errors"][0]["field"] == "horizon_start"
    assert refused["status"] == 403
    assert before_any["status"] == "failed" and "no schedule yet" in before_any["error"]


@pytest.fixture
def policies(api: Api, tmp_path: Path) -> Api:
    import_plant(
        api,
        tmp_path / "plant",
        {
            "calendar_shifts": MONDAY_TO_FRIDAY,
            "sales_history": HISTORY,
            "demand_forecasts": "item,site,period_start,quantity\n",
        },
    )
    job = _run(api, "/api/v1/policies/runs", {"today": TODAY.isoformat(), "items": ["BIKE"]}, role=Role.BUYER)
    assert job["status"] == "succeeded", job.get("error")
    return api


def test_a_policy_run_is_a_job_whose_lines_are_read_and_explained(policies: Api) -> None:
    page = policies.get("/api/v1/policies/lines?item=BIKE").json()
    [explained] = policies.get("/api/v1/policies/explanations/BIKE?simulated=false").json()

    [line] = page["items"]
    assert page["run"]["computed_by"] == "buyer" and page["run"]["method"] == "reorder_point"
    assert line["item"] == "BIKE" and line["site"] == "P1" and line["applied"] is False
    assert float(line["values"]["demand_mean"]) == pytest.approx(15, rel=0.05)  # a week: 10 and 20 in turn
    assert explained["paragraphs"] and explained["simulation"] is None


def test_applying_a_policy_writes_it_at_its_site_and_leaves_the_item(policies: Api) -> None:
    [line] = policies.get("/api/v1/policies/lines?item=BIKE").json()["items"]

    applied = policies.post("/api/v1/policies/apply", json={"items": ["BIKE"]}, role=Role.BUYER)
    again = problem(policies.post("/api/v1/policies/apply", json={"items": ["BIKE"]}, role=Role.BUYER))
    [after] = policies.get("/api/v1/policies/lines?item=BIKE").json()["items"]

    assert applied.status_code == 200, applied.text
    [change] = applied.json()["changes"]
    assert (change["item"], change["site"], change["created"]) == ("BIKE", "P1", True)
    assert change["safety_stock"][0] == "5"
    assert float(change["safety_stock"][1]) == pytest.approx(float(line["values"]["new_safety_stock"]))
    assert change["policy"] == [None, "reorder_point"]
    assert float(change["reorder_point"][1]) == pytest.approx(float(line["values"]["reorder_point"]))
    assert float(change["order_quantity"][1]) == pytest.approx(float(line["values"]["order_quantity"]))
    assert change["order_up_to"] == [None, None] and change["review_weeks"] == [None, 1]
    assert policies.get("/api/v1/items/BIKE").json()["safety_stock"] == "5"  # the item's own value is kept
    assert after["applied"] is True and after["values"]["site_policy"] == "reorder_point"
    assert after["in_mrp"].startswith("carries out (r, Q) r ")
    assert again["status"] == 422 and "the policy of POL-000001 at P1 was applied" in again["detail"]


def test_applying_without_lot_sizing_writes_the_safety_stock_at_the_site_only(policies: Api) -> None:
    applied = policies.post("/api/v1/policies/apply", json={"items": ["BIKE"], "lot_sizing": False}, role=Role.BUYER)

    assert applied.status_code == 200, applied.text
    [change] = applied.json()["changes"]
    [after] = policies.get("/api/v1/policies/lines?item=BIKE").json()["items"]
    assert change["policy"] == [None, None]
    assert after["values"]["site_policy"] is None
    assert float(after["values"]["site_safety_stock"]) == pytest.approx(float(change["safety_stock"][1]))
    assert after["in_mrp"].startswith("nets against safety stock ")
    assert policies.get("/api/v1/items/BIKE").json()["safety_stock"] == "5"


def test_policy_errors_are_4xx(api: Api) -> None:
    none_yet = problem(api.get("/api/v1/policies/lines"))
    bad_target = problem(api.post("/api/v1/policies/runs", json={"target": 1.5}, role=Role.BUYER))
    refused = problem(api.post("/api/v1/policies/apply", json={}, role=Role.OPERATOR))

    assert none_yet["status"] == 404
    assert bad_target["status"] == 422 and bad_target["errors"][0]["field"] == "target"
    assert refused["status"] == 403
