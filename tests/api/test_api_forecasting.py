"""Forecasting over HTTP: a forecast run as a background job, versions, series, overrides,
launches, publishing and accuracy."""

from __future__ import annotations

from pathlib import Path

import pytest

from plantops.vocabulary import Role
from tests.api.conftest import Api, problem

FAST = ["SeasonalNaive", "CrostonSBA"]
#: Fourteen weeks of bike sales at P1, to forecast from.
HISTORY = "item,site,period_start,quantity\n" + "".join(
    f"BIKE,P1,2026-{month:02d}-{day:02d},{quantity}\n"
    for (month, day), quantity in zip(
        [
            (8, 3),
            (8, 10),
            (8, 17),
            (8, 24),
            (8, 31),
            (9, 7),
            (9, 14),
            (9, 21),
            (9, 28),
            (10, 5),
            (10, 12),
            (10, 19),
            (10, 26),
            (11, 2),
        ],
        [12, 15, 11, 14, 16, 13, 12, 17, 15, 14, 13, 16, 15, 14],
        strict=True,
    )
)


@pytest.fixture
def forecast(plant: Api) -> Api:
    rows = [
        dict(zip(("item", "site", "period_start", "quantity"), line.split(","), strict=True))
        for line in HISTORY.strip().splitlines()[1:]
    ]
    assert plant.post("/api/v1/imports", json={"sheets": {"sales_history": rows}}).status_code == 200
    started = plant.post(
        "/api/v1/forecasts/runs", json={"horizon": 8, "items": ["BIKE"], "models": FAST}, role=Role.PLANNER
    )
    assert started.status_code == 202, started.text
    job = plant.wait_for_job(started.headers["location"])
    assert job["status"] == "succeeded", job
    return plant


def test_a_forecast_run_is_a_job_that_publishes_a_version(forecast: Api) -> None:
    [job] = forecast.get("/api/v1/jobs?kind=forecast").json()["items"]
    versions = forecast.get("/api/v1/forecasts/versions").json()

    assert job["result"]["series"] == 1 and job["result"]["published"] is True
    assert job["steps_done"] == 3 and job["step"] == "write"
    assert versions["total"] == 1 and versions["items"][0]["number"] == job["result"]["number"]
    number = job["result"]["number"]
    trail = forecast.get(f"/api/v1/audit?record=forecast_version&key={number}&action=insert").json()["items"]
    assert trail and {e["user"] for e in trail} == {"planner"}


def test_the_series_of_an_item_has_its_forecast_and_intervals(forecast: Api) -> None:
    [series] = forecast.get("/api/v1/forecasts/series/BIKE?history_weeks=4").json()

    assert series["site"] == "P1" and len(series["forecast"]) == 8
    assert len(series["history"]) == 4
    assert series["levels"] == [80, 95]
    week = series["forecast"][0]
    assert float(week["lower"]["80"]) <= float(week["statistical"]) <= float(week["upper"]["80"])


def test_an_override_changes_the_published_week_and_is_kept_with_its_reason(forecast: Api) -> None:
    [series] = forecast.get("/api/v1/forecasts/series/BIKE").json()
    week = series["forecast"][2]["week"]

    made = forecast.post(
        "/api/v1/forecasts/overrides",
        json={"item": "BIKE", "site": "P1", "week": week, "quantity": "40", "reason": "trade fair"},
        role=Role.PLANNER,
    )
    [after] = forecast.get("/api/v1/forecasts/series/BIKE").json()

    assert made.status_code == 201 and made.json()["quantity"] == "40" and made.json()["created_by"] == "planner"
    assert after["overrides"][0]["reason"] == "trade fair"
    assert [w["published"] for w in after["forecast"] if w["week"] == week] == [40]


def test_bad_forecast_requests_are_4xx(forecast: Api) -> None:
    bad_model = problem(forecast.post("/api/v1/forecasts/runs", json={"models": ["Oracle"]}, role=Role.PLANNER))
    no_reason = problem(
        forecast.post(
            "/api/v1/forecasts/overrides",
            json={"item": "BIKE", "site": "P1", "week": "2027-01-04", "quantity": "4", "reason": ""},
            role=Role.PLANNER,
        )
    )
    unknown = problem(forecast.post("/api/v1/forecasts/versions/FC-999999/publish", role=Role.PLANNER))
    not_allowed = problem(forecast.post("/api/v1/forecasts/runs", json={}, role=Role.OPERATOR))

    assert bad_model["status"] == 422 and "Oracle" in bad_model["detail"]
    assert no_reason["status"] == 422 and no_reason["errors"][0]["field"] == "reason"
    assert unknown["status"] == 404
    assert not_allowed["status"] == 403


def test_a_version_is_published_again_and_accuracy_is_listed(forecast: Api) -> None:
    number = forecast.get("/api/v1/forecasts/versions").json()["items"][0]["number"]

    published = forecast.post(f"/api/v1/forecasts/versions/{number}/publish", role=Role.PLANNER)
    accuracy = forecast.get("/api/v1/forecasts/accuracy")

    assert published.status_code == 200 and published.json()["rows"] == 8
    assert accuracy.status_code == 200 and accuracy.json()["total"] == 0  # nothing realised yet


def test_a_new_item_is_launched_like_another(forecast: Api, tmp_path: Path) -> None:
    launched = forecast.post(
        "/api/v1/forecasts/launches",
        json={"item": "FRAME", "site": "P1", "like": "BIKE", "factor": "0.5", "reason": "new frame size"},
        role=Role.PLANNER,
    )
    itself = forecast.post(
        "/api/v1/forecasts/launches",
        json={"item": "BIKE", "site": "P1", "like": "BIKE", "reason": "x"},
        role=Role.PLANNER,
    )

    assert launched.status_code == 204
    assert problem(itself)["errors"][0]["field"] == "like"
