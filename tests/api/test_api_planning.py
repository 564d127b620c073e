"""Planning over HTTP: a plan run as a background job, its orders, records, exceptions, pegging,
firming and release."""

from __future__ import annotations

from typing import Any

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem


def _plan(api: Api, role: Role = Role.PLANNER, **settings: Any) -> dict[str, Any]:
    started = api.post("/api/v1/plan/runs", json={"start": "2026-11-23", "weeks": 8, **settings}, role=role)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued" and started.json()["steps_total"] == 3
    assert started.headers["location"] == f"/api/v1/jobs/{started.json()['number']}"
    return api.wait_for_job(started.headers["location"])


def test_a_plan_run_is_a_job_that_reports_its_steps_and_result(plant: Api) -> None:
    job = _plan(plant)

    assert job["status"] == "succeeded", job
    assert job["submitted_by"] == "planner" and job["steps_done"] == 3 and job["step"] == "write"
    assert job["result"]["number"] == "PLAN-000001" and job["result"]["planned_orders"] == 3
    assert job["request"]["weeks"] == 8
    listed = plant.get("/api/v1/jobs?kind=plan&status=succeeded").json()
    assert [j["number"] for j in listed["items"]] == [job["number"]]


def test_jobs_are_listed_newest_first_or_in_the_order_asked_for(plant: Api) -> None:
    first, second = _plan(plant), _plan(plant)

    newest_first = plant.get("/api/v1/jobs?kind=plan").json()["items"]
    oldest_first = plant.get("/api/v1/jobs?kind=plan&sort=number").json()["items"]
    unknown = problem(plant.get("/api/v1/jobs?sort=colour"))

    assert [j["number"] for j in newest_first] == [second["number"], first["number"]]
    assert [j["number"] for j in oldest_first] == [first["number"], second["number"]]
    assert unknown["status"] == 422 and unknown["errors"][0]["field"] == "sort"


def test_a_run_refused_by_the_planner_is_a_failed_job_saying_why(plant: Api) -> None:
    job = _plan(plant, frozen_weeks=4, slushy_weeks=2)

    assert job["status"] == "failed"
    assert "slushy fence" in job["error"] and job["result"] is None


def test_bad_run_settings_are_refused_before_a_job_starts(plant: Api) -> None:
    refused = problem(plant.post("/api/v1/plan/runs", json={"weeks": 0}, role=Role.PLANNER))

    assert refused["status"] == 422 and refused["errors"][0]["field"] == "weeks"
    assert plant.get("/api/v1/jobs").json()["total"] == 0


def test_orders_exceptions_and_records_of_the_plan_in_force(plant: Api) -> None:
    _plan(plant)

    orders = plant.get("/api/v1/plan/orders?sort=item,-quantity").json()
    frames = plant.get("/api/v1/plan/orders?item=FRAME").json()
    exceptions = plant.get("/api/v1/plan/exceptions?kind=late_demand").json()
    [record] = plant.get("/api/v1/plan/records/BIKE").json()

    assert orders["run"] == "PLAN-000001" and orders["total"] == 3
    assert [(o["item"], o["quantity"]) for o in orders["items"]] == [("BIKE", "20"), ("BIKE", "13"), ("FRAME", "50")]
    assert [o["kind"] for o in frames["items"]] == ["make"]
    assert exceptions["total"] == 2 and all("cannot be met" in e["message"] for e in exceptions["items"])
    assert record["site"] == "P1" and record["rows"]["gross_requirements"][:3] == [15, 0, 20]


def test_no_plan_yet_is_404(plant: Api) -> None:
    assert problem(plant.get("/api/v1/plan/orders"))["status"] == 404


def test_firm_peg_and_release_a_planned_order(plant: Api) -> None:
    _plan(plant)
    [frame] = plant.get("/api/v1/plan/orders?item=FRAME").json()["items"]
    number = frame["number"]

    pegging = plant.get(f"/api/v1/plan/orders/{number}/pegging").json()
    firmed = plant.post(f"/api/v1/plan/orders/{number}/firm", role=Role.PLANNER)
    again = plant.post(f"/api/v1/plan/orders/{number}/firm", role=Role.PLANNER)
    released = plant.post(f"/api/v1/plan/orders/{number}/release", json={"today": "2026-11-23"}, role=Role.BUYER)
    unknown = plant.post("/api/v1/plan/orders/P1-999/release", role=Role.BUYER)

    assert pegging["order"]["number"] == number and pegging["pegs"]
    assert firmed.status_code == 200 and firmed.json()["status"] == "firm"
    assert problem(again)["status"] == 422 and "already firm" in problem(again)["detail"]
    assert released.status_code == 200 and released.json()["released_as"] == f"WO-{number}"
    assert plant.get(f"/api/v1/work-orders/WO-{number}").json()["quantity"] == "50"
    assert problem(unknown)["status"] == 404


def test_a_buyer_may_release_but_not_plan(plant: Api) -> None:
    refused = plant.post("/api/v1/plan/runs", json={}, role=Role.BUYER)

    assert problem(refused)["status"] == 403 and "plan" in problem(refused)["detail"]


def test_an_unknown_job_is_404(plant: Api) -> None:
    assert problem(plant.get("/api/v1/jobs/JOB-999999"))["status"] == 404
